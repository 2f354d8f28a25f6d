package dev.slipway.cli;

/** Ends the command with one line on stderr (what to fix) and its exit code. */
public final class CliFailure extends RuntimeException {

    private final Exit exit;

    public CliFailure(Exit exit, String message) {
        super(message);
        this.exit = exit;
    }

    public CliFailure(Exit exit, String message, Throwable cause) {
        super(message, cause);
        this.exit = exit;
    }

    public Exit exit() {
        return exit;
    }
}
