package dev.slipway.events.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    @Test
    void securitySettingsComeFromTheEnvironmentAsQuarkusSpellsThemAndNothingElseDoes() {
        Map<String, Object> security = KafkaClients.securityFrom(Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/slipway/kafka-truststore.p12",
                "KAFKA_BOOTSTRAP_SERVERS", "elsewhere:9093",
                "KAFKA_GROUP_ID", "hijack",
                "PATH", "/usr/bin"));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.location", "/etc/slipway/kafka-truststore.p12"), security);
    }
}
