package dev.ferry.provider.linode;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.ferry.engine.provider.Provider;

/** Registers the Linode provider with the engine. */
public final class LinodeModule extends AbstractModule {

    @Override
    protected void configure() {
        MapBinder.newMapBinder(binder(), String.class, Provider.class)
                .addBinding(LinodeProvider.NAME).to(LinodeProvider.class);
    }
}
