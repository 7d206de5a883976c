package io.tidemark.plugin.api;

/** An event the emitter refused; the message says why. Left uncaught, it fails the operation with 500. */
public class InvalidEventException extends RuntimeException {
  public InvalidEventException(String message) {
    super(message);
  }
}
