package dev.slipway.cas.chunk;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import java.io.IOException;

class DeltaDownloadFileSystemTest extends DeltaDownloadContract {

    @Override
    BlobStore emptyStore() throws IOException {
        return new BlobStoreFileSystem(dir.resolve("store"));
    }
}
