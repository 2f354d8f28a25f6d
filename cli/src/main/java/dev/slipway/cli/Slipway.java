package dev.slipway.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code slipway}: what CI pipelines and operators type. Exit codes: see {@link Exit} and docs/cli.md. */
@Command(name = "slipway", mixinStandardHelpOptions = true, version = "slipway 0.1.0",
        description = "Push sources, build them hermetically, and release them to fleets.",
        subcommands = {PushCommand.class, ImportCommand.class, ToolchainCommand.class, BuildCommand.class, PromoteCommand.class,
                PauseCommand.class, ResumeCommand.class, ApproveCommand.class, OverrideWindowCommand.class,
                RollbackCommand.class, RevokeCommand.class,
                HoldCommand.class, RemoveHostCommand.class, StatusCommand.class, VerifyCommand.class})
public final class Slipway implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, System.getenv(), System.console() != null));
    }

    /** Runs one command line; what {@code main} does, with its streams and environment given (for tests). */
    public static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> environment,
            boolean terminal) {
        Context.out = out;
        Context.err = err;
        Context.environment = environment;
        Context.terminal = terminal;
        CommandLine command = new CommandLine(new Slipway());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        command.setExecutionExceptionHandler((failure, line, parsed) -> {
            if (failure instanceof CliFailure refused) {
                err.println("slipway: " + refused.getMessage());
                return refused.exit().code;
            }
            err.println("slipway: " + failure);
            return Exit.FAILED.code;
        });
        return command.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command; see slipway --help");
    }
}
