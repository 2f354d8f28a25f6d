package dev.slipway.cas.service.blob;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body as a blocking {@link InputStream}, for a worker thread, with back-pressure: the event loop
 * queues chunks and pauses the request when {@value #HIGH_WATER} bytes are waiting; the reader resumes it when
 * the queue drains below {@value #LOW_WATER}. Memory per upload stays at a few megabytes whatever the body's
 * size, and the queue is deep enough that the reader's megabyte-sized reads never starve the socket.
 *
 * <p>A body longer than {@code limit} fails with {@link TooLargeException}; a connection closed before the
 * end, or silent for longer than the idle timeout, fails with an {@link IOException}, so the store discards
 * the partial upload.
 */
final class RequestBodyStream extends InputStream {

    /** Raised when the body passes the configured limit. */
    static final class TooLargeException extends IOException {
        TooLargeException(long limit) {
            super("body is larger than the limit of " + limit + " bytes");
        }
    }

    private static final int HIGH_WATER = 4 * 1024 * 1024;
    private static final int LOW_WATER = 1024 * 1024;
    private static final Object END = new Object();

    private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final HttpServerRequest request;
    private final Context eventLoop;
    private final long limit;
    private final Duration idleTimeout;
    /**
     * Written only on the event loop; the reader only looks, to know when a resume is worth scheduling. The
     * event loop sets it before it looks at {@link #queued} again, the reader lowers {@code queued} before it
     * looks at this: one of the two always sees the other, so a paused request is always resumed.
     */
    private volatile boolean paused;
    private final AtomicLong queued = new AtomicLong();
    private Buffer current;
    private int position;
    private long count;
    private boolean ended;

    /** Call on the event loop, before the request's first chunk can be delivered. */
    RequestBodyStream(HttpServerRequest request, Context eventLoop, long limit, Duration idleTimeout) {
        this.request = request;
        this.eventLoop = eventLoop;
        this.limit = limit;
        this.idleTimeout = idleTimeout;
        request.handler(chunk -> {
            long waiting = queued.addAndGet(chunk.length());
            chunks.add(chunk);
            if (!paused && waiting >= HIGH_WATER) {
                paused = true;
                request.pause();
                // The reader may have drained the queue between the count above and the flag: it then saw no
                // pause to undo, and nothing else would resume the request.
                if (queued.get() <= LOW_WATER) {
                    paused = false;
                    request.resume();
                }
            }
        });
        request.endHandler(done -> chunks.add(END));
        request.exceptionHandler(chunks::add);
        request.connection().closeHandler(closed ->
                chunks.add(new IOException("connection closed before the body ended")));
        request.resume();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || position == current.length()) {
            if (ended) {
                return -1;
            }
            Object next = next();
            if (next == END) {
                ended = true;
                return -1;
            }
            current = (Buffer) next;
            position = 0;
        }
        int n = Math.min(length, current.length() - position);
        current.getBytes(position, position + n, buffer, offset);
        position += n;
        count += n;
        if (count > limit) {
            throw new TooLargeException(limit);
        }
        return n;
    }

    private Object next() throws IOException {
        Object next;
        try {
            next = chunks.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the request body", e);
        }
        if (next == null) {
            throw new IOException("no data for " + idleTimeout.toSeconds() + " s: upload abandoned");
        }
        if (next instanceof Throwable failure) {
            throw failure instanceof IOException io ? io : new IOException(failure);
        }
        if (next instanceof Buffer chunk && queued.addAndGet(-chunk.length()) <= LOW_WATER && paused) {
            eventLoop.runOnContext(resume -> {
                if (paused) {
                    paused = false;
                    request.resume();
                }
            });
        }
        return next;
    }
}
