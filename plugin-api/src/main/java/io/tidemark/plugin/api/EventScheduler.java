package io.tidemark.plugin.api;

/**
 * Schedules custom events in the call's tenant. Schedules are kept in the database (Quartz's
 * clustered JDBC store): they survive restarts and fire once across all gateway instances. The
 * call's request id becomes the schedule's {@code transactionLocator}.
 */
public interface EventScheduler {

  /** Schedules {@code schedule}; returns its trigger name (a schedule id). */
  String schedule(Schedule schedule);

  /** Cancels a schedule of this tenant; false if there is none by that name. */
  boolean cancel(String triggerName);
}
