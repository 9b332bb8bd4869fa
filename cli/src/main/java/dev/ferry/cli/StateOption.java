package dev.ferry.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --state FILE}: where state is kept, instead of {@code .ferry/NAME/state.json} beside the migration file. */
final class StateOption {

    @Option(names = "--state", paramLabel = "FILE",
            description = "State file (default: .ferry/NAME/state.json next to the migration file, NAME its metadata.name; or FERRY_STATE).")
    String state;

    Optional<String> value() {
        return Optional.ofNullable(state);
    }
}
