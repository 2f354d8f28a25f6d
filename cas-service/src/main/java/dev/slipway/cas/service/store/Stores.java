package dev.slipway.cas.service.store;

import dev.slipway.cas.action.ActionCache;
import dev.slipway.cas.action.ActionCacheFileSystem;
import dev.slipway.cas.action.ActionCacheS3;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.blob.BlobStoreS3;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.FlagStoreS3;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The store's backends, built once from {@link StoreConfig}: all on the filesystem, or all in one S3 bucket. */
@Singleton
public final class Stores {

    private final StoreConfig config;
    private S3Client s3;

    public Stores(StoreConfig config) {
        this.config = config;
        if (!config.backend().equals("filesystem") && !config.backend().equals("s3")) {
            throw new IllegalStateException("slipway.cas.store.backend must be 'filesystem' or 's3', not '"
                    + config.backend() + "'");
        }
    }

    @Produces
    @Singleton
    BlobStore blobs() throws IOException {
        return onS3() ? new BlobStoreS3(s3(), bucket(), prefix()) : new BlobStoreFileSystem(config.path());
    }

    @Produces
    @Singleton
    FlagStore flags() throws IOException {
        return onS3() ? new FlagStoreS3(s3(), bucket(), prefix()) : new FlagStoreFileSystem(config.path());
    }

    @Produces
    @Singleton
    ActionCache actionCache() throws IOException {
        return onS3() ? new ActionCacheS3(s3(), bucket(), prefix())
                : new ActionCacheFileSystem(config.path().resolve("ac"));
    }

    void close(@Observes ShutdownEvent stopping) {
        if (s3 != null) {
            s3.close();
        }
    }

    private boolean onS3() {
        return config.backend().equals("s3");
    }

    private String prefix() {
        return config.s3().prefix().orElse("");
    }

    private String bucket() {
        return config.s3().bucket().orElseThrow(() -> new IllegalStateException(
                "slipway.cas.store.backend=s3 needs slipway.cas.store.s3.bucket"));
    }

    private synchronized S3Client s3() {
        if (s3 == null) {
            StoreConfig.S3 settings = config.s3();
            S3ClientBuilder builder = S3Client.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .region(Region.of(settings.region()))
                    .forcePathStyle(settings.pathStyle());
            settings.endpoint().ifPresent(builder::endpointOverride);
            if (settings.accessKeyId().isPresent() && settings.secretAccessKey().isPresent()) {
                builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        settings.accessKeyId().get(), settings.secretAccessKey().get())));
            } else {
                builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
            }
            s3 = builder.build();
        }
        return s3;
    }
}
