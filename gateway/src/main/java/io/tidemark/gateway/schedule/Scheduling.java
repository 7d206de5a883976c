package io.tidemark.gateway.schedule;

import com.zaxxer.hikari.HikariDataSource;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.config.SchedulingConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.plugins.CallEmitter;
import io.tidemark.gateway.plugins.JsonValues;
import io.tidemark.gateway.plugins.PluginCalls;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.plugins.StartedPlugin;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.Database;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.plugin.api.EventEmitter;
import io.tidemark.plugin.api.EventScheduler;
import io.tidemark.plugin.api.Schedule;
import io.tidemark.plugin.api.ScheduledEvent;
import io.tidemark.plugin.api.ScheduledEventContext;
import io.tidemark.plugin.api.ScheduledEventHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled policy and tenant events on Quartz, with its clustered JDBC job store in the
 * gateway's schema: schedules survive restarts, and with several gateway instances on one
 * database each firing runs on exactly one of them.
 *
 * <p>A schedule is a Quartz job (key: trigger name, group: tenant locator) with its main
 * trigger; retries and resumes are extra one-shot triggers of the same job. The {@code schedule}
 * table keeps what the API lists and what a resume needs once Quartz has dropped a finished job.
 * Quartz and JDBC calls block, so they run on Quartz threads, plugin threads or workers.
 */
