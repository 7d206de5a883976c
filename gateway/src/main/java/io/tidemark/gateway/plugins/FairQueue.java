package io.tidemark.gateway.plugins;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A bounded queue that serves tenants in turn: one FIFO per tenant, taken round-robin, so a
 * tenant that floods the queue waits behind itself and not in front of everyone else. Each
 * tenant may hold at most {@code maxPerTenant} of the {@code maxTotal} places.
 *
 * <p>Not thread-safe: its owner ({@link PluginPool}) guards it.
 */
final class FairQueue<T> {

  /** What {@link #offer} did. */
  enum Offer { QUEUED, FULL, TENANT_FULL }

  private final int maxTotal;
  private final int maxPerTenant;
  private final Map<UUID, ArrayDeque<T>> byTenant = new HashMap<>();
  /** Tenants with something queued, in the order they are served next; each appears once. */
  private final ArrayDeque<UUID> turns = new ArrayDeque<>();
  private int size;

  FairQueue(int maxTotal, int maxPerTenant) {
    this.maxTotal = maxTotal;
    this.maxPerTenant = maxPerTenant;
  }

  /** Queues {@code item} behind the tenant's earlier ones, unless the queue or the tenant's share is full. */
  Offer offer(UUID tenant, T item) {
    if (size >= maxTotal) {
      return Offer.FULL;
    }
    ArrayDeque<T> queue = byTenant.get(tenant);
    if (queue == null) {
      if (maxPerTenant < 1) {
        return Offer.TENANT_FULL;
      }
      queue = new ArrayDeque<>();
      byTenant.put(tenant, queue);
      turns.addLast(tenant);
    } else if (queue.size() >= maxPerTenant) {
      return Offer.TENANT_FULL;
    }
    queue.addLast(item);
    size++;
    return Offer.QUEUED;
  }

  /** The oldest item of the tenant whose turn it is, or {@code null} when empty; that tenant goes last. */
  T poll() {
    UUID tenant = turns.pollFirst();
    if (tenant == null) {
      return null;
    }
    ArrayDeque<T> queue = byTenant.get(tenant);
    T item = queue.pollFirst();
    size--;
    if (queue.isEmpty()) {
      byTenant.remove(tenant);
    } else {
      turns.addLast(tenant);
    }
    return item;
  }

  /** Takes {@code item} out (it gave up waiting); {@code false} if it is not queued (any more). */
  boolean remove(UUID tenant, T item) {
    ArrayDeque<T> queue = byTenant.get(tenant);
    if (queue == null || !queue.removeFirstOccurrence(item)) {
      return false;
    }
    size--;
    if (queue.isEmpty()) {
      byTenant.remove(tenant);
      turns.remove(tenant);
    }
    return true;
  }

  /** Empties the queue, returning what it held in the order it would have been served. */
  List<T> drain() {
    List<T> all = new ArrayList<>(size);
    for (T item = poll(); item != null; item = poll()) {
      all.add(item);
    }
    return all;
  }

  int size() {
    return size;
  }

  int size(UUID tenant) {
    ArrayDeque<T> queue = byTenant.get(tenant);
    return queue == null ? 0 : queue.size();
  }
}
