package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.http.ApiException;

/** The documented error codes of the definitions API (docs/behavioral-events.md). */
enum DefinitionError {
  INVALID_EVENT_NAME(1001, 400),
  EVENT_NAME_EXISTS(1002, 409),
  INVALID_FIELD_TYPE(1003, 400),
  INVALID_FIELD_ATTRIBUTE(1004, 400),
  INVALID_FIELD_NAME(1005, 400),
  UNKNOWN_ACTION(1006, 400),
  INVALID_DEFINITION(1007, 400),
  EVENT_NAME_MISMATCH(1008, 400),
  EVENT_NOT_FOUND(1009, 404);

  final int code;
  final int status;

  DefinitionError(int code, int status) {
    this.code = code;
    this.status = status;
  }

  ApiException with(String message) {
    return new ApiException(status, code, name(), message);
  }
}
