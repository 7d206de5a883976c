package io.tidemark.gateway.schedule;

import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.Optional;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.JobPersistenceException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

/**
 * How a schedule looks in Quartz: a job (name = trigger name, group = tenant locator) with its
 * main trigger; retries and resumes are extra one-shot triggers of the same job. Quartz calls
 * block (JDBC): only from Quartz threads, the outbox worker and workers.
 */
final class QuartzJobs {

  private final Scheduler quartz;
  private final boolean fireNow;

  QuartzJobs(Scheduler quartz, String misfirePolicy) {
    this.quartz = quartz;
    this.fireNow = misfirePolicy.equals("fire-now");
  }

  static JobKey jobKey(String triggerName, String tenant) {
    return new JobKey(triggerName, tenant);
  }

  static JobKey jobKey(ScheduleStore.ScheduleRow row) {
    return jobKey(row.triggerName(), row.tenant().toString());
  }

  static JobDetail job(JobKey key) {
    return JobBuilder.newJob(Scheduling.FiringJob.class).withIdentity(key).build();
  }

  /** The schedule's main trigger: from its start, once or repeating, with the configured misfire policy. */
  Trigger mainTrigger(JobKey key, Instant startAt, Long repeatIntervalMillis, int repeatCount) {
    SimpleScheduleBuilder times = SimpleScheduleBuilder.simpleSchedule();
    boolean repeating = repeatCount > 0;
    if (repeating) {
      times = times.withIntervalInMilliseconds(repeatIntervalMillis).withRepeatCount(repeatCount);
    }
    times = fireNow
        ? (repeating ? times.withMisfireHandlingInstructionNowWithExistingCount() : times.withMisfireHandlingInstructionFireNow())
        : times.withMisfireHandlingInstructionNextWithRemainingCount();
    return TriggerBuilder.newTrigger()
        .withIdentity(key.getName(), key.getGroup())
        .forJob(key)
        .startAt(Date.from(startAt))
        .withSchedule(times)
        .build();
  }

  /** A one-shot trigger for the schedule's job (recreating the job if Quartz dropped it). */
  void addTrigger(ScheduleStore.ScheduleRow row, String suffix, Instant at) throws SchedulerException {
    JobKey key = jobKey(row);
    Trigger trigger = TriggerBuilder.newTrigger()
        .withIdentity(row.triggerName() + "." + suffix, key.getGroup())
        .forJob(key)
        .startAt(Date.from(at))
        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
        .build();
    if (quartz.checkExists(key)) {
      quartz.scheduleJob(trigger);
    } else {
      quartz.scheduleJob(job(key), trigger);
    }
  }

  /** Whether the schedule has nothing left to fire (the fired trigger is done and no retry waits). */
  boolean finished(JobExecutionContext fired) throws SchedulerException {
    for (Trigger trigger : quartz.getTriggersOfJob(fired.getJobDetail().getKey())) {
      boolean current = trigger.getKey().equals(fired.getTrigger().getKey());
      Date next = current ? fired.getTrigger().getNextFireTime() : trigger.getNextFireTime();
      if (next != null) {
        return false;
      }
    }
    return true;
  }

  /** The job's soonest trigger state and time, if it has a trigger left. */
  Optional<Next> next(ScheduleStore.ScheduleRow row) throws SchedulerException {
    Optional<? extends Trigger> soonest = quartz.getTriggersOfJob(jobKey(row)).stream()
        .filter(t -> t.getNextFireTime() != null)
        .min(Comparator.comparing(Trigger::getNextFireTime));
    if (soonest.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Next(quartz.getTriggerState(soonest.get().getKey()).name(), soonest.get().getNextFireTime().toInstant()));
  }

  record Next(String state, Instant at) {}

  /**
   * Deletes the job and its triggers. Quartz lists a job's triggers, then unschedules them one
   * by one, and fails ("Unable to unschedule trigger") when one vanished in between: a one-shot
   * trigger (a retry, a resume) that finished firing meanwhile. That trigger is gone, which is
   * what a delete wants, so list them again and retry.
   */
  void deleteJob(ScheduleStore.ScheduleRow row) throws SchedulerException {
    for (int attempt = 1; ; attempt++) {
      try {
        quartz.deleteJob(jobKey(row));
        return;
      } catch (JobPersistenceException e) {
        throw e; // the database: the caller answers 503
      } catch (SchedulerException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }
}
