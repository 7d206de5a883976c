package io.tidemark.gateway.store;

import io.tidemark.gateway.config.TenantConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Writes the configured tenants into the database at start-up. Config is the source of truth;
 * a tenant removed from config keeps its rows (its data stays) but is no longer served.
 */
public final class TenantSync {

  private static final String UPSERT_TENANT = """
      INSERT INTO tenant (locator, org_id, parent_org_id, name)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (locator) DO UPDATE
         SET org_id = excluded.org_id, parent_org_id = excluded.parent_org_id, name = excluded.name""";

  private TenantSync() {}

  public static Future<Void> sync(Pool pool, List<TenantConfig> tenants) {
    List<Tuple> rows = tenants.stream()
        .map(t -> Tuple.of(t.locator(), t.orgId(), t.parentOrgId(), t.name()))
        .toList();
    return pool.withTransaction(conn -> conn.preparedQuery(UPSERT_TENANT).executeBatch(rows)).mapEmpty();
  }
}
