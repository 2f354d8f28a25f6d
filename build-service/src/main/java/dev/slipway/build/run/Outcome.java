package dev.slipway.build.run;

import dev.slipway.cas.digest.Digest;
import java.util.Map;

/** What one build request came to. */
public sealed interface Outcome {

    /** An artifact, built now or answered from the action cache. */
    record Built(Digest artifact, Digest recipe, String deploymentSet, Map<String, Digest> inputs, Digest provenance,
            String signature, Digest log, boolean hermetic, boolean cacheHit) implements Outcome {

        public Built {
            inputs = Map.copyOf(inputs);
        }
    }

    /**
     * @param log null when the build failed before it had a log (the recipe could not be read)
     */
    record Failed(Digest recipe, String reason, Digest log, boolean hermetic) implements Outcome {
    }
}
