package dev.slipway.cli;

/** The exit codes, documented in docs/cli.md; scripts branch on them. */
public enum Exit {
    OK(0),
    /** The thing asked about failed: a build failed, an artifact does not verify. */
    FAILED(1),
    /** The command line is wrong (picocli's own code for usage errors). */
    USAGE(2),
    /** A broker, store or release service did not answer: check its address. */
    UNREACHABLE(3),
    /** A token is missing, not recognised, or lacks the role. */
    AUTH(4),
    /** The service understood and refused: unknown set, malformed digest, nothing to roll back to. */
    REFUSED(5);

    public final int code;

    Exit(int code) {
        this.code = code;
    }
}
