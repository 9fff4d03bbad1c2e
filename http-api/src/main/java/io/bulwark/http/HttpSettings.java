package io.bulwark.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The HTTP surface's settings, from {@code bulwark.http}. */
public record HttpSettings(
    String host,
    int port,
    Duration askTimeout,
    Duration requestDeadline,
    Duration transferWait,
    long maxBodyBytes,
    Duration keyRefreshAfter,
    Duration keyExpireAfter,
    BatchTransfers.BatchSettings batch,
    int tenantLabels,
    java.util.Set<String> corsOrigins) {

  public static HttpSettings fromConfig(Config config) {
    Config c = config.getConfig("bulwark.http");
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getDuration("ask-timeout"),
        c.getDuration("request-deadline"),
        c.getDuration("transfer-wait"),
        c.getBytes("max-body-size"),
        c.getDuration("key-cache.refresh-after"),
        c.getDuration("key-cache.expire-after"),
        BatchTransfers.BatchSettings.fromConfig(config),
        positive(config, "bulwark.telemetry.tenant-labels"),
        corsOrigins(c));
  }

  private static java.util.Set<String> corsOrigins(Config c) {
    try {
      return EdgeHeaders.parseOrigins(c.getString("cors.allowed-origins"));
    } catch (IllegalArgumentException e) {
      throw new com.typesafe.config.ConfigException.BadValue(
          "bulwark.http.cors.allowed-origins (BULWARK_CORS_ALLOWED_ORIGINS)", e.getMessage());
    }
  }

  private static int positive(Config config, String path) {
    int value = config.getInt(path);
    if (value < 1) {
      throw new com.typesafe.config.ConfigException.BadValue(path, "must be at least 1");
    }
    return value;
  }
}
