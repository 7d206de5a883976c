package io.tidemark.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * A processor that behavioral event definitions name in their {@code actions}. When an event is
 * ingested through a webhook and its fields are valid, the gateway runs the definition's
 * processors in order, on the plugin's threads with a time limit, like operations.
 *
 * <p>Every processor runs, so that the log can name every problem: the entry's status is the
 * first rejection's, and its message joins all rejection messages. A processor that throws
 * stops processing with status {@code EMF_PROCESSOR_FAILED}. Events emitted through the context
 * are appended whatever the outcome.
 */
public interface BehavioralEventProcessor extends ExtensionPoint {

  /** The id definitions use in {@code actions}, such as {@code customer-identification}. */
  String id();

  /** Accepts or rejects the event. */
  ProcessorResult process(BehavioralEvent event, ProcessorContext context) throws Exception;
}
