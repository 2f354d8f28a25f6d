package dev.slipway.release.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.Health;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
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
 * reload. Screenshots of each view are kept in target/console-screenshots/.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleInABrowserTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private final KafkaBroker kafka = KafkaBroker.shared();
    private final CloudEventCodec codec = new CloudEventCodec();
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

        open(story);
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
        assertTrue(text("#paused-banner").contains("Paused by operator:alice"), text("#paused-banner"));
        assertTrue(text("#paused-banner").contains("incident 4411"), text("#paused-banner"));
        String slot = "#rollout-hosts tr[data-host='" + story.host(1) + "']";
        assertEquals("holds a slot", text(slot + " td:nth-child(2)"));
        assertEquals("SWITCHED", text(slot + " td:nth-child(3)"));
        assertEquals("waits", text("#rollout-hosts tr[data-host='" + story.host(2) + "'] td:nth-child(2)"));
        assertEquals("", text("#holds-banner"), "no hold yet");

        story.add(new HoldPlaced(story.set, "db-migration", Duration.ofMinutes(30), HoldPlaced.FAIL,
                "operator:migrator", "schema 42")).publish(kafka);
        await("the hold to show").atMost(DEADLINE).until(() -> text("#holds-banner").contains("db-migration"));
        assertTrue(text("#holds-banner").contains("Held by db-migration (operator:migrator) until ")
                && text("#holds-banner").contains("then the rollout fails: schema 42."), text("#holds-banner"));
        screenshot("console-rollout.png");
    }

    @Test
    void theFleetOverviewHistoryRefusedCommandsAndAPaginatedAuditTrailAnOperatorCanReadAtAGlance() throws Exception {
        SetStory story = new SetStory("overview").builtFlaggedAndStarted(3).hostSwitched(0, Health.HEALTHY);
        for (int i = 0; i < 12; i++) {
            story.add(story.state(1, story.oldArtifact, null, i % 2 == 0 ? Health.HEALTHY : Health.STARTING));
        }
        story.publish(kafka);
        Event<PromoteRequested> promote = Event.of("/release-service/api",
                new PromoteRequested(story.set, "production", story.recipe, "operator:bob"));
        ConsumerRecord<String, byte[]> record;
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(codec.encode(Topics.COMMANDS, promote)).get();
            record = kafka.awaitRecord(Topics.COMMANDS, r -> promote.id().equals(header(r, "ce_id")), DEADLINE);
            producer.send(DeadLetters.of(record, "cas-flagging", "refused", "channel production is frozen")).get();
        }

        open(story);
        String row = "#sets tr[data-set='" + story.set + "']";
        await("the overview to show the set's channel, health and progress").atMost(DEADLINE).until(() ->
                text(row + " td:nth-child(2)").contains("production " + short12(story.artifact))
                        && text(row + " td:nth-child(5)").equals("1/3 healthy"));
        assertEquals("RUNNING", text(row + " td:nth-child(4)"));
        screenshot("console-overview.png");

        await("the refused command to show with who refused it and why").atMost(DEADLINE).until(() ->
                text("#commands tr[data-command='" + promote.id() + "'] td:nth-child(3)").equals("REFUSED"));
        String refused = "#commands tr[data-command='" + promote.id() + "']";
        assertEquals("cas-flagging", text(refused + " td:nth-child(4)"));
        assertEquals("channel production is frozen", text(refused + " td:nth-child(5)"));
        assertEquals("RUNNING", text("#history tr[data-rollout='" + story.rolloutId() + "'] td:nth-child(4)"));
        assertTrue(text("#rollout-origin").contains("operator:alice made it deployable on production"),
                text("#rollout-origin"));
        assertEquals("done", text("#rollout-hosts tr[data-host='" + story.host(0) + "'] td:nth-child(2)"));
        assertEquals("staging", value("#promote-channel"), "the promote form defaults to a non-production channel");

        await("the audit trail to be paginated").atMost(DEADLINE).until(() -> text("#audit-page").startsWith("page 1 of 2"));
        assertEquals(25L, count("#audit li"));
        click("#audit-older");
        await("the second page").atMost(DEADLINE).until(() -> text("#audit-page").startsWith("page 2 of 2"));
        click("#audit-newer");
        await("the first page again").atMost(DEADLINE).until(() -> text("#audit-page").startsWith("page 1 of 2"));

        ((JavascriptExecutor) browser).executeScript("document.querySelector('#audit-digest').value = arguments[0]",
                short12(story.artifact));
        click("#audit-filter button");
        await("the audit trail filtered by a short digest").atMost(DEADLINE).until(() -> text("#audit-page")
                .startsWith("page 1 of 1"));
        String digest = "#audit li code.expandable";
        String shown = text(digest);
        assertEquals(12, shown.length(), shown);
        click(digest);
        assertEquals(71, text(digest).length(), "a click shows the whole digest");
        click(digest);
        assertEquals(shown, text(digest));
        ((JavascriptExecutor) browser).executeScript("document.querySelector('#history').scrollIntoView()");
        screenshot("console-history-and-audit.png");
    }

    private void open(SetStory story) {
        browser.get(console.toString());
        browser.findElement(By.id("token")).sendKeys("viewer-secret");
        browser.findElement(By.cssSelector("#login button")).click();
        await("the set to be listed").atMost(DEADLINE)
                .until(() -> !text("#sets tr[data-set='" + story.set + "']").isEmpty());
        click("#sets tr[data-set='" + story.set + "']");
        await("the live stream to connect").atMost(DEADLINE)
                .until(() -> text("#connection").equals("live"));
        await("the set to open").atMost(DEADLINE).until(() -> text("#set-name").equals(story.set));
    }

    private void click(String selector) {
        ((JavascriptExecutor) browser).executeScript("document.querySelector(arguments[0]).click()", selector);
    }

    private String value(String selector) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript(
                "return document.querySelector(arguments[0]).value", selector));
    }

    private long count(String selector) {
        return (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelectorAll(arguments[0]).length", selector);
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return record.headers().lastHeader(name) == null ? null : new String(record.headers().lastHeader(name).value());
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
