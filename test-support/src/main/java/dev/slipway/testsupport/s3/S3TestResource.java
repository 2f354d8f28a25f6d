package dev.slipway.testsupport.s3;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a Quarkus application at the shared {@link S3Server}: the quarkus-amazon-s3 client settings, and
 * the same facts under {@code slipway.test.s3.*} for code that builds its own client.
 */
public final class S3TestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String endpoint = S3Server.shared().endpoint().toString();
        return Map.of(
                "quarkus.s3.endpoint-override", endpoint,
                "quarkus.s3.path-style-access", "true",
                "quarkus.s3.aws.region", S3Server.REGION,
                "quarkus.s3.aws.credentials.type", "static",
                "quarkus.s3.aws.credentials.static-provider.access-key-id", S3Server.ACCESS_KEY,
                "quarkus.s3.aws.credentials.static-provider.secret-access-key", S3Server.SECRET_KEY,
                "slipway.test.s3.endpoint", endpoint);
    }

    @Override
    public void stop() {
        // The server is shared by the whole JVM and stops when it exits.
    }
}
