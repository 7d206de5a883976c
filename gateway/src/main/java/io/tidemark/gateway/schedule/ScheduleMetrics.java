package io.tidemark.gateway.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;

/**
 * The scheduler's meters: firings by outcome, how late each fired against its scheduled time,
 * failures recorded as failed jobs (queued for a retry, or quit), and Quartz's misfires (a firing
 * found overdue by more than the misfire threshold, for instance after every instance was down).
 */
final class ScheduleMetrics extends TriggerListenerSupport {

  private final Counter fired;
  private final Counter failed;
  private final Counter ignored;
  private final Counter queued;
  private final Counter quit;
  private final Counter misfires;
  private final Timer lag;

  ScheduleMetrics(MeterRegistry registry) {
    fired = firings(registry, "fired");
    failed = firings(registry, "failed");
    ignored = firings(registry, "ignored");
    queued = failedJobs(registry, "queued");
    quit = failedJobs(registry, "quit");
    misfires = Counter.builder("tidemark.schedule.misfires")
        .description("Triggers Quartz found overdue beyond its misfire threshold").register(registry);
    lag = Timer.builder("tidemark.schedule.lag")
        .description("How long after its scheduled time a firing started")
        .publishPercentileHistogram().register(registry);
  }

  private static Counter firings(MeterRegistry registry, String outcome) {
    return Counter.builder("tidemark.schedule.firings")
        .description("Firings on this instance: fired (events stored), failed (a failed job), ignored (cancelled or unknown)")
        .tag("outcome", outcome).register(registry);
  }

  private static Counter failedJobs(MeterRegistry registry, String state) {
    return Counter.builder("tidemark.schedule.failed.jobs")
        .description("Failures recorded as failed jobs: queued (a retry is scheduled) or quit (attempts used up)")
        .tag("state", state).register(registry);
  }

  @Override
  public String getName() {
    return "tidemark-metrics";
  }

  @Override
  public void triggerMisfired(Trigger trigger) {
    misfires.increment();
  }

  void started(JobExecutionContext context) {
    Date scheduled = context.getScheduledFireTime();
    Date actual = context.getFireTime();
    if (scheduled != null && actual != null) {
      lag.record(Math.max(0, actual.getTime() - scheduled.getTime()), TimeUnit.MILLISECONDS);
    }
  }

  void fired() {
    fired.increment();
  }

  void ignored() {
    ignored.increment();
  }

  void failed(boolean willRetry) {
    failed.increment();
    (willRetry ? queued : quit).increment();
  }
}
