package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreFileSystemTest extends BlobStoreContract {

    @TempDir
    Path root;

    private BlobStoreFileSystem fileSystem;

    @Override
    BlobStore emptyStore() throws Exception {
        fileSystem = new BlobStoreFileSystem(root);
        return fileSystem;
    }

    @Override
    void corrupt(Digest digest, byte[] bytes) throws Exception {
        Path file = fileSystem.pathOf(digest);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(file, bytes);
    }
}
