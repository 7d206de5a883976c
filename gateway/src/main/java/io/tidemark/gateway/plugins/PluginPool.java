package io.tidemark.gateway.plugins;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * One plugin's threads: at most {@code maxConcurrentCalls} calls at once, so that a plugin whose
 * calls hang exhausts only its own pool and other plugins keep their threads. A permit is
 * returned when the plugin's code really returns, not when the gateway stops waiting for it.
 */
final class PluginPool {

  private final int size;
  private final Semaphore permits;
  private final ExecutorService threads;

  PluginPool(String pluginId, int size) {
    this.size = size;
    this.permits = new Semaphore(size);
    this.threads = Executors.newFixedThreadPool(size, PluginRuntime.daemonThreads("plugin-" + pluginId));
  }

  boolean tryAcquire() {
    return permits.tryAcquire();
  }

  void release() {
    permits.release();
  }

  int size() {
    return size;
  }

  int inFlight() {
    return size - permits.availablePermits();
  }

  java.util.concurrent.Future<?> submit(Runnable task) {
    return threads.submit(task);
  }

  void shutdown() {
    threads.shutdownNow();
  }
}
