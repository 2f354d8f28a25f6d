package dev.slipway.build.run;

/** A build that cannot go on, with the reason as the person who reads {@code BuildFailed} needs it. */
final class BuildFailure extends Exception {

    BuildFailure(String reason) {
        super(reason);
    }

    BuildFailure(String reason, Throwable cause) {
        super(reason + ": " + cause.getMessage(), cause);
    }
}
