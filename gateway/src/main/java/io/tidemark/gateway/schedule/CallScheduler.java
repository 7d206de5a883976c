package io.tidemark.gateway.schedule;

import io.tidemark.gateway.http.JsonBodies;
import io.tidemark.gateway.plugins.CallScheduling;
import io.tidemark.gateway.plugins.JsonValues;
import io.tidemark.gateway.store.StoreWrite;
import io.tidemark.gateway.store.TimeOrderedIds;
import io.tidemark.plugin.api.Schedule;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The scheduler of one call: records the schedules and cancels its plugin asks for, and hands
 * them over as writes for the call's append transaction. It writes nothing itself, so a call
 * that fails, or whose append fails, leaves no schedule behind. Safe from any plugin thread.
 */
final class CallScheduler implements CallScheduling {

  private final UUID tenant;
  private final UUID user;
  private final String transactionLocator;
  private final ScheduleStore store;
  private final Runnable onCommit;
  private final Map<String, ScheduleStore.ScheduleRow> schedules = new LinkedHashMap<>();
  private final Set<String> cancels = new LinkedHashSet<>();
  private boolean sealed;

  /**
   * @param user the calling user, kept with every schedule: its firings' events belong to that user
   * @param onCommit runs once the recorded writes have committed (wakes the outbox)
   */
  CallScheduler(UUID tenant, UUID user, String transactionLocator, ScheduleStore store, Runnable onCommit) {
    this.tenant = tenant;
    this.user = user;
    this.transactionLocator = transactionLocator;
    this.store = store;
    this.onCommit = onCommit;
  }

  @Override
  public synchronized String schedule(Schedule schedule) {
    checkOpen();
    JsonObject data;
    try {
      data = JsonValues.toJson(schedule.data());
    } catch (JsonValues.NotJsonException e) {
      throw new IllegalArgumentException("schedule data: " + e.getMessage());
    }
    // Refused here, in the plugin, rather than by PostgreSQL with the whole call's outcome.
    Optional<String> unstorable = JsonBodies.unstorableText(schedule.customEventId()).map(p -> "customEventId " + p)
        .or(() -> schedule.policyLocator() == null ? Optional.empty()
            : JsonBodies.unstorableText(schedule.policyLocator()).map(p -> "policyLocator " + p))
        .or(() -> JsonBodies.unstorable(data, "data"));
    if (unstorable.isPresent()) {
      throw new IllegalArgumentException("schedule " + schedule.customEventId().replace('\0', '?') + ": " + unstorable.get());
    }
    String name = TimeOrderedIds.next().toString();
    Long interval = schedule.repeatCount() > 0 ? schedule.repeatInterval().toMillis() : null;
    schedules.put(name, new ScheduleStore.ScheduleRow(name, tenant, schedule.policyLocator(), schedule.customEventId(),
        transactionLocator, data, schedule.startAt(), interval, schedule.repeatCount(), null, null, null, user));
    return name;
  }

  /** A schedule of this same call is simply dropped; another is looked up (a read) and cancelled with the call. */
  @Override
  public boolean cancel(String triggerName) {
    synchronized (this) {
      checkOpen();
      if (schedules.remove(triggerName) != null) {
        return true;
      }
      if (cancels.contains(triggerName)) {
        return false;
      }
    }
    Blocking.notOnEventLoop("the event scheduler's cancel");
    boolean exists = Blocking.await(store.cancellable(tenant, triggerName));
    synchronized (this) {
      checkOpen();
      return exists && cancels.add(triggerName);
    }
  }

  @Override
  public synchronized List<StoreWrite> seal() {
    sealed = true;
    List<StoreWrite> writes = new ArrayList<>();
    schedules.values().forEach(row -> writes.add(ScheduleStore.insert(row)));
    cancels.forEach(name -> writes.addAll(ScheduleStore.cancel(tenant, name)));
    return writes;
  }

  @Override
  public void committed() {
    boolean any;
    synchronized (this) {
      any = !schedules.isEmpty() || !cancels.isEmpty();
    }
    if (any) {
      onCommit.run();
    }
  }

  private void checkOpen() {
    if (sealed) {
      throw new IllegalStateException("this call has ended; its scheduler takes no more requests");
    }
  }
}
