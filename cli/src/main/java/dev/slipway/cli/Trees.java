package dev.slipway.cli;

import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Source trees and toolchains into the store: packed reproducibly, uploaded only when the store lacks them. */
final class Trees {

    record Pushed(String digest, long bytes, boolean uploaded) {
    }

    private Trees() {
    }

    static Pushed push(Context context, Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new CliFailure(Exit.USAGE, directory + " is not a directory");
        }
        Path archive = null;
        try {
            archive = Files.createTempFile("slipway-push", ".tar");
            MessageDigest sha256 = Digest.sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(archive), sha256)) {
                ReproducibleTar.pack(directory, out);
            }
            Digest digest = Digest.parse("sha256:" + HexFormat.of().formatHex(sha256.digest()));
            long size = Files.size(archive);
            Store store = context.store();
            if (store.size(digest).isPresent()) {
                context.say(digest + " is already in the store");
                return new Pushed(digest.toString(), size, false);
            }
            Progress progress = context.progress("uploading " + directory.getFileName(), size);
            try (InputStream in = progress.counting(Files.newInputStream(archive))) {
                store.write(digest, in);
            }
            progress.finish();
            return new Pushed(digest.toString(), size, true);
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, "cannot pack " + directory + ": " + e.getMessage(), e);
        } finally {
            if (archive != null) {
                try {
                    Files.deleteIfExists(archive);
                } catch (IOException ignored) {
                    // A temp file left behind is the OS's to clean.
                }
            }
        }
    }
}
