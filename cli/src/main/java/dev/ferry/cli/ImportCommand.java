package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.diff.Planner;
import dev.ferry.engine.event.EventSink;
import dev.ferry.engine.expand.Configuration;
import dev.ferry.engine.plan.Change;
import dev.ferry.engine.plan.Plan;
import dev.ferry.engine.provider.ManagedResourceType;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceType;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.JsonValues;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.Spelling;
import dev.ferry.engine.state.ResourceState;
import dev.ferry.engine.state.ResourceStatus;
import dev.ferry.engine.state.State;
import dev.ferry.engine.state.StateBackend;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry import ADDRESS ID}: adopts something that already exists (a staging bucket, the vmimport
 * role, a Linode) into the state, as {@code terraform import} does. The address must be one the file
 * declares; the object is read through its provider's refresh, and recorded with the arguments the file
 * gives it (as an apply would have recorded them), so the next plan creates nothing for it and shows
 * only where the object differs from the file.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {
            "Adopts an object that already exists into the state, under an address the file declares.",
            "",
            "The object is read through its provider (as refresh reads it) and recorded with the file's",
            "arguments, so the next plan creates nothing for it. Nothing in the cloud is changed.",
            "The state is locked meanwhile, and the previous state is kept as state.json.backup."
        })
final class ImportCommand implements Callable<Integer> {

    @Mixin
    FileOption file = new FileOption();

    @Mixin
    StateOption state = new StateOption();

    @Parameters(index = "0", paramLabel = "ADDRESS", description = "An address the file declares, such as aws_s3_bucket.staging.")
    String address;

    @Parameters(index = "1", paramLabel = "ID", description = "The object's id in its cloud: a bucket name, a role name, a Linode id.")
    String id;

    @Spec
    CommandSpec spec;

    private final Workspace workspace;

    @Inject
    ImportCommand(Workspace workspace) {
        this.workspace = requireNonNull(workspace, "workspace is null");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Workspace.Opened opened = workspace.open(file.file, state.value(), err);
        Configuration configuration = workspace.expand(opened.file());
        ResourceAddress target = declared(configuration, opened);
        if (id.isBlank()) {
            throw new FerryException("the ID to import is empty; give the object's id in its cloud (a bucket name, a role name, a Linode id)");
        }
        workspace.checkSecrets(opened.file(), err);
        try (StateBackend.Lock lock = opened.lock("import");
             Workspace.Sessions sessions = workspace.connect(opened.file())) {
            lock.takenOver().ifPresent(stale -> err.println("Warning: removed a stale lock left by pid " + stale.pid() + " (" + stale.holder() + ")"));
            State current = Workspace.readState(opened, err);
            Optional<ResourceState> already = current.get(target);
            if (already.isPresent()) {
                throw new FerryException(target + " is already in the state" + already.get().id().map(i -> " (id " + i + ")").orElse("")
                        + "; nothing was imported. To adopt another object under this address, run 'ferry state rm " + target
                        + "' first (the cloud keeps the old one)");
            }
            ManagedResourceType type = managedType(sessions, target);
            Observation.Exists found = observe(type, target);
            ResourceDeclaration declaration = configuration.get(target).orElseThrow();
            Instant now = Instant.now();
            int generation = (int) Math.min(Integer.MAX_VALUE, current.serial() + 1);
            ResourceState observed = new ResourceState(target, ResourceStatus.CREATED, Optional.of(id), generation, found.arguments(), null,
                    found.outputs(), List.copyOf(declaration.dependencies()), List.copyOf(declaration.lifecycle().cleanupAfter()),
                    declaration.lifecycle().retainOnDestroy(), Optional.empty(), Optional.empty(), now);
            Change change = fileArguments(sessions, configuration, current.with(observed), opened, target);
            Attributes arguments = change.after();
            ResourceState imported = observed.withApplied(arguments.knownValues(), arguments.secrets(), change.dependencies(),
                    List.copyOf(change.lifecycle().cleanupAfter()), change.lifecycle().retainOnDestroy(), now);
            Optional<String> backup = Workspace.writeState(opened.backend(), current.with(imported));
            out.println("Imported " + target + " (id " + id + ") into the state " + opened.stateName() + ".");
            out.println(nextPlan(type, arguments, found.arguments()));
            backup.ifPresent(path -> out.println("The previous state is kept as " + path + "."));
            out.flush();
        }
        return Commands.OK;
    }

