package dev.slipway.release.command;

import dev.slipway.events.Topics;
import dev.slipway.events.command.CommandEffects;
import dev.slipway.release.api.Inputs;
import dev.slipway.release.api.ProblemException;
import dev.slipway.release.readmodel.AuditEntry;
import dev.slipway.release.readmodel.CommandRefusal;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * What became of each operator command: {@code SENT} until its effect or a refusal is in the read model,
 * {@code APPLIED} once its effect is (the flag, the revocation, the entry on the set's log), {@code REFUSED} when
 * a consumer dead-lettered it or the set's log made it moot, with who and why. Reading needs a viewer token.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class CommandOutcomes {

    public enum Status { SENT, APPLIED, REFUSED }

    /** A command and its outcome; {@code by}, {@code at} and {@code outcome} are null while it is SENT. */
    public record Outcome(String id, String type, String deploymentSet, String summary, Instant requestedAt,
            Status status, String outcome, String by, Instant at) {
    }

    private final Mutiny.SessionFactory database;

    public CommandOutcomes(Mutiny.SessionFactory database) {
        this.database = database;
    }

    @GET
    @Path("/commands/{id}")
    @Operation(summary = "One command and what became of it: SENT, APPLIED or REFUSED (with who and why)")
    public Uni<Outcome> command(@PathParam("id") String id) {
        Inputs.name(id, "command id");
        return database.withSession(s -> s.find(AuditEntry.class, id).chain(command -> {
            if (command == null || !Topics.COMMANDS.equals(command.topic)) {
                return Uni.createFrom().failure(new ProblemException(404, "no command " + id + " in the read model "
                        + "(yet: a command accepted a moment ago appears within seconds)"));
            }
            return of(s, List.of(command)).map(outcomes -> outcomes.get(0));
        }));
    }

    /** The outcomes of these command entries, in their order: two queries, whatever their number. */
    static Uni<List<Outcome>> of(Mutiny.Session s, List<AuditEntry> commands) {
        if (commands.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, String> effects = commands.stream().collect(Collectors.toMap(c -> c.eventId,
                c -> CommandEffects.effectIdOf(c.eventId, c.type)));
        List<String> ids = List.copyOf(effects.values());
        return s.createSelectionQuery("from CommandRefusal where effectId in :ids", CommandRefusal.class)
                .setParameter("ids", ids).getResultList()
                .chain(refusals -> s.createSelectionQuery("from AuditEntry where eventId in :ids", AuditEntry.class)
                        .setParameter("ids", ids).getResultList().map(applied -> {
                            Map<String, CommandRefusal> refused = refusals.stream().collect(Collectors.toMap(
                                    r -> r.effectId, Function.identity()));
                            Map<String, AuditEntry> done = applied.stream().collect(Collectors.toMap(
                                    e -> e.eventId, Function.identity()));
                            return commands.stream().map(c -> outcome(c, refused.get(effects.get(c.eventId)),
                                    done.get(effects.get(c.eventId)))).toList();
                        }));
    }

    /** A refusal wins over an effect: a rollback relayed to the log and ignored there has both. */
    private static Outcome outcome(AuditEntry command, CommandRefusal refusal, AuditEntry effect) {
        if (refusal != null) {
            return new Outcome(command.eventId, command.type, command.deploymentSet, command.summary, command.time,
                    Status.REFUSED, refusal.reason, refusal.refusedBy, refusal.refusedAt);
        }
        if (effect != null) {
            return new Outcome(command.eventId, command.type, command.deploymentSet, command.summary, command.time,
                    Status.APPLIED, effect.summary, effect.source, effect.time);
        }
        return new Outcome(command.eventId, command.type, command.deploymentSet, command.summary, command.time,
                Status.SENT, null, null, null);
    }

    /** The set's newest commands and their outcomes. */
    public static Uni<List<Outcome>> recent(Mutiny.Session s, String set, int size) {
        return s.createSelectionQuery("from AuditEntry where deploymentSet = :set and topic = :topic "
                        + "order by time desc, eventId", AuditEntry.class)
                .setParameter("set", set).setParameter("topic", Topics.COMMANDS).setMaxResults(size).getResultList()
                .chain(commands -> of(s, commands));
    }
}
