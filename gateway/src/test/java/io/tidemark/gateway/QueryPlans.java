package io.tidemark.gateway;

import static io.tidemark.gateway.TestGateway.await;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.List;

/** The plan a gateway statement really runs with. */
public final class QueryPlans {

  private QueryPlans() {}

  /**
   * Prepares {@code sql} on a gateway connection (which forces generic plans) and explains it
   * through EXECUTE with {@code literals}; a plain EXPLAIN with bound values would show a custom
   * plan instead.
   */
  public static String explainPrepared(Pool pool, String sql, List<String> literals) {
    return await(pool.withConnection(conn -> conn.query("PREPARE q AS " + sql).execute()
        .compose(prepared -> conn.query("EXPLAIN EXECUTE q(" + String.join(", ", literals) + ")").execute())
        .map(rows -> {
          StringBuilder text = new StringBuilder();
          for (Row row : rows) {
            text.append(row.getString(0)).append('\n');
          }
          return text.toString();
        })
        .eventually(() -> conn.query("DEALLOCATE q").execute())));
  }
}
