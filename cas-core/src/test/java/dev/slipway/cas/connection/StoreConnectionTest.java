package dev.slipway.cas.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.action.ActionCacheFileSystem;
import dev.slipway.cas.action.ActionCacheHttp;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.blob.BlobStoreHttp;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.FlagsOverHttp;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreConnectionTest {

    private record Settings(Optional<URI> storeUrl, Optional<String> storeToken, Optional<Path> storePath)
            implements StoreConnection {
    }

    @Test
    void aUrlIsReadOverHttpEvenWhenADirectoryIsAlsoSet(@TempDir Path directory) throws Exception {
        StoreConnection connection = new Settings(Optional.of(URI.create("http://127.0.0.1:1/")), Optional.of("t"),
                Optional.of(directory));

        assertInstanceOf(BlobStoreHttp.class, connection.blobs().orElseThrow());
        assertInstanceOf(FlagsOverHttp.class, connection.flags().orElseThrow());
        assertInstanceOf(ActionCacheHttp.class, connection.actionCache().orElseThrow());
    }

    @Test
    void aDirectoryAloneIsOpenedOnDiskWithTheActionCacheUnderAc(@TempDir Path directory) throws Exception {
        StoreConnection connection = new Settings(Optional.empty(), Optional.empty(), Optional.of(directory));

        assertInstanceOf(BlobStoreFileSystem.class, connection.blobs().orElseThrow());
        assertInstanceOf(FlagStoreFileSystem.class, connection.flags().orElseThrow());
        assertInstanceOf(ActionCacheFileSystem.class, connection.actionCache().orElseThrow());
        assertTrue(Files.isDirectory(directory.resolve("ac")));
    }

    @Test
    void neitherIsNoStoreAndAUrlWithoutATokenIsRefusedSayingWhichKeyIsMissing() throws Exception {
        assertEquals(Optional.empty(), new Settings(Optional.empty(), Optional.empty(), Optional.empty()).blobs());

        StoreConnection noToken = new Settings(Optional.of(URI.create("http://127.0.0.1:1/")), Optional.of(" "),
                Optional.empty());
        IllegalStateException refused = assertThrows(IllegalStateException.class, noToken::blobs);
        assertTrue(refused.getMessage().contains("store-token is not"), refused.getMessage());
    }
}
