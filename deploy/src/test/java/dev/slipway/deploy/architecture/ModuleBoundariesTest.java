package dev.slipway.deploy.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Services never import each other: they talk through Kafka and share only events-schema, cas-core and messaging.
 * Checked on the real POM files of the reactor, in every scope.
 */
class ModuleBoundariesTest {

    static final Set<String> SERVICES = Set.of("cas-service", "build-service", "release-service", "fleet-agent");
    static final Set<String> SHARED = Set.of("events-schema", "cas-core", "messaging", "test-support");

    private final ModuleGraph reactor = ModuleGraph.read(repositoryRoot());

    ModuleBoundariesTest() throws Exception {
    }

    @Test
    void theReactorHasEveryServiceAndSharedModule() {
        assertTrue(reactor.dependencies().keySet().containsAll(SERVICES), reactor.dependencies().keySet().toString());
        assertTrue(reactor.dependencies().keySet().containsAll(SHARED), reactor.dependencies().keySet().toString());
    }

    @Test
    void noServiceDependsOnAnotherServiceDirectlyOrThroughAnyModule() {
        assertEquals(List.of(), reactor.pathsBetween(SERVICES));
    }

    @Test
    void servicesDependOnlyOnTheSharedModules() {
        for (String service : SERVICES) {
            Set<String> internal = reactor.dependencies().get(service);
            assertTrue(SHARED.containsAll(internal), service + " depends on " + internal + "; allowed: " + SHARED);
        }
    }

    @Test
    void theCheckCatchesAServiceReachingAnotherThroughASharedModule() {
        ModuleGraph broken = new ModuleGraph(Map.of(
                "fleet-agent", Set.of("cas-core"),
                "cas-core", Set.of("cas-service"),
                "cas-service", Set.of("events-schema")));

        assertEquals(List.of("fleet-agent -> cas-core -> cas-service"), broken.pathsBetween(SERVICES));
    }

    private static Path repositoryRoot() {
        // Surefire runs in the module's directory; the reactor root is its parent.
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    }
}
