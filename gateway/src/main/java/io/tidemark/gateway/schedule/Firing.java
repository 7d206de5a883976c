package io.tidemark.gateway.schedule;

import io.tidemark.gateway.config.SchedulingConfig;
import io.tidemark.gateway.plugins.CallEmitter;
import io.tidemark.gateway.plugins.CallScheduling;
import io.tidemark.gateway.plugins.JsonValues;
import io.tidemark.gateway.plugins.PluginCalls;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.plugins.StartedPlugin;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.gateway.store.StoreWrite;
import io.tidemark.gateway.store.TimeOrderedIds;
import io.tidemark.plugin.api.EventEmitter;
import io.tidemark.plugin.api.EventScheduler;
import io.tidemark.plugin.api.ScheduledEvent;
import io.tidemark.plugin.api.ScheduledEventContext;
import io.tidemark.plugin.api.ScheduledEventHandler;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz's job (on a Quartz thread): one firing of a schedule. The schedule's handler runs, or
 * the gateway makes the event itself; the firing's events, and on success its follow-up
 * schedules, cleared failure record and completion, commit in one append. A firing that fails,
 * in its handler or in that append, is a failed job: queued and retried with backoff, then quit
 * after {@code maxAttempts}. Nothing is thrown back at Quartz.
 */
final class Firing implements Job {

  private static final Logger LOG = LoggerFactory.getLogger(Firing.class);

  private final SchedulingConfig config;
  private final ScheduleStore store;
  private final PluginRuntime plugins;
  private final PluginCalls calls;
  private final EventAppender appender;
  private final CallScheduling.Factory schedulers;
  private final ScheduleMetrics metrics;
  private QuartzJobs jobs;

  /** @param schedulers the scheduler a handler's call gets */
  Firing(SchedulingConfig config, ScheduleStore store, PluginRuntime plugins, PluginCalls calls, EventAppender appender,
      CallScheduling.Factory schedulers, ScheduleMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.store = store;
    this.plugins = plugins;
    this.calls = calls;
    this.appender = appender;
    this.schedulers = schedulers;
  }

  /** Set once the Quartz node exists (it needs this job first). */
  void use(QuartzJobs jobs) {
    this.jobs = jobs;
  }

  @Override
  public void execute(JobExecutionContext fired) {
    try {
      fire(fired);
    } catch (RuntimeException e) {
      LOG.error("the firing of {} failed before it could run: {}", fired.getJobDetail().getKey(), e.toString());
    }
  }

  private record Outcome(List<NewEvent> events, CallScheduling scheduler, Throwable failure) {}

  private void fire(JobExecutionContext fired) {
    metrics.started(fired);
    JobKey key = fired.getJobDetail().getKey();
    UUID tenant = UUID.fromString(key.getGroup());
    Optional<ScheduleStore.ScheduleRow> found = Blocking.await(store.find(tenant, key.getName()));
    if (found.isEmpty()) {
      LOG.warn("schedule {} fired but is not in the schedule table; ignored", key);
      metrics.ignored();
      return;
    }
    ScheduleStore.ScheduleRow row = found.get();
    if (row.cancelledAt() != null) {
      LOG.info("schedule {} fired after it was cancelled; ignored (the outbox deletes its job)", key);
      metrics.ignored();
      return;
    }
    String requestId = TimeOrderedIds.next().toString();
    int attempt = Blocking.await(store.failure(tenant, row.triggerName())).map(f -> f.failureCount() + 1).orElse(1);
    Outcome outcome = run(row, fired, requestId, attempt);

    Throwable failure = outcome.failure();
    List<StoreWrite> followUps = outcome.scheduler().seal();
    try {
      List<StoreWrite> writes = new ArrayList<>();
      if (failure == null) {
        writes.addAll(followUps);
        writes.add(ScheduleStore.clearFailureWrite(row.triggerName()));
        if (jobs.finished(fired)) {
          writes.add(ScheduleStore.completeWrite(row.triggerName()));
        }
      }
      // The firing's events are kept whatever the handler did; they belong to the user who scheduled it.
      Blocking.await(appender.append(new AppendRequest(tenant, row.userLocator(), requestId, outcome.events(), writes)));
      if (failure == null) {
        outcome.scheduler().committed();
        metrics.fired();
        return;
      }
    } catch (Exception e) {
      String stored = "its events could not be stored: " + message(e);
      failure = failure == null ? new IllegalStateException(stored, e) : new IllegalStateException(message(failure) + "; " + stored, e);
    }
    recordFailure(row, failure);
  }

  private Outcome run(ScheduleStore.ScheduleRow row, JobExecutionContext fired, String requestId, int attempt) {
    // A handler's follow-up schedules are the scheduling user's too.
    CallScheduling scheduler = schedulers.forCall(row.tenant(), row.userLocator(), requestId);
    Optional<StartedPlugin> owner = plugins.handlerOwner(row.customEventId());
    if (owner.isEmpty()) {
      JsonObject data = row.data().copy();
      if (row.policyLocator() != null && !data.containsKey("policyLocator")) {
        data.put("policyLocator", row.policyLocator());
      }
      return new Outcome(List.of(new NewEvent(row.customEventId(), data)), scheduler, null);
    }
    ScheduledEventHandler handler = owner.get().handlers().get(row.customEventId());
    CallEmitter emitter = new CallEmitter(plugins.droppedCounter(owner.get().id()));
    ScheduledEvent event = new ScheduledEvent(row.triggerName(), row.tenant(), row.policyLocator(), row.customEventId(),
        JsonValues.toPlain(row.data()), fired.getScheduledFireTime().toInstant(), row.transactionLocator(), attempt);
    HandlerContext context = new HandlerContext(requestId, owner.get().config(), emitter, scheduler);
    Throwable failure = null;
    try {
      Blocking.await(calls.run(owner.get(), row.tenant(), "handle:" + row.customEventId(), "Handler of " + row.customEventId(), () -> {
        handler.handle(event, context);
        return null;
      }, plugins.config().callTimeoutMillis()));
    } catch (RuntimeException e) {
      failure = e;
    }
    return new Outcome(emitter.seal(), scheduler, failure);
  }

  /** Queues a retry with backoff, or quits after {@code maxAttempts}. */
  private void recordFailure(ScheduleStore.ScheduleRow row, Throwable failure) {
    String error = message(failure);
    try {
      int failures = Blocking.await(store.recordFailure(row, config.maxAttempts(), error));
      metrics.failed(failures < config.maxAttempts());
      if (failures < config.maxAttempts()) {
        long delay = config.retryDelayMillis(failures);
        jobs.addTrigger(row, "retry-" + failures, Instant.now().plusMillis(delay));
        LOG.warn("scheduled {} of tenant {} failed ({} of {}), retrying in {} ms: {}", row.customEventId(), row.tenant(),
            failures, config.maxAttempts(), delay, error);
      } else {
        LOG.error("scheduled {} of tenant {} failed {} times and quit: {}", row.customEventId(), row.tenant(), failures, error);
      }
    } catch (Exception e) {
      LOG.error("scheduled {} ({}) of tenant {} failed ({}) and its failure could not be recorded: {}", row.customEventId(),
          row.triggerName(), row.tenant(), error, e.toString());
    }
  }

  private static String message(Throwable failure) {
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
  }

  private record HandlerContext(String requestId, Map<String, Object> pluginConfig, EventEmitter events,
      EventScheduler scheduler) implements ScheduledEventContext {}
}
