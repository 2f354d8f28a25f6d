package dev.slipway.cas.chunk;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

class DeltaDownloadFileSystemTest extends DeltaDownloadContract {

    private BlobStoreFileSystem store;

    @Override
    BlobStore emptyStore() throws IOException {
        store = new BlobStoreFileSystem(dir.resolve("store"));
        return store;
    }

    @Override
    void corrupt(Digest digest, byte[] bytes) throws IOException {
        Path file = store.pathOf(digest);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(file, bytes);
    }
}
