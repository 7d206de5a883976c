package io.tidemark.gateway.plugins;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One plugin's threads: at most {@code maxConcurrentCalls} calls at once, so that a plugin whose
 * calls hang exhausts only its own pool and other plugins keep their threads. Calls beyond that
 * wait in a {@link FairQueue}; a slot freed goes straight to the next waiting call. A slot is
 * freed when the plugin's code really returns, not when the gateway stops waiting for it.
 *
 * <p>The bookkeeping (slots, queue) is guarded by this object's lock rather than confined to one
 * event loop: calls arrive from every HTTP verticle's event loop and from Quartz threads, and
 * slots are freed on the plugin's own threads, so no single context owns a plugin's queue, and
 * hopping to one would add a dispatch to every call. The lock is held only for a few field
 * updates, never while plugin code runs or a task is submitted, so an event loop never waits on it
 * for long.
 */
final class PluginPool {

  /** A call waiting for a slot. Exactly one of its methods is called, once, outside the lock. */
  interface Waiter {
    /** It now holds a slot and must run (and eventually {@link #release()} it). */
    void start();

    /** The plugin stopped while it waited: it never runs. */
    void stopped();
  }

  /** What {@link #admit} decided. */
  enum Admission { START, QUEUED, FULL, TENANT_FULL, STOPPED }

  private final int size;
  private final ExecutorService threads;
  private final FairQueue<Waiter> queue;
  private int running;
  private boolean accepting = true;

  PluginPool(String pluginId, int size, int maxQueued, int maxQueuedPerTenant) {
    this.size = size;
    this.queue = new FairQueue<>(maxQueued, maxQueuedPerTenant);
    this.threads = Executors.newFixedThreadPool(size, new DaemonThreads("plugin-" + pluginId));
  }

  /**
   * Takes a slot for {@code waiter} ({@link Admission#START}: the caller starts it), or queues it
   * ({@link Admission#QUEUED}: {@link Waiter#start()} is called when a slot frees), or refuses it.
   */
  synchronized Admission admit(UUID tenant, Waiter waiter) {
    if (!accepting) {
      return Admission.STOPPED;
    }
    // Behind queued calls, even if a slot is free for an instant: it is already promised to them.
    if (running < size && queue.size() == 0) {
      running++;
      return Admission.START;
    }
    return switch (queue.offer(tenant, waiter)) {
      case QUEUED -> Admission.QUEUED;
      case FULL -> Admission.FULL;
      case TENANT_FULL -> Admission.TENANT_FULL;
    };
  }

  /** Takes a waiting call out of the queue; {@code false} if it has already started or been stopped. */
  synchronized boolean withdraw(UUID tenant, Waiter waiter) {
    return queue.remove(tenant, waiter);
  }

  /** Frees a slot, handing it to the next waiting call if there is one. */
  void release() {
    Waiter next;
    synchronized (this) {
      next = queue.poll(); // empty once stopped: stopAccepting drained it
      if (next == null) {
        running--;
      }
    }
    if (next != null) {
      next.start(); // it inherits the slot
    }
  }

  /** Refuses new calls and tells the waiting ones that the plugin stopped; running calls go on. */
  void stopAccepting() {
    List<Waiter> waiting;
    synchronized (this) {
      accepting = false;
      waiting = queue.drain();
    }
    waiting.forEach(Waiter::stopped);
  }

  /** Accepts calls again, once the plugin has (re)started. */
  synchronized void accept() {
    accepting = true;
  }

  synchronized int inFlight() {
    return running;
  }

  synchronized int queued() {
    return queue.size();
  }

  /** Calls it runs at once, at most. */
  int size() {
    return size;
  }

  java.util.concurrent.Future<?> submit(Runnable task) {
    return threads.submit(task);
  }

  void shutdown() {
    stopAccepting();
    threads.shutdownNow();
  }
}
