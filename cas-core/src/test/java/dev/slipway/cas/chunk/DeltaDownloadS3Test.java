package dev.slipway.cas.chunk;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreS3;
import dev.slipway.testsupport.s3.S3Server;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.services.s3.S3Client;

/** Against a real S3-compatible server (S3Proxy), one fresh bucket per test. */
class DeltaDownloadS3Test extends DeltaDownloadContract {

    private S3Client client;

    @Override
    BlobStore emptyStore() {
        client = S3Server.shared().client();
        String bucket = S3Server.uniqueBucket();
        client.createBucket(r -> r.bucket(bucket));
        return new BlobStoreS3(client, bucket, "chunks/");
    }

    @AfterEach
    void closeClient() {
        client.close();
    }
}
