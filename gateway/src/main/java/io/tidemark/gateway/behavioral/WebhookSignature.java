package io.tidemark.gateway.behavioral;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: {@code webhook-signature: v1,<base64 HMAC-SHA256>} over
 * {@code {webhook-id}.{webhook-timestamp}.{raw body}}, keyed with the UTF-8 bytes of the
 * webhook's secret, with a timestamp within five minutes of now. Several space-separated
 * signatures may be sent (key rotation); one match suffices.
 */
final class WebhookSignature {

  static final String ID = "webhook-id";
  static final String TIMESTAMP = "webhook-timestamp";
  static final String SIGNATURE = "webhook-signature";
  private static final long TOLERANCE_SECONDS = 5 * 60;

  private WebhookSignature() {}

  static boolean present(MultiMap headers) {
    return headers.contains(SIGNATURE);
  }

  /** The signature headers of a request that sends one. */
  static WebhookProof.Signature of(MultiMap headers) {
    return new WebhookProof.Signature(headers.get(ID), headers.get(TIMESTAMP), headers.get(SIGNATURE));
  }

  static boolean valid(String secret, WebhookProof.Signature sent, byte[] body, Instant now) {
    String id = sent.id();
    String timestamp = sent.timestamp();
    String signatures = sent.signatures();
    if (id == null || timestamp == null || signatures == null) {
      return false;
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - seconds) > TOLERANCE_SECONDS) {
      return false;
    }
    byte[] expected = sign(secret, id, seconds, body);
    for (String candidate : signatures.trim().split(" +")) {
      if (candidate.startsWith("v1,")) {
        byte[] given;
        try {
          given = Base64.getDecoder().decode(candidate.substring(3));
        } catch (IllegalArgumentException e) {
          continue;
        }
        if (MessageDigest.isEqual(expected, given)) {
          return true;
        }
      }
    }
    return false;
  }

  static byte[] sign(String secret, String id, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      mac.update(body == null ? new byte[0] : body);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
