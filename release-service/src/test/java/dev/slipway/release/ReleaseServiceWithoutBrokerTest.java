package dev.slipway.release;

import dev.slipway.testsupport.postgres.PostgresTestResource;
import dev.slipway.testsupport.quarkus.BrokerUnreachable;
import dev.slipway.testsupport.quarkus.ServiceWithoutBrokerContract;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.HashMap;
import java.util.Map;

@QuarkusTest
@TestProfile(ReleaseServiceWithoutBrokerTest.DatabaseButNoBroker.class)
class ReleaseServiceWithoutBrokerTest extends ServiceWithoutBrokerContract {

    /** The database is there (the service does not start without it); only the broker is missing. */
    public static final class DatabaseButNoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new BrokerUnreachable().getConfigOverrides());
            config.putAll(new PostgresTestResource().start());
            return config;
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }
}
