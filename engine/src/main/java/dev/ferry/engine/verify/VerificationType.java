package dev.ferry.engine.verify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.PriorState;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@code verify.NAME}: the migration's last step. Planning probes the checks against the source and records which
 * answered ({@code source_results}; kept from the state once recorded, so a source shut down after the move does not
 * change what is expected); creating probes the target, round after round until every check that answered on the
 * source answers there or the timeout passes. It makes nothing in any cloud: deleting it forgets the results.
 */
public final class VerificationType implements ManagedResourceType {

    public static final String NAME = "verify";
    private static final Duration ROUND_EVERY = Duration.ofSeconds(2);
    private static final Set<String> ARGUMENTS = Set.of("checks", "timeout_seconds", "address", "target_kind", "source_address",
            "target_address", "source_results", "source_rules");

    /** Made at first use, so that a malformed FERRY_PROBE_PROXY troubles only files that verify something. */
    private final Supplier<Prober> probers;
    private Prober prober;
    private final Clock clock;
    /** The source's answers of this run, so the apply's completion of the plan finds what the plan saw. */
    private final Map<String, Prober.Answer> sourceProbes = new ConcurrentHashMap<>();

    public VerificationType(Map<String, String> environment) {
        this(() -> Prober.from(environment, Duration.ofSeconds(3)), Clock.systemUTC());
    }

