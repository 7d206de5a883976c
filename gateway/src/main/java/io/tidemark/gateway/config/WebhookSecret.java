package io.tidemark.gateway.config;

import java.util.Base64;

/**
 * A webhook secret in the Standard Webhooks format {@code whsec_<base64>}: the HMAC key is the
 * base64-decoded part, exactly as the reference {@code standardwebhooks} libraries read it. A
 * secret without the prefix is refused rather than read some other way: the reference libraries
 * would key it differently (or refuse it), so a sender and the gateway would silently disagree.
 */
public final class WebhookSecret {

  public static final String PREFIX = "whsec_";

  private WebhookSecret() {}

  /** The HMAC key of {@code secret}; throws {@link IllegalArgumentException} saying what is wrong with it. */
  public static byte[] key(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new IllegalArgumentException("must be a Standard Webhooks secret 'whsec_<base64>', such as the output of"
          + " echo \"whsec_$(openssl rand -base64 32)\"");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the part after 'whsec_' must be standard base64 (A-Z a-z 0-9 + / =)");
    }
    if (key.length == 0) {
      throw new IllegalArgumentException("the part after 'whsec_' must decode to at least one byte");
    }
    return key;
  }
}
