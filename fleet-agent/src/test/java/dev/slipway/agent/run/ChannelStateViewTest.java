package dev.slipway.agent.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.release.ChannelState;
import dev.slipway.cas.release.SignedChannelState;
import dev.slipway.events.artifact.ChannelStateSigned;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a host accepts of the channel states on its set's log, with the version floor on its real disk. */
class ChannelStateViewTest {

    private static final KeyPair RELEASE = BuilderKeys.generate();
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final String V1 = "sha256:" + "1".repeat(64);
    private static final String V2 = "sha256:" + "2".repeat(64);

    @TempDir
    Path root;

    @Test
    void aHostThatRestartsStillRefusesAStateOlderThanTheNewestItAccepted() throws Exception {
        ChannelStateView before = view();
        before.offer(signed(state(1, V1), RELEASE), 10);
        before.offer(signed(state(2, V2), RELEASE), 11);
        before.released(NOW); // what the agent asks before it acts: the version is on the disk from then on

        ChannelStateView afterRestart = view();
        afterRestart.offer(signed(state(1, V1), RELEASE), 10);

        assertNull(afterRestart.released(NOW).latest());
        assertTrue(afterRestart.report(NOW, null).contains("at or above v2"), afterRestart.report(NOW, null));
        afterRestart.offer(signed(state(2, V2), RELEASE), 11);
        assertEquals(V2, afterRestart.released(NOW).latest().artifact());
        afterRestart.offer(signed(state(1, V1), RELEASE), 12);
        assertEquals(V2, afterRestart.released(NOW).latest().artifact(), "a replay after it changes nothing");
        assertTrue(afterRestart.report(NOW, V2).contains("refused channel state v1"), afterRestart.report(NOW, V2));
    }

    @Test
    void aStateSignedByAnotherKeyOrForAnotherSetIsRefusedAndAFreshOneIsNot() throws Exception {
        ChannelStateView view = view();
        view.offer(signed(state(1, V1), BuilderKeys.generate()), 1);
        assertTrue(view.report(NOW, null).contains("no signed channel state"), view.report(NOW, null));

        ChannelState other = new ChannelState("billing", 3, NOW.plusSeconds(60), Map.of("staging",
                List.of(new ChannelState.Release("sha256:" + "a".repeat(64), V1, "e1", NOW))), Map.of());
        view.offer(signed(other, RELEASE), 2);
        assertNull(view.released(NOW).latest());

        view.offer(signed(state(4, V1), RELEASE), 3);
        assertNull(view.released(NOW).problem());
        assertEquals(V1, view.released(NOW).latest().artifact());
        assertEquals(3, view.released(NOW).latest().offset());
    }

    @Test
    void pastItsExpiryAStateReleasesNothing() throws Exception {
        ChannelStateView view = view();
        view.offer(signed(state(1, V1), RELEASE), 1);

        assertNull(view.released(NOW.plusSeconds(59)).problem());
        String problem = view.released(NOW.plusSeconds(60)).problem();
        assertTrue(problem != null && problem.contains("expired"), problem);
        assertEquals(problem, view.report(NOW.plusSeconds(60), null));
    }

    private ChannelStateView view() throws Exception {
        return new ChannelStateView("payments", "staging",
                Map.of(BuilderKeys.keyId(RELEASE.getPublic()), RELEASE.getPublic()), root);
    }

    private static ChannelState state(long version, String artifact) {
        return new ChannelState("payments", version, NOW.plusSeconds(60), Map.of("staging",
                List.of(new ChannelState.Release("sha256:" + "a".repeat(64), artifact, "event-" + artifact, NOW))),
                Map.of());
    }

    private static ChannelStateSigned signed(ChannelState state, KeyPair key) {
        return new ChannelStateSigned(state.deploymentSet(), state.version(),
                new String(SignedChannelState.sign(state, key), UTF_8));
    }
}