    VerificationType(Supplier<Prober> probers, Clock clock) {
        this.probers = requireNonNull(probers, "probers is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    private synchronized Prober prober() {
        if (prober == null) {
            prober = probers.get();
        }
        return prober;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ResourceSchema schema() {
        // any change verifies again, in place, and a failed verification runs again: there is nothing to replace
        return new ResourceSchema(ARGUMENTS, true);
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<ResourceAddress, Observation> observed = new LinkedHashMap<>();
        requests.forEach(request -> observed.put(request.address(), new Observation.Exists(JsonNodeFactory.instance.objectNode(),
                request.outputs())));
        return observed;
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Check> checks = Check.fromJson(desired.get("checks"));
        String preference = desired.text("address");
        // once recorded, the source's address stays: a source stopped after the move loses its public one
        Optional<String> sourceAddress = request.prior().map(PriorState::arguments)
                .filter(arguments -> arguments.path("address").asText().equals(preference))
                .map(arguments -> arguments.path("source_address")).filter(JsonNode::isTextual).map(JsonNode::asText)
                .or(() -> desired.isKnown("source")
                        ? Addresses.pick(Addresses.ofMachine(desired.get("source")), preference)
                        : Optional.empty());
        Map<String, Prober.Answer> recorded = request.prior().map(PriorState::arguments)
                .map(arguments -> Results.sourceAnswers(arguments.get("source_results"))).orElse(Map.of());
        Map<String, Prober.Answer> source = new LinkedHashMap<>();
        List<Note> notes = new ArrayList<>();
        if (sourceAddress.isPresent()) {
            List<Check> unknown = checks.stream().filter(check -> !recorded.containsKey(check.name())
                    && !sourceProbes.containsKey(sourceAddress.get() + " " + check.name())).toList();
            prober().probeAll(unknown, sourceAddress.get())
                    .forEach((check, answer) -> sourceProbes.putIfAbsent(sourceAddress.get() + " " + check.name(), answer));
            for (Check check : checks) {
                Prober.Answer answer = recorded.get(check.name());
                source.put(check.name(), answer != null ? answer : sourceProbes.get(sourceAddress.get() + " " + check.name()));
            }
            notes.addAll(sourceNotes(checks, sourceAddress.get(), source, !recorded.isEmpty()));
        } else {
            notes.add(Note.warning("the source has no " + preference + " address ferry knows, so no check was probed there:"
                    + " every check must answer on " + Results.targetNoun(desired.text("target_kind"))));
        }
        Attributes.Builder planned = Attributes.builder();
        for (String name : List.of("checks", "timeout_seconds", "address", "target_kind")) {
            planned.known(name, desired.get(name));
        }
        planned.known("source_address", sourceAddress.<JsonNode>map(JsonNodeFactory.instance::textNode)
                .orElse(JsonNodeFactory.instance.nullNode()));
        planned.known("source_results", Results.sourceJson(checks, source));
        if (desired.isKnown("source_firewall")) {
            planned.known("source_rules", SourceRules.of(checks, desired.get("source_firewall")));
        }
        if (desired.isKnown("target")) {
            Optional<String> target = Addresses.pick(desired.get("target"), preference);
            if (target.isEmpty()) {
                return new PlanResult(planned.build(), JsonNodeFactory.instance.objectNode(), notes, List.of("the target has no "
                        + preference + " address to probe; use 'verify.address: " + (preference.equals("public") ? "private" : "public")
                        + "' or give the target one"));
            }
            planned.known("target_address", JsonNodeFactory.instance.textNode(target.get()));
        } else {
            planned.unknown("target_address");
        }
        return new PlanResult(planned.build(), JsonNodeFactory.instance.objectNode(), notes, List.of());
    }

    private List<Note> sourceNotes(List<Check> checks, String address, Map<String, Prober.Answer> source, boolean fromState) {
        List<Note> notes = new ArrayList<>();
        List<String> answered = checks.stream().filter(c -> source.get(c.name()).answered()).map(Check::name).toList();
        String where = fromState ? "on the source " + address + " (as recorded when first verified)"
                : "probed on the source " + address + " " + prober().route();
        notes.add(Note.info(where + ": " + (answered.isEmpty() ? "nothing answered" : String.join(", ", answered) + " answered")));
        for (Check check : checks) {
            Prober.Answer answer = source.get(check.name());
            if (!answer.answered()) {
                notes.add(Note.info(check.name() + " did not answer on the source (" + answer.detail()
                        + "), so the target is not required to answer it"));
            }
        }
        if (answered.isEmpty()) {
            notes.add(Note.warning("no check answered on the source " + address + ", so verification will require nothing of the"
                    + " target; check the address, or reach the source's network (FERRY_PROBE_PROXY names a SOCKS5 proxy there)"));
        }
        return notes;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        return Optional.empty();
    }

    @Override
    public Outcome create(ApplyContext context) {
        Instant deadline = clock.instant().plusSeconds(context.arguments().number("timeout_seconds"));
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("deadline", deadline.toString());
        return round(context, new Operation(Operation.CREATE, "verify-" + UUID.randomUUID(), Optional.empty(), "probing", data));
    }

    @Override
    public Outcome update(ApplyContext context) {
        return create(context);
    }

    @Override
    public Outcome delete(ApplyContext context) {
        return new Outcome.Deleted();
    }

    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.DELETE)) {
            return new Outcome.Deleted();
        }
        return round(context, operation);
    }

    /** One round of probes against the target: done, failed after the deadline, or another round soon. */
    private Outcome round(ApplyContext context, Operation operation) {
        Attributes arguments = context.arguments();
        List<Check> checks = Check.fromJson(arguments.get("checks"));
        String target = arguments.text("target_address");
        Optional<String> sourceAddress = arguments.optionalText("source_address");
        Map<String, Prober.Answer> source = Results.sourceAnswers(arguments.get("source_results"));
        Map<String, Prober.Answer> answers = new LinkedHashMap<>();
        prober().probeAll(checks, target).forEach((check, answer) -> answers.put(check.name(), answer));
        List<Check> failing = checks.stream()
                .filter(check -> Results.required(check, sourceAddress, source) && !answers.get(check.name()).answered()).toList();
        if (failing.isEmpty()) {
            ObjectNode outputs = JsonNodeFactory.instance.objectNode().put("target_address", target);
            outputs.set("source_address", arguments.get("source_address"));
            outputs.set("results", Results.targetJson(checks, sourceAddress, source, answers));
            outputs.put("verified_at", clock.instant().toString());
            return new Outcome.Done(target, outputs);
        }
        Instant deadline = Instant.parse(operation.data().path("deadline").asText());
        if (!clock.instant().isBefore(deadline)) {
            throw new FerryException(Diagnosis.message(failing, checks.size(), sourceAddress, target, arguments.text("target_kind"),
                    answers, SourceRules.byPort(arguments.find("source_rules")), Duration.ofSeconds(arguments.number("timeout_seconds"))));
        }
        String waiting = failing.stream().map(Check::name).reduce((a, b) -> a + ", " + b).orElseThrow();
        // the same operation every round: state is written once, when the probing starts
        return new Outcome.InProgress(operation,
                "waiting for " + waiting + " to answer on " + target, OptionalDouble.empty(), ROUND_EVERY);
    }

    @Override
    public Set<String> limits(Attributes arguments) {
        return Set.of();
    }
}
