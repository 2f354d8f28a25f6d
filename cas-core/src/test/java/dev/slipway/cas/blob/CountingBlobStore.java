package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** A store that counts the bytes read from it and the reads (whole or ranges): what a download really moved. */
public final class CountingBlobStore implements BlobStore {

    private final BlobStore store;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();

    public CountingBlobStore(BlobStore store) {
        this.store = store;
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long opened() {
        return opened.get();
    }

    @Override
    public OptionalLong size(Digest digest) throws IOException {
        return store.size(digest);
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        InputStream in = store.open(digest);
        opened.incrementAndGet();
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesRead.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                int n = super.read(bytes, offset, length);
                bytesRead.addAndGet(Math.max(n, 0));
                return n;
            }
        };
    }

    @Override
    public byte[] readRange(Digest digest, long offset, int length) throws IOException {
        byte[] bytes = store.readRange(digest, offset, length);
        opened.incrementAndGet();
        bytesRead.addAndGet(bytes.length);
        return bytes;
    }

    @Override
    public Optional<Path> file(Digest digest) {
        return store.file(digest);
    }

    @Override
    public boolean write(Digest expected, InputStream bytes) throws IOException {
        return store.write(expected, bytes);
    }

    @Override
    public Stream<Digest> list() throws IOException {
        return store.list();
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return store.delete(digest);
    }

    @Override
    public void quarantine(Digest digest) throws IOException {
        store.quarantine(digest);
    }
}
