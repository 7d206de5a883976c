package io.tidemark.gateway.schedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.JobPersistenceException;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns committed schedule rows into Quartz jobs, off the request path. One worker thread per
 * instance takes the rows not yet synced in batches ({@code FOR UPDATE SKIP LOCKED}, so the
 * workers of several instances never take the same row), creates their jobs with one
 * {@code scheduleJobs} call, deletes the jobs of cancelled rows, and marks the rows synced, all
 * in one JDBC transaction that Quartz joins. A row is synced exactly when its job exists: each
 * schedule becomes one job, whatever crashes.
 *
 * <p>The worker polls every {@code scheduling.outboxPollMillis}; a commit on this instance wakes it.
 * It takes the waiting rows earliest start first: Quartz makes about a thousand jobs a second
 * across the cluster, so under a burst of schedules the ones due soonest become jobs first.
 */
final class ScheduleOutbox {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduleOutbox.class);
  /** Rows per transaction: Quartz's trigger lock is held for one batch, so keep it short. */
  static final int BATCH = 200;

  private static final String UNSYNCED = """
      SELECT trigger_name, tenant_locator, start_at, repeat_interval_ms, repeat_count, cancelled_at IS NOT NULL AS cancelled
        FROM schedule
       WHERE synced_at IS NULL
       ORDER BY start_at, trigger_name
       LIMIT ?
         FOR UPDATE SKIP LOCKED""";
  private static final String UNSYNCED_ONE = """
      SELECT trigger_name, tenant_locator, start_at, repeat_interval_ms, repeat_count, cancelled_at IS NOT NULL AS cancelled
        FROM schedule
       WHERE synced_at IS NULL AND trigger_name = ?
         FOR UPDATE SKIP LOCKED""";
  private static final String MARK_SYNCED = "UPDATE schedule SET synced_at = clock_timestamp() WHERE trigger_name = ANY (?)";
  /** A row Quartz refuses on its own becomes a failed job that quit, for an operator to see. */
  private static final String REFUSED = """
      INSERT INTO schedule_failure AS f (trigger_name, trigger_group, tenant_locator, policy_locator, state,
                                         failure_count, last_error, created_at, updated_at)
      SELECT trigger_name, tenant_locator::text, tenant_locator, policy_locator, 'quit', 1, ?, clock_timestamp(), clock_timestamp()
        FROM schedule WHERE trigger_name = ?
      ON CONFLICT (trigger_name) DO UPDATE
         SET state = 'quit', last_error = excluded.last_error, updated_at = excluded.updated_at""";

  private final QuartzBootstrap node;
  private final QuartzJobs jobs;
  private final int pollMillis;
  private final Semaphore wakeups = new Semaphore(0);
  private volatile boolean running;
  /** Set by {@link #stop}: the worker ends after its current batch, backlog or not. */
  private volatile boolean stopping;
  private Thread worker;

  ScheduleOutbox(QuartzBootstrap node, QuartzJobs jobs, int pollMillis) {
    this.node = node;
    this.jobs = jobs;
    this.pollMillis = pollMillis;
  }

  /** Starts the worker, unless the poll interval is 0 (then only {@link #syncNow} syncs). */
  void start() {
    if (pollMillis <= 0) {
      return;
    }
    running = true;
    worker = new Thread(this::work, "tidemark-schedule-outbox");
    worker.setDaemon(true);
    worker.start();
  }

  /** Lets the worker finish its batch, then stops it. */
  void stop() throws InterruptedException {
    stopping = true;
    running = false;
    wakeups.release();
    if (worker != null) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  /** Schedules were committed: sync them now rather than at the next poll. */
  void wake() {
    if (running && wakeups.availablePermits() == 0) {
      wakeups.release();
    }
  }

  private void work() {
    while (running) {
      try {
        syncNow();
      } catch (Exception e) {
        LOG.warn("schedule outbox: {}; trying again in {} ms", e.toString(), pollMillis);
      }
      try {
        wakeups.tryAcquire(pollMillis, TimeUnit.MILLISECONDS);
        wakeups.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Syncs batches until no unsynced row is left that another worker has not taken; returns the rows synced. Blocks. */
  int syncNow() throws Exception {
    int total = 0;
    while (true) {
      int synced = syncBatch();
      total += synced;
      if (synced < BATCH || stopping) {
        return total;
      }
    }
  }

  private record Row(String triggerName, UUID tenant, java.time.Instant startAt, Long repeatIntervalMillis,
      int repeatCount, boolean cancelled) {
    JobKey key() {
      return QuartzJobs.jobKey(triggerName, tenant.toString());
    }
  }

  private int syncBatch() throws Exception {
    List<Row> refusedBatch;
    try (Connection c = node.connection()) {
      c.setAutoCommit(false);
      List<Row> rows = List.of();
      try {
        rows = locked(c, UNSYNCED, BATCH);
        if (rows.isEmpty()) {
          c.rollback();
          return 0;
        }
        List<Row> batch = rows;
        node.inTransaction(c, () -> {
          createAndDelete(batch);
          return null;
        });
        markSynced(c, rows.stream().map(Row::triggerName).toList());
        c.commit();
        return rows.size();
      } catch (Exception e) {
        c.rollback();
        if (storeTrouble(e)) {
          throw e;
        }
        LOG.warn("schedule outbox: Quartz refused a batch of {} ({}); syncing its rows one by one", rows.size(), e.toString());
        refusedBatch = rows;
      }
    }
    // Quartz refused the batch for one row's sake (such as a job that exists already): one by
    // one, so that the others still sync.
    int synced = 0;
    for (Row row : refusedBatch) {
      synced += syncAlone(row.triggerName());
    }
    return synced;
  }

  private int syncAlone(String triggerName) throws Exception {
    try (Connection c = node.connection()) {
      c.setAutoCommit(false);
      try {
        List<Row> rows = locked(c, UNSYNCED_ONE, triggerName);
        if (rows.isEmpty()) {
          c.rollback();
          return 0; // another worker has it
        }
        Row row = rows.get(0);
        String refused = null;
        try {
          node.inTransaction(c, () -> {
            if (row.cancelled() || !node.scheduler().checkExists(row.key())) {
              createAndDelete(List.of(row));
            }
            return null;
          });
        } catch (Exception e) {
          if (storeTrouble(e)) {
            throw e;
          }
          refused = e.getMessage();
        }
        if (refused != null) {
          // Quartz may have rolled the transaction back: start again and take the row anew.
          c.rollback();
          if (locked(c, UNSYNCED_ONE, triggerName).isEmpty()) {
            c.rollback();
            return 0;
          }
          LOG.error("schedule {} of tenant {} cannot become a Quartz job and is recorded as a failed job: {}",
              row.triggerName(), row.tenant(), refused);
          try (PreparedStatement s = c.prepareStatement(REFUSED)) {
            s.setString(1, "Quartz refused the schedule: " + refused);
            s.setString(2, row.triggerName());
            s.executeUpdate();
          }
        }
        markSynced(c, List.of(row.triggerName()));
        c.commit();
        return 1;
      } catch (Exception e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The database failed (rather than Quartz refusing a job): the batch waits for the next round. */
  private static boolean storeTrouble(Exception e) {
    return e instanceof SQLException || (e instanceof JobPersistenceException && !(e instanceof ObjectAlreadyExistsException));
  }

  private void createAndDelete(List<Row> rows) throws SchedulerException {
    Scheduler quartz = node.scheduler();
    Map<JobDetail, Set<? extends Trigger>> create = new LinkedHashMap<>();
    List<JobKey> delete = new ArrayList<>();
    for (Row row : rows) {
      if (row.cancelled()) {
        delete.add(row.key());
      } else {
        create.put(QuartzJobs.job(row.key()),
            Set.of(jobs.mainTrigger(row.key(), row.startAt(), row.repeatIntervalMillis(), row.repeatCount())));
      }
    }
    if (!create.isEmpty()) {
      quartz.scheduleJobs(create, false);
    }
    if (!delete.isEmpty()) {
      quartz.deleteJobs(delete);
    }
  }

  private static List<Row> locked(Connection c, String sql, Object parameter) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, parameter);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long interval = r.getLong("repeat_interval_ms");
          Long repeatInterval = r.wasNull() ? null : interval;
          Timestamp start = r.getTimestamp("start_at");
          rows.add(new Row(r.getString("trigger_name"), r.getObject("tenant_locator", UUID.class), start.toInstant(),
              repeatInterval, r.getInt("repeat_count"), r.getBoolean("cancelled")));
        }
      }
    }
    return rows;
  }

  private static void markSynced(Connection c, List<String> names) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(MARK_SYNCED)) {
      s.setArray(1, c.createArrayOf("text", names.toArray()));
      s.executeUpdate();
    }
  }
}
