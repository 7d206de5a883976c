package io.tidemark.gateway.plugins;

import io.tidemark.gateway.store.StoreWrite;
import io.tidemark.plugin.api.EventScheduler;
import java.util.List;
import java.util.UUID;

/**
 * The scheduler one call (an operation, or a scheduled firing's handler) hands its plugin. It
 * only records what the plugin asks for; the gateway writes that with the call's outcome, in the
 * call's append transaction, and only when the call succeeded. Nothing is written before.
 */
public interface CallScheduling extends EventScheduler {

  /** Ends the call's requests (later ones fail); the writes that commit them, empty if none. */
  List<StoreWrite> seal();

  /** Tells the scheduler that the writes of {@link #seal()} have committed. */
  void committed();

  /** Makes the scheduler of one call. */
  @FunctionalInterface
  interface Factory {

    /**
     * @param user the calling user: the schedules keep it, and their firings' events belong to it
     * @param transactionLocator the call's request id, its schedules' transaction
     */
    CallScheduling forCall(UUID tenant, UUID user, String transactionLocator);
  }
}
