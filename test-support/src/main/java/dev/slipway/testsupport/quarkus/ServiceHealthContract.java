package dev.slipway.testsupport.quarkus;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

/**
 * What every Slipway service must show once started against the real broker: it reports itself healthy,
 * and its readiness includes a live connection to Kafka. A service's {@code @QuarkusTest} extends this
 * class, declaring {@code KafkaTestResource} with global scope.
 */
public abstract class ServiceHealthContract {

    /** The name of the readiness check that quarkus-kafka-client contributes with quarkus.kafka.health.enabled. */
    public static final String KAFKA_CHECK = "Kafka connection health check";

    @Test
    protected void reportsHealthyWithALiveKafkaConnection() {
        given().when().get("/q/health")
                .then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.name", hasItem(KAFKA_CHECK));
        given().when().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == '" + KAFKA_CHECK + "' }.status", is("UP"));
    }
}
