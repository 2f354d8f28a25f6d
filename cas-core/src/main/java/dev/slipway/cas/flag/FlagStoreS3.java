package dev.slipway.cas.flag;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Flag documents as objects {@code <prefix>flags/v1/<first two hex>/<hex>.json} and channel states as
 * {@code <prefix>flags/sets/v1/<set>.json}, versioned by their ETag and
 * replaced with S3 conditional writes: {@code If-Match: <etag>} to change a document, {@code If-None-Match: *}
 * to create one. The server decides atomically which writer wins (AWS S3 does; a server that checks and writes
 * in two steps, as S3Proxy 4.1 does, can lose a concurrent update: see docs/store.md).
 */
public final class FlagStoreS3 implements FlagStore {

    private static final int PRECONDITION_FAILED = 412;
    /** S3 answers 409 ConditionalRequestConflict when two conditional writes of one key overlap. */
    private static final int CONFLICT = 409;
    private static final String SETS = "flags/sets/v1/";
    private static final String PENDING = "flags/agreements/pending.json";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    /**
     * @param prefix key prefix, empty or ending in {@code /}, the same as the blob store's for one store
     */
    public FlagStoreS3(S3Client s3, String bucket, String prefix) {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("S3 key prefix '" + prefix + "' must be empty or end with '/'");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    @Override
    public Versioned read(Digest recipe) throws IOException {
        try {
            ResponseBytes<GetObjectResponse> document = s3.getObjectAsBytes(r -> r.bucket(bucket).key(keyOf(recipe)));
            return new Versioned(FlagJson.read(recipe, document.asByteArray()), document.response().eTag());
        } catch (NoSuchKeyException e) {
            return new Versioned(Flags.none(recipe), null);
        } catch (SdkException e) {
            throw failure("read", keyOf(recipe), e);
        }
    }

    @Override
    public boolean replace(Digest recipe, String expectedVersion, Flags next) throws IOException {
        return replace(keyOf(recipe), expectedVersion, FlagJson.write(next));
    }

    @Override
    public Document readChannelState(String deploymentSet) throws IOException {
        return document(stateKeyOf(deploymentSet));
    }

    @Override
    public Document readPendingAgreements() throws IOException {
        return document(prefix + PENDING);
    }

    @Override
    public boolean replacePendingAgreements(String expectedVersion, byte[] document) throws IOException {
        return replace(prefix + PENDING, expectedVersion, document);
    }

    private Document document(String key) throws IOException {
        try {
            ResponseBytes<GetObjectResponse> document = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key));
            return new Document(document.asByteArray(), document.response().eTag());
        } catch (NoSuchKeyException e) {
            return new Document(null, null);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public boolean replaceChannelState(String deploymentSet, String expectedVersion, byte[] envelope)
            throws IOException {
        return replace(stateKeyOf(deploymentSet), expectedVersion, envelope);
    }

    @Override
    public List<String> channelStateSets() throws IOException {
        String sets = prefix + SETS;
        try {
            List<String> names = new ArrayList<>();
            s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(sets)).contents().forEach(object -> {
                String name = object.key().substring(sets.length());
                if (name.endsWith(".json") && !name.contains("/")) {
                    names.add(name.substring(0, name.length() - ".json".length()));
                }
            });
            return names;
        } catch (SdkException e) {
            throw failure("list", sets, e);
        }
    }

    private boolean replace(String key, String expectedVersion, byte[] document) throws IOException {
        try {
            s3.putObject(r -> {
                r.bucket(bucket).key(key).contentType("application/json");
                if (expectedVersion == null) {
                    r.ifNoneMatch("*");
                } else {
                    r.ifMatch(expectedVersion);
                }
            }, RequestBody.fromBytes(document));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == PRECONDITION_FAILED || e.statusCode() == CONFLICT) {
                // The SDK retries a request whose answer it lost; if the first attempt was ours and landed, the
                // retry is refused although our document is in place. Exactly our bytes stored means we won.
                return storedIs(key, document);
            }
            throw failure("write", key, e);
        } catch (SdkException e) {
            // A server may refuse the condition before reading the body and close the connection (S3Proxy does):
            // the client then only sees a failed body write. Whether anything happened is decided by what is stored.
            return outcomeOfLostAnswer(key, expectedVersion, document, e);
        }
    }

    private boolean outcomeOfLostAnswer(String key, String expectedVersion, byte[] document, SdkException cause)
            throws IOException {
        if (storedIs(key, document)) {
            return true;
        }
        if (!Objects.equals(expectedVersion, eTagOf(key))) {
            return false;
        }
        throw failure("write", key, cause);
    }

    private String eTagOf(String key) throws IOException {
        try {
            return s3.headObject(r -> r.bucket(bucket).key(key)).eTag();
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw failure("read", key, e);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    private boolean storedIs(String key, byte[] document) throws IOException {
        try {
            return Arrays.equals(document, s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return false;
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    String keyOf(Digest recipe) {
        return prefix + "flags/v1/" + recipe.hex().substring(0, 2) + "/" + recipe.hex() + ".json";
    }

    private String stateKeyOf(String deploymentSet) {
        if (!FlagStoreFileSystem.SET_NAME.matcher(deploymentSet).matches()) {
            throw new IllegalArgumentException("not a deployment set name: " + deploymentSet);
        }
        return prefix + SETS + deploymentSet + ".json";
    }

    private IOException failure(String action, String key, SdkException e) {
        return new IOException("cannot " + action + " s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    }
}
