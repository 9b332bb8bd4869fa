package dev.ferry.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --state FILE}: where state is kept, instead of {@code .ferry/NAME/state.json} beside the migration file. */
final class StateOption {

    @Option(names = "--state", paramLabel = "FILE|s3://BUCKET/KEY",
            description = "State file, or state in S3 (s3://BUCKET/KEY, locked by KEY.lock). Default: FERRY_STATE, the file's"
                    + " 'state:', else .ferry/NAME/state.json next to the migration file, NAME its metadata.name.")
    String state;

    Optional<String> value() {
        return Optional.ofNullable(state);
    }
}
