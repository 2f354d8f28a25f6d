/**
 * fleet-agent: One per VM: verified download, atomic switch, and the leaderless rollout of its deployment set.
 *
 * <p>Talks to other services only through Kafka topics (see {@code dev.slipway.events.Topics}); shares only
 * {@code events-schema} and {@code cas-core} with them.
 */
package dev.slipway.agent;
