package dev.slipway.agent.rollout;

import dev.slipway.events.rollout.HostJoined;
import java.time.Instant;
import java.util.Collections;
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
        return members.entrySet().stream().filter(e -> e.getValue().canary()).map(Map.Entry::getKey).toList();
    }

    /** Members and whether each is a canary. */
    public Map<String, Boolean> canaryFlags() {
        Map<String, Boolean> flags = new LinkedHashMap<>();
        members.forEach((host, member) -> flags.put(host, member.canary()));
        return Collections.unmodifiableMap(flags);
    }

    public Set<String> removed() {
        return Collections.unmodifiableSet(removed.keySet());
    }

    /** True when another run joined under the same host id after this one. */
    public boolean retired(String instance) {
        return instance != null && entries().anyMatch(m -> instance.equals(m.replaced()));
    }

    /** True when this run's join is on the log (and it was not forgotten by two joins after it). */
    public boolean joined(String instance) {
        return instance != null && entries().anyMatch(m -> instance.equals(m.instance()) || instance.equals(m.replaced()));
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
        return true;
    }

    boolean leave(String host) {
        Member member = members.remove(host);
        if (member == null) {
            return false;
        }
        removed.put(host, member);
        return true;
    }

    private Stream<Member> entries() {
        return Stream.concat(members.values().stream(), removed.values().stream());
    }

    @Override
    public String toString() {
        return members + " removed " + removed;
    }
}
