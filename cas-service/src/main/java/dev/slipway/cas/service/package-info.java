/**
 * cas-service: The content-addressed store as a service: the HTTP blob API, flags, and ArtifactDeployable.
 *
 * <p>Talks to other services only through Kafka topics (see {@code dev.slipway.events.Topics}); shares only
 * {@code events-schema} and {@code cas-core} with them.
 */
package dev.slipway.cas.service;
