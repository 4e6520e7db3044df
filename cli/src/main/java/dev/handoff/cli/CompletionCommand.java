package dev.handoff.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code handoffctl completion}: the shell completion script, generated from the commands themselves. */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print a completion script for commands, options and their values (stages, -o formats).",
            "bash: source <(handoffctl completion bash), or save it to"
                    + " ~/.local/share/bash-completion/completions/handoffctl.",
            "zsh: source <(handoffctl completion zsh) in ~/.zshrc (the bash script, loaded through zsh's"
                    + " bashcompinit).",
            "It completes the command handoffctl: put a handoffctl script on PATH that runs java -jar"
                    + " …/handoffctl.jar \"$@\"."
        })
final class CompletionCommand implements Callable<Integer> {
    /** The shells. */
    enum Shell {
        bash,
        zsh
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (shell == Shell.zsh) {
            // picocli's script turns on compinit and bashcompinit itself when it runs in zsh
            out.println("# handoffctl completion for zsh: source <(handoffctl completion zsh)");
        }
        out.print(AutoComplete.bash("handoffctl", spec.root().commandLine()));
        out.flush();
        return ExitCodes.OK;
    }
}
