package io.tidemark.gateway.schedule;

import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The tests' clock for schedules: a schedule is made far in the future (so that nothing fires
 * while the test looks at it, however slow the machine), then made due by moving its Quartz
 * trigger's next fire time to now. No test waits for, or races, the wall clock.
 */
public final class QuartzClock {

  /** Far beyond any test's run time. */
  public static final long FAR_MILLIS = 600_000;

  private QuartzClock() {}

  /** Waits until the schedule's Quartz trigger exists (the outbox turns a schedule into one). */
  public static void awaitTrigger(Pool pool, String triggerName) {
    Poll.until(() -> count(pool, "SELECT count(*) FROM qrtz_triggers WHERE trigger_name = $1", triggerName) == 1,
        "the trigger " + triggerName + " exists");
  }

  /** Makes the trigger due now; an idle scheduler sees it within its poll interval. */
  public static void fireNow(Pool pool, String triggerName) {
    awaitTrigger(pool, triggerName);
    TestGateway.await(pool.preparedQuery("""
            UPDATE qrtz_triggers SET next_fire_time = (extract(epoch FROM clock_timestamp()) * 1000)::bigint
             WHERE trigger_name = $1""")
        .execute(Tuple.of(triggerName)));
  }

  private static long count(Pool pool, String sql, String triggerName) {
    return TestGateway.await(pool.preparedQuery(sql).execute(Tuple.of(triggerName))).iterator().next().getLong(0);
  }
}
