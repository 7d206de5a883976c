package io.tidemark.gateway.plugins;

import java.util.List;

/**
 * A plugin as {@code GET /admin/plugins} shows it.
 *
 * @param serving whether its operations receive calls now
 * @param problem why it is not started, or {@code null}
 * @param inFlight calls running on its threads now, including abandoned (timed-out) ones
 * @param queued calls waiting for one of its threads now
 * @param droppedEvents events it emitted after its calls had ended (after a timeout), since start-up
 */
public record PluginView(String id, String version, String state, String requires, String file, boolean serving,
    List<String> operations, String problem, int inFlight, int queued, long droppedEvents) {}
