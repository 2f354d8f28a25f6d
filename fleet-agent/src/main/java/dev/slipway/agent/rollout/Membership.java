package dev.slipway.agent.rollout;

import dev.slipway.events.rollout.HostJoined;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who belongs to a deployment set, folded from {@code HostJoined} and {@code HostLeft} in log order: each
 * member's canary flag and the agent run that joined last. A removed host stays out until it joins again.
 * Changed only by {@link SetFold}.
 */
public final class Membership {

    /** A member. {@code instance} names the agent run that joined last (null from older agents). */
    public record Member(boolean canary, String instance, Instant joinedAt) {
    }

    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Set<String> removed = new LinkedHashSet<>();
    /** Agent runs that another run of the same host id joined after: two agents share that id. */
    private final Set<String> retired = new HashSet<>();
    private final Set<String> instances = new HashSet<>();

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
        return Collections.unmodifiableSet(removed);
    }

    public boolean retired(String instance) {
        return instance != null && retired.contains(instance);
    }

    public boolean joined(String instance) {
        return instance != null && instances.contains(instance);
    }

    boolean join(HostJoined joined, Instant time) {
        Member before = members.get(joined.hostId());
        if (before != null && before.canary() == joined.canary() && Objects.equals(before.instance(), joined.instance())) {
            return false;
        }
        if (joined.instance() != null) {
            instances.add(joined.instance());
        }
        if (before != null && before.instance() != null && !before.instance().equals(joined.instance())) {
            retired.add(before.instance());
        }
        members.put(joined.hostId(), new Member(joined.canary(), joined.instance(),
                before != null ? before.joinedAt() : time));
        removed.remove(joined.hostId());
        return true;
    }

    boolean leave(String host) {
        if (members.remove(host) == null) {
            return false;
        }
        removed.add(host);
        return true;
    }

    @Override
    public String toString() {
        return members + " removed " + removed;
    }
}
