package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.config.WebhookSecret;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature, the one place Tidemark computes it:
 * {@code webhook-signature: v1,<base64 HMAC-SHA256>} over the bytes
 * {@code {webhook-id}.{webhook-timestamp}.{raw body}} and nothing else, keyed with the
 * base64-decoded part of the webhook's {@code whsec_<base64>} secret ({@link WebhookSecret}),
 * with a timestamp at most five minutes old or ahead. Several space-separated signatures may be
 * sent (key rotation), in one header or several; every {@code v1,} value is tried, other versions
 * are ignored, and one match suffices.
 */
public final class WebhookSignature {

  static final String ID = "webhook-id";
  static final String TIMESTAMP = "webhook-timestamp";
  static final String SIGNATURE = "webhook-signature";
  static final long TOLERANCE_SECONDS = 5 * 60;
  private static final String VERSION = "v1,";

  private WebhookSignature() {}

  static boolean present(MultiMap headers) {
    return headers.contains(SIGNATURE);
  }

  /** The signature headers of a request that sends one; repeated signature headers are read as one list. */
  static WebhookProof.Signature of(MultiMap headers) {
    return new WebhookProof.Signature(headers.get(ID), headers.get(TIMESTAMP), String.join(" ", headers.getAll(SIGNATURE)));
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
    // Written as two comparisons so that no timestamp, however far off, can overflow the check.
    long nowSeconds = now.getEpochSecond();
    if (seconds < nowSeconds - TOLERANCE_SECONDS || seconds > nowSeconds + TOLERANCE_SECONDS) {
      return false;
    }
    byte[] key;
    try {
      key = WebhookSecret.key(secret);
    } catch (IllegalArgumentException e) {
      // Start-up refuses such a secret (ConfigValidator); only a config built in code gets here.
      return false;
    }
    byte[] expected = hmac(key, id, seconds, body);
    boolean matched = false;
    for (String candidate : signatures.trim().split(" +")) {
      if (!candidate.startsWith(VERSION)) {
        continue; // another scheme (v1a, v2, ...): not ours to judge
      }
      byte[] given;
      try {
        given = Base64.getDecoder().decode(candidate.substring(VERSION.length()));
      } catch (IllegalArgumentException e) {
        continue;
      }
      // Constant time, and no early exit: how many candidates were tried says nothing either.
      matched |= MessageDigest.isEqual(expected, given);
    }
    return matched;
  }

  /** The raw HMAC of a message; {@code secret} is a {@code whsec_<base64>} secret. */
  static byte[] sign(String secret, String id, long timestampSeconds, byte[] body) {
    return hmac(WebhookSecret.key(secret), id, timestampSeconds, body);
  }

  /** The {@code webhook-signature} header value a sender with {@code secret} would send. */
  public static String header(String secret, String id, long timestampSeconds, byte[] body) {
    return VERSION + Base64.getEncoder().encodeToString(sign(secret, id, timestampSeconds, body));
  }

  private static byte[] hmac(byte[] key, String id, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      mac.update(body == null ? new byte[0] : body);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
