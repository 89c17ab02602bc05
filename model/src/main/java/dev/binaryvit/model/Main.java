package dev.binaryvit.model;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code run} and {@code verify} (see the README). */
@Command(name = "binaryvit", mixinStandardHelpOptions = true, version = "binaryvit 0.1.0",
        description = "Binary vision transformers on the CPU.",
        subcommands = {RunCommand.class, VerifyCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code: 0 success, 1 a failed check, 2 bad usage or input. */
    static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // Bad files and arguments are the user's to fix: one clear line, no stack trace.
            if (e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
                line.getErr().println("binaryvit: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run or verify");
    }
}
