package dev.ferry.cli;

import dev.ferry.engine.state.FileStateStore;
import dev.ferry.engine.state.State;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A state on disk as tests look at it: its manifest and every object of its migrations, read or searched together. */
public final class StoredState {

    private StoredState() {
    }

    /** The state at {@code stateFile} ({@code .ferry/NAME/state.json}) as ferry reads it: every object, each whole. */
    public static State read(Path stateFile) {
        return new FileStateStore(stateFile).read().orElseThrow(() -> new AssertionError("no state at " + stateFile));
    }

    /** The text of every file of the state: the manifest, then its parts ({@code state.d/**}). */
    public static String text(Path stateFile) {
        try {
            StringBuilder text = new StringBuilder(Files.readString(stateFile));
            Path parts = FileStateStore.partsFolder(stateFile);
            if (Files.isDirectory(parts)) {
                try (Stream<Path> walk = Files.walk(parts)) {
                    for (Path file : walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                        text.append('\n').append(Files.readString(file));
                    }
                }
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
