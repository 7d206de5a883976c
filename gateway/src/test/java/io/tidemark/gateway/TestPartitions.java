package io.tidemark.gateway;

import io.tidemark.gateway.store.Partitions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.YearMonth;
import java.util.List;

/** Partitions for rows a test inserts itself, as the gateway would have made them for its tenants. */
public final class TestPartitions {

  private TestPartitions() {}

  /** {@code owners}' months {@code from} to {@code to}; with {@code noAutovacuum}, statistics stay as a burst of inserts leaves them. */
  public static void prepare(Pool pool, List<Partitions.Owner> owners, YearMonth from, YearMonth to, boolean noAutovacuum) {
    Partitions partitions = new Partitions(pool);
    for (Partitions.Owner owner : owners) {
      TestGateway.await(partitions.ensure(owner, from, to));
    }
    if (noAutovacuum) {
      // Partitioned tables hold no rows; the setting belongs on each leaf.
      for (Row leaf : TestGateway.await(pool.query("""
          SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relispartition AND c.relkind = 'r'""").execute())) {
        TestGateway.await(pool.query("ALTER TABLE " + leaf.getString(0) + " SET (autovacuum_enabled = false)").execute());
      }
    }
  }
}
