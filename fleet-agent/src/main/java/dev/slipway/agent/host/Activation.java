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
}
