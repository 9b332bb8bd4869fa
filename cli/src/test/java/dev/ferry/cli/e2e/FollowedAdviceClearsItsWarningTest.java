package dev.ferry.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the plan advises can be done as written: each warning of the example's plan names what to write in the
 * file (a rule to append, a loss to accept, a key to set), the file with it written is accepted, and the next
 * plan no longer gives that warning; the command a refused destroy suggests runs and destroys.
 */
class FollowedAdviceClearsItsWarningTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RULES = Pattern.compile("appended under the migration's firewall\\.rules: (\\{direction: [^}]*}(?:, \\{direction: [^}]*})*)");
    private static final Pattern RULE = Pattern.compile("\\{direction: [^}]*}");
    private static final Pattern ACCEPT = Pattern.compile("firewall\\.accept_losses: \\[([^]]+)]");
    private static final Pattern SET_SOURCE_REBOOT = Pattern.compile("set source\\.ec2\\.reboot: true");

    @TempDir
    Path dir;

    Sandbox sandbox;
    Ferry ferry;

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.start(Journeys.sandbox().world(Journeys.smallRootWorld()).build());
        Journeys.copyExample(dir);
        ferry = Ferry.in(dir, sandbox, Journeys.distinctiveSecret("Root-"));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** Every warning of {@code ferry plan --json}: the plan's own and each change's. */
    private List<String> warnings() throws IOException {
        Ferry.Result plan = ferry.run("plan", "--json");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        JsonNode root = JSON.readTree(plan.out());
        List<String> warnings = new ArrayList<>();
        for (JsonNode change : root.path("changes")) {
            for (JsonNode note : change.path("notes")) {
                if (note.path("level").asText().equals("warning")) {
                    warnings.add(note.path("text").asText());
                }
            }
        }
        // The plan's own list repeats each change's warnings after its address; the others are the plan's.
        List<String> ofTheChanges = List.copyOf(warnings);
        root.path("warnings").forEach(w -> {
            if (ofTheChanges.stream().noneMatch(note -> w.asText().endsWith(": " + note))) {
                warnings.add(w.asText());
            }
        });
        return warnings;
    }

    private Path file() {
        return dir.resolve("migration.yaml");
    }

    /** Writes what {@code warning} advises into the file; fails when it advises nothing the file can say. */
    private void follow(String warning, boolean preferAccepting) throws IOException {
        String text = Files.readString(file());
        Matcher rules = RULES.matcher(warning);
        Matcher accept = ACCEPT.matcher(warning);
        if (rules.find() && !(preferAccepting && accept.find())) {
            // appended under firewall.rules, after its last entry: the last "        - " line and the lines indented under it
            int end = text.indexOf('\n', text.lastIndexOf("\n        - ") + 1) + 1;
            while (text.startsWith("          ", end)) {
                end = text.indexOf('\n', end) + 1;
            }
            assertThat(text.substring(0, end)).as("the example's firewall.rules ends with the office rule before what follows")
                    .contains("label: app-from-office");
            StringBuilder appended = new StringBuilder(text.substring(0, end));
            Matcher each = RULE.matcher(rules.group(1));
            while (each.find()) {
                appended.append("        - ").append(each.group()).append('\n');
            }
            appended.append(text.substring(end));
            Files.writeString(file(), appended.toString());
        } else if (accept.reset().find()) {
            String ids = accept.group(1);
            String written = text.contains("      accept_losses: [")
                    ? text.replace("      accept_losses: [", "      accept_losses: [" + ids + ", ")
                    : text.replace("\n    firewall:\n", "\n    firewall:\n      accept_losses: [" + ids + "]\n");
            assertThat(written).as("the example has a firewall: section").isNotEqualTo(text);
            Files.writeString(file(), written);
        } else if (SET_SOURCE_REBOOT.matcher(warning).find()) {
            String written = text.replace("        reboot: false ", "        reboot: true  ");
            assertThat(written).as("the example sets source.ec2.reboot").isNotEqualTo(text);
            Files.writeString(file(), written);
        } else {
            fail("the plan warns without saying what to write in the file or run: " + warning);
        }
        Ferry.Result validate = ferry.run("validate");
        assertThat(validate.exitCode()).as("the file with the advice written in is valid: " + validate).isZero();
    }

    private void followEachUntilNoneIsLeft(boolean preferAccepting) throws IOException {
        List<String> first = warnings();
        assertThat(first).as("the example's security groups hold a rule from another group and an ICMP type")
                .anyMatch(w -> w.contains("from sg-0fedcba9876543210")).anyMatch(w -> w.contains("cannot filter ICMP by type"));
        for (String warning : first) {
            follow(warning, preferAccepting);
            assertThat(warnings()).as("followed: " + warning).doesNotContain(warning);
        }
        assertThat(warnings()).as("every warning followed").isEmpty();
    }

    @Test
    void appendingTheRulesTheWarningsSuggestClearsThem() throws IOException {
        followEachUntilNoneIsLeft(false);

        String file = Files.readString(file());
        assertThat(file).contains("- {direction: inbound, action: ACCEPT, protocol: TCP, ports: \"8080\", addresses: [\"10.0.0.0/16\"]}")
                .contains("accept_losses: [sgr-").contains("reboot: true");
    }

    @Test
    void acceptingTheLossesTheWarningsNameClearsThem() throws IOException {
        followEachUntilNoneIsLeft(true);

        assertThat(Files.readString(file())).doesNotContain("{direction: inbound").containsPattern("accept_losses: \\[sgr-\\w+, sgr-\\w+]");
    }

    @Test
    void anAcceptedLossThatIsNoRuleOfTheSourceIsWarnedAsMistyped() throws IOException {
        Files.writeString(file(), Files.readString(file()).replace("\n    firewall:\n", "\n    firewall:\n      accept_losses: [sgr-0123456789abcdef0]\n"));

        assertThat(warnings()).anySatisfy(w -> assertThat(w).isEqualTo("firewall.accept_losses lists sgr-0123456789abcdef0, which is no"
                + " rule of the source's security groups; correct the id (the plan's warnings name each rule's id) or remove it"));
    }

    @Test
    void theCommandsADestroyWithoutAnAnswerSuggestsDestroy() {
        Ferry.Result apply = ferry.run("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();

        Ferry.Result refused = ferry.run("destroy");

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        Matcher hint = Pattern.compile("apply a saved plan: (ferry plan [^,]+), then (ferry apply FILE)").matcher(refused.err());
        assertThat(hint.find()).as(refused.err()).isTrue();
        assertThat(hint.group(1)).contains("--destroy");
        Ferry.Result saved = ferry.run(command(hint.group(1), "destroy.plan"));
        assertThat(saved.exitCode()).as(saved.toString()).isZero();
        Ferry.Result destroyed = ferry.run(command(hint.group(2), "destroy.plan"));
        assertThat(destroyed.exitCode()).as(destroyed.toString()).isZero();
        assertThat(destroyed.out()).contains("Destroy complete!");
        assertThat(sandbox.world().linode().instances()).isEmpty();
    }

    /** The arguments of {@code ferry ...} as written in a hint, with FILE replaced by {@code file}. */
    private static String[] command(String hint, String file) {
        List<String> words = new ArrayList<>(Arrays.asList(hint.strip().split("\\s+")));
        assertThat(words.remove(0)).isEqualTo("ferry");
        return words.stream().map(word -> word.equals("FILE") ? file : word).toArray(String[]::new);
    }
}
