package dev.slipway.release.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.events.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The channel's topics are configuration; the catalogue is code: a topic added to one must be added to the other. */
class ProjectionChannelTest {

    @Test
    void theProjectionReadsEveryTopicOfTheCatalogueAndTheCommandsDeadLetters() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = ProjectionChannelTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        List<String> expected = new ArrayList<>(Topics.ALL);
        expected.add(Topics.deadLetter(Topics.COMMANDS));
        assertEquals(expected, Arrays.asList(properties.getProperty(
                "mp.messaging.incoming." + Projection.CHANNEL + ".topics").split(",")));
    }
}
