package io.tidemark.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.config.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;

/** The database: Flyway migrations over JDBC at start-up, then one shared reactive pool. */
public final class Database {

  private Database() {}

  /** Blocking: brings the schema up to date, and returns the version it is now at. Call it off the event loop. */
  public static String migrate(DatabaseConfig config) {
    try (HikariDataSource dataSource = jdbcDataSource(config, "tidemark-migrations", 2)) {
      Flyway flyway = Flyway.configure()
          .dataSource(dataSource)
          .schemas(config.schema())
          .createSchemas(true)
          .locations("classpath:db/migration")
          .load();
      flyway.migrate();
      return flyway.info().current().getVersion().getVersion();
    }
  }

  /**
   * Succeeds when the schema's newest successful migration is {@code expected} or newer (a newer
   * instance may have migrated it already: its migrations are additive); fails saying which
   * version it found, for the readiness check.
   */
  public static Future<Void> requireSchemaVersion(Pool pool, String schema, String expected) {
    String sql = "SELECT version FROM " + schema + ".flyway_schema_history"
        + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1";
    return pool.query(sql).execute().compose(rows -> {
      String found = rows.size() == 0 ? null : rows.iterator().next().getString(0);
      if (found != null && MigrationVersion.fromVersion(found).compareTo(MigrationVersion.fromVersion(expected)) >= 0) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(new IllegalStateException("schema " + schema + " is at version " + found
          + "; this gateway needs " + expected));
    });
  }

  /** A JDBC pool for the libraries that need one (Flyway, Quartz); the request path never uses JDBC. */
  public static HikariDataSource jdbcDataSource(DatabaseConfig config, String name, int size) {
    DatabaseUrl url = config.parsedUrl();
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName(name);
    hikari.setJdbcUrl(url.jdbcUrl());
    hikari.setUsername(url.user());
    hikari.setPassword(url.password());
    hikari.setSchema(config.schema());
    hikari.setMaximumPoolSize(size);
    // Connections on demand: a full pool per JDBC user per instance adds up against max_connections.
    hikari.setMinimumIdle(1);
    hikari.setIdleTimeout(30_000);
    hikari.setConnectionTimeout(config.connectTimeoutSeconds() * 1000L);
    return new HikariDataSource(hikari);
  }

  public static Pool pool(Vertx vertx, DatabaseConfig config) {
    return build(vertx, config, config.poolSize(), "tidemark-" + config.schema());
  }

  /**
   * The appender's connection, apart from the shared pool. A pooled connection does its I/O on
   * the event loop that opened it, usually an HTTP event loop busy with requests, and the
   * appender's round trips, which every write waits for in turn, would queue behind that work.
   * Opened from the appender's own context, this one answers there: 30% more webhook calls a
   * second at 64 connections (docs/benchmarks.md). One connection: the appender commits one batch
   * at a time.
   */
  public static Pool appenderPool(Vertx vertx, DatabaseConfig config) {
    return build(vertx, config, 1, "tidemark-" + config.schema() + "-appender");
  }

  private static Pool build(Vertx vertx, DatabaseConfig config, int size, String name) {
    PoolOptions pool = new PoolOptions()
        .setMaxSize(size)
        .setConnectionTimeout(config.connectTimeoutSeconds())
        .setName(name);
    NetClientOptions net = new NetClientOptions().setConnectTimeout(config.connectTimeoutSeconds() * 1000);
    return PgBuilder.pool().with(pool).with(net).connectingTo(connectOptions(config)).using(vertx).build();
  }

  /** How the pool's connections are made, for a connection of its own (a new object each call). */
  public static PgConnectOptions connectOptions(DatabaseConfig config) {
    DatabaseUrl url = config.parsedUrl();
    return new PgConnectOptions()
        .setHost(url.host())
        .setPort(url.port())
        .setDatabase(url.database())
        .setUser(url.user())
        .setPassword(url.password())
        .addProperty("search_path", config.schema())
        .addProperty("application_name", "tidemark")
        // Every statement here is a keyset lookup whose best plan does not depend on the values.
        // A custom plan is built from row estimates, and for a tenant or type that grew since the
        // last ANALYZE the estimate is tiny: the planner then bitmap-scans the whole range and
        // sorts it (tens of ms on a 400k-event stream, growing with it). Generic plans walk the
        // index in order and stop at the LIMIT, whatever the statistics say.
        .addProperty("plan_cache_mode", "force_generic_plan")
        .setCachePreparedStatements(true);
  }
}
