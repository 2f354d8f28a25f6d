package dev.slipway.testsupport.s3;

import dev.slipway.testsupport.JvmWide;
import java.net.URI;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (S3Proxy, in memory) on a loopback port, shared by every test of the JVM in
 * every class loader.
 * It checks AWS v2/v4 signatures against {@link #ACCESS_KEY} and {@link #SECRET_KEY}; clients must use
 * path-style access.
 */
public final class S3Server {

    public static final String ACCESS_KEY = "slipway-test";
    public static final String SECRET_KEY = "slipway-test-secret";
    public static final String REGION = "us-east-1";

    static final String ENDPOINT_PROPERTY = "slipway.test.s3.endpoint";

    private final URI endpoint;

    private S3Server(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** The JVM's server, started on first call (well under a second) by whichever class loader asks first. */
    public static S3Server shared() {
        return new S3Server(URI.create(JvmWide.address(ENDPOINT_PROPERTY, () -> {
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(new TransientNio2BlobStore())
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .build();
            try {
                proxy.start();
            } catch (Exception e) {
                throw new IllegalStateException("could not start S3Proxy: " + e.getMessage(), e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(proxy), "s3-server-stop"));
            return "http://127.0.0.1:" + proxy.getPort();
        })));
    }

    private static void stop(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            // The JVM is exiting; nothing can act on a failed stop.
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A bucket name no other test uses (S3 wants 3 to 63 lowercase characters). */
    public static String uniqueBucket() {
        return "b-" + UUID.randomUUID();
    }

    /** A client configured for this server: its endpoint, credentials and path-style access. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
