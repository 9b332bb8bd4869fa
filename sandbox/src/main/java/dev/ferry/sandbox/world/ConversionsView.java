package dev.ferry.sandbox.world;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** What tests may see of VM Import/Export: its tasks (as of now) and when each ran. */
public final class ConversionsView {

    private final World world;

    ConversionsView(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    public List<ExportImageTask> exportImageTasks() {
        return world.read(w -> List.copyOf(w.conversions().exportImageTasks().values()));
    }

    public List<ImportImageTask> importImageTasks() {
        return world.read(w -> List.copyOf(w.conversions().importImageTasks().values()));
    }

    public List<InstanceExportTask> instanceExportTasks() {
        return world.read(w -> List.copyOf(w.conversions().instanceExportTasks().values()));
    }

    /** When each conversion task (export image, import image, instance export) started and ended. */
    public List<ConversionTaskSpan> timeline() {
        return world.read(w -> List.copyOf(w.conversions().conversionSpans()));
    }

    /** The most conversion tasks ever active at once in the region (AWS allows 5). */
    public int maxConcurrent() {
        return world.read(w -> w.conversions().maxConcurrentConversionTasks());
    }
}
