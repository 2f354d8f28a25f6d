/**
 * release-service: The operator's view: every event in PostgreSQL, the operator API and console, command events.
 *
 * <p>Talks to other services only through Kafka topics (see {@code dev.slipway.events.Topics}); shares only
 * {@code events-schema} and {@code cas-core} with them.
 */
package dev.slipway.release;
