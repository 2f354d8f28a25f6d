package dev.slipway.release;

import dev.slipway.testsupport.postgres.PostgresTestResource;
import dev.slipway.testsupport.quarkus.BrokerUnreachable;
import dev.slipway.testsupport.quarkus.ServiceWithoutBrokerContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(BrokerUnreachable.class)
@WithTestResource(PostgresTestResource.class)
class ReleaseServiceWithoutBrokerTest extends ServiceWithoutBrokerContract {
}
