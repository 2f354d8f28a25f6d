package dev.slipway.build;

import dev.slipway.build.run.Builder;
import dev.slipway.build.sandbox.Bubblewrap;
import dev.slipway.cas.action.ActionCache;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;

/** The builder, put together from {@link BuildConfig}. */
public final class Builders {

    @Produces
    @Singleton
    Builder builder(BuildConfig config) throws IOException {
        return new Builder(
                new Builder.Settings(config.builderId(), config.workDir(),
                        new SafeUntar.Limits(config.maxInputSize(), SafeUntar.Limits.DEFAULT.maxEntries()),
                        config.actionCache()),
                new BlobStoreFileSystem(config.storePath()),
                new ActionCache(config.storePath().resolve("ac")),
                Bubblewrap.find(config.bwrap()),
                SigningKey.load(config.signing()),
                Clock.systemUTC());
    }
}
