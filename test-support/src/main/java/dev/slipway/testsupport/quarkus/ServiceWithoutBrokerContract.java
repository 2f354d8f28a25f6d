package dev.slipway.testsupport.quarkus;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

/**
 * The other half of {@link ServiceHealthContract}: without a reachable broker a service is not ready, so its
 * "healthy" means something. A service's test extends this class with {@code @TestProfile(BrokerUnreachable.class)}.
 */
public abstract class ServiceWithoutBrokerContract {

    @Test
    protected void isNotReadyWhileTheBrokerIsUnreachable() {
        given().when().get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("status", is("DOWN"))
                .body("checks.find { it.name == '" + ServiceHealthContract.KAFKA_CHECK + "' }.status", is("DOWN"));
    }
}
