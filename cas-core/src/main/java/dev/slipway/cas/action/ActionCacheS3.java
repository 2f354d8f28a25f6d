package dev.slipway.cas.action;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Action-cache entries as objects {@code <prefix>ac/v1/<first two hex>/<hex>}; an S3 PUT replaces whole. */
public final class ActionCacheS3 implements ActionCache {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public ActionCacheS3(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    @Override
    public Optional<byte[]> get(Digest action) throws IOException {
        try {
            return Optional.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(keyOf(action))).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IOException("cannot read action " + action + " from s3://" + bucket + "/" + keyOf(action)
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(Digest action, byte[] entry) throws IOException {
        try {
            s3.putObject(r -> r.bucket(bucket).key(keyOf(action)), RequestBody.fromBytes(entry));
        } catch (SdkException e) {
            throw new IOException("cannot write action " + action + " to s3://" + bucket + "/" + keyOf(action)
                    + ": " + e.getMessage(), e);
        }
    }

    private String keyOf(Digest action) {
        return prefix + "ac/v1/" + action.hex().substring(0, 2) + "/" + action.hex();
    }
}
