package dev.slipway.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where each setting comes from, first found wins: the command line, the environment ({@code SLIPWAY_*}), the
 * config file ({@code --config}, {@code $SLIPWAY_CONFIG}, or {@code ~/.config/slipway/config.properties}), then
 * the local stack's defaults. Errors name the setting by all three spellings.
 */
public final class Settings {

    /** A setting: its file key; the flag and variable follow from it. */
    public enum Key {
        STORE_URL("store-url", "--store", "http://127.0.0.1:8081/"),
        STORE_TOKEN("store-token", "--store-token", null),
        RELEASE_URL("release-url", "--release", "http://127.0.0.1:8080/"),
        RELEASE_TOKEN("release-token", "--token", null),
        KAFKA("kafka", "--kafka", "127.0.0.1:9092"),
        TRUSTED_BUILDER_KEYS("trusted-builder-keys", "--trusted-key", null);

        final String file;
        final String flag;
        final String fallback;

        Key(String file, String flag, String fallback) {
            this.file = file;
            this.flag = flag;
            this.fallback = fallback;
        }

        String variable() {
            return "SLIPWAY_" + file.toUpperCase(Locale.ROOT).replace('-', '_');
        }

        /** How a person fixes it, e.g. "--store-token, SLIPWAY_STORE_TOKEN or store-token in the config file". */
        public String spellings() {
            return flag + ", " + variable() + " or '" + file + "' in the config file";
        }
    }

    private final Map<Key, String> flags;
    private final Map<String, String> environment;
    private final Properties file = new Properties();

    public Settings(Map<Key, String> flags, Map<String, String> environment, Path configFile) {
        this.flags = flags;
        this.environment = environment;
        Path config = configFile != null ? configFile
                : environment.containsKey("SLIPWAY_CONFIG") ? Path.of(environment.get("SLIPWAY_CONFIG"))
                : environment.containsKey("HOME") ? Path.of(environment.get("HOME"), ".config", "slipway", "config.properties")
                : null;
        if (config != null && Files.isRegularFile(config)) {
            try (Reader reader = Files.newBufferedReader(config)) {
                file.load(reader);
            } catch (IOException e) {
                throw new CliFailure(Exit.USAGE, "cannot read the config file " + config + ": " + e.getMessage());
            }
        } else if (configFile != null) {
            throw new CliFailure(Exit.USAGE, "no config file at " + configFile);
        }
    }

    public Optional<String> find(Key key) {
        String value = flags.get(key);
        if (value == null) {
            value = environment.get(key.variable());
        }
        if (value == null) {
            value = file.getProperty(key.file);
        }
        if (value == null) {
            value = key.fallback;
        }
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String get(Key key) {
        return find(key).orElseThrow(() -> new CliFailure(Exit.USAGE, "no " + key.file + " set: give it with "
                + key.spellings()));
    }

    /** A URL setting, always ending in '/'. */
    public String url(Key key) {
        String url = get(key);
        return url.endsWith("/") ? url : url + "/";
    }
}
