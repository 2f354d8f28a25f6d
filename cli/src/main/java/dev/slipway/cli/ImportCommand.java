package dev.slipway.cli;

import dev.slipway.cas.digest.Digest;
import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", description = "Fetch a third-party file (an https URL, or maven:GROUP:ARTIFACT:VERSION[:CLASSIFIER]) "
        + "on this machine, check it against the sha256 you pinned (and, from Maven, against its published "
        + "checksum), store it, and pin it in the lock beside your recipe. Nothing is stored on a mismatch; "
        + "nothing is downloaded when the store already has the pinned bytes. Without SOURCE: everything the lock "
        + "pins, as a CI job does before it builds.")
final class ImportCommand implements Runnable {

    static final String MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2/";
    private static final Pattern MAVEN = Pattern.compile(
            "maven:([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+):([A-Za-z0-9_.+-]+)(?::([A-Za-z0-9_.-]+))?");
    private static final Pattern SHA256 = Pattern.compile("(sha256:)?([0-9a-fA-F]{64})");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{40,128}");

    @Mixin
    Context context;

    @Parameters(paramLabel = "SOURCE", arity = "0..1",
            description = "https://... or maven:GROUP:ARTIFACT:VERSION[:CLASSIFIER]")
    String source;

    @Option(names = "--sha256", paramLabel = "HEX", description = "The digest you pinned, from a source you trust "
            + "(the project's release notes, a signed checksum file). Without it, the lock's pin for this name is used")
    String sha256;

    @Option(names = "--name", description = "The name recipes use for it (default: the artifact id, or the URL's file name)")
    String name;

    @Option(names = "--lock", paramLabel = "FILE", defaultValue = Lock.FILE_NAME,
            description = "The lock to pin it in (default: ./slipway.lock)")
    Path lockFile;

    @Option(names = "--repository", paramLabel = "URL", defaultValue = MAVEN_CENTRAL,
            description = "The Maven repository for maven: sources (default: Maven Central)")
    String repository;

    @Option(names = "--max-bytes", defaultValue = "2147483648", description = "Refuse anything bigger (default 2 GiB)")
    long maxBytes;

    /** Where a source's bytes and its published checksums are. */
    record Origin(URI file, Optional<URI> published, String defaultName) {
    }

    @Override
    public void run() {
        if (source == null) {
            importLocked();
            return;
        }
        importOne(Lock.read(lockFile));
    }

    /** Every file the lock pins, from where it came; every tree (a toolchain) must already be in the store. */
    private void importLocked() {
        if (sha256 != null || name != null) {
            throw new CliFailure(Exit.USAGE, "--sha256 and --name go with a SOURCE; without one, the lock says both");
        }
        Lock lock = Lock.read(lockFile);
        if (lock.names().isEmpty()) {
            throw new CliFailure(Exit.USAGE, lockFile + " pins nothing; give a SOURCE to pin");
        }
        for (String input : lock.names()) {
            Lock.Entry entry = lock.entry(input).orElseThrow();
            if (entry.kind() == Recipe.Kind.TREE) {
                if (context.store().size(entry.digest()).isEmpty()) {
                    throw new CliFailure(Exit.REFUSED, "the toolchain '" + input + "' (" + entry.digest() + ", "
                            + entry.source() + ") is not in the store: whoever publishes it imports it once with "
                            + "`slipway toolchain import`");
                }
                context.say(entry.digest() + "  " + input + " (in the store)");
                continue;
            }
            ImportCommand one = new ImportCommand();
            one.context = context;
            one.source = entry.source();
            one.name = input;
            one.lockFile = lockFile;
            one.repository = repository;
            one.maxBytes = maxBytes;
            one.importOne(lock);
        }
    }

