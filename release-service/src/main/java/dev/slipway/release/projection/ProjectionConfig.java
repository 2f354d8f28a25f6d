package dev.slipway.release.projection;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code slipway.release.projection.*}: the consumer that turns every topic into the read model. */
@ConfigMapping(prefix = "slipway.release.projection")
public interface ProjectionConfig {

    /** Off only in tests that drive the projector themselves. */
    @WithDefault("true")
    boolean enabled();

    /** One group for all release-service instances: they share the partitions. */
    @WithDefault("release-service-projection")
    String consumerGroup();
}
