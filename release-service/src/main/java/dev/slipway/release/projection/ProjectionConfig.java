package dev.slipway.release.projection;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code slipway.release.projection.*}: the consumer that turns every topic into the read model. */
@ConfigMapping(prefix = "slipway.release.projection")
public interface ProjectionConfig {

    /**
     * One group for all release-service instances: they share the partitions. The channel reads as this group;
     * a new group reads every topic from the start (a replay into an empty read model).
     */
    @WithDefault("release-service-projection")
    String consumerGroup();
}
