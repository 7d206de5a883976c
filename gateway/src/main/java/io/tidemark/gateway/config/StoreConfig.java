package io.tidemark.gateway.config;

/**
 * The event store's group commit.
 *
 * @param maxBatchEvents most events one commit carries; a single larger append still commits alone
 * @param lingerMillis how long the first append of a batch waits for company before the commit
 */
public record StoreConfig(Integer maxBatchEvents, Integer lingerMillis) {

  public StoreConfig {
    maxBatchEvents = maxBatchEvents == null ? 1000 : maxBatchEvents;
    lingerMillis = lingerMillis == null ? 1 : lingerMillis;
  }

  static StoreConfig defaults() {
    return new StoreConfig(null, null);
  }
}
