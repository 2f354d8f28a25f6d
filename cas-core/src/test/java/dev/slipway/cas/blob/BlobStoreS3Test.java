package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import dev.slipway.testsupport.s3.S3Server;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The blob store contract against a real S3-compatible server (S3Proxy), one fresh bucket per test. */
class BlobStoreS3Test extends BlobStoreContract {

    private S3Client client;
    private String bucket;
    private BlobStoreS3 s3;

    @Override
    BlobStore emptyStore() {
        client = S3Server.shared().client();
        bucket = S3Server.uniqueBucket();
        client.createBucket(r -> r.bucket(bucket));
        s3 = new BlobStoreS3(client, bucket, "team-a/");
        return s3;
    }

    @Override
    void corrupt(Digest digest, byte[] bytes) {
        client.putObject(r -> r.bucket(bucket).key(s3.keyOf(digest)), RequestBody.fromBytes(bytes));
    }

    @AfterEach
    void closeClient() {
        client.close();
    }
}
