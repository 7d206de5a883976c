package io.tidemark.gateway.config;

/**
 * Scheduled events on Quartz (clustered JDBC job store in the gateway's database).
 *
 * @param threadCount Quartz threads firing events on this instance
 * @param misfirePolicy {@code fire-now}: an event missed while no instance ran fires at once;
 *     {@code skip}: it is skipped (a repeating schedule goes on with its next firing)
 * @param retryBaseMillis first retry delay of a failed firing; it doubles each attempt
 * @param retryCapMillis longest retry delay
 * @param maxAttempts tries of one firing before its failed job quits
 * @param pollMillis how often an idle instance looks for due triggers (others' new schedules)
 * @param outboxPollMillis how often the outbox worker looks for committed schedules to turn into
 *     Quartz jobs (a local commit wakes it at once); 0 turns the worker off (tests drive it)
 */
public record SchedulingConfig(Integer threadCount, String misfirePolicy, Integer retryBaseMillis, Integer retryCapMillis,
    Integer maxAttempts, Integer pollMillis, Integer outboxPollMillis) {

  public SchedulingConfig {
    threadCount = threadCount == null ? 4 : threadCount;
    misfirePolicy = misfirePolicy == null ? "fire-now" : misfirePolicy;
    retryBaseMillis = retryBaseMillis == null ? 1000 : retryBaseMillis;
    retryCapMillis = retryCapMillis == null ? 60_000 : retryCapMillis;
    maxAttempts = maxAttempts == null ? 5 : maxAttempts;
    pollMillis = pollMillis == null ? 1000 : pollMillis;
    outboxPollMillis = outboxPollMillis == null ? 1000 : outboxPollMillis;
  }

  /** With the default outbox poll. */
  public SchedulingConfig(Integer threadCount, String misfirePolicy, Integer retryBaseMillis, Integer retryCapMillis,
      Integer maxAttempts, Integer pollMillis) {
    this(threadCount, misfirePolicy, retryBaseMillis, retryCapMillis, maxAttempts, pollMillis, null);
  }

  public SchedulingConfig withOutboxPollMillis(int millis) {
    return new SchedulingConfig(threadCount, misfirePolicy, retryBaseMillis, retryCapMillis, maxAttempts, pollMillis, millis);
  }

  static SchedulingConfig defaults() {
    return new SchedulingConfig(null, null, null, null, null, null, null);
  }

  /** The delay before retry number {@code failures} (1 for the first retry). */
  public long retryDelayMillis(int failures) {
    long delay = (long) retryBaseMillis << Math.min(30, Math.max(0, failures - 1));
    return Math.min(delay, retryCapMillis);
  }
}
