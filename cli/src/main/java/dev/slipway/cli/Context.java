package dev.slipway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.slipway.cas.blob.BlobStoreHttp;
import dev.slipway.cas.flag.FlagsOverHttp;
import dev.slipway.events.wire.EventJson;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every command takes, and what they lead to: settings, the store, the release API, output. */
public final class Context {

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: $SLIPWAY_CONFIG, ~/.config/slipway/config.properties)")
    Path config;

    @Option(names = "--store", paramLabel = "URL", description = "cas-service URL (SLIPWAY_STORE_URL)")
    String store;

    @Option(names = "--store-token", paramLabel = "TOKEN", description = "Store bearer token (SLIPWAY_STORE_TOKEN)")
    String storeToken;

    @Option(names = "--release", paramLabel = "URL", description = "release-service URL (SLIPWAY_RELEASE_URL)")
    String release;

    @Option(names = "--token", paramLabel = "TOKEN", description = "release-service bearer token (SLIPWAY_RELEASE_TOKEN)")
    String releaseToken;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (SLIPWAY_KAFKA)")
    String kafka;

    @Option(names = "--trusted-key", paramLabel = "KEY", description = "Trusted builder public keys, comma separated (SLIPWAY_TRUSTED_BUILDER_KEYS)")
    String trustedKeys;

    @Option(names = "--json", description = "Print one JSON document instead of lines, for scripts")
    boolean json;

    private Settings settings;

    /** Where output goes; set by {@link Slipway} so tests can capture it. */
    static PrintStream out = System.out;
    static PrintStream err = System.err;
    static Map<String, String> environment = System.getenv();
    /** Whether a person is watching: progress bars and prompts only then. */
    static boolean terminal = System.console() != null;

    public Settings settings() {
        if (settings == null) {
            Map<Settings.Key, String> flags = new EnumMap<>(Settings.Key.class);
            put(flags, Settings.Key.STORE_URL, store);
            put(flags, Settings.Key.STORE_TOKEN, storeToken);
            put(flags, Settings.Key.RELEASE_URL, release);
            put(flags, Settings.Key.RELEASE_TOKEN, releaseToken);
            put(flags, Settings.Key.KAFKA, kafka);
            put(flags, Settings.Key.TRUSTED_BUILDER_KEYS, trustedKeys);
            settings = new Settings(flags, environment, config);
        }
        return settings;
    }

    private static void put(Map<Settings.Key, String> flags, Settings.Key key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }

    public Store store() {
        Settings s = settings();
        URI url = URI.create(s.url(Settings.Key.STORE_URL));
        return new Store(new BlobStoreHttp(url, s.get(Settings.Key.STORE_TOKEN), BlobStoreHttp.Dialect.CAS_SERVICE),
                new FlagsOverHttp(url, s.get(Settings.Key.STORE_TOKEN)), s.url(Settings.Key.STORE_URL));
    }

    public ReleaseApi release() {
        Settings s = settings();
        return new ReleaseApi(URI.create(s.url(Settings.Key.RELEASE_URL)), s.get(Settings.Key.RELEASE_TOKEN));
    }

    public String kafka() {
        return settings().get(Settings.Key.KAFKA);
    }

    public boolean json() {
        return json;
    }

    public PrintStream out() {
        return out;
    }

    /** A progress or status line: on stderr, so stdout stays the result; nothing in --json mode. */
    public void say(String line) {
        if (!json) {
            err.println(line);
        }
    }

    /** The command's result: the JSON document in --json mode, else the human line. */
    public void result(Object document, String line) {
        out.println(json ? toJson(document) : line);
    }

    static String toJson(Object document) {
        try {
            return EventJson.mapper().writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + document + " as JSON", e);
        }
    }

    public Progress progress(String what, long total) {
        return new Progress(what, total, terminal && !json ? err : null);
    }
}
