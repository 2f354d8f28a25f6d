package dev.slipway.build;

import dev.slipway.build.run.Builder;
import dev.slipway.build.sandbox.Bubblewrap;
import dev.slipway.build.sandbox.StepLimits;
import dev.slipway.build.sandbox.Sandbox;
import dev.slipway.build.sandbox.Unsandboxed;
import dev.slipway.cas.archive.SafeUntar;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import org.jboss.logging.Logger;

/** The builder, put together from {@link BuildConfig}. */
public final class Builders {

    private static final Logger LOG = Logger.getLogger(Builders.class);

    @Produces
    @Singleton
    Builder builder(BuildConfig config) throws IOException {
        return new Builder(
                new Builder.Settings(config.builderId(), config.workDir(),
                        new SafeUntar.Limits(config.maxInputSize(), SafeUntar.Limits.DEFAULT.maxEntries()),
                        config.actionCache(), config.maxBuildTime()),
                config.store().blobs().orElseThrow(Builders::noStore),
                config.store().actionCache().orElseThrow(Builders::noStore),
                sandbox(config),
                SigningKey.load(config.signing()),
                Clock.systemUTC());
    }

    private static Sandbox sandbox(BuildConfig config) {
        switch (config.sandbox()) {
            case "bubblewrap":
                BuildConfig.Limits limits = config.limits();
                return Bubblewrap.find(config.bwrap(), new StepLimits(limits.memoryBytes(), limits.processes(),
                        limits.tmpBytes(), limits.workBytes(), limits.logBytes()));
            case "none":
                LOG.warn("slipway.build.sandbox=none: builds run UNSANDBOXED on this host, with its network and "
                        + "files; every build is announced and signed as hermetic: false");
                return new Unsandboxed();
            default:
                throw new IllegalStateException("slipway.build.sandbox must be 'bubblewrap' or 'none', not '"
                        + config.sandbox() + "'");
        }
    }

    private static IllegalStateException noStore() {
        return new IllegalStateException("set slipway.build.store-url (with store-token) or slipway.build.store-path");
    }
}
