package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.apply.Applier;
import dev.ferry.engine.apply.ApplyOptions;
import dev.ferry.engine.apply.ApplyResult;
import dev.ferry.engine.verify.Verified;
import dev.ferry.engine.apply.Cancellation;
import dev.ferry.engine.diff.PlanLookahead;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.diff.Selection;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.render.Style;
import dev.ferry.engine.resource.SecretResolver;
import dev.ferry.engine.state.LiveState;
import dev.ferry.engine.state.State;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The plan and apply steps shared by {@code plan}, {@code apply} and {@code destroy}. */
final class Operations {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");

    private final CliEnvironment environment;
    private final Workspace workspace;

    @Inject
    Operations(CliEnvironment environment, Workspace workspace) {
        this.environment = requireNonNull(environment, "environment is null");
        this.workspace = requireNonNull(workspace, "workspace is null");
    }

    Style style() {
        return Style.of(environment.colour());
    }

    EventPrinter printer(PrintWriter out) {
        return new EventPrinter(out, style(), environment.interactive(), environment.debug());
    }

    /**
     * A destroy expands the file only when {@code selection} names part of it: to know which migration has what. The
     * expansion may read the source's facts and the state first, for a road the file leaves open.
     */
    Plan plan(Workspace.Opened opened, State state, Workspace.Sessions sessions, boolean destroy, boolean refresh, Selection selection,
              EventSink events) {
        Configuration configuration = destroy && selection.isAll() ? Configuration.empty()
                : workspace.expand(opened.file(), new PlanLookahead(sessions.types(), state));
        return new Planner(sessions.types(), events).plan(configuration, state,
                new Planner.Options(destroy, refresh, opened.file().displayName(), opened.digest(), selection));
    }

    ApplyResult apply(Workspace.Opened opened, State state, Workspace.Sessions sessions, Plan plan, SecretResolver secrets,
                      int parallelism, EventSink events, Cancellation cancellation) {
        LiveState live = new LiveState(opened.store(), state);
        Applier applier = new Applier(sessions.types(), live, secrets, events, applyOptions(parallelism),
                cancellation, Clock.systemUTC());
        return applier.apply(plan);
    }

    ApplyOptions applyOptions(int parallelism) {
        ApplyOptions options = ApplyOptions.defaults().withParallelism(parallelism);
        if (environment.variable("FERRY_POLL_INTERVAL").isPresent()) {
            options = options.withMaxPollInterval(duration("FERRY_POLL_INTERVAL", environment.variable("FERRY_POLL_INTERVAL").get()));
        }
        return options;
    }

    static Duration duration(String name, String text) {
        Matcher matcher = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new FerryException(name + "='" + text + "' is not a duration; write e.g. 500ms, 2s or 1m");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /**
     * Asks for 'yes', on the terminal or, as Terraform does, from standard input when it is not one
     * ({@code echo yes | ferry apply}). Only 'yes' approves. With no answer at all (standard input empty or
     * closed), refuses with a message saying how to approve.
     */
    boolean confirm(String question, String explanation, boolean destroy, PrintWriter out) {
        out.println(style().bold(question));
        out.println("  " + explanation);
        out.println("  Only 'yes' will be accepted to approve.");
        out.println();
        out.print("  Enter a value: ");
        out.flush();
        String answer;
        try {
            answer = environment.in().readLine();
        } catch (IOException e) {
            answer = null;
        }
        out.println();
        if (answer == null) {
            throw new FerryException("ferry needs your approval, and " + (environment.interactive() ? "the terminal" : "standard input")
                    + " gave no answer. Review the plan, then run again answering yes (echo yes | ferry " + (destroy ? "destroy" : "apply")
                    + "), with --auto-approve, or apply a saved plan: ferry plan" + (destroy ? " --destroy" : "")
                    + " -out FILE, then ferry apply FILE.");
        }
        return answer.strip().equals("yes");
    }

    /** The closing lines of an apply; returns the exit code. */
    int report(ApplyResult result, boolean destroy, PrintWriter out, PrintWriter err) {
        printVerified(result, out);
        if (result.succeeded()) {
            out.println();
            out.println(style().green(style().bold((destroy ? "Destroy" : "Apply") + " complete!")) + " Resources: "
                    + result.added() + " added, " + result.changed() + " changed, " + result.destroyed() + " destroyed."
                    + (result.cleanedUp() > 0 ? " Staging copies cleaned up: " + result.cleanedUp() + "." : "")
                    + kept(result));
            return Commands.OK;
        }
        out.println();
        if (result.cancelled() && result.failures().isEmpty()) {
            err.println("Error: " + (destroy ? "destroy" : "apply") + " was stopped. Everything done so far is recorded in the state;"
                    + " run the same command again to resume.");
            return Commands.ERROR;
        }
        for (ApplyResult.Failure failure : result.failures()) {
            err.println("Error: " + failure.message());
        }
        err.println("Error: " + (destroy ? "destroy" : "apply") + " did not finish: " + result.failures().size()
                + (result.failures().size() == 1 ? " step failed" : " steps failed")
                + (result.skipped() > 0 ? ", " + result.skipped() + " skipped because of it" : "")
                + ". What succeeded is recorded in the state (" + result.added() + " added, " + result.changed() + " changed, "
                + result.destroyed() + " destroyed" + (result.kept() > 0 ? ", " + result.kept() + " kept" : "")
                + "); fix the cause and run the command again to continue.");
        return Commands.ERROR;
    }

    /** What each verification that passed found, check by check. */
    private void printVerified(ApplyResult result, PrintWriter out) {
        for (Verified verified : result.verified()) {
            out.println();
            out.println(style().bold("Verified " + verified.address()) + ": " + verified.target() + " " + verified.targetAddress()
                    + " answers as the source did.");
            verified.sentences().forEach(sentence -> out.println("  " + sentence));
        }
    }

    private static String kept(ApplyResult result) {
        return result.kept() > 0 ? " Kept in the cloud and removed from state: " + result.kept() + "." : "";
    }
}
