package dev.slipway.cas.service.blob;

import static dev.slipway.cas.service.http.Replies.digestOf;
import static dev.slipway.cas.service.http.Replies.fail;

import dev.slipway.cas.action.ActionCache;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreHttp;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import dev.slipway.cas.service.auth.Guard;
import dev.slipway.cas.service.auth.Role;
import dev.slipway.cas.service.store.Scrubbing;
import dev.slipway.cas.service.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The blob API, compatible with Bazel's HTTP remote cache: {@code GET/HEAD/PUT /cas/<hex>} for blobs named by
 * their SHA-256, {@code GET/HEAD/PUT /ac/<hex>} for action-cache entries.
 *
 * <p>Handlers run on the event loop and never block it: a PUT's body is streamed through
 * {@link RequestBodyStream} into the store on a worker thread (verified, fsynced, renamed into place); a GET
 * is sent from the file with {@code sendfile}, zero-copy. Every blob was verified when it was written; damage
 * at rest is found by {@link Scrubbing}, which quarantines it, so a GET never serves a blob known to be
 * corrupt (and every cas-core client verifies what it downloads anyway).
 */
@Singleton
public final class BlobRoutes {

    private static final Logger LOG = Logger.getLogger(BlobRoutes.class);
    /** How long a client may send nothing of an upload, or read nothing of a listing, before it is cut off. */
    private static final Duration IDLE_CLIENT = Duration.ofSeconds(60);
    private static final int LISTING_BATCH = 64 * 1024;
    /** Up to this size a blob is read, hashed and sent in one write; past it, sent by sendfile. */
    private static final int SMALL_BLOB = 64 * 1024;
    private static final int STREAM_CHUNK = 256 * 1024;

    private final BlobStore blobs;
    private final ActionCache actionCache;
    private final Guard guard;
    private final StoreConfig config;
    private final Scrubbing scrubbing;

    public BlobRoutes(BlobStore blobs, ActionCache actionCache, Guard guard, StoreConfig config,
            Scrubbing scrubbing) {
        this.scrubbing = scrubbing;
        this.blobs = blobs;
        this.actionCache = actionCache;
        this.guard = guard;
        this.config = config;
    }

    void register(@Observes Router router) {
        router.route(HttpMethod.GET, "/cas").handler(this::listBlobs);
        router.route(HttpMethod.POST, "/cas/scrub").handler(this::scrub);
        router.route(HttpMethod.PUT, "/cas/:hex").handler(this::putBlob);
        router.route(HttpMethod.DELETE, "/cas/:hex").handler(this::deleteBlob);
        router.route(HttpMethod.GET, "/cas/:hex").handler(ctx -> getBlob(ctx, true));
        router.route(HttpMethod.HEAD, "/cas/:hex").handler(ctx -> getBlob(ctx, false));
        router.route(HttpMethod.PUT, "/ac/:hex").handler(this::putActionResult);
        router.route(HttpMethod.GET, "/ac/:hex").handler(ctx -> getActionResult(ctx, true));
        router.route(HttpMethod.HEAD, "/ac/:hex").handler(ctx -> getActionResult(ctx, false));
    }

    private void putBlob(RoutingContext ctx) {
        Optional<Digest> digest = digestOf(ctx);
        if (digest.isEmpty() || !allowed(ctx, Role.BUILDER, "PUT blobs") || !withinLimit(ctx, config.maxBlobSize())) {
            return;
        }
        RequestBodyStream body = new RequestBodyStream(ctx.request(), ctx.vertx().getOrCreateContext(),
                config.maxBlobSize(), IDLE_CLIENT);
        ctx.vertx().executeBlocking(() -> blobs.write(digest.get(), body), false)
                .onSuccess(created -> ctx.response().setStatusCode(created ? 201 : 200).end())
                .onFailure(error -> uploadFailed(ctx, digest.get(), error));
    }

