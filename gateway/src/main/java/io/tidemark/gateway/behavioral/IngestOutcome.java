package io.tidemark.gateway.behavioral;

/**
 * What an ingestion attempt came to, once committed: the HTTP status to answer, and the log
 * entry that records it (its status and message say why); no entry for an unauthorised attempt
 * beyond {@link UnauthorizedLogLimit}, which is answered 401 but not logged.
 */
record IngestOutcome(int httpStatus, LogEntry entry) {

  boolean unauthorized() {
    return httpStatus == 401;
  }
}
