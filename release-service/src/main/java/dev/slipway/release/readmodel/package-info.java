/**
 * The release service's read model: tables in PostgreSQL (migrated by Flyway, {@code db/migration}) that are
 * a pure projection of the event log. Nothing but the projection writes them; a replay rebuilds them.
 */
package dev.slipway.release.readmodel;