    /**
     * Every stored digest, one lowercase hex per line, for garbage collectors and audits. Streamed in batches,
     * each written before the next is read, so memory stays flat whatever the store's size. A listing that fails
     * part way cuts the connection: a client never takes a truncated listing for a whole one.
     */
    private void listBlobs(RoutingContext ctx) {
        if (!allowed(ctx, Role.READER, "list blobs")) {
            return;
        }
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain");
        ctx.vertx().executeBlocking(() -> {
            try (Stream<Digest> digests = blobs.list()) {
                Buffer batch = Buffer.buffer(LISTING_BATCH + 128);
                for (Iterator<Digest> each = digests.iterator(); each.hasNext(); ) {
                    batch.appendString(each.next().hex()).appendByte((byte) '\n');
                    if (batch.length() >= LISTING_BATCH) {
                        response.write(batch).toCompletionStage().toCompletableFuture()
                                .get(IDLE_CLIENT.toSeconds(), TimeUnit.SECONDS);
                        batch = Buffer.buffer(LISTING_BATCH + 128);
                    }
                }
                return batch;
            }
        }, false).onSuccess(response::end).onFailure(error -> {
            if (response.headWritten()) {
                LOG.warnf("listing cut off part way: %s", error.getMessage());
                ctx.request().connection().close();
            } else {
                fail(ctx, 500, "cannot list the store: " + error.getMessage());
            }
        });
    }

