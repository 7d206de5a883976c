package io.tidemark.gateway.plugins;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Describes plugins for the admin API: PF4J's state joined with what the request path serves and
 * each plugin's call counters. Reads PF4J's manager, so like {@link PluginLifecycle} it must run
 * inside {@link LifecycleRunner#run}.
 */
final class PluginViews {

  private final TidemarkPluginManager manager;
  private final PluginRegistry registry;
  private final PluginPools pools;

  PluginViews(TidemarkPluginManager manager, PluginRegistry registry, PluginPools pools) {
    this.manager = manager;
    this.registry = registry;
    this.pools = pools;
  }

  /** Every loaded plugin, by id. */
  List<PluginView> all() {
    return manager.getPlugins().stream().map(this::view).sorted(Comparator.comparing(PluginView::id)).toList();
  }

  /** The loaded plugin with this id. */
  PluginView of(String id) {
    return view(manager.getPlugin(id));
  }

  private PluginView view(PluginWrapper wrapper) {
    String id = wrapper.getPluginId();
    StartedPlugin running = registry.started(id).orElse(null);
    // A started plugin lists what it serves by name; another, the extension classes PF4J found.
    List<String> operations = running == null
        ? manager.getExtensionClassNames(id).stream().sorted().toList()
        : Stream.of(running.operations(), running.processors(), running.handlers())
            .flatMap(m -> m.keySet().stream()).sorted().toList();
    return new PluginView(
        id,
        wrapper.getDescriptor().getVersion(),
        wrapper.getPluginState().toString(),
        wrapper.getDescriptor().getRequires(),
        wrapper.getPluginPath().getFileName().toString(),
        running != null,
        operations,
        wrapper.getPluginState() == PluginState.STARTED ? null : PluginProblems.describe(manager, wrapper),
        pools.inFlight(id),
        pools.queued(id),
        pools.droppedEvents(id));
  }
}
