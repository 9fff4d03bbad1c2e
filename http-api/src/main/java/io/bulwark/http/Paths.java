package io.bulwark.http;

import java.nio.charset.StandardCharsets;

/** Builds Location paths; ids with reserved characters are percent-encoded per RFC 3986. */
final class Paths {
  private Paths() {}

  static String tenant(String tenantId) {
    return "/v1/tenants/" + tenantId;
  }

  static String account(String tenantId, String accountId) {
    return tenant(tenantId) + "/accounts/" + accountId;
  }

  static String apiKey(String tenantId, String keyId) {
    return tenant(tenantId) + "/api-keys/" + keyId;
  }

  static String transfer(String tenantId, String transferId) {
    return tenant(tenantId) + "/transfers/" + encodeSegment(transferId);
  }

  static String webhook(String tenantId, String endpointId) {
    return tenant(tenantId) + "/webhooks/" + endpointId;
  }

  static String recovery(String tenantId, String endpointId, String recoveryId) {
    return webhook(tenantId, endpointId) + "/recoveries/" + recoveryId;
  }

  static String encodeSegment(String segment) {
    var out = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xFF));
      }
    }
    return out.toString();
  }
}
