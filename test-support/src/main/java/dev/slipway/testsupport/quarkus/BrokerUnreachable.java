package dev.slipway.testsupport.quarkus;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A test profile whose application is pointed at a port where no broker listens. */
public final class BrokerUnreachable implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("kafka.bootstrap.servers", "127.0.0.1:1");
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
