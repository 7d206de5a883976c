package io.tidemark.gateway.config;

import java.util.Map;

/**
 * The plugin runtime.
 *
 * @param directory where plugin jars and zips are loaded from, relative to the config file
 * @param callTimeoutMillis default time limit of an operation call (a route may set its own)
 * @param maxConcurrentCalls calls one plugin may run at once; more get 503
 * @param lifecycleTimeoutSeconds time limit for starting or stopping a plugin
 * @param installed per plugin id: whether start-up needs it, and its own config section
 */
public record PluginsConfig(
    String directory,
    Integer callTimeoutMillis,
    Integer maxConcurrentCalls,
    Integer lifecycleTimeoutSeconds,
    Map<String, InstalledPluginConfig> installed) {

  public PluginsConfig {
    directory = directory == null ? "plugins" : directory;
    callTimeoutMillis = callTimeoutMillis == null ? 10_000 : callTimeoutMillis;
    maxConcurrentCalls = maxConcurrentCalls == null ? 16 : maxConcurrentCalls;
    lifecycleTimeoutSeconds = lifecycleTimeoutSeconds == null ? 10 : lifecycleTimeoutSeconds;
    installed = installed == null ? Map.of() : Map.copyOf(installed);
  }

  static PluginsConfig defaults() {
    return new PluginsConfig(null, null, null, null, null);
  }

  public PluginsConfig withDirectory(String directory) {
    return new PluginsConfig(directory, callTimeoutMillis, maxConcurrentCalls, lifecycleTimeoutSeconds, installed);
  }

  public InstalledPluginConfig installed(String pluginId) {
    return installed.getOrDefault(pluginId, InstalledPluginConfig.DEFAULT);
  }
}
