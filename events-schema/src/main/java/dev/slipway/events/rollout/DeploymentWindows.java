package dev.slipway.events.rollout;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The weekly time ranges in which a set's rollout may grant slots forward, each written
 * {@code "<days> <from>-<to> <time zone>"}: {@code "Mon-Fri 09:00-17:00 Europe/Berlin"}, {@code "Sat,Sun 22:00-06:00
 * UTC"} (a range whose end is not after its start runs past midnight into the next day), {@code "* 02:00-04:00:30
 * America/New_York"} (every day; seconds optional). A range starts on each named day at {@code from}, local time,
 * and ends before {@code to}; a local time that a daylight-saving change skips is taken one offset later, as
 * {@link ZonedDateTime#of} does. No windows: always open. Pure and deterministic: every agent judging the same
 * log time gets the same answer.
 */
public final class DeploymentWindows {

    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    /** Far enough to pass every week's ranges and a daylight-saving change. */
    private static final int DAYS_AHEAD = 9;

    private final List<Window> windows;

    private record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to, boolean endOfDay, ZoneId zone) {

        /** The range that starts on {@code day}, as instants, or null when it does not start that day. */
        Instant[] on(LocalDate day) {
            if (!days.contains(day.getDayOfWeek())) {
                return null;
            }
            ZonedDateTime start = ZonedDateTime.of(day, from, zone);
            LocalDate endDay = endOfDay || !to.isAfter(from) ? day.plusDays(1) : day;
            ZonedDateTime end = ZonedDateTime.of(endDay, endOfDay ? LocalTime.MIDNIGHT : to, zone);
            return new Instant[] {start.toInstant(), end.toInstant()};
        }
    }

    private DeploymentWindows(List<Window> windows) {
        this.windows = windows;
    }

    /**
     * The windows {@code specs} names; null or empty: always open.
     *
     * @throws IllegalArgumentException naming the spec that is not a window and how to write one
     */
    public static DeploymentWindows of(List<String> specs) {
        List<Window> parsed = new ArrayList<>();
        if (specs != null) {
            for (String spec : specs) {
                parsed.add(parse(spec));
            }
        }
        return new DeploymentWindows(List.copyOf(parsed));
    }

    /** True when there are no windows: a rollout may go on at any time. */
    public boolean always() {
        return windows.isEmpty();
    }

    /** True when {@code at} falls inside one of the windows, or there are none. */
    public boolean contains(Instant at) {
        if (always()) {
            return true;
        }
        for (Window window : windows) {
            LocalDate today = at.atZone(window.zone()).toLocalDate();
            for (LocalDate day = today.minusDays(1); !day.isAfter(today); day = day.plusDays(1)) {
                Instant[] range = window.on(day);
                if (range != null && !at.isBefore(range[0]) && at.isBefore(range[1])) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first instant at or after {@code at} inside a window: {@code at} itself when it is inside one. */
    public Instant nextOpening(Instant at) {
        if (contains(at)) {
            return at;
        }
        Instant next = null;
        for (Window window : windows) {
            LocalDate today = at.atZone(window.zone()).toLocalDate();
            for (int ahead = 0; ahead <= DAYS_AHEAD; ahead++) {
                Instant[] range = window.on(today.plusDays(ahead));
                if (range != null && range[0].isAfter(at) && (next == null || range[0].isBefore(next))) {
                    next = range[0];
                    break;
                }
            }
        }
        return next;
    }

    private static Window parse(String spec) {
        String how = "write a window as \"<days> <from>-<to> <time zone>\", e.g. \"Mon-Fri 09:00-17:00 Europe/Berlin\"";
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("an empty deployment window: " + how);
        }
        String[] parts = spec.trim().split("\\s+");
        if (parts.length != 3) {
            throw new IllegalArgumentException("deployment window '" + spec + "' has " + parts.length
                    + " parts, not 3: " + how);
        }
        String[] times = parts[1].split("-", -1);
        if (times.length != 2) {
            throw new IllegalArgumentException("deployment window '" + spec + "': '" + parts[1]
                    + "' is not a range <from>-<to> such as 09:00-17:00");
        }
        try {
            boolean endOfDay = times[1].equals("24:00");
            LocalTime from = LocalTime.parse(times[0]);
            LocalTime to = endOfDay ? LocalTime.MIDNIGHT : LocalTime.parse(times[1]);
            if (!endOfDay && from.equals(to)) {
                throw new IllegalArgumentException("deployment window '" + spec + "' starts and ends at " + from
                        + ": a day-long window is 00:00-24:00");
            }
            return new Window(days(spec, parts[0]), from, to, endOfDay, ZoneId.of(parts[2]));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("deployment window '" + spec + "': '" + parts[1]
                    + "' is not a range of times HH:mm[:ss]-HH:mm[:ss] (24:00 ends a day)");
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("deployment window '" + spec + "': '" + parts[2]
                    + "' is not a time zone (use a region such as Europe/Berlin, or UTC)");
        }
    }

    private static Set<DayOfWeek> days(String spec, String text) {
        if (text.equals("*")) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : text.split(",", -1)) {
            String[] range = item.split("-", -1);
            if (range.length > 2) {
                throw new IllegalArgumentException("deployment window '" + spec + "': '" + item + "' is not a day range");
            }
            int first = day(spec, range[0]);
            int last = day(spec, range[range.length - 1]);
            for (int d = first; ; d = (d + 1) % 7) {
                days.add(DayOfWeek.of(d + 1));
                if (d == last) {
                    break;
                }
            }
        }
        return days;
    }

    private static int day(String spec, String name) {
        int index = DAYS.indexOf(name.toLowerCase(Locale.ROOT));
        if (index < 0) {
            throw new IllegalArgumentException("deployment window '" + spec + "': '" + name
                    + "' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges such as Mon-Fri, lists such as "
                    + "Sat,Sun, or * for every day)");
        }
        return index;
    }
}
