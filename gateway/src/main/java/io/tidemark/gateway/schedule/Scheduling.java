package io.tidemark.gateway.schedule;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.config.SchedulingConfig;
import io.tidemark.gateway.plugins.CallScheduling;
import io.tidemark.gateway.plugins.PluginCalls;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.store.EventAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.Optional;
import java.util.UUID;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

/**
 * Scheduled policy and tenant events on Quartz, with its clustered JDBC job store in the
 * gateway's schema: schedules survive restarts, and with several gateway instances on one
 * database each firing runs on exactly one of them. This class wires the parts, each with one job:
 *
 * <ul>
 *   <li>{@link CallScheduler}: what a plugin call asks for, committed with the call's events;
 *   <li>{@link ScheduleOutbox}: committed schedules become Quartz jobs, off the request path;
 *   <li>{@link Firing}: a due schedule runs, and fails into a retried, then quit, failed job;
 *   <li>{@link ScheduleQueries}: what the endpoints read and do;
 *   <li>{@link QuartzBootstrap} and {@link QuartzJobs}: the Quartz node, and a schedule's jobs and triggers in it.
 * </ul>
 */
public final class Scheduling {

  private final Vertx vertx;
  private final ScheduleStore store;
  private final QuartzBootstrap node;
  private final ScheduleOutbox outbox;
  private final ScheduleQueries queries;

  private Scheduling(Vertx vertx, ScheduleStore store, QuartzBootstrap node, ScheduleOutbox outbox, ScheduleQueries queries) {
    this.vertx = vertx;
    this.store = store;
    this.node = node;
    this.outbox = outbox;
    this.queries = queries;
  }

  public static Future<Scheduling> start(Vertx vertx, SchedulingConfig config, DatabaseConfig database, Pool pool,
      PluginRuntime plugins, PluginCalls calls, EventAppender appender, MeterRegistry registry) {
    return vertx.executeBlocking(() -> {
      ScheduleStore store = new ScheduleStore(pool);
      ScheduleMetrics metrics = new ScheduleMetrics(registry);
      ScheduleOutbox[] outbox = new ScheduleOutbox[1];
      Firing firing = new Firing(config, store, plugins, calls, appender,
          (tenant, user, requestId) -> new CallScheduler(tenant, user, requestId, store, () -> outbox[0].wake()), metrics);
      QuartzBootstrap node = QuartzBootstrap.create(config, database, (bundle, scheduler) -> firing);
      QuartzJobs jobs = new QuartzJobs(node.scheduler(), config.misfirePolicy());
      node.scheduler().getListenerManager().addTriggerListener(metrics);
      firing.use(jobs);
      outbox[0] = new ScheduleOutbox(node, jobs, config.outboxPollMillis());
      node.start();
      outbox[0].start();
      return new Scheduling(vertx, store, node, outbox[0], new ScheduleQueries(vertx, store, jobs));
    }, false);
  }

  /** Why this instance's scheduler cannot fire events now; empty when it can. */
  public Optional<String> problem() {
    try {
      Scheduler scheduler = node.scheduler();
      if (scheduler.isShutdown()) {
        return Optional.of("the scheduler is shut down");
      }
      if (!scheduler.isStarted() || scheduler.isInStandbyMode()) {
        return Optional.of("the scheduler is not started");
      }
      return Optional.empty();
    } catch (SchedulerException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The outbox worker stops first (its batch finishes), then Quartz lets running firings finish. */
  public Future<Void> stop() {
    return vertx.executeBlocking(() -> {
      outbox.stop();
      node.shutdown();
      return null;
    }, false);
  }

  /**
   * A new scheduler for one plugin call of a tenant's user; the call's request id becomes its
   * schedules' transaction, and the user the user of their firings' events.
   */
  public CallScheduling forCall(UUID tenant, UUID user, String transactionLocator) {
    return new CallScheduler(tenant, user, transactionLocator, store, outbox::wake);
  }

  /**
   * Turns every committed, unsynced schedule into its Quartz job now, on this thread (blocks);
   * returns how many rows it synced. For tests that turn the worker off ({@code outboxPollMillis: 0}).
   */
  public int syncOutboxNow() throws Exception {
    return outbox.syncNow();
  }

  ScheduleQueries queries() {
    return queries;
  }

  /**
   * The job class stored with every Quartz job. The gateway's job factory runs a {@link Firing}
   * instead; the name stays for the jobs stored before this class was split up.
   */
  static final class FiringJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      throw new IllegalStateException("a firing runs through the gateway's job factory");
    }
  }
}
