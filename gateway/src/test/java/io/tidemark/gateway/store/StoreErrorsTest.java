package io.tidemark.gateway.store;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonParseException;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TcpProxy;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.config.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.json.DecodeException;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.quartz.JobPersistenceException;
import org.quartz.SchedulerException;

/**
 * What a database failure means. The first half classifies failures as the libraries build
 * them; the second provokes each failure for real (a proxy that resets and refuses, a pool that
 * runs dry or closes, a terminated backend) and checks the libraries still report it the way the
 * first half expects.
 */
class StoreErrorsTest {

  // ---- classification

  @Test
  void a_reset_connection_is_store_unavailable() {
    StoreFailure error = StoreErrors.translate(new SocketException("Connection reset"));
    assertUnavailable(error);
    assertEquals("The event store is unavailable; retry later", error.getMessage());
  }

  @Test
  void every_socket_level_failure_is_store_unavailable() {
    assertUnavailable(StoreErrors.translate(new ConnectException("Connection refused")));
    assertUnavailable(StoreErrors.translate(new ClosedChannelException()));
    assertUnavailable(StoreErrors.translate(new IOException("Broken pipe")));
    assertUnavailable(StoreErrors.translate(new EOFException()));
    assertUnavailable(StoreErrors.translate(new java.net.UnknownHostException("db.example")));
    assertUnavailable(StoreErrors.translate(new io.netty.channel.ConnectTimeoutException("connection timed out")));
    assertUnavailable(StoreErrors.translate(ClosedConnectionException.INSTANCE));
    assertUnavailable(StoreErrors.translate(new TimeoutException()));
  }

