package io.tidemark.gateway.schedule;

import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.store.StoreErrors;
import io.tidemark.gateway.store.StoreUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.quartz.JobPersistenceException;

/**
 * What the schedule endpoints ask: a policy's schedules (from the schedule rows, so a schedule
 * shows as soon as its call committed; Quartz adds the live state of synced ones), failed jobs,
 * resume and delete. A store that cannot be reached, PostgreSQL's or Quartz's, answers 503.
 */
final class ScheduleQueries {

  private final Vertx vertx;
  private final ScheduleStore store;
  private final QuartzJobs jobs;

  ScheduleQueries(Vertx vertx, ScheduleStore store, QuartzJobs jobs) {
    this.vertx = vertx;
    this.store = store;
    this.jobs = jobs;
  }

  record PolicySchedule(String triggerName, String triggerGroup, String policyLocator, String transactionLocator,
      String triggerState, String customEventId, Instant nextEventTime) {}

  Future<List<PolicySchedule>> policySchedules(UUID tenant, String policyLocator) {
    return store.ofPolicy(tenant, policyLocator).compose(rows -> quartz(() -> {
      List<PolicySchedule> views = new ArrayList<>();
      for (ScheduleStore.ScheduleRow row : rows) {
        views.add(view(row));
      }
      return views;
    }));
  }

  private PolicySchedule view(ScheduleStore.ScheduleRow row) throws Exception {
    String state = "NONE";
    Instant next = null;
    if (row.completedAt() != null) {
      state = "COMPLETE";
    } else if (row.cancelledAt() != null) {
      state = "NONE";
    } else if (row.syncedAt() == null) {
      // Committed, its Quartz job not made yet: it will fire from its start.
      state = "NORMAL";
      next = row.startAt();
    } else {
      Optional<QuartzJobs.Next> soonest = jobs.next(row);
      if (soonest.isPresent()) {
        state = soonest.get().state();
        next = soonest.get().at();
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
        .compose(v -> quartz(() -> {
          jobs.addTrigger(row, "resume-" + System.currentTimeMillis(), Instant.now());
          return null;
        })));
  }

  /** Removes a failed job's record and its triggers; 404 unless the tenant has that failed job. */
  Future<Void> deleteFailed(UUID tenant, String triggerName) {
    return failedSchedule(tenant, triggerName).compose(row -> quartz(() -> {
      jobs.deleteJob(row);
      return null;
    })).compose(v -> store.clearFailure(triggerName));
  }

  private Future<ScheduleStore.ScheduleRow> failedSchedule(UUID tenant, String triggerName) {
    ApiException notFound = ApiException.notFound("No failed job " + triggerName + " in this tenant");
    return store.failure(tenant, triggerName).compose(failure -> failure.isEmpty()
        ? Future.failedFuture(notFound)
        : store.find(tenant, triggerName).compose(row -> row.map(Future::succeededFuture).orElse(Future.failedFuture(notFound))));
  }

  /** Quartz's calls block on JDBC: on a worker, with its store failures as the store's. */
  private <T> Future<T> quartz(Callable<T> work) {
    return vertx.executeBlocking(work, false).recover(failure -> {
      Throwable translated = StoreErrors.translate(failure);
      if (translated == null && failure instanceof JobPersistenceException) {
        // Quartz's job store is the database: whatever it could not read or write, it is unavailable.
        translated = new StoreUnavailable();
      }
      return Future.failedFuture(translated == null ? failure : translated);
    });
  }
}
