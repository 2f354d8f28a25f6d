package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path home;

    private Path configFile(String text) throws Exception {
        Path file = Files.createDirectories(home.resolve(".config/slipway")).resolve("config.properties");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheFileWhichWinsOverTheDefault() throws Exception {
        configFile("store-url=http://file/\nrelease-url=http://file/\nkafka=file:9092\n");
        Map<String, String> env = Map.of("HOME", home.toString(), "SLIPWAY_STORE_URL", "http://env/",
                "SLIPWAY_RELEASE_URL", "http://env/");
        Settings settings = new Settings(Map.of(Settings.Key.STORE_URL, "http://flag/"), env, null);

        assertEquals("http://flag/", settings.get(Settings.Key.STORE_URL));
        assertEquals("http://env/", settings.get(Settings.Key.RELEASE_URL));
        assertEquals("file:9092", settings.get(Settings.Key.KAFKA));
        assertEquals("http://127.0.0.1:8081/", new Settings(Map.of(), Map.of(), null).get(Settings.Key.STORE_URL));
    }

    @Test
    void aMissingSettingNamesEveryWayToGiveIt() {
        CliFailure missing = assertThrows(CliFailure.class,
                () -> new Settings(Map.of(), Map.of("HOME", home.toString()), null).get(Settings.Key.STORE_TOKEN));
        assertEquals(Exit.USAGE, missing.exit());
        assertTrue(missing.getMessage().contains("--store-token, SLIPWAY_STORE_TOKEN or 'store-token' in the config file"),
                missing.getMessage());
    }

    @Test
    void anExplicitConfigFileThatIsNotThereIsAnError() {
        CliFailure missing = assertThrows(CliFailure.class,
                () -> new Settings(Map.of(), Map.of(), home.resolve("nope.properties")));
        assertTrue(missing.getMessage().contains("no config file at"), missing.getMessage());
    }
}
