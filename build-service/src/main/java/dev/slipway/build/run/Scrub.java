package dev.slipway.build.run;

import dev.slipway.cas.archive.Trees;
import java.io.IOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Deletes a build's directory, whatever a step left in it (read-only files and directories included). */
final class Scrub {

    private static final Logger LOG = Logger.getLogger(Scrub.class);

    private Scrub() {
    }

    static void delete(Path root) {
        if (root == null) {
            return;
        }
        try {
            Trees.delete(root);
        } catch (IOException e) {
            LOG.errorf("cannot delete the build directory %s: %s; delete it by hand", root, e.getMessage());
        }
    }
}