  @Test
  void a_connection_failure_deep_in_a_cause_chain_is_found() {
    Throwable wrapped = new IllegalStateException("outer",
        new RuntimeException("middle", new VertxException(new SocketException("Connection reset"))));
    assertUnavailable(StoreErrors.translate(wrapped));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Timeout",
      "Timeout waiting for connection",
      "Pool closed",
      "Pending requests failed to be sent due to connection has been closed.",
      "Client is closed",
      "Connection is not active now, current status: CLOSED",
      "Connection pool reached max wait queue size of 16"})
  void the_vertx_pools_message_only_failures_are_store_unavailable(String message) {
    assertUnavailable(StoreErrors.translate(new NoStackTraceThrowable(message)));
    assertUnavailable(StoreErrors.translate(new VertxException(message, true)));
  }

  @Test
  void other_messages_are_not_read_as_outages() {
    assertNull(StoreErrors.translate(new VertxException("Timeout of the plugin", true)));
    assertNull(StoreErrors.translate(new IllegalStateException("Timeout")), "only the pool's own exception type counts");
  }

  @ParameterizedTest
  @ValueSource(strings = {"08000", "08001", "08003", "08006", "08P01", "57P01", "57P02", "57P03", "57P05",
      "53000", "53300", "40001", "40P01"})
  void connection_shutdown_and_capacity_sqlstates_are_store_unavailable(String sqlState) {
    assertUnavailable(StoreErrors.translate(pg(sqlState)));
    assertUnavailable(StoreErrors.translate(new SQLException("jdbc", sqlState)));
  }

  @Test
  void a_unique_violation_is_a_conflict() {
    StoreFailure error = StoreErrors.translate(pg("23505"));
    assertInstanceOf(StoreConflict.class, error);
    assertEquals("The resource already exists", error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"22P02", "42P01", "42703", "57014", "57P04", "XX000"})
  void other_sqlstates_are_not_store_failures(String sqlState) {
    assertNull(StoreErrors.translate(pg(sqlState)));
    assertNull(StoreErrors.translate(new SQLException("jdbc", sqlState)));
  }

  @Test
  void jdbc_connection_failures_are_store_unavailable_also_inside_quartz_exceptions() {
    SQLTransientConnectionException hikari =
        new SQLTransientConnectionException("tidemark-quartz - Connection is not available, request timed out after 5000ms.");
    assertUnavailable(StoreErrors.translate(hikari));
    assertUnavailable(StoreErrors.translate(new SQLNonTransientConnectionException("lost")));
    assertUnavailable(StoreErrors.translate(new PSQLException("Connection refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT)));
    Throwable quartz = new IllegalStateException("cannot schedule",
        new SchedulerException("store", new JobPersistenceException("Failed to obtain DB connection", hikari)));
    assertUnavailable(StoreErrors.translate(quartz));
  }

  @Test
  void parse_and_plain_failures_are_not_store_failures() {
    JsonParseException json = new JsonParseException(null, "Unexpected character");
    assertNull(StoreErrors.translate(json), "Jackson's exceptions are IOExceptions, but not the socket's");
    assertNull(StoreErrors.translate(new DecodeException("Failed to decode", json)));
    assertNull(StoreErrors.translate(new java.nio.charset.MalformedInputException(1)));
    assertNull(StoreErrors.translate(new IllegalStateException("bug")));
    assertNull(StoreErrors.translate(new NullPointerException()));
    assertNull(StoreErrors.translate(null));
  }

  @Test
  void a_store_failure_in_the_chain_is_kept_as_it_is() {
    StoreUnavailable unavailable = new StoreUnavailable();
    assertSame(unavailable, StoreErrors.translate(new RuntimeException(unavailable)));
    StoreConflict conflict = new StoreConflict();
    assertSame(conflict, StoreErrors.translate(new RuntimeException(conflict)));
    assertNull(StoreErrors.translate(new RuntimeException(new StoreRefusedData("22P05", "refused"))),
        "refused data is the caller's own answer, not a store failure to pass on");
  }

  @Test
  void a_cause_chain_that_loops_ends() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertNull(StoreErrors.translate(a));
  }

  @Test
  void for_caller_leaves_unknown_failures_alone() {
    IllegalStateException bug = new IllegalStateException("bug");
    assertSame(bug, StoreErrors.forCaller(bug));
    assertInstanceOf(StoreUnavailable.class, StoreErrors.forCaller(new SocketException("Connection reset")));
  }

  /** Each failure provoked for real, so a library upgrade that reports one differently fails here. */
  @Nested
  class AgainstTheRealLibraries {

    private Vertx vertx;
    private TcpProxy proxy;

    @BeforeEach
    void open() {
      vertx = Vertx.vertx();
      DatabaseUrl db = DatabaseUrl.parse(TestDatabase.url());
      proxy = TcpProxy.to(db.host(), db.port());
    }

    @AfterEach
    void close() {
      proxy.close();
      await(vertx.close());
    }

    @Test
    void a_query_on_a_connection_the_network_resets_is_store_unavailable() {
      Pool pool = pool(proxy.url(TestDatabase.url()), 1, 5000);
      String marker = "outage_" + UUID.randomUUID().toString().replace("-", "");
      Future<?> sleeping = pool.query("SELECT pg_sleep(30) AS " + marker).execute();
      Poll.until(() -> runningQueries(marker) == 1, "the query to run on the server");

      proxy.cut();

      assertRecognised(failureOf(sleeping));
      assertRecognised(failureOf(pool.query("SELECT 1").execute()));
      proxy.resume();
      Poll.until(() -> succeeds(pool.query("SELECT 1").execute()), "the pool to reconnect");
    }

    @Test
    void connecting_to_a_server_that_refuses_is_store_unavailable() {
      proxy.cut();
      Pool pool = pool(proxy.url(TestDatabase.url()), 1, 5000);
      Throwable failure = failureOf(pool.query("SELECT 1").execute());
      assertRecognised(failure);
    }

    @Test
    void waiting_too_long_for_a_pool_connection_is_store_unavailable() {
      Pool pool = pool(TestDatabase.url(), 1, 500);
      // Taking the one connection is itself bounded by the same timeout, which a busy machine may miss.
      SqlConnection held = Poll.until(() -> succeeded(pool.getConnection()), "the pool's one connection");
      try {
        Throwable failure = failureOf(pool.query("SELECT 1").execute());
        assertRecognised(failure);
      } finally {
        await(held.close());
      }
    }

    @Test
    void a_query_on_a_closed_pool_is_store_unavailable() {
      Pool pool = pool(TestDatabase.url(), 1, 5000);
      await(pool.query("SELECT 1").execute());
      await(pool.close());
      Throwable failure = failureOf(pool.query("SELECT 1").execute());
      assertRecognised(failure);
    }

    @Test
    void a_backend_the_administrator_terminates_is_store_unavailable() {
      Pool pool = pool(TestDatabase.url(), 1, 5000);
      String marker = "terminated_" + UUID.randomUUID().toString().replace("-", "");
      Future<?> sleeping = pool.query("SELECT pg_sleep(30) AS " + marker).execute();
      Poll.until(() -> runningQueries(marker) == 1, "the query to run on the server");

      TestDatabase.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%AS " + marker + "'");

      Throwable failure = failureOf(sleeping);
      assertRecognised(failure);
    }

    @Test
    void the_jdbc_pool_of_quartz_and_flyway_failing_to_connect_is_store_unavailable() {
      proxy.cut();
      DatabaseConfig config = new DatabaseConfig(proxy.url(TestDatabase.url()), "public", 1, 1);
      // HikariCP tries a first connection when it is built, and fails the build with it.
      RuntimeException failure = assertThrows(RuntimeException.class, () -> Database.jdbcDataSource(config, "outage-test", 1).close());
      assertRecognised(failure);
    }

    private Pool pool(String url, int size, int acquireTimeoutMillis) {
      DatabaseUrl db = DatabaseUrl.parse(url);
      PgConnectOptions connect = new PgConnectOptions().setHost(db.host()).setPort(db.port())
          .setDatabase(db.database()).setUser(db.user()).setPassword(db.password());
      PoolOptions options = new PoolOptions().setMaxSize(size)
          .setConnectionTimeout(acquireTimeoutMillis).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
      return PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
    }
  }

  // ---- helpers

  private static PgException pg(String sqlState) {
    return new PgException("message", "ERROR", sqlState, null);
  }

  private static void assertUnavailable(StoreFailure error) {
    assertNotNull(error, "not recognised as a store failure");
    assertInstanceOf(StoreUnavailable.class, error);
  }

  /** As the library reported it: named in the failure message, so a change of wording shows what it became. */
  private static void assertRecognised(Throwable failure) {
    StoreFailure error = StoreErrors.translate(failure);
    assertNotNull(error, () -> "not recognised as a store failure: " + failure);
    assertUnavailable(error);
  }

  private static Throwable failureOf(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the future did not complete: " + e, e);
    }
    throw new AssertionError("expected a failure, got a result");
  }

  private static <T> T succeeded(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  private static boolean succeeds(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static int runningQueries(String marker) {
    DatabaseUrl url = DatabaseUrl.parse(TestDatabase.url());
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
         Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%AS "
             + marker + "'")) {
      rows.next();
      return rows.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
