package dev.ferry.engine.expand;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.permission.PermissionDocument;
import dev.ferry.engine.provider.Provider;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Expression;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.MigrationFile;
import dev.ferry.engine.state.RemoteStateLocation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The permissions a migration file needs, provider by provider: what every resource of its expansion calls (its road,
 * its launch, its backup, the describes it plans with) and what its remote state needs, if it keeps one. Computed
 * from the file alone: nothing connects, so the role ferry is to run as can be made before ferry first runs.
 */
public final class RequiredPermissions {

    private RequiredPermissions() {
    }

    /** One document per provider that needs anything, in {@code providers}' order. */
    public static List<PermissionDocument> of(MigrationFile file, Configuration configuration, Optional<RemoteStateLocation> state,
                                              Collection<? extends Provider> providers) {
        List<PermissionDocument> documents = new ArrayList<>();
        for (Provider provider : providers) {
            List<Permission> needed = new ArrayList<>();
            for (ResourceDeclaration declaration : configuration.declarations()) {
                needed.addAll(provider.permissions(file, declaration.address(), knownArguments(configuration, declaration)));
            }
            state.ifPresent(location -> needed.addAll(provider.statePermissions(location)));
            if (!needed.isEmpty()) {
                provider.permissionDocument(needed).ifPresent(documents::add);
            }
        }
        return List.copyOf(documents);
    }

    /**
     * The arguments as far as the file tells them: literals as they are; a reference to an output that its resource
     * takes as an argument of the same name (a bucket's {@code bucket}, a role's {@code name}) as that argument, when
     * the file gives it; every other reference unknown.
     */
    static Attributes knownArguments(Configuration configuration, ResourceDeclaration declaration) {
        Attributes.Builder builder = Attributes.builder();
        for (Map.Entry<String, Expression> argument : declaration.arguments().entrySet()) {
            if (argument.getValue() instanceof Expression.Secret secret) {
                builder.secret(argument.getKey(), secret.reference());
            } else {
                Optional<JsonNode> value = literal(configuration, argument.getValue(), new HashSet<>());
                if (value.isPresent()) {
                    builder.known(argument.getKey(), value.get());
                } else {
                    builder.unknown(argument.getKey());
                }
            }
        }
        return builder.build();
    }

    private static Optional<JsonNode> literal(Configuration configuration, Expression expression, Set<Expression> seen) {
        if (expression instanceof Expression.Literal literal) {
            return Optional.of(literal.value());
        }
        if (expression instanceof Expression.Reference reference && seen.add(reference)) {
            return configuration.get(reference.address())
                    .map(target -> target.arguments().get(reference.output()))
                    .flatMap(echoed -> literal(configuration, echoed, seen));
        }
        return Optional.empty();
    }
}
