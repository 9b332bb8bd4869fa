package dev.ferry.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry completion bash|zsh|fish}: a completion script for the shell, made from the commands
 * themselves so it never falls behind them. bash and zsh share picocli's generated script (zsh runs it
 * through bashcompinit); fish gets {@code complete} lines written from the same command model.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {
            "Prints a shell completion script for ferry.",
            "",
            "bash:  source <(ferry completion bash)     (or save it under /etc/bash_completion.d/)",
            "zsh:   source <(ferry completion zsh)      (in ~/.zshrc)",
            "fish:  ferry completion fish > ~/.config/fish/completions/ferry.fish"
        })
final class CompletionCommand implements Callable<Integer> {

    enum Shell { bash, zsh, fish }

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash, zsh or fish.")
    Shell shell;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        PrintWriter out = spec.commandLine().getOut();
        switch (shell) {
            case bash, zsh -> out.print(AutoComplete.bash(root.getCommandName(), root));
            case fish -> out.print(fish(root.getCommandSpec()));
        }
        return Commands.OK;
    }

    /** One {@code complete} line per subcommand and per option, each only where it applies. */
    static String fish(CommandSpec root) {
        String name = root.name();
        StringBuilder script = new StringBuilder("# fish completion for " + name + ", written by '" + name + " completion fish'\n");
        script.append("complete -c ").append(name).append(" -f\n");
        fishLevel(script, name, root, List.of());
        return script.toString();
    }

    private static void fishLevel(StringBuilder script, String program, CommandSpec command, List<String> path) {
        String here = path.isEmpty() ? "__fish_use_subcommand" : condition(path, command);
        for (CommandLine sub : command.subcommands().values()) {
            if (sub.getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            script.append("complete -c ").append(program).append(" -n '").append(here).append("' -a ")
                    .append(sub.getCommandName()).append(" -d ").append(quote(firstLine(sub.getCommandSpec().usageMessage().description())))
                    .append('\n');
        }
        for (OptionSpec option : command.options()) {
            if (option.hidden()) {
                continue;
            }
            script.append("complete -c ").append(program);
            if (!path.isEmpty()) {
                script.append(" -n '").append(here).append('\'');
            }
            for (String optionName : option.names()) {
                if (optionName.startsWith("--")) {
                    script.append(" -l ").append(optionName.substring(2));
                } else if (optionName.length() == 2) {
                    script.append(" -s ").append(optionName.substring(1));
                } else {
                    script.append(" -o ").append(optionName.substring(1));
                }
            }
            if (option.arity().max() > 0) {
                script.append(" -r");
                if (option.completionCandidates() != null) {
                    StringBuilder values = new StringBuilder();
                    option.completionCandidates().forEach(value -> values.append(values.length() == 0 ? "" : " ").append(value));
                    script.append(" -a ").append(quote(values.toString()));
                } else {
                    script.append(" -F");
                }
            }
            script.append(" -d ").append(quote(firstLine(option.description()))).append('\n');
        }
        command.positionalParameters().stream().filter(p -> p.completionCandidates() != null).forEach(p -> {
            StringBuilder values = new StringBuilder();
            p.completionCandidates().forEach(value -> values.append(values.length() == 0 ? "" : " ").append(value));
            script.append("complete -c ").append(program).append(" -n '").append(here).append("' -a ").append(quote(values.toString()))
                    .append('\n');
        });
        for (CommandLine sub : command.subcommands().values()) {
            List<String> deeper = new java.util.ArrayList<>(path);
            deeper.add(sub.getCommandName());
            fishLevel(script, program, sub.getCommandSpec(), deeper);
        }
    }

    /** True in fish when the words typed so far name this subcommand and none of its own subcommands. */
    private static String condition(List<String> path, CommandSpec command) {
        StringBuilder condition = new StringBuilder();
        for (String word : path) {
            condition.append(condition.length() == 0 ? "" : "; and ").append("__fish_seen_subcommand_from ").append(word);
        }
        if (!command.subcommands().isEmpty()) {
            condition.append("; and not __fish_seen_subcommand_from");
            command.subcommands().keySet().forEach(sub -> condition.append(' ').append(sub));
        }
        return condition.toString();
    }

    private static String firstLine(String[] description) {
        return description.length == 0 ? "" : description[0].strip();
    }

    private static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
