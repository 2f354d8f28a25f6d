package dev.slipway.cas.chunk;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreS3;
import dev.slipway.cas.digest.Digest;
import dev.slipway.testsupport.s3.S3Server;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Against a real S3-compatible server (S3Proxy), one fresh bucket per test. */
class DeltaDownloadS3Test extends DeltaDownloadContract {

    private S3Client client;
    private String bucket;
    private BlobStoreS3 store;

    @Override
    BlobStore emptyStore() {
        client = S3Server.shared().client();
        bucket = S3Server.uniqueBucket();
        client.createBucket(r -> r.bucket(bucket));
        store = new BlobStoreS3(client, bucket, "delta/");
        return store;
    }

    @Override
    void corrupt(Digest digest, byte[] bytes) {
        client.putObject(r -> r.bucket(bucket).key(store.keyOf(digest)), RequestBody.fromBytes(bytes));
    }

    @AfterEach
    void closeClient() {
        client.close();
    }
}
