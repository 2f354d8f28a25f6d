package dev.slipway.release.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.agent.Health;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.release.SetStory;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import dev.slipway.testsupport.postgres.PostgresTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in Debian's headless Chromium (installed by ./setup), driven over WebDriver by Debian's
 * chromedriver. The page is opened once; everything after that arrives through server-sent events, never a
 * reload. A screenshot is kept in target/console-screenshots/.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleInABrowserTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private final KafkaBroker kafka = KafkaBroker.shared();
    private WebDriver browser;
    private Path profile;

    @TestHTTPResource("/")
    URL console;

    @BeforeEach
    void openBrowser() throws Exception {
        profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1400,1000");
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void showsASetThenAHostSwitchAndAPauseAsTheyHappen() throws Exception {
        SetStory story = new SetStory("console").builtFlaggedAndStarted(3);
        story.publish(kafka);

        browser.get(console.toString());
        browser.findElement(By.id("token")).sendKeys("viewer-secret");
        browser.findElement(By.cssSelector("#login button")).click();
        await("the set to be listed").atMost(DEADLINE)
                .until(() -> !text("#sets li[data-set='" + story.set + "']").isEmpty());
        ((JavascriptExecutor) browser).executeScript("document.querySelector(arguments[0]).click()",
                "#sets li[data-set='" + story.set + "']");
        await("the live stream to connect").atMost(DEADLINE)
                .until(() -> text("#connection").equals("live"));
        await("the set's hosts on the old version").atMost(DEADLINE).until(() -> currentOf(story, 1)
                .equals(short12(story.oldArtifact)));
        // The story's agents last spoke on 2026-11-25: long past three heartbeats, whatever they said then.
        assertTrue(text("#hosts tr[data-host='" + story.host(0) + "'] td:nth-child(5)").startsWith("stale"),
                text("#hosts tr[data-host='" + story.host(0) + "'] td:nth-child(5)"));

        story.add(new HostClaimed(story.set, story.rolloutId(), story.host(1)))
                .add(new HostSwitched(story.set, story.rolloutId(), story.host(1), story.oldArtifact, story.artifact, 2))
                .add(story.state(1, story.artifact, story.oldArtifact, Health.STARTING))
                .publish(kafka);
        await("the switch to show without a reload").atMost(DEADLINE)
                .until(() -> currentOf(story, 1).equals(short12(story.artifact)));

        story.add(new RolloutPaused(story.set, story.rolloutId(), "operator:alice", "incident 4411")).publish(kafka);
        await("the rollout to show as paused").atMost(DEADLINE)
                .until(() -> text("#rollout-status").equals("PAUSED"));
        assertTrue(text("#rollout-summary").contains("incident 4411"), text("#rollout-summary"));
        assertEquals("SWITCHED", text("#rollout-hosts tr[data-host='" + story.host(1) + "'] td:nth-child(2)"));

        Files.createDirectories(SCREENSHOTS);
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve("console.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private String currentOf(SetStory story, int host) {
        return text("#hosts tr[data-host='" + story.host(host) + "'] td.current");
    }

    /** Read in one script call: the page re-renders on every change, so an element found may be gone a moment later. */
    private String text(String selector) {
        Object text = ((JavascriptExecutor) browser).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector);
        return String.valueOf(text);
    }

    private static String short12(String digest) {
        return digest.substring("sha256:".length(), "sha256:".length() + 12);
    }
}
