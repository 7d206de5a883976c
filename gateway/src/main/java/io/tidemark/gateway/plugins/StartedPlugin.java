package io.tidemark.gateway.plugins;

import io.tidemark.plugin.api.BehavioralEventProcessor;
import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.ScheduledEventHandler;
import java.util.Map;

/** A started plugin as the request path sees it: immutable, replaced whole on lifecycle changes. */
public record StartedPlugin(String id, ClassLoader classLoader, Map<String, Operation> operations,
    Map<String, BehavioralEventProcessor> processors, Map<String, ScheduledEventHandler> handlers,
    Map<String, Object> config) {}
