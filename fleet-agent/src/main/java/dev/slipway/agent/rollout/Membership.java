package dev.slipway.agent.rollout;

import dev.slipway.events.rollout.HostJoined;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Who belongs to a deployment set, folded from {@code HostJoined} and {@code HostLeft} in log order: each
 * member's canary flag, the agent run that joined last and the one it replaced. A removed host stays out until
 * it joins again. Bounded by the hosts the set ever had: a host's older agent runs are forgotten, which is
 * enough because a run that was replaced learns it when the replacing join is folded. Changed only by
 * {@link SetFold}.
 */
public final class Membership {

    /**
     * A member. {@code instance} names the agent run that joined last (null from older agents), {@code replaced}
     * the run it took over from (null when none, or the same run).
     */
    public record Member(boolean canary, String instance, Instant joinedAt, String replaced) {
    }

    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Hosts taken out, with what they were when they left. */
    private final Map<String, Member> removed = new LinkedHashMap<>();
    /** Derived views, asked for on every poll by every agent of a big set: built once per change. */
    private Map<String, Boolean> flags;
    private List<String> canaries;
    private Map<String, Integer> ranks;
    private Set<String> replaced;
    private Set<String> runs;

    /** The member, or null. */
    public Member member(String host) {
        return members.get(host);
    }

    public boolean contains(String host) {
        return members.containsKey(host);
    }

    public Set<String> hosts() {
        return Collections.unmodifiableSet(members.keySet());
    }

    public List<String> canaries() {
        if (canaries == null) {
            canaries = members.entrySet().stream().filter(e -> e.getValue().canary()).map(Map.Entry::getKey).toList();
        }
        return canaries;
    }

    /** Members and whether each is a canary. */
    public Map<String, Boolean> canaryFlags() {
        if (flags == null) {
            Map<String, Boolean> built = new LinkedHashMap<>();
            members.forEach((host, member) -> built.put(host, member.canary()));
            flags = Collections.unmodifiableMap(built);
        }
        return flags;
    }

    /** The member's place among the members by name (members take turns in this order); -1 for a non-member. */
    public int rank(String host) {
        if (ranks == null) {
            List<String> sorted = members.keySet().stream().sorted().toList();
            ranks = new HashMap<>();
            for (int i = 0; i < sorted.size(); i++) {
                ranks.put(sorted.get(i), i);
            }
        }
        return ranks.getOrDefault(host, -1);
    }

    public Set<String> removed() {
        return Collections.unmodifiableSet(removed.keySet());
    }

    /** True when another run joined under the same host id after this one. */
    public boolean retired(String instance) {
        index();
        return instance != null && replaced.contains(instance);
    }

    /** True when this run's join is on the log (and it was not forgotten by two joins after it). */
    public boolean joined(String instance) {
        index();
        return instance != null && (runs.contains(instance) || replaced.contains(instance));
    }

    private void index() {
        if (replaced == null) {
            replaced = new HashSet<>();
            runs = new HashSet<>();
            Stream.concat(members.values().stream(), removed.values().stream()).forEach(m -> {
                if (m.replaced() != null) {
                    replaced.add(m.replaced());
                }
                if (m.instance() != null) {
                    runs.add(m.instance());
                }
            });
        }
    }

    private void changed() {
        flags = null;
        canaries = null;
        ranks = null;
        replaced = null;
        runs = null;
    }

    Map<String, Member> members() {
        return Collections.unmodifiableMap(members);
    }

    Map<String, Member> removedMembers() {
        return Collections.unmodifiableMap(removed);
    }

    void restore(Map<String, Member> members, Map<String, Member> removed) {
        this.members.clear();
        this.members.putAll(members);
        this.removed.clear();
        this.removed.putAll(removed);
        changed();
    }

    boolean join(HostJoined joined, Instant time) {
        Member before = members.get(joined.hostId());
        if (before != null && before.canary() == joined.canary() && Objects.equals(before.instance(), joined.instance())) {
            return false;
        }
        Member was = before != null ? before : removed.get(joined.hostId());
        String replaced = was == null || Objects.equals(was.instance(), joined.instance()) ? null : was.instance();
        members.put(joined.hostId(), new Member(joined.canary(), joined.instance(),
                before != null ? before.joinedAt() : time, replaced));
        removed.remove(joined.hostId());
        changed();
        return true;
    }

    boolean leave(String host) {
        Member member = members.remove(host);
        if (member == null) {
            return false;
        }
        removed.put(host, member);
        changed();
        return true;
    }

    @Override
    public String toString() {
        return members + " removed " + removed;
    }
}
