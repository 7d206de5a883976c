package io.tidemark.gateway.store;

import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired rows on the way, at most once per period and instance, triggered by the
 * requests that use the table: no timer to start or stop with the gateway, and a table nobody
 * uses does not grow. The statement should bound its own work (a {@code LIMIT} in a subquery),
 * so that a backlog is worked off a slice at a time. Fire and forget: a failure is logged, the
 * next period tries again.
 */
public final class LazyCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(LazyCleanup.class);

  private final Pool pool;
  private final String deleteSql;
  private final long periodNanos;
  private final AtomicLong nextRun = new AtomicLong(System.nanoTime());

  public LazyCleanup(Pool pool, String deleteSql, Duration period) {
    this.pool = pool;
    this.deleteSql = deleteSql;
    this.periodNanos = period.toNanos();
  }

  /** Runs the delete if a period has passed since the last run; returns at once either way. */
  public void maybeRun() {
    long now = System.nanoTime();
    long due = nextRun.get();
    if (now - due < 0 || !nextRun.compareAndSet(due, now + periodNanos)) {
      return;
    }
    pool.query(deleteSql).execute()
        .onFailure(failure -> LOG.warn("deleting expired rows failed ({}); retrying in a while", failure.toString()));
  }
}
