package io.tidemark.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class FailureKeyTest {

  @Test
  void a_plain_error_body_is_named_by_its_code() {
    assertEquals("503 PLUGIN_BUSY", FailureKey.of(503, "{\"message\":\"Plugin busy\",\"code\":\"PLUGIN_BUSY\"}"));
  }

  @Test
  void a_v2_answer_with_a_log_entry_is_named_by_its_status() {
    assertEquals("422 EMF_PROCESSOR_FAILED", FailureKey.of(422,
        "{\"data\":{\"status\":\"EMF_PROCESSOR_FAILED\"},\"warnings\":[],\"errors\":[{\"code\":422,\"message\":\"Error\"}]}"));
  }

  @Test
  void a_v2_error_without_a_log_entry_is_named_by_its_message_cut_short() {
    assertEquals("401 Unauthorized", FailureKey.of(401,
        "{\"data\":null,\"warnings\":[],\"errors\":[{\"code\":401,\"message\":\"Unauthorized\"}]}"));
    assertEquals("429 " + "x".repeat(48) + "…", FailureKey.of(429,
        "{\"data\":null,\"errors\":[{\"code\":429,\"message\":\"" + "x".repeat(60) + "\"}]}"));
  }

  @Test
  void a_body_that_is_not_a_json_object_leaves_the_status_alone() {
    assertEquals("502", FailureKey.of(502, "<html>Bad Gateway</html>"));
    assertEquals("500", FailureKey.of(500, "[1]"));
    assertEquals("500", FailureKey.of(500, ""));
  }

  @Test
  void a_transport_error_is_named_by_its_exception() {
    assertEquals("ERR ConnectException", FailureKey.of(new ConnectException("refused")));
  }
}
