package dev.slipway.testsupport;

import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.postgres.PostgresServer;
import dev.slipway.testsupport.s3.S3Server;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands a test the JVM's shared real parts: declare a parameter of type
 * {@link KafkaBroker}, {@link PostgresServer} or {@link S3Server} (constructor, lifecycle or test method) and
 * that part is started on first use and shared with every other test class of the run.
 *
 * <pre>{@code
 * @ExtendWith(RealParts.class)
 * class BlobStoreS3Test {
 *     @Test void roundTrip(S3Server s3) { ... }
 * }
 * }</pre>
 */
public final class RealParts implements ParameterResolver {

    private static final Map<Class<?>, Supplier<Object>> PARTS = Map.of(
            KafkaBroker.class, KafkaBroker::shared,
            PostgresServer.class, PostgresServer::shared,
            S3Server.class, S3Server::shared);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return PARTS.containsKey(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return PARTS.get(parameter.getParameter().getType()).get();
    }
}
