package dev.slipway.agent.run;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.provenance.BuilderKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An agent as its own process, so a test can kill it with SIGKILL: {@link #start} launches this class's main
 * in a child JVM on the test's class path.
 */
public final class AgentProcess {

    private AgentProcess() {
    }

    /** args: id set root port bootstrap store trustedKey canary releaseKey */
    public static void main(String[] args) throws Exception {
        boolean canary = Boolean.parseBoolean(args[7]);
        Agent agent = new Agent(new AgentSettings(args[0], args[1], "staging", Path.of(args[2]), canary, 3,
                Map.of("PORT", args[3], "HOST", args[0]), BuilderKeys.trusted(List.of(args[6])),
                BuilderKeys.trusted(List.of(args[8])), null),
                new BlobStoreFileSystem(Path.of(args[5])), new FlagStoreFileSystem(Path.of(args[5])), args[4]);
        agent.run();
    }

    static Process start(String id, String set, Path root, int port, String bootstrap, Path store, String trustedKey)
            throws IOException {
        return start(id, set, root, port, bootstrap, store, trustedKey, false);
    }

    static Process start(String id, String set, Path root, int port, String bootstrap, Path store, String trustedKey,
            boolean canary) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AgentProcess.class.getName(),
                id, set, root.toString(), Integer.toString(port), bootstrap, store.toString(), trustedKey,
                Boolean.toString(canary), BuilderKeys.encode(FleetFixture.RELEASE.getPublic()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(set, id).toFile())).start();
    }

    /** Kept under target/, not in the test's temporary directory, so that a failed run can still be read. */
    private static Path logOf(String set, String id) throws IOException {
        return Files.createDirectories(Path.of("target", "agent-processes")).resolve(set + "-" + id + ".log");
    }
}
