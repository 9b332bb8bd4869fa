package dev.ferry.engine.provider;

import dev.ferry.engine.spec.SectionKind;
import java.util.List;

/**
 * A cloud (or other place machines live) as the engine sees it. Providers are found through Guice
 * and never import one another: a journey from one to another is made of resources and
 * references in the engine's neutral vocabulary.
 */
public interface Provider {

    /** The key of this provider's block under {@code providers:} ({@code aws}, {@code linode}). */
    String name();

    /** The source and target sections this provider owns, with its checks of them. */
    List<SectionKind> sectionKinds();
}
