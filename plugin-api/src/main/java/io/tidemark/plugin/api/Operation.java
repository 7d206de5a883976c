package io.tidemark.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * An operation a plugin provides behind a route of the gateway's config. Mark the class with
 * PF4J's {@code @Extension}; config refers to it as {@code pluginId:name}.
 *
 * <p>The gateway calls {@link #execute} on a thread of the plugin's own pool, never on an
 * event loop, with the plugin's class loader as the thread's context class loader. Blocking is
 * fine. The call has a time limit (per route); when it is exceeded the client gets 504 and the
 * thread is interrupted, so honour {@link InterruptedException}.
 *
 * <p>Before this method runs, the gateway has already authenticated the caller and checked the
 * route's permission and tenant.
 *
 * <p>Events emitted through {@link OperationContext#events()} are appended to the tenant's
 * stream when the call ends, however it ends: with a result, an {@link OperationException},
 * any other exception, or a timeout. The response is sent only after they are committed.
 */
public interface Operation extends ExtensionPoint {

  /** The name config uses after the plugin id, as in {@code policy-lifecycle:issue-policy}. */
  String name();

  /**
   * Does the work and says what to answer.
   *
   * @throws OperationException to answer an error status with a stable code and message
   * @throws Exception anything else answers 500; its message is logged, never shown to the client
   */
  OperationResult execute(OperationContext context) throws Exception;
}
