package dev.slipway.agent.host;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** How a host runs the current version: supervised by the agent, or through the operator's own hooks. */
public interface Activation {

    /** Starts the version unpacked at {@code artifactDirectory} (stopping whatever ran before). */
    void start(Path artifactDirectory) throws IOException;

    /**
     * Drains in-flight work and stops, within {@code drainTimeout}.
     *
     * @return true when the drain finished within its bound
     */
    boolean drainAndStop(Duration drainTimeout) throws InterruptedException;

    boolean running();

    /**
     * The agent goes away and leaves the service running as it is: nothing restarts it any more (a service that
     * dies while its agent is gone stays down until the agent is back, rather than being restarted by a process
     * that is shutting down and leaving it orphaned).
     */
    default void leaveRunning() {
    }
}
