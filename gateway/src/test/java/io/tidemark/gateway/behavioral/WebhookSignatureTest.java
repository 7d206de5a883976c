package io.tidemark.gateway.behavioral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The Standard Webhooks rules, without HTTP: key, signed content, signature list, tolerance. */
class WebhookSignatureTest {

  private static final String SECRET = WebhookIngestionTest.SECRET;
  private static final byte[] BODY = "{\"event_name\":\"Points_Awarded\",\"customer\":\"1\"}".getBytes(StandardCharsets.UTF_8);
  private static final String ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  private static final long NOW = 1_700_000_000L;
  private static final Instant AT = Instant.ofEpochSecond(NOW);

  @Test
  void the_key_is_the_decoded_part_of_the_secret_and_only_id_timestamp_and_body_are_signed() throws Exception {
    // Computed independently: HMAC-SHA256 keyed with the 32 decoded bytes, over "id.timestamp.body".
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("tidemark demo webhook secret 32B".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
    byte[] expected = mac.doFinal((ID + "." + NOW + "." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));

    assertArrayEquals(expected, WebhookSignature.sign(SECRET, ID, NOW, BODY));
    assertEquals("v1," + Base64.getEncoder().encodeToString(expected), WebhookSignature.header(SECRET, ID, NOW, BODY));
    assertTrue(valid(WebhookSignature.header(SECRET, ID, NOW, BODY), NOW));
  }

  @Test
  void a_signature_keyed_with_the_secrets_text_is_refused() throws Exception {
    // What the gateway used to do, and what no Standard Webhooks library does.
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] utf8Keyed = mac.doFinal((ID + "." + NOW + ".").getBytes(StandardCharsets.UTF_8));
    assertFalse(valid("v1," + Base64.getEncoder().encodeToString(utf8Keyed), NOW));
  }

  @Test
  void one_valid_signature_among_invalid_ones_is_accepted_wherever_it_stands() {
    String good = WebhookSignature.header(SECRET, ID, NOW, BODY);
    String wrongKey = WebhookSignature.header(WebhookIngestionTest.WRONG_SECRET, ID, NOW, BODY);
    assertTrue(valid(wrongKey + " " + good, NOW));
    assertTrue(valid(good + " " + wrongKey, NOW));
    assertTrue(valid("v1,AAAA v1,not-base64!! " + wrongKey + "  " + good + " ", NOW));
    assertFalse(valid(wrongKey + " v1,AAAA", NOW));
    assertFalse(valid("", NOW));
  }

  @Test
  void signatures_of_other_versions_are_ignored() {
    String digest = WebhookSignature.header(SECRET, ID, NOW, BODY).substring("v1,".length());
    // The right digest under another version (or none) does not count: only v1 is HMAC-SHA256.
    assertFalse(valid("v2," + digest, NOW));
    assertFalse(valid("v1a," + digest, NOW));
    assertFalse(valid(digest, NOW));
    assertTrue(valid("v2," + digest + " v1," + digest, NOW));
  }

  @Test
  void signatures_sent_in_several_headers_are_all_read() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("webhook-id", ID).add("webhook-timestamp", Long.toString(NOW))
        .add("webhook-signature", WebhookSignature.header(WebhookIngestionTest.WRONG_SECRET, ID, NOW, BODY))
        .add("webhook-signature", WebhookSignature.header(SECRET, ID, NOW, BODY));
    assertTrue(WebhookSignature.valid(SECRET, WebhookSignature.of(headers), BODY, AT));
  }

  @Test
  void the_timestamp_may_be_five_minutes_old_or_ahead_and_no_more() {
    for (long sent : new long[] {NOW - 300, NOW + 300, NOW}) {
      assertTrue(valid(WebhookSignature.header(SECRET, ID, sent, BODY), sent, NOW), "sent at " + sent);
    }
    for (long sent : new long[] {NOW - 301, NOW + 301, 0, Long.MAX_VALUE, Long.MIN_VALUE}) {
      assertFalse(valid(WebhookSignature.header(SECRET, ID, sent, BODY), sent, NOW), "sent at " + sent);
    }
  }

  @Test
  void a_changed_id_timestamp_or_body_or_a_missing_header_is_refused() {
    String good = WebhookSignature.header(SECRET, ID, NOW, BODY);
    assertFalse(WebhookSignature.valid(SECRET, new WebhookProof.Signature("msg_other", Long.toString(NOW), good), BODY, AT));
    assertFalse(WebhookSignature.valid(SECRET, new WebhookProof.Signature(ID, Long.toString(NOW + 1), good), BODY, AT));
    assertFalse(WebhookSignature.valid(SECRET, new WebhookProof.Signature(ID, Long.toString(NOW), good),
        "{\"event_name\":\"Points_Awarded\",\"customer\":\"2\"}".getBytes(StandardCharsets.UTF_8), AT));
    assertFalse(WebhookSignature.valid(SECRET, new WebhookProof.Signature(null, Long.toString(NOW), good), BODY, AT));
    assertFalse(WebhookSignature.valid(SECRET, new WebhookProof.Signature(ID, null, good), BODY, AT));
    assertFalse(WebhookSignature.valid(SECRET, new WebhookProof.Signature(ID, "soon", good), BODY, AT));
  }

  @Test
  void a_secret_without_the_whsec_prefix_signs_nothing_and_verifies_nothing() {
    // Start-up refuses such secrets (ConfigLoaderTest); a config built in code must not key with them either.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WebhookSignature.sign("whsec-demo", ID, NOW, BODY));
    assertTrue(e.getMessage().startsWith("must be a Standard Webhooks secret 'whsec_<base64>'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WebhookSignature.sign("whsec_***", ID, NOW, BODY));
    String signedWithTheText = WebhookSignature.header("whsec_" + Base64.getEncoder().encodeToString(
        "whsec-demo".getBytes(StandardCharsets.UTF_8)), ID, NOW, BODY);
    assertFalse(WebhookSignature.valid("whsec-demo", new WebhookProof.Signature(ID, Long.toString(NOW), signedWithTheText), BODY, AT));
  }

  private static boolean valid(String signatures, long now) {
    return valid(signatures, NOW, now);
  }

  private static boolean valid(String signatures, long sent, long now) {
    return WebhookSignature.valid(SECRET, new WebhookProof.Signature(ID, Long.toString(sent), signatures), BODY,
        Instant.ofEpochSecond(now));
  }
}
