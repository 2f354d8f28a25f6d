/**
 * build-service: Hermetic builds: recipe digest in, artifact digest out, announced on Kafka.
 *
 * <p>Talks to other services only through Kafka topics (see {@code dev.slipway.events.Topics}); shares only
 * {@code events-schema} and {@code cas-core} with them.
 */
package dev.slipway.build;
