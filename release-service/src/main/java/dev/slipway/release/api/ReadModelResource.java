package dev.slipway.release.api;

import dev.slipway.release.command.CommandOutcomes;
import dev.slipway.release.projection.Projector;
import dev.slipway.release.readmodel.Artifact;
import dev.slipway.release.readmodel.AuditEntry;
import dev.slipway.release.readmodel.Build;
import dev.slipway.release.readmodel.Deployable;
import dev.slipway.release.readmodel.DeploymentSet;
import dev.slipway.release.readmodel.SetHold;
import dev.slipway.release.readmodel.Host;
import dev.slipway.release.readmodel.Rollout;
import dev.slipway.release.readmodel.RolloutHost;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hibernate.reactive.mutiny.Mutiny;

/** What the read model knows, for people and scripts. Reading needs a viewer token. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ReadModelResource {

    private static final int MAX_PAGE_SIZE = 500;
    private static final int RECENT_ROLLOUTS = 20;
    private static final int RECENT_COMMANDS = 20;

    /**
     * A set at a glance: what each channel offers (channel to artifact), its members and how many are healthy, its
     * latest rollout and how many hosts that rollout has taken to healthy.
     */
    public record SetSummary(String name, Instant firstSeen, Pause paused, Map<String, String> channels, long hosts,
            long healthy, Rollout latestRollout, long rolloutDone) {
    }

    /** The set's pause: by whom, why, since when; null while the set is not paused. */
    public record Pause(String by, String reason, Instant since) {
        static Pause of(DeploymentSet set) {
            return set.paused() ? new Pause(set.pausedBy, set.pauseReason, set.pausedAt) : null;
        }
    }

    public record SetView(String name, Instant firstSeen, Pause paused, List<SetHold> holds, List<Host> hosts,
            List<Rollout> rollouts, List<Deployable> deployables, List<CommandOutcomes.Outcome> commands) {
    }

    public record RolloutView(Rollout rollout, List<RolloutHost> hosts) {
    }

    public record ArtifactView(Artifact artifact, Build build, List<Deployable> deployables) {
    }

    public record Page<T>(List<T> items, int page, int size, long total) {
    }

    private final Mutiny.SessionFactory database;

    public ReadModelResource(Mutiny.SessionFactory database) {
        this.database = database;
    }

    @GET
    @Path("/sets")
    @Operation(summary = "Every deployment set: what each channel offers, its hosts, its latest rollout and how far "
            + "it got")
    public Uni<List<SetSummary>> sets() {
        // Counted and picked by the database: the overview must not load every host and every rollout ever.
        return database.withSession(s -> s.createSelectionQuery("from DeploymentSet order by name", DeploymentSet.class)
                .getResultList()
                .chain(sets -> s.createSelectionQuery("select h.deploymentSet, count(h), "
                                + "sum(case when h.health = 'healthy' then 1 else 0 end) from Host h where h.member = true "
                                + "group by h.deploymentSet", Object[].class).getResultList()
                        .chain(counts -> s.createSelectionQuery("from Rollout r where r.startedAt = (select "
                                        + "max(r2.startedAt) from Rollout r2 where r2.deploymentSet = r.deploymentSet) "
                                        + "order by r.id", Rollout.class).getResultList()
                                .chain(latestRollouts -> done(s, latestRollouts)
                                        .chain(done -> offered(s).map(channels -> {
                                            Map<String, Object[]> hosts = counts.stream().collect(Collectors.toMap(
                                                    row -> (String) row[0], Function.identity()));
                                            Map<String, Rollout> latest = latestRollouts.stream().collect(
                                                    Collectors.toMap(r -> r.deploymentSet, Function.identity(),
                                                            (first, tie) -> first));
                                            return sets.stream().map(set -> {
                                                Object[] count = hosts.getOrDefault(set.name,
                                                        new Object[] {set.name, 0L, 0L});
                                                Rollout rollout = latest.get(set.name);
                                                return new SetSummary(set.name, set.firstSeen, Pause.of(set),
                                                        channels.getOrDefault(set.name, Map.of()),
                                                        ((Number) count[1]).longValue(),
                                                        ((Number) count[2]).longValue(), rollout,
                                                        rollout == null ? 0 : done.getOrDefault(rollout.id, 0L));
                                            }).toList();
                                        }))))));
    }

    /** How many hosts each of these rollouts has taken to healthy. */
    private static Uni<Map<String, Long>> done(Mutiny.Session s, List<Rollout> rollouts) {
        if (rollouts.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return s.createSelectionQuery("select h.rolloutId, count(h) from RolloutHost h where h.step = 'HEALTHY' "
                        + "and h.rolloutId in :ids group by h.rolloutId", Object[].class)
                .setParameter("ids", rollouts.stream().map(r -> r.id).toList()).getResultList()
                .map(rows -> rows.stream().collect(Collectors.toMap(row -> (String) row[0],
                        row -> ((Number) row[1]).longValue())));
    }

    /** Per set, per channel, the artifact flagged last and not revoked: what each channel offers now. */
    private static Uni<Map<String, Map<String, String>>> offered(Mutiny.Session s) {
        return s.createSelectionQuery("from Deployable d where d.revokedAt is null and d.flaggedAt = (select "
                        + "max(d2.flaggedAt) from Deployable d2 where d2.deploymentSet = d.deploymentSet "
                        + "and d2.channel = d.channel and d2.revokedAt is null) order by d.deploymentSet, d.channel",
                        Deployable.class).getResultList()
                .map(flags -> flags.stream().collect(Collectors.groupingBy(d -> d.deploymentSet, TreeMap::new,
                        Collectors.toMap(d -> d.channel, d -> d.artifact, (first, tie) -> first, TreeMap::new))));
    }

    @GET
    @Path("/sets/{set}")
    @Operation(summary = "One set: its hosts, its recent rollouts and its deployable flags")
    public Uni<SetView> set(@PathParam("set") String name) {
        Inputs.name(name, "set");
        return database.withSession(s -> s.find(DeploymentSet.class, name).chain(set -> {
            if (set == null) {
                return Uni.createFrom().failure(new ProblemException(404, "unknown deployment set '" + name + "'"));
            }
            return s.createSelectionQuery("from Host where deploymentSet = :set order by agentId", Host.class)
                    .setParameter("set", name).getResultList()
                    .chain(hosts -> s.createSelectionQuery(
                                    "from Rollout where deploymentSet = :set order by startedAt desc, id", Rollout.class)
                            .setParameter("set", name).setMaxResults(RECENT_ROLLOUTS).getResultList()
                            .chain(rollouts -> s.createSelectionQuery(
                                            "from Deployable where deploymentSet = :set order by flaggedAt desc, id",
                                            Deployable.class)
                                    .setParameter("set", name).getResultList()
                                    .chain(flags -> CommandOutcomes.recent(s, name, RECENT_COMMANDS)
                                            .chain(commands -> Projector.holdsOf(s, name)
                                                    .map(holds -> new SetView(set.name, set.firstSeen, Pause.of(set),
                                                            holds, hosts, rollouts, flags, commands))))));
        }));
    }

    @GET
    @Path("/rollouts/{id}")
    @Operation(summary = "One rollout and where each host is in it")
    public Uni<RolloutView> rollout(@PathParam("id") String id) {
        Inputs.name(id, "rollout id");
        return database.withSession(s -> s.find(Rollout.class, id).chain(rollout -> {
            if (rollout == null) {
                return Uni.createFrom().failure(new ProblemException(404, "unknown rollout '" + id + "'"));
            }
            return s.createSelectionQuery("from RolloutHost where rolloutId = :id order by updatedAt, host",
                            RolloutHost.class)
                    .setParameter("id", id).getResultList().map(hosts -> new RolloutView(rollout, hosts));
        }));
    }

    @GET
    @Path("/artifacts/{digest}")
    @Operation(summary = "An artifact: its recipe, inputs, provenance digest, build and flags; by its digest or its "
            + "recipe's, in full or by 12 or more hex digits")
    public Uni<ArtifactView> artifact(@PathParam("digest") String digest) {
        return database.withSession(s -> Digests.built(s, digest, "digest")
                .chain(artifact -> s.find(Build.class, artifact.recipe)
                        .chain(build -> s.createSelectionQuery("from Deployable where recipe = :recipe order by id",
                                        Deployable.class)
                                .setParameter("recipe", artifact.recipe).getResultList()
                                .map(flags -> new ArtifactView(artifact, build, flags)))));
    }

    @GET
    @Path("/audit")
    @Operation(summary = "The audit trail, newest first; filter by set, digest (in full or 12+ hex digits) and time; "
            + "paginated")
    public Uni<Page<AuditEntry>> audit(@QueryParam("set") String set, @QueryParam("digest") String digest,
            @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("page") String pageParam, @QueryParam("size") String sizeParam) {
        int page = Inputs.number(pageParam, "page", 0, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE);
        int size = Inputs.number(sizeParam, "size", 50, 1, MAX_PAGE_SIZE);
        if (set != null) {
            Inputs.name(set, "set");
        }
        String named = digest == null ? null : Digests.prefix(digest, "digest");
        Instant from = instant(since, "since");
        Instant to = instant(until, "until");
        // Only the filters given: PostgreSQL cannot type a parameter that is only ever compared with null.
        Map<String, Object> filters = new LinkedHashMap<>();
        StringBuilder where = new StringBuilder(" where true");
        filter(where, filters, "deploymentSet = :set", "set", set);
        filter(where, filters, "locate(:digest, digests) > 0", "digest", named);
        filter(where, filters, "time >= :since", "since", from);
        filter(where, filters, "time < :until", "until", to);
        return database.withSession(s -> {
            Mutiny.SelectionQuery<AuditEntry> items = s.createSelectionQuery(
                    "from AuditEntry" + where + " order by time desc, eventId", AuditEntry.class);
            Mutiny.SelectionQuery<Long> count = s.createSelectionQuery("select count(*) from AuditEntry" + where, Long.class);
            filters.forEach((name, value) -> {
                items.setParameter(name, value);
                count.setParameter(name, value);
            });
            return items.setFirstResult(page * size).setMaxResults(size).getResultList()
                    .chain(found -> count.getSingleResult().map(total -> new Page<>(found, page, size, total)));
        });
    }

    private static void filter(StringBuilder where, Map<String, Object> filters, String condition, String name,
            Object value) {
        if (value != null) {
            where.append(" and ").append(condition);
            filters.put(name, value);
        }
    }

    private static Instant instant(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ProblemException(400, name + " must be an ISO-8601 instant such as 2026-11-25T10:00:00Z, not '"
                    + value + "'");
        }
    }
}