    /** Re-hashes every blob now and answers what it quarantined, as JSON. */
    private void scrub(RoutingContext ctx) {
        if (!allowed(ctx, Role.ADMIN, "scrub the store")) {
            return;
        }
        ctx.vertx().executeBlocking(scrubbing::scrub, false).onSuccess(report -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject()
                        .put("blobs", report.blobs())
                        .put("bytes", report.bytes())
                        .put("quarantined", new JsonArray(report.quarantined().stream().map(Digest::toString).toList()))
                        .put("seconds", report.took().toMillis() / 1000.0)
                        .encode()))
                .onFailure(error -> fail(ctx, 500, "scrub failed: " + error.getMessage()));
    }

    private void deleteBlob(RoutingContext ctx) {
        Optional<Digest> digest = digestOf(ctx);
        if (digest.isEmpty() || !allowed(ctx, Role.ADMIN, "delete blobs")) {
            return;
        }
        ctx.vertx().executeBlocking(() -> blobs.delete(digest.get()), false)
                .onSuccess(deleted -> {
                    if (deleted) {
                        ctx.response().setStatusCode(204).end();
                    } else {
                        fail(ctx, 404, "no blob " + digest.get() + " in the store");
                    }
                })
                .onFailure(error -> fail(ctx, 500, "cannot delete " + digest.get() + ": " + error.getMessage()));
    }

    private void getBlob(RoutingContext ctx, boolean withBody) {
        Optional<Digest> digest = digestOf(ctx);
        if (digest.isEmpty() || !allowed(ctx, Role.READER, "read blobs")) {
            return;
        }
        Optional<Path> file = blobs.file(digest.get());
        if (file.isPresent()) {
            serveFile(ctx, digest.get(), file.get(), withBody);
            return;
        }
        ctx.vertx().executeBlocking(() -> blobs.size(digest.get()), false).onComplete(size -> {
            if (size.failed()) {
                fail(ctx, 500, "cannot look up " + digest.get() + ": " + size.cause().getMessage());
            } else if (size.result().isEmpty()) {
                fail(ctx, 404, "no blob " + digest.get() + " in the store");
            } else {
                long whole = size.result().getAsLong();
                respond(ctx, digest.get(), whole, withBody, (offset, length) -> {
                    if (offset == 0 && length == whole) {
                        stream(ctx, digest.get(), offset, length);
                    } else {
                        streamRange(ctx, digest.get(), offset, length);
                    }
                });
            }
        });
    }

    /**
     * A blob the store keeps in a local file, served on the event loop as nginx serves files. A small one is read
     * whole (a page-cached read of a few KiB costs less than a hand-off to a worker), hashed, and sent with its
     * headers in one write; a damaged one is never sent. A bigger one goes by sendfile, unhashed: the scrubber
     * is what keeps known damage from being served.
     */
    private void serveFile(RoutingContext ctx, Digest digest, Path path, boolean withBody) {
        long size;
        byte[] small = null;
        try (FileChannel channel = FileChannel.open(path)) {
            size = channel.size();
            if (withBody && size <= SMALL_BLOB) {
                small = readWhole(channel, (int) size);
            }
        } catch (NoSuchFileException e) {
            fail(ctx, 404, "no blob " + digest + " in the store");
            return;
        } catch (IOException e) {
            fail(ctx, 500, "cannot read " + digest + ": " + e.getMessage());
            return;
        }
        if (small == null) {
            respond(ctx, digest, size, withBody,
                    (offset, length) -> ctx.response().sendFile(path.toString(), offset, length));
            return;
        }
        Digest actual = Digest.of(small);
        if (!actual.equals(digest)) {
            LOG.errorf("%s is damaged at rest: its %d bytes hash to %s", digest, size, actual);
            // Named in headers, so that a client tells damage from a failing server (BlobStoreHttp).
            ctx.response().putHeader(BlobStoreHttp.CORRUPT_DIGEST, actual.toString())
                    .putHeader(BlobStoreHttp.CORRUPT_BYTES, Long.toString(size));
            fail(ctx, 500, "the stored copy of " + digest + " is damaged (its bytes hash to " + actual
                    + "): upload it again to repair the store");
            return;
        }
        Buffer bytes = Buffer.buffer(small);
        respond(ctx, digest, size, true,
                (offset, length) -> ctx.response().end(bytes.slice((int) offset, (int) (offset + length))));
    }

    private static byte[] readWhole(FileChannel channel, int size) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(size);
        while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
            // until full: a file shorter than its size was truncated under us, and fails the hash
        }
        return bytes.array();
    }

    /** Headers, ranges and HEAD for every backend; {@code body} sends the chosen bytes. */
    private void respond(RoutingContext ctx, Digest digest, long size, boolean withBody, BodySender body) {
        HttpServerResponse response = ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                .putHeader(HttpHeaders.ETAG, "\"" + digest.hex() + "\"")
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(ctx.request().getHeader("Range"), size);
        } catch (ByteRange.Unsatisfiable e) {
            response.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
            fail(ctx, 416, e.getMessage());
            return;
        }
        long offset = range.map(ByteRange::offset).orElse(0L);
        long length = range.map(ByteRange::length).orElse(size);
        range.ifPresent(r -> response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, r.contentRange(size)));
        if (withBody) {
            body.send(offset, length);
        } else {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length)).end();
        }
    }

    @FunctionalInterface
    private interface BodySender {
        void send(long offset, long length);
    }

    /**
     * Streams from a backend that verifies as it reads (S3), one chunk behind: a chunk goes out only once the
     * next one was read, so when the blob turns out corrupt at its end, the connection is cut before the last
     * bytes and no client takes a damaged blob for a whole one.
     */
    private void stream(RoutingContext ctx, Digest digest, long offset, long length) {
        HttpServerResponse response = ctx.response().putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
        ctx.vertx().executeBlocking(() -> {
            try (InputStream in = blobs.open(digest, offset, length)) {
                byte[] held = null;
                while (true) {
                    byte[] chunk = in.readNBytes(STREAM_CHUNK);
                    if (held != null && held.length > 0) {
                        response.write(Buffer.buffer(held)).toCompletionStage().toCompletableFuture().get();
                    }
                    if (chunk.length == 0) {
                        break;
                    }
                    held = chunk;
                }
            }
            response.end().toCompletionStage().toCompletableFuture().get();
            return null;
        }, false).onFailure(error -> cut(ctx, digest, error));
    }

    /**
     * A range from a backend that can read one alone (S3's ranged GET), unhashed like a range sent from a file:
     * the scrub model covers it, and reading the whole blob to verify a 4 MiB range of it, as delta downloads
     * ask for hundreds of, would cost the whole blob each time.
     */
    private void streamRange(RoutingContext ctx, Digest digest, long offset, long length) {
        HttpServerResponse response = ctx.response().putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
        ctx.vertx().executeBlocking(() -> {
            for (long at = offset; at < offset + length; ) {
                int n = (int) Math.min(STREAM_CHUNK * 4L, offset + length - at);
                byte[] bytes = blobs.readRange(digest, at, n);
                if (bytes.length != n) {
                    throw new IOException("the store's " + digest + " ended at " + (at + bytes.length)
                            + ", before the range it said it holds");
                }
                response.write(Buffer.buffer(bytes)).toCompletionStage().toCompletableFuture().get();
                at += n;
            }
            response.end().toCompletionStage().toCompletableFuture().get();
            return null;
        }, false).onFailure(error -> cut(ctx, digest, error));
    }

    /** A failure while streaming: a 500 if nothing went out yet, else the connection cut before the end. */
    private static void cut(RoutingContext ctx, Digest digest, Throwable error) {
        LOG.errorf("cut the response for %s: %s", digest, error.getMessage());
        if (!ctx.response().headWritten()) {
            fail(ctx, 500, "cannot read " + digest + ": " + error.getMessage());
        } else {
            ctx.request().connection().close();
        }
    }

    private void putActionResult(RoutingContext ctx) {
        Optional<Digest> action = digestOf(ctx);
        if (action.isEmpty() || !allowed(ctx, Role.BUILDER, "PUT action-cache entries")
                || !withinLimit(ctx, config.maxActionCacheEntrySize())) {
            return;
        }
        RequestBodyStream body = new RequestBodyStream(ctx.request(), ctx.vertx().getOrCreateContext(),
                config.maxActionCacheEntrySize(), IDLE_CLIENT);
        ctx.vertx().executeBlocking(() -> {
            actionCache.put(action.get(), body.readAllBytes());
            return null;
        }, false).onSuccess(done -> ctx.response().setStatusCode(200).end())
                .onFailure(error -> uploadFailed(ctx, action.get(), error));
    }

    private void getActionResult(RoutingContext ctx, boolean withBody) {
        Optional<Digest> action = digestOf(ctx);
        if (action.isEmpty() || !allowed(ctx, Role.READER, "read action-cache entries")) {
            return;
        }
        Future<Optional<byte[]>> entry = ctx.vertx().executeBlocking(() -> actionCache.get(action.get()), false);
        entry.onSuccess(found -> {
            if (found.isEmpty()) {
                fail(ctx, 404, "no action-cache entry for " + action.get());
            } else if (withBody) {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                        .end(Buffer.buffer(found.get()));
            } else {
                ctx.response().putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(found.get().length)).end();
            }
        }).onFailure(error -> fail(ctx, 500, "cannot read the action cache: " + error.getMessage()));
    }

    private void uploadFailed(RoutingContext ctx, Digest digest, Throwable error) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        if (error instanceof RequestBodyStream.TooLargeException) {
            // The rest of the body is never read: a client that sends it all before it reads an answer (Java's
            // HttpClient does) would wait on a full socket forever unless the connection goes. (A reset of the
            // HTTP/2 stream alone left that client waiting.)
            ctx.response().bodyEndHandler(written -> ctx.request().connection().close());
        }
        if (error instanceof DigestMismatchException || error instanceof RequestBodyStream.TooLargeException) {
            LOG.warnf("refused the upload of %s: %s", digest, error.getMessage());
        }
        if (error instanceof DigestMismatchException mismatch) {
            fail(ctx, 400, "body does not match its name: expected " + mismatch.expected() + ", got "
                    + mismatch.actual() + " over " + mismatch.bytes() + " bytes; nothing was stored");
        } else if (error instanceof RequestBodyStream.TooLargeException tooLarge) {
            fail(ctx, 413, tooLarge.getMessage() + "; nothing was stored");
        } else if (error instanceof IOException incomplete && ctx.request().connection() != null
                && !ctx.response().closed()) {
            fail(ctx, 400, "upload of " + digest + " incomplete: " + incomplete.getMessage() + "; nothing was stored");
        } else {
            LOG.warnf(error, "upload of %s failed", digest);
            fail(ctx, 500, "upload of " + digest + " failed: " + error.getMessage());
        }
    }

    private boolean withinLimit(RoutingContext ctx, long limit) {
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            if (declared != null && Long.parseLong(declared) > limit) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                fail(ctx, 413, "body of " + declared + " bytes is larger than the limit of " + limit + " bytes");
                return false;
            }
        } catch (NumberFormatException e) {
            fail(ctx, 400, "Content-Length '" + declared + "' is not a number");
            return false;
        }
        return true;
    }

    private boolean allowed(RoutingContext ctx, Role role, String action) {
        return guard.authorize(ctx, role, action).isPresent();
    }
}
