package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects under {@code <prefix>v1/<first two hex>/<hex>} in one bucket, through AWS SDK for Java v2
 * (works with any S3-compatible server given the client's endpoint override and path-style access).
 *
 * <p>A write reads at most one part ({@link #DEFAULT_PART_SIZE}) into memory. A blob that fits one part is
 * verified in full before a single PUT; a larger one goes up as a multipart upload whose completion is
 * requested only after the last part was read and the whole stream verified, so a mismatch or a broken
 * upload aborts and nothing becomes visible. Uploads abandoned by a crash are cleaned by the bucket's
 * lifecycle rule for incomplete multipart uploads (configure one).
 */
public final class BlobStoreS3 implements BlobStore {

    /** 8 MiB: above S3's 5 MiB minimum part, small enough for many concurrent writes. */
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int partSize;

    /**
     * @param prefix key prefix, empty or ending in {@code /}, so one bucket can hold several stores
     */
    public BlobStoreS3(S3Client s3, String bucket, String prefix) {
        this(s3, bucket, prefix, DEFAULT_PART_SIZE);
    }

    public BlobStoreS3(S3Client s3, String bucket, String prefix, int partSize) {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("S3 key prefix '" + prefix + "' must be empty or end with '/'");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.partSize = partSize;
    }

    @Override
    public OptionalLong size(Digest digest) throws IOException {
        try {
            return OptionalLong.of(s3.headObject(r -> r.bucket(bucket).key(keyOf(digest))).contentLength());
        } catch (NoSuchKeyException e) {
            return OptionalLong.empty();
        } catch (SdkException e) {
            throw failure("look up", digest, e);
        }
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        try {
            return VerifyingInputStream.ofStored(s3.getObject(r -> r.bucket(bucket).key(keyOf(digest))), digest,
                    "s3://" + bucket + "/" + keyOf(digest));
        } catch (NoSuchKeyException e) {
            throw new BlobNotFoundException(digest);
        } catch (SdkException e) {
            throw failure("read", digest, e);
        }
    }

    @Override
    public byte[] readRange(Digest digest, long offset, int length) throws IOException {
        if (length == 0) {
            return new byte[0];
        }
        try {
            return s3.getObjectAsBytes(r -> r.bucket(bucket).key(keyOf(digest))
                    .range("bytes=" + offset + "-" + (offset + length - 1))).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new BlobNotFoundException(digest);
        } catch (SdkException e) {
            throw failure("read a range of", digest, e);
        }
    }

    @Override
    public boolean write(Digest expected, InputStream bytes) throws IOException {
        boolean existed = exists(expected);
        String key = keyOf(expected);
        VerifyingInputStream verifying = VerifyingInputStream.ofUpload(bytes, expected);
        byte[] first = verifying.readNBytes(partSize);
        try {
            if (first.length < partSize) {
                // readNBytes stopped short, so it reached the end and the verifier has passed the bytes.
                s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(first));
            } else {
                uploadInParts(key, first, verifying);
            }
        } catch (SdkException e) {
            throw failure("write", expected, e);
        }
        return !existed;
    }

    private void uploadInParts(String key, byte[] first, VerifyingInputStream rest) throws IOException {
        String uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] part = first;
            while (part.length > 0) {
                int number = parts.size() + 1;
                byte[] body = part;
                String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromBytes(body)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                // The read that meets the end of the stream verifies it, before anything is completed.
                part = rest.readNBytes(partSize);
            }
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (IOException | RuntimeException e) {
            abort(key, uploadId, e);
            throw e;
        }
    }

    private void abort(String key, String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public Stream<Digest> list() throws IOException {
        try {
            return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix + BlobStoreFileSystem.LAYOUT + "/"))
                    .contents().stream()
                    .map(S3Object::key)
                    .map(key -> key.substring(key.lastIndexOf('/') + 1))
                    .filter(name -> HEX.matcher(name).matches())
                    .map(Digest::new);
        } catch (SdkException e) {
            throw new IOException("cannot list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        boolean existed = exists(digest);
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(keyOf(digest)));
        } catch (SdkException e) {
            throw failure("delete", digest, e);
        }
        return existed;
    }

    /** The object key of a blob. */
    public String keyOf(Digest digest) {
        return prefix + BlobStoreFileSystem.LAYOUT + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    private IOException failure(String action, Digest digest, SdkException e) {
        return new IOException("cannot " + action + " " + digest + " at s3://" + bucket + "/" + keyOf(digest) + ": "
                + e.getMessage(), e);
    }
}
