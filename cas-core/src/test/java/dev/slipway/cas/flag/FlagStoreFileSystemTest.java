package dev.slipway.cas.flag;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FlagStoreFileSystemTest extends FlagStoreContract {

    @TempDir
    Path root;

    @Override
    FlagStore emptyStore() throws Exception {
        return new FlagStoreFileSystem(root);
    }
}
