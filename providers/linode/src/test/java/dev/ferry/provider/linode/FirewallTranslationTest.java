package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.machine.FirewallIntent.Direction;
import dev.ferry.engine.machine.FirewallIntent.PortRange;
import dev.ferry.engine.machine.FirewallIntent.Protocol;
import dev.ferry.engine.machine.Neutral;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.spec.FirewallSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The translation table: the realistic rule sets in {@code src/test/resources/firewall/*.yaml} (see the README
 * there), and below, the generated ones at Linode's limits (15 port pieces, 255 addresses, 25 rules).
 */
class FirewallTranslationTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Arguments> table() throws IOException, URISyntaxException {
        Path folder = Path.of(FirewallTranslationTest.class.getResource("/firewall").toURI());
        List<Arguments> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode testCase : YAML.readTree(file.toFile())) {
                    cases.add(Arguments.of(file.getFileName() + ": " + testCase.path("name").asText(), testCase));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void translatesAsTheTableSays(String name, JsonNode testCase) {
        Optional<FirewallIntent> intent = testCase.hasNonNull("intent")
                ? Optional.of(FirewallIntent.fromJson(testCase.get("intent")))
                : Optional.empty();
        FirewallSpec spec = testCase.hasNonNull("firewall")
                ? Neutral.fromJson(testCase.get("firewall"), FirewallSpec.class)
                : FirewallSpec.defaults(true);

        FirewallTranslation.Result result = FirewallTranslation.translate(intent, spec);

        JsonNode expect = testCase.path("expect");
        if (expect.has("inbound_policy")) {
            assertThat(result.inboundPolicy()).as("inbound_policy").isEqualTo(expect.get("inbound_policy").asText());
        }
        if (expect.has("outbound_policy")) {
            assertThat(result.outboundPolicy()).as("outbound_policy").isEqualTo(expect.get("outbound_policy").asText());
        }
        if (expect.has("inbound")) {
            assertRules("inbound", result.inbound(), expect.get("inbound"));
        }
        if (expect.has("outbound")) {
            assertRules("outbound", result.outbound(), expect.get("outbound"));
        }
        if (expect.has("warnings") || !expect.has("errors")) {
            assertTexts("warnings", texts(result.notes(), Note.Level.WARNING), expect.path("warnings"));
        }
        if (expect.has("infos")) {
            assertTexts("infos", texts(result.notes(), Note.Level.INFO), expect.get("infos"));
        }
        assertTexts("errors", result.errors(), expect.path("errors"));
        assertThat(FirewallTranslation.translate(intent, spec)).as("the same input gives the same firewall").isEqualTo(result);
    }

    private static void assertRules(String direction, List<FirewallRule> actual, JsonNode expected) {
        assertThat(actual).as(direction + " rules: " + actual).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode want = expected.get(i);
            FirewallRule rule = actual.get(i);
            String where = direction + " rule " + i + " " + rule;
            assertThat(rule.action()).as(where + " action").isEqualTo(want.path("action").asText("ACCEPT"));
            assertThat(rule.protocol()).as(where + " protocol").isEqualTo(want.path("protocol").asText());
            assertThat(rule.ports()).as(where + " ports").isEqualTo(Optional.ofNullable(want.get("ports")).map(JsonNode::asText));
            assertThat(rule.ipv4()).as(where + " ipv4").isEqualTo(strings(want.get("ipv4")));
            assertThat(rule.ipv6()).as(where + " ipv6").isEqualTo(strings(want.get("ipv6")));
            if (want.has("label")) {
                assertThat(rule.label()).as(where + " label").isEqualTo(want.get("label").asText());
            }
            if (want.has("description")) {
                assertThat(rule.description()).as(where + " description").contains(want.get("description").asText());
            }
            assertValidForLinode(rule);
        }
    }

    /** Whatever the input, every rule is one the API takes. */
    private static void assertValidForLinode(FirewallRule rule) {
        assertThat(rule.label()).hasSizeBetween(3, 32).matches("[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]");
        assertThat(rule.addressCount()).isBetween(1, FirewallRule.MAX_ADDRESSES);
        rule.description().ifPresent(d -> assertThat(d).hasSizeBetween(1, 100));
        rule.ports().ifPresent(ports -> {
            assertThat(rule.protocol()).isIn("TCP", "UDP");
            assertThat(FirewallPorts.parse(ports).error()).as("ports '" + ports + "'").isEmpty();
        });
        Stream.concat(rule.ipv4().stream(), rule.ipv6().stream()).forEach(address -> assertThat(address).contains("/"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(value -> values.add(value.asText()));
        }
        return values;
    }

    private static List<String> texts(List<Note> notes, Note.Level level) {
        return notes.stream().filter(note -> note.level() == level).map(Note::text).toList();
    }

    private static void assertTexts(String what, List<String> actual, JsonNode expected) {
        List<String> wanted = strings(expected);
        assertThat(actual).as(what + ": " + actual).hasSize(wanted.size());
        for (int i = 0; i < wanted.size(); i++) {
            assertThat(actual.get(i)).as(what + " " + i).contains(wanted.get(i));
        }
    }

    // ---- generated rule sets at Linode's limits ----

    private static FirewallIntent.Rule tcp(int from, int to, List<String> addresses, String origin) {
        return new FirewallIntent.Rule(Direction.INBOUND, Protocol.TCP, Optional.empty(), Optional.of(new PortRange(from, to)),
                Optional.empty(), addresses, Optional.empty(), origin);
    }

    private static FirewallTranslation.Result translate(List<FirewallIntent.Rule> rules) {
        return FirewallTranslation.translate(Optional.of(new FirewallIntent(rules, List.of(), true)), FirewallSpec.defaults(true));
    }

    @Test
    void exactlyFifteenPortPiecesStayOneRule() {
        List<FirewallIntent.Rule> rules = IntStream.range(0, 15)
                .mapToObj(i -> tcp(7000 + 2 * i, 7000 + 2 * i, List.of("0.0.0.0/0"), "sg-p rule " + i)).toList();

        FirewallTranslation.Result result = translate(rules);

        assertThat(result.inbound()).hasSize(1);
        assertThat(FirewallPorts.parse(result.inbound().get(0).ports().orElseThrow()).ports().orElseThrow().pieces()).isEqualTo(15);
        assertThat(result.errors()).isEmpty();
    }

    @Test
    void sixteenPortPiecesSplitIntoTwoRulesWithUniqueLabels() {
        List<FirewallIntent.Rule> rules = IntStream.range(0, 16)
                .mapToObj(i -> tcp(7000 + 2 * i, 7000 + 2 * i, List.of("0.0.0.0/0"), "sg-p rule " + i)).toList();

        FirewallTranslation.Result result = translate(rules);

        assertThat(result.inbound()).hasSize(2);
        assertThat(result.inbound().get(0).ports().orElseThrow()).startsWith("7000, 7002").endsWith("7028");
        assertThat(result.inbound().get(1).ports()).contains("7030");
        assertThat(result.inbound().get(0).label()).isNotEqualTo(result.inbound().get(1).label());
        result.inbound().forEach(FirewallTranslationTest::assertValidForLinode);
    }

    @Test
    void aRangeCountsTwoPiecesWhenSplitting() {
        List<FirewallIntent.Rule> rules = IntStream.range(0, 8)
                .mapToObj(i -> tcp(10000 + 100 * i, 10010 + 100 * i, List.of("10.0.0.0/8"), "sg-r rule " + i)).toList();

        FirewallTranslation.Result result = translate(rules);

        assertThat(result.inbound()).extracting(rule -> FirewallPorts.parse(rule.ports().orElseThrow()).ports().orElseThrow().pieces())
                .containsExactly(14, 2);
    }

    @Test
    void twoHundredFiftyFiveAddressesStayOneRule() {
        FirewallTranslation.Result result = translate(List.of(tcp(22, 22, hosts(255), "sg-h rule 1")));

        assertThat(result.inbound()).hasSize(1);
        assertThat(result.inbound().get(0).addressCount()).isEqualTo(255);
    }

    @Test
    void twoHundredFiftySixAddressesSplitAt255() {
        List<String> addresses = new ArrayList<>(hosts(255));
        addresses.add("2001:db8::1");
        FirewallTranslation.Result result = translate(List.of(tcp(22, 22, addresses, "sg-h rule 1")));

        assertThat(result.inbound()).hasSize(2);
        assertThat(result.inbound().get(0).ipv4()).hasSize(255);
        assertThat(result.inbound().get(1).ipv4()).isEmpty();
        assertThat(result.inbound().get(1).ipv6()).containsExactly("2001:db8::1/128");
        assertThat(result.inbound()).allSatisfy(rule -> assertThat(rule.ports()).contains("22"));
        result.inbound().forEach(FirewallTranslationTest::assertValidForLinode);
    }

    @Test
    void moreThanTwentyFiveRulesStopThePlanWithTheCountAndTheWayOut() {
        // Each port from its own address: nothing can be merged.
        List<FirewallIntent.Rule> rules = IntStream.range(0, 30)
                .mapToObj(i -> tcp(8000 + i, 8000 + i, List.of("192.0.2." + i + "/32"), "sg-x inbound rule " + (i + 1))).toList();

        FirewallTranslation.Result result = translate(rules);

        assertThat(result.errors()).singleElement().satisfies(error -> assertThat(error)
                .contains("needs 30 rules (30 inbound, 0 outbound: 30 translated from the security groups, 0 from firewall.rules)")
                .contains("at most 25")
                .contains("firewall.from: none"));
    }

    @Test
    void exactlyTwentyFiveRulesAreAllowed() {
        List<FirewallIntent.Rule> rules = IntStream.range(0, 25)
                .mapToObj(i -> tcp(8000 + i, 8000 + i, List.of("192.0.2." + i + "/32"), "sg-x inbound rule " + (i + 1))).toList();

        FirewallTranslation.Result result = translate(rules);

        assertThat(result.inbound()).hasSize(25);
        assertThat(result.errors()).isEmpty();
        assertThat(result.inbound()).extracting(FirewallRule::label).doesNotHaveDuplicates();
    }

    @Test
    void fortyPortsFromTheSameSourcesMergeUnderTheLimit() {
        List<FirewallIntent.Rule> rules = IntStream.range(0, 40)
                .mapToObj(i -> tcp(9000 + 3 * i, 9000 + 3 * i, List.of("0.0.0.0/0", "::/0"), "sg-m rule " + i)).toList();

        FirewallTranslation.Result result = translate(rules);

        assertThat(result.inbound()).hasSize(3);
        assertThat(result.errors()).isEmpty();
    }

    @Test
    void fileRulesCountTowardTheLimitToo() {
        List<FirewallIntent.Rule> rules = IntStream.range(0, 20)
                .mapToObj(i -> tcp(8000 + i, 8000 + i, List.of("192.0.2." + i + "/32"), "sg-y rule " + i)).toList();
        List<FirewallSpec.Rule> own = IntStream.range(0, 6).mapToObj(i -> new FirewallSpec.Rule(FirewallSpec.Direction.OUTBOUND,
                FirewallSpec.Action.ACCEPT, FirewallSpec.Protocol.TCP, Optional.of(Integer.toString(9000 + i)), List.of(),
                Optional.empty(), Optional.empty())).toList();
        FirewallSpec spec = new FirewallSpec(FirewallSpec.From.SECURITY_GROUPS, null, null, own);

        FirewallTranslation.Result result = FirewallTranslation.translate(
                Optional.of(new FirewallIntent(rules, List.of(), true)), spec);

        assertThat(result.errors()).singleElement().asString().contains("needs 26 rules (20 inbound, 6 outbound: 20 translated"
                + " from the security groups, 6 from firewall.rules)");
    }

    @Test
    void rulesJsonIsTheBodyOfAPutRules() {
        FirewallTranslation.Result result = translate(List.of(tcp(22, 22, List.of("203.0.113.0/24"), "sg-j rule 1")));

        ObjectNode body = result.rulesJson();

        ObjectNode rule = JsonNodeFactory.instance.objectNode();
        rule.put("label", "in-tcp-22");
        rule.put("description", "ferry: from sg-j rule 1");
        rule.put("action", "ACCEPT");
        rule.put("protocol", "TCP");
        rule.put("ports", "22");
        rule.putObject("addresses").putArray("ipv4").add("203.0.113.0/24");
        assertThat(body.get("inbound_policy").asText()).isEqualTo("DROP");
        assertThat(body.get("outbound_policy").asText()).isEqualTo("ACCEPT");
        assertThat(body.get("inbound")).containsExactly(rule);
        assertThat(body.get("outbound")).isEmpty();
        assertThat(FirewallRule.fromJson(rule)).isEqualTo(result.inbound().get(0));
    }

    private static List<String> hosts(int count) {
        return IntStream.range(0, count).mapToObj(i -> "10.20." + (i / 250) + "." + (i % 250 + 1)).toList();
    }

    @Test
    void tableHasAtLeastThirtyRealWorldCases() throws Exception {
        assertThat(table().count()).isGreaterThanOrEqualTo(30);
    }
}
