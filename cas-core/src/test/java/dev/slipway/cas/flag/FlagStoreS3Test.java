package dev.slipway.cas.flag;

import dev.slipway.testsupport.s3.S3Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The flag store contract against a real S3-compatible server (S3Proxy), one fresh bucket per test. */
class FlagStoreS3Test extends FlagStoreContract {

    private S3Client client;

    @Override
    FlagStore emptyStore() {
        client = S3Server.shared().client();
        String bucket = S3Server.uniqueBucket();
        client.createBucket(r -> r.bucket(bucket));
        return new FlagStoreS3(client, bucket, "team-a/");
    }

    @Test
    @Override
    @Disabled("S3Proxy 4.1 compares If-Match and writes in two steps, so concurrent writers can both win there;"
            + " AWS S3 decides atomically. The stale-writer case proves the conditions are sent and honoured.")
    void concurrentWritersNeverLoseEachOthersFlag() {
    }

    @AfterEach
    void closeClient() {
        client.close();
    }
}
