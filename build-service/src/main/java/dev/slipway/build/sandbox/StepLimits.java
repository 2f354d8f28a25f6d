package dev.slipway.build.sandbox;

/**
 * What one build step may use. Memory and file size are kernel limits set on the sandbox (a step past them sees
 * its allocations fail, or is stopped by the kernel); {@code /tmp} is a tmpfs of that size; processes are a
 * kernel limit too for a builder that does not run as root, and for every builder they, {@code /work} and the
 * log are watched while the step runs: a step past them is killed with a reason.
 *
 * @param memoryBytes   data segment of each process ({@code RLIMIT_DATA}): what it may allocate
 * @param processes     processes and threads the step may run at once, beyond the builder's own
 * @param tmpBytes      size of the step's {@code /tmp}
 * @param workBytes     what {@code /work} may hold; also the largest file a step may write
 * @param logBytes      how much the step may write to the build log
 */
public record StepLimits(long memoryBytes, int processes, long tmpBytes, long workBytes, long logBytes) {

    public static final StepLimits DEFAULT = new StepLimits(8L << 30, 1024, 1L << 30, 16L << 30, 64L << 20);

    public StepLimits {
        if (memoryBytes <= 0 || processes <= 0 || tmpBytes <= 0 || workBytes <= 0 || logBytes <= 0) {
            throw new IllegalArgumentException("every step limit must be positive: " + this);
        }
    }
}
