package dev.slipway.testsupport.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a Quarkus application under test at the shared {@link KafkaBroker}. Declare it with global scope
 * so every test class of a module shares one application and one broker (a per-class resource restarts
 * Quarkus between classes and strands clients on an old port).
 */
public final class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
    }

    @Override
    public void stop() {
        // The broker is shared by the whole JVM and stops when it exits.
    }
}