    private void importOne(Lock lock) {
        Origin origin = origin();
        String input = name != null ? name : origin.defaultName();
        if (!Lock.validName(input)) {
            throw new CliFailure(Exit.USAGE, "'" + input + "' cannot name an input (letters, digits, '.', '_', '-'); "
                    + (name != null ? "give another --name" : "give it one with --name"));
        }
        Digest pinned = pin(lock, input);
        if (pinned != null && context.store().size(pinned).isPresent()) {
            context.say(pinned + " is already in the store; nothing downloaded");
            done(lock, input, pinned, 0);
            return;
        }
        try (Download download = Download.fetch(origin.file(), maxBytes)) {
            origin.published().ifPresent(published -> checkPublished(published, download));
            if (pinned == null) {
                throw new CliFailure(Exit.REFUSED, source + " is not pinned: it served " + download.sha256()
                        + ". Check that digest against a source you trust, then run again with --sha256 "
                        + download.sha256().hex() + "; nothing was stored");
            }
            if (!pinned.equals(download.sha256())) {
                throw new CliFailure(Exit.REFUSED, source + " served " + download.sha256() + " but "
                        + pinned + " is pinned; nothing was stored");
            }
            try (InputStream in = Files.newInputStream(download.file())) {
                context.store().write(pinned, in);
            } catch (IOException e) {
                throw new CliFailure(Exit.FAILED, "cannot read back " + download.file() + ": " + e.getMessage(), e);
            }
            done(lock, input, pinned, download.bytes());
        }
    }

    /** The digest to insist on: the one given, else the lock's pin for the same name and source. */
    private Digest pin(Lock lock, String input) {
        if (sha256 != null) {
            Matcher hex = SHA256.matcher(sha256.strip());
            if (!hex.matches()) {
                throw new CliFailure(Exit.USAGE, "--sha256 takes 64 hex digits, not '" + sha256 + "'");
            }
            Digest given = Digest.parse("sha256:" + hex.group(2).toLowerCase(Locale.ROOT));
            lock.entry(input).filter(old -> !old.digest().equals(given)).ifPresent(old ->
                    context.say("the lock pinned " + input + " to " + old.digest() + "; it moves to " + given));
            return given;
        }
        return lock.entry(input).filter(entry -> entry.source().equals(source)).map(Lock.Entry::digest).orElse(null);
    }

    private void done(Lock lock, String input, Digest digest, long downloaded) {
        lock.put(input, new Lock.Entry(digest, Recipe.Kind.FILE, source));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", input);
        result.put("digest", digest.toString());
        result.put("source", source);
        result.put("downloaded", downloaded);
        result.put("lock", lock.file().toString());
        context.result(result, digest + "  " + input);
    }

    /** A Maven repository's own checksum of the file: a second opinion, against damage on the way or at rest. */
    private void checkPublished(URI file, Download download) {
        Optional<String> sha256 = Download.text(URI.create(file + ".sha256"));
        Optional<String> sha1 = sha256.isPresent() ? Optional.empty() : Download.text(URI.create(file + ".sha1"));
        String published = sha256.or(() -> sha1).map(text -> text.strip().split("\\s+")[0]).orElseThrow(() ->
                new CliFailure(Exit.REFUSED, file + " has no published .sha256 or .sha1; nothing was stored"));
        String actual = sha256.isPresent() ? download.sha256().hex() : download.sha1();
        if (!HEX.matcher(published).matches()) {
            throw new CliFailure(Exit.REFUSED, "the published checksum of " + file + " is not hex ('" + published
                    + "'); nothing was stored");
        }
        if (!published.equalsIgnoreCase(actual)) {
            throw new CliFailure(Exit.REFUSED, file + " hashes to " + actual + " but its repository publishes "
                    + published + " (" + (sha256.isPresent() ? "sha256" : "sha1") + "); nothing was stored");
        }
    }

    private Origin origin() {
        Matcher maven = MAVEN.matcher(source);
        if (maven.matches()) {
            String artifact = maven.group(2);
            String version = maven.group(3);
            String file = artifact + "-" + version + (maven.group(4) == null ? "" : "-" + maven.group(4)) + ".jar";
            String base = repository.endsWith("/") ? repository : repository + "/";
            URI uri = URI.create(base + maven.group(1).replace('.', '/') + "/" + artifact + "/" + version + "/" + file);
            return new Origin(uri, Optional.of(uri), artifact);
        }
        URI uri;
        try {
            uri = URI.create(source);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Exit.USAGE, "'" + source + "' is neither a URL nor maven:GROUP:ARTIFACT:VERSION");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!(scheme.equals("https") || scheme.equals("http") || scheme.equals("file")) || uri.getPath() == null) {
            throw new CliFailure(Exit.USAGE, "'" + source + "' is neither an https URL nor "
                    + "maven:GROUP:ARTIFACT:VERSION[:CLASSIFIER]");
        }
        String path = uri.getPath();
        return new Origin(uri, Optional.empty(), path.substring(path.lastIndexOf('/') + 1));
    }
}
