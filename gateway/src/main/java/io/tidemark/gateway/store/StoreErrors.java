package io.tidemark.gateway.store;

import com.fasterxml.jackson.core.JacksonException;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The one place that decides what a database failure means, for the reactive client and for
 * JDBC (Flyway, Quartz) alike: by SQLSTATE, by exception type, and for the few failures the
 * Vert.x pool reports with a message only, by that exact message. It walks the cause chain, so a
 * failure wrapped by Quartz or by a plugin is recognised too.
 *
 * <p>Every connection-level failure (reset, refused, closed, timed out, pool exhausted or
 * closed, server shutting down or full) means the store is unavailable ({@link StoreUnavailable},
 * which {@code http.FailureHandler} answers with 503 and {@code Retry-After}). See {@code docs/http.md}, "When the database is unavailable".
 */
public final class StoreErrors {

  /*
   * vertx-sql-client 5.0.8 and vertx-core report these as a bare VertxException (or its
   * NoStackTraceThrowable subclass) that carries nothing but the message, so the message is all
   * there is to go by. StoreErrorsTest provokes the common ones (pool timeout, closed pool) against
   * the real library, so an upgrade that rewords them fails a test instead of turning outages into
   * 500s; the rarer ones are taken from the 5.0.8 bytecode.
   */
  private static final Set<String> UNAVAILABLE_MESSAGES = Set.of(
      // SqlConnectionPool: no connection within PoolOptions.connectionTimeout
      "Timeout",
      "Timeout waiting for connection",
      // SimpleConnectionPool: the pool closed while the request waited (shutdown)
      "Pool closed",
      // SocketConnectionBase: the connection closed with commands still queued on it
      "Pending requests failed to be sent due to connection has been closed.",
      // NetClientImpl: connecting through a client that was closed
      "Client is closed");

  private static final List<String> UNAVAILABLE_MESSAGE_PREFIXES = List.of(
      // SocketConnectionBase: "…, current status: CLOSED" (or CLOSING)
      "Connection is not active now",
      // SimpleConnectionPool, when a wait-queue bound is configured
      "Connection pool reached max wait queue size");

  private static final int MAX_CAUSES = 32;

  private StoreErrors() {}

  /**
   * What a failure means to the store ({@link StoreUnavailable} or {@link StoreConflict}), or
   * {@code null} when it is not a store failure. One already translated is kept as it is, even
   * wrapped (by Quartz, by a plugin).
   */
  public static StoreFailure translate(Throwable failure) {
    // Bounded: a cause chain may loop (A caused by B caused by A).
    int depth = 0;
    for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      if (t instanceof StoreUnavailable || t instanceof StoreConflict) {
        return (StoreFailure) t;
      }
      StoreFailure bySqlState = fromSqlState(sqlState(t));
      if (bySqlState != null) {
        return bySqlState;
      }
      if (connectionLevel(t)) {
        return new StoreUnavailable();
      }
    }
    return null;
  }

  /** A failure as callers of the store should see it: translated when it is a known store failure. */
  public static Throwable forCaller(Throwable failure) {
    StoreFailure translated = translate(failure);
    return translated == null ? failure : translated;
  }

  private static String sqlState(Throwable t) {
    if (t instanceof PgException pg) {
      return pg.getSqlState();
    }
    if (t instanceof SQLException sql) {
      return sql.getSQLState();
    }
    return null;
  }

  private static boolean connectionLevel(Throwable t) {
    return t instanceof ClosedConnectionException
        // Reset, refused (ConnectException), broken pipe, closed channel, unknown host, TLS
        // handshake, and Netty's native-transport errors: every IOException is the socket's,
        // but for the parse and charset errors that Jackson and decoders raise.
        || (t instanceof IOException && !(t instanceof JacksonException)
            && !(t instanceof CharacterCodingException) && !(t instanceof CharConversionException))
        // A connect or acquire that did not finish in time (Future.timeout, Netty's connect timeout is a ConnectException).
        || t instanceof TimeoutException
        // JDBC: HikariCP's "Connection is not available, request timed out", a lost or refused connection.
        || t instanceof SQLTransientConnectionException
        || t instanceof SQLNonTransientConnectionException
        || t instanceof SQLRecoverableException
        || (t instanceof VertxException && unavailableMessage(t.getMessage()));
  }

  private static boolean unavailableMessage(String message) {
    if (message == null) {
      return false;
    }
    return UNAVAILABLE_MESSAGES.contains(message) || UNAVAILABLE_MESSAGE_PREFIXES.stream().anyMatch(message::startsWith);
  }

  private static StoreFailure fromSqlState(String state) {
    if (state == null) {
      return null;
    }
    if (state.equals("23505")) {
      return new StoreConflict();
    }
    if (unavailableSqlState(state)) {
      return new StoreUnavailable();
    }
    return null;
  }

  /**
   * 08: connection exception (the JDBC driver's 08001 cannot connect, 08006 connection failure);
   * 57P01/57P02/57P03: admin shutdown, crash shutdown, cannot connect now (starting or stopping);
   * 57P05: idle session timeout, the server closed the connection; 53: insufficient resources,
   * 53300 too many connections among them; 40001/40P01: serialization failure or deadlock,
   * which a retry resolves.
   */
  private static boolean unavailableSqlState(String state) {
    return state.startsWith("08") || state.startsWith("53")
        || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") || state.equals("57P05")
        || state.equals("40001") || state.equals("40P01");
  }
}
