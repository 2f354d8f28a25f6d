package dev.slipway.agent;

import dev.slipway.cas.connection.StoreConnection;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One host's agent. Without a deployment set it serves health only and says so. */
@ConfigMapping(prefix = "slipway.agent")
public interface AgentConfig {

    /** Unique in the fleet; the host name by default. */
    Optional<String> id();

    Optional<String> deploymentSet();

    @WithDefault("staging")
    String channel();

    /** Where generations, the store of unpacked artifacts and the service log live. */
    @WithDefault(".slipway/agent")
    Path root();

    @WithDefault("false")
    boolean canary();

    /** Generations kept for rollback: at least 2, the running one and one to go back to. */
    @WithDefault("3")
    int keepGenerations();

    /**
     * Join the set again although an operator removed this host from it ({@code slipway remove-host}); a removed
     * host's agent otherwise stays out when it restarts. Set it for one start, to add the host back on purpose.
     */
    @WithDefault("false")
    boolean rejoin();

    /**
     * The fewest records of the set between two of its checkpoints (sets of more than 250 members write one per
     * four records a member); any member writes them, and an agent starts from the newest.
     */
    @WithDefault("1000")
    long checkpointRecords();

    /**
     * Stop the service when the agent stops (drained, within 5 s): for hosts that go away with the agent, as on
     * the local stack. Off by default, so that restarting or upgrading an agent never takes its service down.
     */
    @WithDefault("false")
    boolean stopServiceOnExit();

    /**
     * The store the artifacts, recipes, provenance and flags are read from: cas-service's URL with a reader token
     * ({@code store-url}, {@code store-token}), or its directory beside cas-service ({@code store-path},
     * {@code .slipway/cas} by default, in application.properties).
     */
    @WithParentName
    StoreConnection store();

    /** Public keys (base64 X.509) of the builders whose provenance this host accepts. */
    Optional<List<String>> trustedBuilderKeys();

    /**
     * How many distinct builders among {@link #trustedBuilderKeys()} must each have signed provenance of an artifact
     * before this host installs it: the set's agreement, checked again here, so a store alone cannot lower it.
     */
    @WithDefault("1")
    int requiredBuilders();

    /**
     * Public keys (base64 X.509) of the store's release key, {@code slipway.cas.flagging.release.public-key}: this
     * host installs only what a channel state signed by one of them releases. Two during a rotation.
     */
    Optional<List<String>> trustedReleaseKeys();

    /**
     * Activation by the operator's commands (argv, comma separated), e.g. {@code start=systemctl,restart,payments}:
     * with a start hook the agent runs these instead of supervising the service from the artifact's manifest.
     */
    HookCommands hooks();

    interface HookCommands {
        Optional<List<String>> start();

        Optional<List<String>> drain();

        Optional<List<String>> stop();
    }

    /**
     * The operator's commands around each switch (argv, comma separated), for what else must know of it:
     * {@code before-drain} (take the host out of a load balancer) and {@code after-healthy} (put it back), each
     * within {@code timeout}. A failure fails the host as a failed health check does.
     */
    SwitchHookCommands switchHooks();

    interface SwitchHookCommands {
        Optional<List<String>> beforeDrain();

        Optional<List<String>> afterHealthy();

        @WithDefault("PT1M")
        Duration timeout();
    }

    /** The service's environment (nothing of the agent's leaks into it); also fills ${NAME} in health URLs. */
    Map<String, String> serviceEnv();
}
