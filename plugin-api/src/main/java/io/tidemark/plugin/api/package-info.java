/**
 * The Tidemark plugin API: the only artifact a plugin compiles against.
 *
 * <p>It holds plain Java types and PF4J extension points only, so that a plugin builds against
 * this jar alone and an upgrade of the gateway's internals (Vert.x, Jackson, the Postgres
 * client) never breaks a plugin.
 */
package io.tidemark.plugin.api;
