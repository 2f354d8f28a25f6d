package dev.slipway.agent;

import dev.slipway.testsupport.quarkus.BrokerUnreachable;
import dev.slipway.testsupport.quarkus.ServiceWithoutBrokerContract;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(BrokerUnreachable.class)
class FleetAgentWithoutBrokerTest extends ServiceWithoutBrokerContract {
}