    /** The address, which the file must declare as a managed resource. */
    private ResourceAddress declared(Configuration configuration, Workspace.Opened opened) {
        ResourceAddress parsed;
        try {
            parsed = ResourceAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new FerryException(e.getMessage());
        }
        if (parsed.isData()) {
            throw new FerryException(address + " is a data source: ferry reads it on every plan, there is nothing to import."
                    + " Import the managed resources the file declares (ferry graph lists them)");
        }
        if (!configuration.contains(parsed)) {
            List<String> managed = configuration.declarations().stream().map(ResourceDeclaration::address)
                    .filter(a -> !a.isData()).map(ResourceAddress::toString).sorted().toList();
            throw new FerryException(opened.file().displayName() + " declares no " + address + ", so there is nothing to import it as"
                    + Spelling.closest(address, managed).map(best -> "; did you mean " + best + "?")
                            .orElse(" (it declares " + String.join(", ", managed) + ")"));
        }
        return parsed;
    }

    private static ManagedResourceType managedType(Workspace.Sessions sessions, ResourceAddress target) {
        ResourceType type = sessions.types().find(target.type()).orElseThrow(() -> new FerryException(target
                + ": no provider in use implements the resource type '" + target.type() + "'"));
        if (!(type instanceof ManagedResourceType managed)) {
            throw new FerryException(target + " is read, not managed, by ferry: there is nothing to import");
        }
        return managed;
    }

    /** Reads the object through its provider's refresh; it must exist and be sound. */
    private Observation.Exists observe(ManagedResourceType type, ResourceAddress target) {
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        Map<ResourceAddress, Observation> observed;
        try {
            observed = type.refresh(List.of(new RefreshRequest(target, id, none, none.deepCopy())));
        } catch (FerryException e) {
            throw new FerryException("cannot read " + id + " for " + target + ": " + e.getMessage() + "; nothing was imported", e);
        }
        Observation observation = observed.get(target);
        if (observation instanceof Observation.Exists exists) {
            return exists;
        }
        if (observation instanceof Observation.Broken broken) {
            throw new FerryException(target + ": " + id + " exists but is broken (" + broken.reason() + "); nothing was imported."
                    + " Let ferry make a new one with 'ferry apply' instead");
        }
        throw new FerryException(target + ": no " + target.type() + " with the id '" + id + "' exists where the file's provider looks"
                + " (its account and region); nothing was imported. Check the id (a bucket's name, a role's name, a Linode's number)");
    }

    /** The change a plan makes for {@code target} with the object in the state: its arguments are the file's. */
    private Change fileArguments(Workspace.Sessions sessions, Configuration configuration, State withObject, Workspace.Opened opened,
                                 ResourceAddress target) {
        Plan plan;
        try {
            plan = new Planner(sessions.types(), EventSink.NONE).plan(configuration, withObject,
                    new Planner.Options(false, false, opened.file().displayName(), opened.digest()));
        } catch (FerryException e) {
            throw new FerryException("cannot import " + target + ": planning " + opened.file().displayName()
                    + " to learn its arguments failed (fix this, then import again; nothing was imported): " + e.getMessage(), e);
        }
        return plan.change(target).orElseThrow(() -> new IllegalStateException("the plan has no change for " + target));
    }

    /** What the next plan will do with the object, from how it differs from the file's arguments. */
    private static String nextPlan(ManagedResourceType type, Attributes arguments, ObjectNode observed) {
        Set<String> differ = new TreeSet<>(arguments.unknownNames());
        observed.fields().forEachRemaining(field -> {
            if (arguments.isKnown(field.getKey()) && !JsonValues.equal(arguments.get(field.getKey()), field.getValue())) {
                differ.add(field.getKey());
            }
        });
        if (differ.isEmpty()) {
            return "It matches the file: the next plan has no changes for it.";
        }
        Set<String> forcing = new TreeSet<>(differ);
        forcing.removeAll(type.schema().updatable());
        String which = String.join(", ", differ);
        return forcing.isEmpty()
                ? "It differs from the file in " + which + ": the next plan updates it in place."
                : "It differs from the file in " + which + (arguments.unknownNames().isEmpty() ? "" : " (some known only once what it"
                        + " depends on exists)") + ": the next plan replaces it. Run 'ferry plan' to see the details before applying.";
    }
}
