package io.tidemark.gateway.behavioral;

/**
 * What an ingestion attempt came to, once committed: the HTTP status to answer, and the log
 * entry that records it (its status and message say why).
 */
record IngestOutcome(int httpStatus, LogEntry entry) {

  boolean unauthorized() {
    return httpStatus == 401;
  }
}
