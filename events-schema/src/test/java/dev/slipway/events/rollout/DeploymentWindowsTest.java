package dev.slipway.events.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentWindowsTest {

    /** 2026-12-04 is a Friday. */
    private static Instant at(String text) {
        return Instant.parse(text);
    }

    @Test
    void aWeekdayWindowIsOpenFromItsStartAndClosedAtItsEnd() {
        DeploymentWindows windows = DeploymentWindows.of(List.of("Mon-Fri 09:00-17:00 Europe/Berlin"));
        assertFalse(windows.contains(at("2026-12-04T07:59:59Z")));
        assertTrue(windows.contains(at("2026-12-04T08:00:00Z")), "09:00 in Berlin, winter time");
        assertTrue(windows.contains(at("2026-12-04T15:59:59Z")));
        assertFalse(windows.contains(at("2026-12-04T16:00:00Z")), "the end is not in the window");
        assertFalse(windows.contains(at("2026-12-05T10:00:00Z")), "Saturday");
        assertEquals(at("2026-12-07T08:00:00Z"), windows.nextOpening(at("2026-12-04T16:00:00Z")),
                "after Friday's window: Monday's");
        assertEquals(at("2026-12-04T12:00:00Z"), windows.nextOpening(at("2026-12-04T12:00:00Z")), "open now");
    }

    @Test
    void aRangeThatEndsBeforeItStartsRunsPastMidnightIntoTheNextDay() {
        DeploymentWindows windows = DeploymentWindows.of(List.of("Sun 22:00-02:00 UTC"));
        assertTrue(windows.contains(at("2026-12-06T23:00:00Z")));
        assertTrue(windows.contains(at("2026-12-07T01:59:59Z")), "Monday morning belongs to Sunday's window");
        assertFalse(windows.contains(at("2026-12-07T02:00:00Z")));
        assertFalse(windows.contains(at("2026-12-07T23:00:00Z")), "Monday's evening has no window");
        assertEquals(at("2026-12-06T22:00:00Z"), windows.nextOpening(at("2026-12-04T12:00:00Z")));
    }

    @Test
    void windowsFollowTheirZoneThroughDaylightSaving() {
        DeploymentWindows windows = DeploymentWindows.of(List.of("* 09:00-10:00 Europe/Berlin"));
        assertTrue(windows.contains(at("2026-03-28T08:30:00Z")), "winter: UTC+1");
        assertFalse(windows.contains(at("2026-03-29T08:30:00Z")), "summer from 29 March: 09:00 is 07:00 UTC");
        assertTrue(windows.contains(at("2026-03-29T07:30:00Z")));
    }

    @Test
    void severalWindowsOpenAtTheEarliestAndSecondsAndWholeDaysAreWritable() {
        DeploymentWindows windows = DeploymentWindows.of(List.of("Sat,Sun 00:00-24:00 UTC", "Fri-Mon 20:00:30-21:00 UTC"));
        assertEquals(at("2026-12-04T20:00:30Z"), windows.nextOpening(at("2026-12-04T12:00:00Z")));
        assertFalse(windows.contains(at("2026-12-04T20:00:29Z")));
        assertTrue(windows.contains(at("2026-12-05T00:00:00Z")));
        assertTrue(windows.contains(at("2026-12-06T23:59:59Z")));
        assertTrue(windows.contains(at("2026-12-07T20:30:00Z")), "Fri-Mon wraps past Sunday");
        assertFalse(windows.contains(at("2026-12-08T20:30:00Z")), "not Tuesday");
    }

    @Test
    void noWindowsIsAlwaysOpen() {
        assertTrue(DeploymentWindows.of(null).contains(at("2026-12-04T03:00:00Z")));
        assertTrue(DeploymentWindows.of(List.of()).always());
    }

    @Test
    void aWindowThatIsNotOneSaysWhatToWrite() {
        assertMessage("is not a day", "Mon-Fry 09:00-17:00 UTC");
        assertMessage("not 3", "Mon-Fri 09:00-17:00");
        assertMessage("is not a range of times", "Mon 9-17 UTC");
        assertMessage("is not a time zone", "Mon 09:00-17:00 Mars/Olympus");
        assertMessage("day-long window is 00:00-24:00", "Mon 09:00-09:00 UTC");
        assertMessage("empty deployment window", " ");
        assertMessage("is not a range <from>-<to>", "Mon 09:00 UTC");
    }

    private static void assertMessage(String expected, String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeploymentWindows.of(List.of(spec)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
