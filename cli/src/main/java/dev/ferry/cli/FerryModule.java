package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.ferry.provider.aws.AwsModule;
import dev.ferry.provider.linode.LinodeModule;
import dev.ferry.provider.vsphere.VsphereModule;
import java.util.List;

/** Wires the command line: its environment and every provider built into ferry. */
final class FerryModule extends AbstractModule {

    /** The providers built into ferry. */
    static final List<Module> PROVIDERS = List.of(new AwsModule(), new LinodeModule(), new VsphereModule());

    private final CliEnvironment environment;
    private final List<Module> providers;

    FerryModule(CliEnvironment environment, List<Module> providers) {
        this.environment = requireNonNull(environment, "environment is null");
        this.providers = List.copyOf(providers);
    }

    @Override
    protected void configure() {
        bind(CliEnvironment.class).toInstance(environment);
        providers.forEach(this::install);
    }
}
