package io.tidemark.gateway.config;

import java.util.Map;

/**
 * The plugin runtime.
 *
 * @param directory where plugin jars and zips are loaded from, relative to the config file
 * @param callTimeoutMillis default time limit of an operation call (a route may set its own)
 * @param maxConcurrentCalls calls one plugin may run at once; more wait in its queue
 * @param lifecycleTimeoutSeconds time limit for starting or stopping a plugin
 * @param installed per plugin id: whether start-up needs it, and its own config section
 * @param maxQueuedCalls calls that may wait for one plugin's threads; more get 503 PLUGIN_BUSY
 * @param maxQueuedCallsPerTenant how many of those one tenant may hold (default: half, rounded up)
 * @param maxQueueWaitMillis how long a call may wait; then 503 PLUGIN_QUEUE_TIMEOUT
 */
public record PluginsConfig(
    String directory,
    Integer callTimeoutMillis,
    Integer maxConcurrentCalls,
    Integer lifecycleTimeoutSeconds,
    Map<String, InstalledPluginConfig> installed,
    Integer maxQueuedCalls,
    Integer maxQueuedCallsPerTenant,
    Integer maxQueueWaitMillis) {

  public PluginsConfig {
    directory = directory == null ? "plugins" : directory;
    callTimeoutMillis = callTimeoutMillis == null ? 10_000 : callTimeoutMillis;
    maxConcurrentCalls = maxConcurrentCalls == null ? 16 : maxConcurrentCalls;
    lifecycleTimeoutSeconds = lifecycleTimeoutSeconds == null ? 10 : lifecycleTimeoutSeconds;
    installed = installed == null ? Map.of() : Map.copyOf(installed);
    maxQueuedCalls = maxQueuedCalls == null ? 1000 : maxQueuedCalls;
    maxQueuedCallsPerTenant = maxQueuedCallsPerTenant == null ? (maxQueuedCalls + 1) / 2 : maxQueuedCallsPerTenant;
    maxQueueWaitMillis = maxQueueWaitMillis == null ? 5000 : maxQueueWaitMillis;
  }

  /** Without the queue settings, which take their defaults. */
  public PluginsConfig(String directory, Integer callTimeoutMillis, Integer maxConcurrentCalls,
      Integer lifecycleTimeoutSeconds, Map<String, InstalledPluginConfig> installed) {
    this(directory, callTimeoutMillis, maxConcurrentCalls, lifecycleTimeoutSeconds, installed, null, null, null);
  }

  static PluginsConfig defaults() {
    return new PluginsConfig(null, null, null, null, null);
  }

  public PluginsConfig withDirectory(String directory) {
    return new PluginsConfig(directory, callTimeoutMillis, maxConcurrentCalls, lifecycleTimeoutSeconds, installed,
        maxQueuedCalls, maxQueuedCallsPerTenant, maxQueueWaitMillis);
  }

  public PluginsConfig withQueue(int maxQueuedCalls, int maxQueuedCallsPerTenant, int maxQueueWaitMillis) {
    return new PluginsConfig(directory, callTimeoutMillis, maxConcurrentCalls, lifecycleTimeoutSeconds, installed,
        maxQueuedCalls, maxQueuedCallsPerTenant, maxQueueWaitMillis);
  }

  public InstalledPluginConfig installed(String pluginId) {
    return installed.getOrDefault(pluginId, InstalledPluginConfig.DEFAULT);
  }
}
