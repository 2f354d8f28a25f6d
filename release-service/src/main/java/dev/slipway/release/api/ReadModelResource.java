package dev.slipway.release.api;

import dev.slipway.release.readmodel.Artifact;
import dev.slipway.release.readmodel.AuditEntry;
import dev.slipway.release.readmodel.Build;
import dev.slipway.release.readmodel.Deployable;
import dev.slipway.release.readmodel.DeploymentSet;
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

    /** A set at a glance: its hosts and its latest rollout. */
    public record SetSummary(String name, Instant firstSeen, long hosts, long healthy, Rollout latestRollout) {
    }

    public record SetView(String name, Instant firstSeen, List<Host> hosts, List<Rollout> rollouts,
            List<Deployable> deployables) {
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
    @Operation(summary = "Every deployment set, with its host count and latest rollout")
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
                                .map(latestRollouts -> {
                                    Map<String, Object[]> hosts = counts.stream().collect(Collectors.toMap(
                                            row -> (String) row[0], Function.identity()));
                                    Map<String, Rollout> latest = latestRollouts.stream().collect(Collectors.toMap(
                                            r -> r.deploymentSet, Function.identity(), (first, tie) -> first));
                                    return sets.stream().map(set -> {
                                        Object[] count = hosts.getOrDefault(set.name, new Object[] {set.name, 0L, 0L});
                                        return new SetSummary(set.name, set.firstSeen, ((Number) count[1]).longValue(),
                                                ((Number) count[2]).longValue(), latest.get(set.name));
                                    }).toList();
                                }))));
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
                                    .map(flags -> new SetView(set.name, set.firstSeen, hosts, rollouts, flags))));
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
    @Operation(summary = "An artifact: its recipe, inputs, provenance digest, build and flags")
    public Uni<ArtifactView> artifact(@PathParam("digest") String digest) {
        Digests.parse(digest, "digest");
        return database.withSession(s -> s.find(Artifact.class, digest).chain(artifact -> {
            if (artifact == null) {
                return Uni.createFrom().failure(new ProblemException(404, "no artifact " + digest + " was ever built"));
            }
            return s.find(Build.class, artifact.recipe)
                    .chain(build -> s.createSelectionQuery("from Deployable where recipe = :recipe order by id",
                                    Deployable.class)
                            .setParameter("recipe", artifact.recipe).getResultList()
                            .map(flags -> new ArtifactView(artifact, build, flags)));
        }));
    }

    @GET
    @Path("/audit")
    @Operation(summary = "The audit trail, newest first; filter by set, digest and time; paginated")
    public Uni<Page<AuditEntry>> audit(@QueryParam("set") String set, @QueryParam("digest") String digest,
            @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("page") String pageParam, @QueryParam("size") String sizeParam) {
        int page = Inputs.number(pageParam, "page", 0, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE);
        int size = Inputs.number(sizeParam, "size", 50, 1, MAX_PAGE_SIZE);
        if (set != null) {
            Inputs.name(set, "set");
        }
        if (digest != null) {
            Digests.parse(digest, "digest");
        }
        Instant from = instant(since, "since");
        Instant to = instant(until, "until");
        // Only the filters given: PostgreSQL cannot type a parameter that is only ever compared with null.
        Map<String, Object> filters = new LinkedHashMap<>();
        StringBuilder where = new StringBuilder(" where true");
        filter(where, filters, "deploymentSet = :set", "set", set);
        filter(where, filters, "locate(:digest, digests) > 0", "digest", digest);
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
