package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The help texts and usage errors read as written. */
class HelpAndUsageTest {

    @TempDir
    Path dir;

    @Test
    void planHelpSaysErrorsExitWithOne() {
        String help = CliRunner.run(dir, "plan", "--help").out();

        assertThat(help.replaceAll("\\s+", " ")).contains("Exit code 0 on success and 1 on an error");
    }

    @Test
    void helpParagraphsAreWrappedByPicocli_notBrokenMidPhrase() {
        for (String command : List.of("plan", "apply", "destroy", "validate", "sandbox", "fleet", "permissions")) {
            String help = CliRunner.run(dir, command, "--help").out();
            List<String> lines = help.lines().toList();
            for (int i = 0; i + 1 < lines.size(); i++) {
                String line = lines.get(i).strip();
                String next = lines.get(i + 1).strip();
                // a hard break that picocli then wraps leaves a stub: a short line followed by more of the sentence
                boolean stub = !line.isEmpty() && line.length() < 25 && !next.isEmpty() && !line.startsWith("-")
                        && !line.endsWith(".") && !line.endsWith(":") && Character.isLowerCase(next.charAt(0));
                assertThat(stub).as(command + " --help line '" + line + "' then '" + next + "'\n" + help).isFalse();
            }
        }
        assertThat(CliRunner.run(dir, "sandbox", "--help").out()).doesNotContain("cut=0.\n");
    }

    @Test
    void usageErrorsStartWithErrorLikeEveryOtherError() {
        CliRunner.Result result = CliRunner.run(dir, "plan", "--no-such-flag");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("Error: Unknown option: '--no-such-flag'").contains("Try 'ferry plan --help'");
    }
}
