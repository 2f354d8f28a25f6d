package dev.slipway.build;

import dev.slipway.cas.provenance.BuilderKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.jboss.logging.Logger;

/**
 * The builder's Ed25519 key: from configuration when given (production), else kept in a directory and created
 * there on first start (a local stack), its public half logged so it can be trusted by cas-service and agents.
 */
final class SigningKey {

    private static final Logger LOG = Logger.getLogger(SigningKey.class);

    private SigningKey() {
    }

    static KeyPair load(BuildConfig.Signing signing) throws IOException {
        if (signing.privateKey().isPresent() != signing.publicKey().isPresent()) {
            throw new IllegalStateException("set both slipway.build.signing.private-key and public-key, or neither");
        }
        KeyPair keys;
        if (signing.privateKey().isPresent()) {
            keys = new KeyPair(BuilderKeys.publicKey(signing.publicKey().get()),
                    BuilderKeys.privateKey(signing.privateKey().get()));
        } else {
            keys = kept(signing.keyDir());
        }
        LOG.infof("signing provenance with key %s; trust it with its public key %s",
                BuilderKeys.keyId(keys.getPublic()), BuilderKeys.encode(keys.getPublic()));
        return keys;
    }

    private static KeyPair kept(Path directory) throws IOException {
        Path privateFile = directory.resolve("builder.key");
        Path publicFile = directory.resolve("builder.pub");
        if (Files.exists(privateFile)) {
            return new KeyPair(BuilderKeys.publicKey(Files.readString(publicFile)),
                    BuilderKeys.privateKey(Files.readString(privateFile)));
        }
        KeyPair keys = BuilderKeys.generate();
        Files.createDirectories(directory);
        Files.writeString(publicFile, BuilderKeys.encode(keys.getPublic()) + "\n");
        Path temp = Files.createTempFile(directory, ".builder", ".key",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, BuilderKeys.encode(keys.getPrivate()) + "\n");
        Files.move(temp, privateFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return keys;
    }
}
