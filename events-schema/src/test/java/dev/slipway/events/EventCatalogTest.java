package dev.slipway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.agent.AgentEvent;
import dev.slipway.events.artifact.ArtifactEvent;
import dev.slipway.events.artifact.DeployableEvent;
import dev.slipway.events.build.BuildEvent;
import dev.slipway.events.command.CommandEvent;
import dev.slipway.events.rollout.SetLogEvent;
import dev.slipway.events.wire.EventJson;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventCatalogTest {

    /** The sealed interface of each topic's events (the commands' also carry RollbackRequested, a set-log entry). */
    private static final Map<String, Class<?>> TOPIC_INTERFACES = Map.of(
            Topics.BUILDS, BuildEvent.class, Topics.ARTIFACTS, ArtifactEvent.class,
            Topics.DEPLOYABLES, DeployableEvent.class, Topics.ROLLOUTS, SetLogEvent.class,
            Topics.AGENTS, AgentEvent.class, Topics.COMMANDS, CommandEvent.class);

    @Test
    void theVisitorHasAMethodForExactlyTheCataloguesTypesAndEachTypeIsTheSealedKindOfItsTopic() {
        Set<Class<?>> visited = new HashSet<>();
        for (Method visit : SlipwayEvent.Visitor.class.getMethods()) {
            visited.add(visit.getParameterTypes()[0]);
        }
        Set<Class<?>> catalogued = new HashSet<>();
        for (EventKind kind : EventCatalog.kinds()) {
            catalogued.add(kind.recordClass());
            assertTrue(kind.topics().stream().anyMatch(topic -> TOPIC_INTERFACES.get(topic).isAssignableFrom(
                    kind.recordClass())), kind.recordClass().getSimpleName() + " is the kind of none of its topics");
        }
        assertEquals(catalogued, visited);
        for (Class<?> sealed : TOPIC_INTERFACES.values()) {
            assertTrue(sealed.isSealed(), sealed.getSimpleName());
        }
    }

    @Test
    void everyTypeNameFollowsTheWireConvention() {
        for (EventKind kind : EventCatalog.kinds()) {
            assertTrue(kind.type().matches("dev\\.slipway\\.[a-z]+\\.[a-z]+\\.v[1-9][0-9]*"), kind.type());
        }
    }

    @Test
    void everyRecordDeclaresTheTypeItIsRegisteredUnder() throws Exception {
        for (EventKind kind : EventCatalog.kinds()) {
            assertEquals(kind.type(), kind.recordClass().getField("TYPE").get(null), kind.recordClass().getName());
            assertTrue(kind.recordClass().isRecord(), kind.recordClass() + " must be an immutable record");
        }
    }

    @Test
    void typesAndClassesAreEachRegisteredOnce() {
        Set<String> types = EventCatalog.kinds().stream().map(EventKind::type).collect(Collectors.toSet());
        Set<Class<?>> classes = EventCatalog.kinds().stream().map(EventKind::recordClass).collect(Collectors.toSet());
        assertEquals(EventCatalog.kinds().size(), types.size());
        assertEquals(EventCatalog.kinds().size(), classes.size());
    }

    @Test
    void everyTopicOfTheDesignCarriesEvents() {
        Set<String> used = EventCatalog.kinds().stream().flatMap(k -> k.topics().stream()).collect(Collectors.toSet());
        assertEquals(Set.copyOf(Topics.ALL), used);
    }

    @Test
    void samplesCoverTheWholeCatalogue() {
        Set<Class<?>> sampled = EventSamples.all().stream().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> registered = EventCatalog.kinds().stream().map(EventKind::recordClass).collect(Collectors.toSet());
        assertEquals(registered, sampled);
    }

    @Test
    void everyTypeShipsASchemaThatDescribesExactlyItsRecord() throws Exception {
        for (EventKind kind : EventCatalog.kinds()) {
            try (InputStream in = EventCatalog.class.getResourceAsStream(kind.schemaResource())) {
                assertNotNull(in, "no schema at " + kind.schemaResource());
                JsonNode schema = EventJson.mapper().readTree(in);
                Set<String> properties = new TreeSet<>();
                schema.get("properties").fieldNames().forEachRemaining(properties::add);
                Set<String> components = Arrays.stream(kind.recordClass().getRecordComponents())
                        .map(RecordComponent::getName)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertEquals(components, properties, kind.type() + ": schema and record disagree");
                assertEquals(kind.recordClass().getSimpleName(), schema.get("title").asText());
            }
        }
    }

    @Test
    void anUnregisteredClassIsRefusedByName() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> EventCatalog.kindOf(String.class));
        assertTrue(error.getMessage().contains("java.lang.String"), error.getMessage());
    }
}
