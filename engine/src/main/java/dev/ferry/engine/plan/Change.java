package dev.ferry.engine.plan;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.JsonValues;
import dev.ferry.engine.resource.Lifecycle;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.spec.SecretReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One resource's change: {@code before} (the arguments last applied, as state records them) and
 * {@code after} (the planned arguments, some perhaps known only after apply), why a replacement is
 * forced, notes from the provider, and the declaration's expressions so apply can resolve what is
 * still unknown. A change never holds a secret value, only its reference.
 */
public record Change(
        ResourceAddress address,
        Action action,
        Optional<String> id,
        ObjectNode before,
        Map<String, SecretReference> beforeSecrets,
        Attributes after,
        Map<String, Expression> expressions,
        ObjectNode knownOutputs,
        Set<String> replaceBecause,
        List<Note> notes,
        Lifecycle lifecycle,
        List<ResourceAddress> dependencies,
        Set<String> migrations,
        Optional<String> reason,
        int generation) {

    public Change {
        requireNonNull(address, "address is null");
        requireNonNull(action, "action is null");
        id = id == null ? Optional.empty() : id;
        before = before == null ? JsonNodeFactory.instance.objectNode() : before.deepCopy();
        beforeSecrets = beforeSecrets == null ? Map.of() : new TreeMap<>(beforeSecrets);
        after = after == null ? Attributes.empty() : after;
        expressions = expressions == null ? Map.of() : new LinkedHashMap<>(expressions);
        knownOutputs = knownOutputs == null ? JsonNodeFactory.instance.objectNode() : knownOutputs.deepCopy();
        replaceBecause = replaceBecause == null ? Set.of() : Set.copyOf(replaceBecause);
        notes = notes == null ? List.of() : List.copyOf(notes);
        lifecycle = lifecycle == null ? Lifecycle.DEFAULT : lifecycle;
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        migrations = migrations == null ? Set.of() : Set.copyOf(migrations);
        reason = reason == null ? Optional.empty() : reason;
        if (generation < 1) {
            generation = 1;
        }
    }

    /** The same change, shown against {@code newBefore} (what is there now, drift included). */
    public Change withBefore(ObjectNode newBefore) {
        return new Change(address, action, id, newBefore, beforeSecrets, after, expressions, knownOutputs, replaceBecause, notes,
                lifecycle, dependencies, migrations, reason, generation);
    }

    /** The same change with another action (a staging copy's no-op that becomes its clean-up). */
    public Change withAction(Action newAction) {
        return new Change(address, newAction, id, before, beforeSecrets, after, expressions, knownOutputs, replaceBecause, notes,
                lifecycle, dependencies, migrations, reason, generation);
    }

    public boolean hasWarnings() {
        return notes.stream().anyMatch(note -> note.level() == Note.Level.WARNING);
    }

    /** The arguments whose value changes, in the order they are shown. */
    public List<String> changedArguments() {
        return after.names().stream().filter(this::changes).toList();
    }

    /** Whether {@code argument} differs between before and after (unknown after counts as a change). */
    public boolean changes(String argument) {
        if (after.isUnknown(argument)) {
            return true;
        }
        if (after.isSecret(argument)) {
            return !after.secret(argument).equals(Optional.ofNullable(beforeSecrets.get(argument)));
        }
        return !JsonValues.equal(after.find(argument).orElse(null), before.get(argument));
    }
}
