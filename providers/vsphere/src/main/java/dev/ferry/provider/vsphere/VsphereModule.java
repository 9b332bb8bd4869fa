package dev.ferry.provider.vsphere;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.ferry.engine.provider.Provider;

/** Registers the Vsphere provider with the engine. */
public final class VsphereModule extends AbstractModule {

    @Override
    protected void configure() {
        MapBinder.newMapBinder(binder(), String.class, Provider.class)
                .addBinding(VsphereProvider.NAME).to(VsphereProvider.class);
    }
}
