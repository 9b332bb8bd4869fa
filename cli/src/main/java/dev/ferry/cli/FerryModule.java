package dev.ferry.cli;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import dev.ferry.provider.aws.AwsModule;
import dev.ferry.provider.linode.LinodeModule;
import dev.ferry.provider.vsphere.VsphereModule;

/** Wires the command line: its environment and every provider built into ferry. */
final class FerryModule extends AbstractModule {

    private final CliEnvironment environment;

    FerryModule(CliEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    protected void configure() {
        bind(CliEnvironment.class).toInstance(environment);
        install(new AwsModule());
        install(new LinodeModule());
        install(new VsphereModule());
    }
}
