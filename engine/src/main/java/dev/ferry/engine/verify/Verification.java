package dev.ferry.engine.verify;

import dev.ferry.engine.provider.ExpansionContext;
import dev.ferry.engine.provider.SourceHalf;
import dev.ferry.engine.provider.TargetHalf;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.engine.resource.ResourceDeclaration;
import dev.ferry.engine.spec.VerifySpec;
import java.util.Locale;
import java.util.Optional;

/** The declaration of a migration's {@code verify:}: {@code verify.NAME}, after everything the target half makes. */
public final class Verification {

    private Verification() {
    }

    public static Optional<ResourceDeclaration> declaration(ExpansionContext context, SourceHalf source, TargetHalf target) {
        Optional<VerifySpec> spec = context.migration().verify();
        if (spec.isEmpty() || target.addresses().isEmpty()) {
            return Optional.empty();
        }
        VerifySpec verify = spec.get();
        ResourceDeclaration.Builder declaration = ResourceDeclaration.builder(ResourceAddress.managed(VerificationType.NAME, context.name()),
                        context.file().document().locateKey(context.migration().pointer() + "/verify"))
                .argument("checks", Check.toJson(Check.of(verify)))
                .argument("timeout_seconds", verify.timeoutDuration().toSeconds())
                .argument("address", verify.addressOrDefault().name().toLowerCase(Locale.ROOT))
                .argument("target_kind", context.target().kind())
                .argument("source", source.machine())
                .argument("target", target.addresses().get());
        // which of the source's rules let each port in, to name them when the target does not answer
        source.firewall().ifPresent(firewall -> declaration.argument("source_firewall", firewall));
        // the last step: the target is complete (firewall attached, machine booted) before it is probed; not after its
        // staging copies, which are cleaned up and must not be made again to verify again
        target.declarations().stream().filter(d -> !d.address().isData() && !target.stagingCopies().contains(d.address()))
                .forEach(d -> declaration.dependsOn(d.address()));
        return Optional.of(declaration.build());
    }

}
