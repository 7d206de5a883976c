package io.tidemark.gateway.store;

import io.vertx.sqlclient.Tuple;
import java.util.Objects;

/**
 * A statement that belongs to a call's outcome besides its events, such as the processing-log
 * entry of a webhook or the schedules of an operation. The appender runs it in the same
 * transaction as the call's events, so the call's outcome commits whole or not at all.
 * Writes with the same SQL text across a batch run as one batched statement; those made by a
 * {@link BulkInsert} run as one execution over arrays.
 *
 * @param bulk the insert this row belongs to, or {@code null} for a plain statement
 */
public record StoreWrite(String sql, Tuple params, BulkInsert bulk) {
  public StoreWrite {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(params, "params");
  }

  public StoreWrite(String sql, Tuple params) {
    this(sql, params, null);
  }
}
