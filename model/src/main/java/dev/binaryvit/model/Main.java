package dev.binaryvit.model;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code run}, {@code eval} and {@code verify} (see the README). */
@Command(name = "binaryvit", mixinStandardHelpOptions = true, version = "binaryvit 0.1.0",
        description = "Binary vision transformers on the CPU.",
        subcommands = {RunCommand.class, EvalCommand.class, VerifyCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code: 0 success, 1 a failed check, 2 bad usage or input. */
    static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, printing results to {@code out} and problems to {@code err}. */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // Bad files and arguments are the user's to fix: one clear line, no stack trace.
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof IOException || cause instanceof IllegalArgumentException) {
                line.getErr().println("binaryvit: " + describe(cause));
                line.getErr().flush();
                return 2;
            }
            throw e;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * A one-line description of a user's problem. The JDK's file exceptions carry only the path
     * as their message ({@code NoSuchFileException: x.json}): say what is wrong with it.
     */
    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return "no such file: " + f.getFile() + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile() + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
        }
        if (e instanceof FileSystemException f) {
            return "cannot read " + f.getFile() + (f.getReason() == null ? "" : ": " + f.getReason());
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, eval or verify");
    }
}
