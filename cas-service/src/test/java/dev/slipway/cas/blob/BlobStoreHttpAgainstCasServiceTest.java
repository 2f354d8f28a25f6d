package dev.slipway.cas.blob;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.digest.Digest;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The blob store contract once more, through {@link BlobStoreHttp} against the running cas-service: the
 * client's verification and the service's, end to end over real HTTP. Corruption is done to the service's
 * files on disk, behind its back.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
class BlobStoreHttpAgainstCasServiceTest extends BlobStoreContract {

    private static final Path SERVICE_STORE = Path.of("target/test-store");

    @TestHTTPResource("/")
    URI base;

    @Override
    BlobStore emptyStore() throws IOException {
        Path blobs = SERVICE_STORE.resolve("v1");
        try (Stream<Path> stored = Files.walk(blobs)) {
            for (Path path : stored.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(blobs)).toList()) {
                Files.delete(path);
            }
        }
        return new BlobStoreHttp(base, "ops-secret", BlobStoreHttp.Dialect.CAS_SERVICE);
    }

    /** The service's limit in tests is 64 MiB (application.properties); the client streams, so it declares no length. */
    @Test
    void aBlobOverTheServicesLimitFailsAtOnceSayingWhyInsteadOfHanging() throws IOException {
        BlobStore http = emptyStore();
        long size = 80L * 1024 * 1024;
        Digest name = GeneratedBytes.digestOf(9, size);

        IOException refused = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(IOException.class, () -> http.write(name, new GeneratedBytes(9, size))));

        // The service answers 413 and closes; a client still sending may see the close before the answer. Either
        // way it must say why.
        String why = refused.getMessage();
        assertTrue((why.contains("answered 413") && why.contains("larger than the limit"))
                || (why.contains("ended the connection before it answered") && why.contains("over its size limit")), why);
        assertFalse(http.exists(name));
    }

    @Override
    void corrupt(Digest digest, byte[] bytes) throws IOException {
        Path file = new BlobStoreFileSystem(SERVICE_STORE).pathOf(digest);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(file, bytes);
    }
}
