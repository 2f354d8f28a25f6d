package dev.slipway.agent;

import dev.slipway.agent.host.Hooks;
import dev.slipway.agent.host.SwitchHooks;
import dev.slipway.agent.run.Agent;
import dev.slipway.agent.run.AgentSettings;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.cas.provenance.BuilderKeys;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Runs this host's {@link Agent} on its own thread while the service is up. */
@Singleton
public final class AgentRunner {

    private static final Logger LOG = Logger.getLogger(AgentRunner.class);

    private final AgentConfig config;
    private final String bootstrapServers;
    private Agent agent;
    private Thread thread;

    @Inject
    public AgentRunner(AgentConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent started) throws IOException {
        if (config.deploymentSet().isEmpty()) {
            LOG.warn("slipway.agent.deployment-set is not set: this agent takes part in no rollout");
            return;
        }
        String id = config.id().orElse(InetAddress.getLocalHost().getHostName());
        agent = new Agent(new AgentSettings(id, config.deploymentSet().get(), config.channel(), config.root(),
                config.canary(), config.keepGenerations(), config.serviceEnv(),
                BuilderKeys.trusted(config.trustedBuilderKeys().orElse(List.of())),
                BuilderKeys.trusted(config.trustedReleaseKeys().orElse(List.of())), hooks(), config.rejoin(),
                config.checkpointRecords(), config.requiredBuilders(), switchHooks()),
                blobs(), flags(), bootstrapServers);
        thread = new Thread(agent, "agent");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("agent %s of set %s (channel %s%s) started", id, config.deploymentSet().get(), config.channel(),
                config.canary() ? ", canary" : "");
    }

    /** The operator's activation hooks when a start hook is configured; else the agent supervises the service. */
    private Hooks.Commands hooks() {
        return config.hooks().start().map(start -> new Hooks.Commands(start,
                config.hooks().drain().orElse(List.of()), config.hooks().stop().orElse(List.of()))).orElse(null);
    }

    /** The commands around each switch, when either is configured. */
    private SwitchHooks.Commands switchHooks() {
        AgentConfig.SwitchHookCommands hooks = config.switchHooks();
        if (hooks.beforeDrain().isEmpty() && hooks.afterHealthy().isEmpty()) {
            return null;
        }
        return new SwitchHooks.Commands(hooks.beforeDrain().orElse(List.of()), hooks.afterHealthy().orElse(List.of()),
                hooks.timeout());
    }

    private BlobStore blobs() throws IOException {
        return config.store().blobs().orElseThrow(AgentRunner::noStore);
    }

    private FlagReader flags() throws IOException {
        return config.store().flags().orElseThrow(AgentRunner::noStore);
    }

    private static IllegalStateException noStore() {
        return new IllegalStateException("set slipway.agent.store-url (with store-token) or slipway.agent.store-path");
    }

    /**
     * The agent stops; the service it supervises keeps running, so an agent upgrade never takes it down (unless
     * {@code slipway.agent.stop-service-on-exit}, as on the local stack, whose hosts go away with it).
     */
    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        if (agent != null) {
            agent.stop(config.stopServiceOnExit());
            thread.join(10_000);
        }
    }
}
