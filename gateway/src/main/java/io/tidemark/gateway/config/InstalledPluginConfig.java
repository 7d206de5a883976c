package io.tidemark.gateway.config;

import java.util.Map;

/**
 * One plugin's settings.
 *
 * @param required start-up fails when this plugin cannot be loaded and started
 * @param config handed to the plugin as {@code OperationContext.pluginConfig()}
 */
public record InstalledPluginConfig(Boolean required, Map<String, Object> config) {

  static final InstalledPluginConfig DEFAULT = new InstalledPluginConfig(false, Map.of());

  public InstalledPluginConfig {
    required = required != null && required;
    config = config == null ? Map.of() : config;
  }
}
