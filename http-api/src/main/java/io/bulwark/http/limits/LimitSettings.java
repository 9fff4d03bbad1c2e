package io.bulwark.http.limits;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.bulwark.domain.tenant.TenantLimits;
import java.util.List;

/**
 * The rate limits of {@code bulwark.limits}. Each value is checked when the node starts: a limit
 * that is missing, not a number or out of range stops it with the name of the setting.
 */
public record LimitSettings(
    Quota perIp,
    Quota authFailures,
    TenantLimits tenantDefaults,
    List<String> trustedProxies,
    long maxTrackedIps) {

  public static final String PATH = "bulwark.limits";

  public static LimitSettings fromConfig(Config config) {
    Config c = config.getConfig(PATH);
    var ip = new Quota("ip", positive(c, "ip.requests-per-second"), positive(c, "ip.burst"));
    var auth =
        new Quota(
            "auth-failures",
            positive(c, "auth-failures.per-minute") / 60.0,
            positive(c, "auth-failures.burst"));
    var tenant =
        new TenantLimits(
            positive(c, "tenant.writes-per-second"),
            positive(c, "tenant.write-burst"),
            positive(c, "tenant.reads-per-second"),
            positive(c, "tenant.read-burst"));
    List<String> proxies = c.getStringList("trusted-proxies");
    try {
      ClientAddress.parseTrusted(proxies);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), PATH + ".trusted-proxies", e.getMessage(), e);
    }
    return new LimitSettings(ip, auth, tenant, proxies, positive(c, "max-tracked-ips"));
  }

  private static int positive(Config c, String path) {
    int value;
    try {
      value = c.getInt(path);
    } catch (ConfigException.WrongType | ConfigException.Missing e) {
      throw new ConfigException.BadValue(
          c.origin(), PATH + "." + path, "must be a whole number from 1 to " + TenantLimits.MAX, e);
    }
    if (value < 1 || value > TenantLimits.MAX) {
      throw new ConfigException.BadValue(
          c.origin(),
          PATH + "." + path,
          "must be from 1 to " + TenantLimits.MAX + ", not " + value);
    }
    return value;
  }
}
