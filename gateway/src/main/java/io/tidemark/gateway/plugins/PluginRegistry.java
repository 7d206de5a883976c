package io.tidemark.gateway.plugins;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The started plugins as the request path sees them: an immutable map replaced whole after every
 * lifecycle change, so a request reads it without a lock and never touches PF4J, whose manager
 * is not thread-safe.
 */
final class PluginRegistry {

  private final AtomicReference<Map<String, StartedPlugin>> started = new AtomicReference<>(Map.of());

  /** The started plugin with this id, if it is started. */
  Optional<StartedPlugin> started(String pluginId) {
    return Optional.ofNullable(started.get().get(pluginId));
  }

  boolean isStarted(String pluginId) {
    return started.get().containsKey(pluginId);
  }

  /** The started plugin that provides the processor with this id (the first, by plugin id, if several do). */
  Optional<StartedPlugin> processorOwner(String processorId) {
    return started.get().values().stream()
        .filter(p -> p.processors().containsKey(processorId))
        .min(Comparator.comparing(StartedPlugin::id));
  }

  /** The started plugin that handles scheduled events of this id (the first, by plugin id, if several do). */
  Optional<StartedPlugin> handlerOwner(String customEventId) {
    return started.get().values().stream()
        .filter(p -> p.handlers().containsKey(customEventId))
        .min(Comparator.comparing(StartedPlugin::id));
  }

  /** Replaces every entry; {@code plugins} must not change afterwards. */
  void replace(Map<String, StartedPlugin> plugins) {
    started.set(plugins);
  }

  /**
   * Takes one plugin out ahead of PF4J stopping it, so new calls are refused while it stops.
   * Only the lifecycle thread writes, so read-copy-set needs no compare-and-swap loop.
   */
  void remove(String pluginId) {
    Map<String, StartedPlugin> copy = new HashMap<>(started.get());
    copy.remove(pluginId);
    started.set(Map.copyOf(copy));
  }

  void clear() {
    started.set(Map.of());
  }
}
