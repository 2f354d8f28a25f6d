package dev.slipway.cas.service.store;

import dev.slipway.testsupport.s3.S3Server;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/** cas-service with its whole store (blobs, flags, action cache) in a fresh bucket of the test S3 server. */
public final class CasOnS3Resource implements QuarkusTestResourceLifecycleManager {

    static final String BUCKET = "cas-service-" + S3Server.uniqueBucket();

    @Override
    public Map<String, String> start() {
        S3Server server = S3Server.shared();
        try (S3Client client = server.client()) {
            client.createBucket(r -> r.bucket(BUCKET));
        }
        return Map.of(
                "slipway.cas.store.backend", "s3",
                "slipway.cas.store.s3.bucket", BUCKET,
                "slipway.cas.store.s3.prefix", "store/",
                "slipway.cas.store.s3.endpoint", server.endpoint().toString(),
                "slipway.cas.store.s3.path-style", "true",
                "slipway.cas.store.s3.region", S3Server.REGION,
                "slipway.cas.store.s3.access-key-id", S3Server.ACCESS_KEY,
                "slipway.cas.store.s3.secret-access-key", S3Server.SECRET_KEY);
    }

    @Override
    public void stop() {
        // The server is shared by the JVM.
    }
}
