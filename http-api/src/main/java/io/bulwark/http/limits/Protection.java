package io.bulwark.http.limits;

import com.typesafe.config.Config;
import io.bulwark.readmodel.DatabaseHealth;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A node's traffic protection: its rate limits, its admission control, and the database breaker
 * that refuses writes and lists while the database is down.
 */
public record Protection(
    LimitSettings settings,
    RateLimiter limiter,
    Admission admission,
    ClientAddress addresses,
    DatabaseHealth database) {

  /** How often a node re-counts the API nodes that share each tenant's limit. */
  private static final Duration SHARE_REFRESH = Duration.ofMillis(500);

  /** For a node in a cluster: tenant limits are shared among the API nodes now serving. */
  public static Protection forNode(ActorSystem<?> system, DatabaseHealth database) {
    return of(system.settings().config(), ClusterShare.of(system, SHARE_REFRESH), database);
  }

  /**
   * @param nodes how many nodes share each tenant's limit
   * @param database whether writes and lists can be served now
   */
  public static Protection of(Config config, IntSupplier nodes, DatabaseHealth database) {
    var settings = LimitSettings.fromConfig(config);
    var admission = new Admission(AdmissionSettings.fromConfig(config), System::nanoTime);
    return new Protection(
        settings,
        RateLimiter.create(settings, nodes),
        admission,
        new ClientAddress(settings.trustedProxies()),
        database);
  }
}
