package io.tidemark.gateway.store;

import io.tidemark.gateway.http.ApiException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** Translates database failures at the store boundary, by SQLSTATE and exception type. */
public final class StoreErrors {

  private StoreErrors() {}

  /** The HTTP meaning of a store failure, or {@code null} when it is not one. */
  public static ApiException translate(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApiException api) {
        return api;
      }
      if (t instanceof PgException pg) {
        return fromSqlState(pg.getSqlState());
      }
      // JDBC, for the libraries that use it (Quartz): the same SQLSTATEs, and the pool's timeout.
      if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException) {
        return ApiException.storeUnavailable();
      }
      if (t instanceof java.sql.SQLException sql && fromSqlState(sql.getSQLState()) != null) {
        return fromSqlState(sql.getSQLState());
      }
      if (t instanceof ClosedConnectionException
          || t instanceof ConnectException
          || t instanceof TimeoutException
          || t instanceof io.netty.channel.ConnectTimeoutException
          || t instanceof java.nio.channels.ClosedChannelException) {
        return ApiException.storeUnavailable();
      }
    }
    return null;
  }

  /** A failure as callers of the store should see it: translated when it is a known store failure. */
  public static Throwable forCaller(Throwable failure) {
    ApiException translated = translate(failure);
    return translated == null ? failure : translated;
  }

  private static ApiException fromSqlState(String state) {
    if (state == null) {
      return null;
    }
    if (state.equals("23505")) {
      return ApiException.conflict("The resource already exists");
    }
    // 08: connection exception, 53: insufficient resources, 57P: operator intervention (shutdown),
    // 40001/40P01: serialization failure or deadlock, which a retry resolves.
    if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
        || state.equals("40001") || state.equals("40P01")) {
      return ApiException.storeUnavailable();
    }
    return null;
  }
}
