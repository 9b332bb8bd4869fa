package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.DiskImage;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient.ItemFile;
import dev.ferry.provider.vsphere.vcenter.ContentLibraryClient.SessionFile;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A VM captured as an OVF template in a content library, as a disk image of kind {@value #KIND}: the library
 * item, its files in OVA order (the descriptor first, then the disks as listed) and the download session that
 * serves them. {@link #prepare} opens (or reopens) the session and waits until every file is {@code PREPARED}.
 */
final class OvfPackage {

    static final String KIND = "vcenter-ovf";
    private static final Duration PREPARE_LIMIT = Duration.ofMinutes(30);

    private OvfPackage() {
    }

    /** The descriptor first (an OVA requires it), then a manifest if any, then the rest in vCenter's order. */
    static List<ItemFile> ovaOrder(List<ItemFile> files) {
        List<ItemFile> ordered = new ArrayList<>(files);
        ordered.sort(Comparator.comparingInt(file -> rank(file.name())));
        return ordered;
    }

    private static int rank(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".ovf") ? 0 : lower.endsWith(".mf") ? 1 : 2;
    }

    static DiskImage diskImage(String vcenter, String item, String session, List<ItemFile> files, String vmName) {
        ObjectNode location = JsonNodeFactory.instance.objectNode().put("vcenter", vcenter).put("item", item).put("session", session);
        ArrayNode list = location.putArray("files");
        List<Long> sizes = new ArrayList<>();
        for (ItemFile file : ovaOrder(files)) {
            if (file.size() < 0) {
                throw new FerryException("vCenter does not give the size of " + file.name() + " in library item " + item
                        + ": ferry needs it to stream the OVA; try again once the capture has settled");
            }
            list.addObject().put("name", file.name()).put("size", file.size());
            sizes.add(file.size());
        }
        if (ovaOrder(files).isEmpty() || rank(ovaOrder(files).get(0).name()) != 0) {
            throw new FerryException("library item " + item + " holds no OVF descriptor: it is not an OVF template");
        }
        return new DiskImage(KIND, "ova", OvaByteSource.archiveSize(sizes), location, "OVF template of VM '" + vmName + "' (library item "
                + item + ") on vCenter " + vcenter);
    }

    /**
     * The disk files of a captured template heavier than VM Import takes for one disk image, each named with its size and
     * the way out; empty when every disk fits.
     */
    static List<String> oversizedDisks(String owner, List<ItemFile> files) {
        List<String> problems = new ArrayList<>();
        int disk = 0;
        for (ItemFile file : ovaOrder(files)) {
            if (rank(file.name()) != 2) {
                continue;
            }
            disk++;
            if (file.size() > ImportLimits.MAX_DISK_IMAGE_BYTES) {
                problems.add("disk " + disk + " of " + owner + " (" + file.name() + ") is " + Sizes.human(file.size()) + " as vCenter captured it, "
                        + "more than the " + Sizes.human(ImportLimits.MAX_DISK_IMAGE_BYTES) + " VM Import takes for one disk image: free and "
                        + "zero its unused space, or shrink it, then capture again (ferry destroy -target, then apply), or move that disk's "
                        + "data separately");
            }
        }
        return problems;
    }

    static List<ItemFile> files(JsonNode location) {
        List<ItemFile> files = new ArrayList<>();
        for (JsonNode file : location.path("files")) {
            files.add(new ItemFile(file.path("name").asText(), file.path("size").asLong()));
        }
        return files;
    }

    /** A session that vCenter still has ACTIVE, or a new one on {@code item}. */
    static String activeSession(ContentLibraryClient library, String item, String session, Consumer<String> progress) {
        if (!session.isEmpty() && library.downloadSessionState(session).filter("ACTIVE"::equals).isPresent()) {
            return session;
        }
        if (!session.isEmpty()) {
            progress.accept("download session " + session + " has ended; opening a new one on library item " + item);
        }
        return library.createDownloadSession(item, UUID.randomUUID().toString());
    }

    /** Prepares every file of the session and waits for PREPARED: each file's download URL, by name. */
    static Map<String, URI> prepare(ContentLibraryClient library, String session, List<ItemFile> files, Consumer<String> progress) {
        Map<String, URI> endpoints = new LinkedHashMap<>();
        Map<String, SessionFile> status = new LinkedHashMap<>();
        for (ItemFile file : files) {
            SessionFile current = library.file(session, file.name());
            if (current.status().equals("UNPREPARED")) {
                current = library.prepare(session, file.name());
            }
            status.put(file.name(), current);
        }
        Instant deadline = Instant.now().plus(PREPARE_LIMIT);
        long pause = 20;
        while (true) {
            for (Map.Entry<String, SessionFile> entry : status.entrySet()) {
                SessionFile file = entry.getValue();
                if (file.status().equals("ERROR")) {
                    throw new FerryException("vCenter could not prepare " + file.name() + " for download (session " + session + ")"
                            + file.error().map(message -> ": " + message).orElse("") + "; run ferry apply again to retry");
                }
                if (file.status().equals("PREPARED")) {
                    endpoints.put(entry.getKey(), file.endpoint().orElseThrow(() -> new FerryException("vCenter prepared "
                            + file.name() + " but gave no download_endpoint")));
                }
            }
            if (endpoints.size() == files.size()) {
                return endpoints;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new FerryException("vCenter did not prepare the files of download session " + session + " within "
                        + PREPARE_LIMIT.toMinutes() + " minutes; run ferry apply again to keep waiting");
            }
            progress.accept("preparing " + (files.size() - endpoints.size()) + " file(s) for download");
            sleep(pause);
            pause = Math.min(1000, pause * 2);
            for (Map.Entry<String, SessionFile> entry : status.entrySet()) {
                if (!endpoints.containsKey(entry.getKey())) {
                    entry.setValue(library.file(session, entry.getKey()));
                }
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for vCenter", e);
        }
    }

    static <T> T require(T value, String what) {
        return requireNonNull(value, what);
    }
}
