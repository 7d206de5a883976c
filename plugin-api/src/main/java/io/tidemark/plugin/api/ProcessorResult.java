package io.tidemark.plugin.api;

/**
 * A processor's verdict. A rejection's status and message go to the processing log, for
 * example {@code NO_CUSTOMER_DETAILS_PASSED} / {@code Customer details not passed}.
 */
public record ProcessorResult(boolean accepted, String status, String message) {

  private static final ProcessorResult ACCEPT = new ProcessorResult(true, null, null);

  public static ProcessorResult accept() {
    return ACCEPT;
  }

  public static ProcessorResult reject(String status, String message) {
    if (status == null || status.isBlank() || message == null) {
      throw new IllegalArgumentException("a rejection needs a status and a message");
    }
    return new ProcessorResult(false, status, message);
  }
}
