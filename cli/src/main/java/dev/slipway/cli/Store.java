package dev.slipway.cli;

import dev.slipway.cas.blob.BlobNotFoundException;
import dev.slipway.cas.blob.BlobStoreHttp;
import dev.slipway.cas.blob.HttpStatusException;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.cas.flag.Flags;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.util.OptionalLong;

/** The store as the CLI uses it: every failure becomes a {@link CliFailure} that says which setting to fix. */
public final class Store {

    /** Work with the store that may throw. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws IOException;
    }

    private final BlobStoreHttp blobs;
    private final FlagReader flags;
    private final String url;

    Store(BlobStoreHttp blobs, FlagReader flags, String url) {
        this.blobs = blobs;
        this.flags = flags;
        this.url = url;
    }

    /** The recipe's flags, with every builder's claim; the store's reader role suffices. */
    public Flags flagsOf(Digest recipe) {
        return call(() -> flags.flagsOf(recipe));
    }

    public OptionalLong size(Digest digest) {
        return call(() -> blobs.size(digest));
    }

    public boolean write(Digest digest, InputStream bytes) {
        return call(() -> blobs.write(digest, bytes));
    }

    public byte[] read(Digest digest) {
        return call(() -> {
            try (InputStream in = blobs.open(digest)) {
                return in.readAllBytes();
            }
        });
    }

    /** The blob as a stream that fails if its bytes are not the digest's; use inside {@link #call}. */
    public InputStream open(Digest digest) throws IOException {
        return blobs.open(digest);
    }

    public <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (BlobNotFoundException e) {
            throw new CliFailure(Exit.REFUSED, "the store at " + url + " has no " + e.getMessage());
        } catch (HttpStatusException e) {
            if (e.status() == 401 || e.status() == 403) {
                throw new CliFailure(Exit.AUTH, e.getMessage() + "; set the store token with "
                        + Settings.Key.STORE_TOKEN.spellings());
            }
            throw new CliFailure(e.status() < 500 ? Exit.REFUSED : Exit.FAILED, e.getMessage());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CliFailure(Exit.UNREACHABLE, "cannot reach the store at " + url + "; set its URL with "
                    + Settings.Key.STORE_URL.spellings());
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, "store " + url + ": " + e.getMessage(), e);
        }
    }
}