public final class Scheduling {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduling.class);
  private static final long AWAIT_SECONDS = 60;

  private final Vertx vertx;
  private final SchedulingConfig config;
  private final ScheduleStore store;
  private final PluginRuntime plugins;
  private final PluginCalls calls;
  private final EventAppender appender;
  private Scheduler quartz;

  private Scheduling(Vertx vertx, SchedulingConfig config, io.vertx.sqlclient.Pool pool, PluginRuntime plugins,
      PluginCalls calls, EventAppender appender) {
    this.vertx = vertx;
    this.config = config;
    this.store = new ScheduleStore(pool);
    this.plugins = plugins;
    this.calls = calls;
    this.appender = appender;
  }

  public static Future<Scheduling> start(Vertx vertx, SchedulingConfig config, DatabaseConfig database,
      io.vertx.sqlclient.Pool pool, PluginRuntime plugins, PluginCalls calls, EventAppender appender) {
    Scheduling scheduling = new Scheduling(vertx, config, pool, plugins, calls, appender);
    return vertx.executeBlocking(() -> {
      scheduling.startQuartz(database);
      return scheduling;
    }, false);
  }

  private void startQuartz(DatabaseConfig database) throws SchedulerException {
    // DBConnectionManager is JVM-wide: a name of this instance's own for its pool.
    String dataSource = "tidemark-quartz-" + UUID.randomUUID();
    HikariDataSource jdbc = Database.jdbcDataSource(database, "tidemark-quartz", config.threadCount() + 3);
    DBConnectionManager.getInstance().addConnectionProvider(dataSource, new ConnectionProvider() {
      @Override
      public Connection getConnection() throws java.sql.SQLException {
        return jdbc.getConnection();
      }

      @Override
      public void shutdown() {
        jdbc.close();
      }

      @Override
      public void initialize() {}
    });
    Properties p = new Properties();
    // Every instance on one schema shares the scheduler name: that is what makes them one cluster.
    p.setProperty("org.quartz.scheduler.instanceName", "tidemark-" + database.schema());
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.idleWaitTime", Integer.toString(config.pollMillis()));
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(config.threadCount()));
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSource);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "2000");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    quartz = new StdSchedulerFactory(p).getScheduler();
    // Quartz hands out one scheduler per name per JVM; each gateway is a node of its own, also
    // when tests run two in one JVM.
    SchedulerRepository.getInstance().remove(quartz.getSchedulerName());
    quartz.setJobFactory((bundle, scheduler) -> new FiringJob());
    quartz.start();
  }

  /** Lets running firings finish (they are bounded by the handler time limit), then stops. */
  public Future<Void> stop() {
    return vertx.executeBlocking(() -> {
      quartz.shutdown(true);
      return null;
    }, false);
  }

  // ---- for plugins (blocking: plugin threads and Quartz threads only)

  /** The scheduler an operation or a handler sees: its tenant, its request id as the transaction. */
  public EventScheduler forTenant(UUID tenant, String transactionLocator) {
    return new EventScheduler() {
      @Override
      public String schedule(Schedule schedule) {
        return scheduleBlocking(tenant, transactionLocator, schedule);
      }

      @Override
      public boolean cancel(String triggerName) {
        notOnEventLoop();
        try {
          return quartz.deleteJob(new JobKey(triggerName, tenant.toString()));
        } catch (SchedulerException e) {
          throw new IllegalStateException("cannot cancel " + triggerName + ": " + e.getMessage(), e);
        }
      }
    };
  }

  private String scheduleBlocking(UUID tenant, String transactionLocator, Schedule schedule) {
    notOnEventLoop();
    JsonObject data;
    try {
      data = JsonValues.toJson(schedule.data());
    } catch (JsonValues.NotJsonException e) {
      throw new IllegalArgumentException("schedule data: " + e.getMessage());
    }
    String name = UUID.randomUUID().toString();
    ScheduleStore.ScheduleRow row = new ScheduleStore.ScheduleRow(name, tenant, schedule.policyLocator(),
        schedule.customEventId(), transactionLocator, data, null);
    await(store.insert(row));
    try {
      quartz.scheduleJob(job(row), mainTrigger(row, schedule));
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot schedule " + schedule.customEventId() + ": " + e.getMessage(), e);
    }
    return name;
  }

  private Trigger mainTrigger(ScheduleStore.ScheduleRow row, Schedule schedule) {
    SimpleScheduleBuilder times = SimpleScheduleBuilder.simpleSchedule();
    boolean repeating = schedule.repeatCount() > 0;
    if (repeating) {
      times = times.withIntervalInMilliseconds(schedule.repeatInterval().toMillis()).withRepeatCount(schedule.repeatCount());
    }
    boolean fireNow = config.misfirePolicy().equals("fire-now");
    times = fireNow
        ? (repeating ? times.withMisfireHandlingInstructionNowWithExistingCount() : times.withMisfireHandlingInstructionFireNow())
        : times.withMisfireHandlingInstructionNextWithRemainingCount();
    return TriggerBuilder.newTrigger()
        .withIdentity(row.triggerName(), row.tenant().toString())
        .forJob(jobKey(row))
        .startAt(Date.from(schedule.startAt()))
        .withSchedule(times)
        .build();
  }

  private static JobDetail job(ScheduleStore.ScheduleRow row) {
    return JobBuilder.newJob(FiringJob.class).withIdentity(jobKey(row)).build();
  }

  private static JobKey jobKey(ScheduleStore.ScheduleRow row) {
    return new JobKey(row.triggerName(), row.tenant().toString());
  }

  // ---- firing (on a Quartz thread)

  /** Quartz's job: hands the firing to this gateway's {@link #fire}. */
  private final class FiringJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      fire(context);
    }
  }

  private void fire(JobExecutionContext fired) {
    JobKey key = fired.getJobDetail().getKey();
    UUID tenant = UUID.fromString(key.getGroup());
    Optional<ScheduleStore.ScheduleRow> found = await(store.find(tenant, key.getName()));
    if (found.isEmpty()) {
      LOG.warn("schedule {} fired but is not in the schedule table; ignored", key);
      return;
    }
    ScheduleStore.ScheduleRow row = found.get();
    String requestId = UUID.randomUUID().toString();
    int attempt = await(store.failure(tenant, row.triggerName())).map(f -> f.failureCount() + 1).orElse(1);
    Optional<StartedPlugin> owner = plugins.handlerOwner(row.customEventId());

    List<NewEvent> events;
    Throwable failure = null;
    if (owner.isEmpty()) {
      JsonObject data = row.data().copy();
      if (row.policyLocator() != null && !data.containsKey("policyLocator")) {
        data.put("policyLocator", row.policyLocator());
      }
      events = List.of(new NewEvent(row.customEventId(), data));
    } else {
      ScheduledEventHandler handler = owner.get().handlers().get(row.customEventId());
      CallEmitter emitter = new CallEmitter(plugins.droppedCounter(owner.get().id()));
      ScheduledEvent event = new ScheduledEvent(row.triggerName(), tenant, row.policyLocator(), row.customEventId(),
          JsonValues.toPlain(row.data()), fired.getScheduledFireTime().toInstant(), row.transactionLocator(), attempt);
      HandlerContext context = new HandlerContext(requestId, owner.get().config(), emitter, forTenant(tenant, requestId));
      long timeout = plugins.config().callTimeoutMillis();
      try {
        await(calls.run(owner.get(), tenant, "Handler of " + row.customEventId(), () -> {
          handler.handle(event, context);
          return null;
        }, timeout));
      } catch (RuntimeException e) {
        failure = e;
      }
      events = emitter.seal();
    }
    // The firing's events are kept whatever the handler did.
    await(appender.append(new AppendRequest(tenant, null, requestId, events)));

    if (failure == null) {
      await(store.clearFailure(row.triggerName()));
      if (finished(fired, row)) {
        await(store.complete(row.triggerName()));
      }
      return;
    }
    String error = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    int failures = await(store.recordFailure(row, config.maxAttempts(), error));
    if (failures < config.maxAttempts()) {
      long delay = config.retryDelayMillis(failures);
      addTrigger(row, "retry-" + failures, Instant.now().plusMillis(delay));
      LOG.warn("scheduled {} of tenant {} failed ({} of {}), retrying in {} ms: {}", row.customEventId(), tenant,
          failures, config.maxAttempts(), delay, error);
    } else {
      LOG.error("scheduled {} of tenant {} failed {} times and quit: {}", row.customEventId(), tenant, failures, error);
    }
  }

  /** Whether the schedule has nothing left to fire (the main trigger is done and no retry waits). */
  private boolean finished(JobExecutionContext fired, ScheduleStore.ScheduleRow row) {
    try {
      for (Trigger trigger : quartz.getTriggersOfJob(jobKey(row))) {
        boolean current = trigger.getKey().equals(fired.getTrigger().getKey());
        Date next = current ? fired.getTrigger().getNextFireTime() : trigger.getNextFireTime();
        if (next != null) {
          return false;
        }
      }
      return true;
    } catch (SchedulerException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A one-shot trigger for the schedule's job (recreating the job if Quartz dropped it). */
  private void addTrigger(ScheduleStore.ScheduleRow row, String suffix, Instant at) {
    Trigger trigger = TriggerBuilder.newTrigger()
        .withIdentity(row.triggerName() + "." + suffix, row.tenant().toString())
        .forJob(jobKey(row))
        .startAt(Date.from(at))
        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
        .build();
    try {
      if (quartz.checkExists(jobKey(row))) {
        quartz.scheduleJob(trigger);
      } else {
        quartz.scheduleJob(job(row), trigger);
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot schedule a retry of " + row.triggerName() + ": " + e.getMessage(), e);
    }
  }

  // ---- the endpoints (each on a worker: Quartz and JDBC block)

  public record PolicySchedule(String triggerName, String triggerGroup, String policyLocator, String transactionLocator,
      String triggerState, String customEventId, Instant nextEventTime) {}

  Future<List<PolicySchedule>> policySchedules(UUID tenant, String policyLocator) {
    return store.ofPolicy(tenant, policyLocator).compose(rows -> vertx.executeBlocking(() -> {
      List<PolicySchedule> views = new java.util.ArrayList<>();
      for (ScheduleStore.ScheduleRow row : rows) {
        views.add(view(row));
      }
      return views;
    }, false));
  }

  private PolicySchedule view(ScheduleStore.ScheduleRow row) throws SchedulerException {
    String state = "NONE";
    Instant next = null;
    if (row.completedAt() != null) {
      state = "COMPLETE";
    } else {
      Optional<? extends Trigger> soonest = quartz.getTriggersOfJob(jobKey(row)).stream()
          .filter(t -> t.getNextFireTime() != null)
          .min(Comparator.comparing(Trigger::getNextFireTime));
      if (soonest.isPresent()) {
        state = quartz.getTriggerState(soonest.get().getKey()).name();
        next = soonest.get().getNextFireTime().toInstant();
      }
    }
    return new PolicySchedule(row.triggerName(), row.tenant().toString(), row.policyLocator(), row.transactionLocator(),
        state, row.customEventId(), next);
  }

  Future<List<ScheduleStore.FailureRow>> failures(UUID tenant, ScheduleStore.Filter filter, String value, int offset, int count) {
    return store.failures(tenant, filter, value, offset, count);
  }

  /** Runs a failed job again now; 404 unless the tenant has that failed job. */
  Future<Void> resume(UUID tenant, String triggerName) {
    return failedSchedule(tenant, triggerName).compose(row -> store.reopen(row.triggerName())
        .compose(v -> vertx.executeBlocking(() -> {
          addTrigger(row, "resume-" + System.currentTimeMillis(), Instant.now());
          return null;
        }, false)));
  }

  /** Removes a failed job's record and its triggers; 404 unless the tenant has that failed job. */
  Future<Void> deleteFailed(UUID tenant, String triggerName) {
    return failedSchedule(tenant, triggerName).compose(row -> vertx.executeBlocking(() -> {
      quartz.deleteJob(jobKey(row));
      return null;
    }, false)).compose(v -> store.clearFailure(triggerName));
  }

  private Future<ScheduleStore.ScheduleRow> failedSchedule(UUID tenant, String triggerName) {
    return store.failure(tenant, triggerName).compose(failure -> {
      if (failure.isEmpty()) {
        return Future.failedFuture(ApiException.notFound("No failed job " + triggerName + " in this tenant"));
      }
      return store.find(tenant, triggerName).map(Optional::orElseThrow);
    });
  }

  // ----

  private record HandlerContext(String requestId, Map<String, Object> pluginConfig, EventEmitter events,
      EventScheduler scheduler) implements ScheduledEventContext {}

  private static void notOnEventLoop() {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("the event scheduler blocks; call it from plugin code, not an event loop");
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
