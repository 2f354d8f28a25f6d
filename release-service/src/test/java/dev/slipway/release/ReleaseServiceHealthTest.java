package dev.slipway.release;

import dev.slipway.testsupport.kafka.KafkaTestResource;
import dev.slipway.testsupport.postgres.PostgresTestResource;
import dev.slipway.testsupport.quarkus.ServiceHealthContract;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL)
class ReleaseServiceHealthTest extends ServiceHealthContract {
}
