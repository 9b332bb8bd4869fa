package dev.ferry.provider.aws;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.ferry.engine.provider.Provider;

/** Registers the Aws provider with the engine. */
public final class AwsModule extends AbstractModule {

    @Override
    protected void configure() {
        MapBinder.newMapBinder(binder(), String.class, Provider.class)
                .addBinding(AwsProvider.NAME).to(AwsProvider.class);
    }
}
