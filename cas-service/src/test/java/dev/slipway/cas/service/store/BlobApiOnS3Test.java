package dev.slipway.cas.service.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.digest.Digest;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import dev.slipway.testsupport.s3.S3Server;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The blob API with the store in S3 (a real S3Proxy bucket): the same answers as on the filesystem. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = CasOnS3Resource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class BlobApiOnS3Test {

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void storesInTheBucketAndServesWholeBlobsAndRanges() throws Exception {
        byte[] blob = random(700_000, 1);
        Digest name = Digest.of(blob);

        assertEquals(201, put(name, blob).statusCode());

        try (S3Client s3 = S3Server.shared().client()) {
            byte[] stored = s3.getObjectAsBytes(r -> r.bucket(CasOnS3Resource.BUCKET)
                    .key("store/v1/" + name.hex().substring(0, 2) + "/" + name.hex())).asByteArray();
            assertArrayEquals(blob, stored);
        }
        HttpResponse<byte[]> whole = get(name, null);
        assertEquals(200, whole.statusCode());
        assertArrayEquals(blob, whole.body());
        HttpResponse<byte[]> range = get(name, "bytes=1000-1999");
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(blob, 1000, 2000), range.body());
        assertEquals(404, get(Digest.of(random(10, 2)), null).statusCode());
    }

    @Test
    void aMismatchedUploadIsRefusedAndNothingLandsInTheBucket() throws Exception {
        byte[] blob = random(50_000, 3);
        Digest claimed = Digest.of(random(50_000, 4));

        HttpResponse<byte[]> refused = put(claimed, blob);

        assertEquals(400, refused.statusCode());
        assertEquals(404, get(claimed, null).statusCode());
    }

    @Test
    void aBlobDamagedInTheBucketIsNeverServedWhole() throws Exception {
        byte[] blob = random(900_000, 5);
        Digest name = storedThenDamagedNearItsEnd(blob);

        HttpResponse<byte[]> answer;
        try {
            answer = get(name, null);
        } catch (IOException cutBeforeTheLastBytes) {
            answer = null;
        }
        boolean servedWhole = answer != null && answer.statusCode() == 200 && answer.body().length == blob.length;
        assertFalse(servedWhole, "a damaged blob came back whole with 200");
        byte[] small = random(1000, 6);
        Digest smallName = Digest.of(small);
        assertEquals(201, put(smallName, small).statusCode());
        replaceInBucket(smallName, random(1000, 7));
        HttpResponse<byte[]> smallAnswer = get(smallName, null);
        assertEquals(500, smallAnswer.statusCode(), "a blob within one chunk is refused before any byte goes out");
        assertTrue(new String(smallAnswer.body(), java.nio.charset.StandardCharsets.UTF_8).contains("corrupt"),
                new String(smallAnswer.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * As a range sent from a file is: the bucket's ranged GET, not the whole blob read to verify a part of it
     * (delta downloads ask for hundreds of ranges). The scrubber is what finds damage at rest; here it shows in
     * that a range away from the damage is served as stored.
     */
    @Test
    void aRangeIsReadFromTheBucketAloneAsFromAFile() throws Exception {
        byte[] blob = random(3_000_000, 8);
        Digest name = storedThenDamagedNearItsEnd(blob);

        HttpResponse<byte[]> range = get(name, "bytes=100000-1399999");

        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(blob, 100_000, 1_400_000), range.body());
    }

    /** Uploads the blob through the service, then flips a bit 10 bytes before its end in the bucket. */
    private Digest storedThenDamagedNearItsEnd(byte[] blob) throws Exception {
        Digest name = Digest.of(blob);
        assertEquals(201, put(name, blob).statusCode());
        byte[] damaged = blob.clone();
        damaged[damaged.length - 10] ^= 1;
        replaceInBucket(name, damaged);
        return name;
    }

    /** Damage at rest: the object's bytes replaced behind the service's back. */
    private static void replaceInBucket(Digest name, byte[] bytes) {
        try (S3Client s3 = S3Server.shared().client()) {
            s3.putObject(r -> r.bucket(CasOnS3Resource.BUCKET)
                    .key("store/v1/" + name.hex().substring(0, 2) + "/" + name.hex()), RequestBody.fromBytes(bytes));
        }
    }

    private HttpResponse<byte[]> put(Digest name, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("cas/" + name.hex()))
                .header("Authorization", "Bearer builder-secret")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(Digest name, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("cas/" + name.hex()))
                .header("Authorization", "Bearer reader-secret");
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }
}
