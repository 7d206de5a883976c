package io.tidemark.gateway.plugins;

import io.tidemark.gateway.config.PluginsConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each plugin's call threads and its count of dropped events. They outlive a stop and restart of
 * the plugin (calls abandoned by a timeout still hold their slots and may still emit), so they are
 * kept by plugin id here rather than in the {@link StartedPlugin} snapshot. A pool is made on the
 * plugin's first call; until then the admin API shows zeros.
 */
final class PluginPools {

  private final PluginsConfig config;
  private final Map<String, PluginPool> pools = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();

  PluginPools(PluginsConfig config) {
    this.config = config;
  }

  PluginPool pool(String pluginId) {
    return pools.computeIfAbsent(pluginId, id -> new PluginPool(id, config.maxConcurrentCalls(),
        config.maxQueuedCalls(), config.maxQueuedCallsPerTenant()));
  }

  /** Counts events a plugin emitted after its call had ended. */
  AtomicLong droppedCounter(String pluginId) {
    return dropped.computeIfAbsent(pluginId, id -> new AtomicLong());
  }

  /** Calls running on the plugin's threads now; 0 when it was never called. */
  int inFlight(String pluginId) {
    PluginPool pool = pools.get(pluginId);
    return pool == null ? 0 : pool.inFlight();
  }

  /** Calls waiting for one of the plugin's threads now; 0 when it was never called. */
  int queued(String pluginId) {
    PluginPool pool = pools.get(pluginId);
    return pool == null ? 0 : pool.queued();
  }

  long droppedEvents(String pluginId) {
    AtomicLong counter = dropped.get(pluginId);
    return counter == null ? 0 : counter.get();
  }

  /** The plugin is stopping: its queued calls fail now, and new ones are refused. */
  void stopAccepting(String pluginId) {
    PluginPool pool = pools.get(pluginId);
    if (pool != null) {
      pool.stopAccepting();
    }
  }

  /** The plugin is started (again): its pool, if it has one, takes calls. */
  void accept(String pluginId) {
    PluginPool pool = pools.get(pluginId);
    if (pool != null) {
      pool.accept();
    }
  }

  void stopAcceptingAll() {
    pools.values().forEach(PluginPool::stopAccepting);
  }

  /** Calls still running on plugin threads are abandoned. */
  void shutdownAll() {
    pools.values().forEach(PluginPool::shutdown);
  }
}
