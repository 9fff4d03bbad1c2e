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
    BatchTransfers.BatchSettings batch) {

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
        BatchTransfers.BatchSettings.fromConfig(config));
  }
}
