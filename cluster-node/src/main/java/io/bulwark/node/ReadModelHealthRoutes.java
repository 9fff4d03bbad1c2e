package io.bulwark.node;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.bulwark.deadletters.ProjectionDeadLetters;
import io.bulwark.http.Json;
import io.bulwark.projections.SharedPool;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /health/read-models} on the management port: which tenants' read models are degraded
 * because a projection parked some of their events (ADR 0025). The node stays ready (it serves, and
 * other tenants are not held up), so this is a detail beside {@code /ready}, not part of it: the
 * same counts the gauge {@code bulwark_projection_dead_letters} shows, never the events or errors,
 * which only the platform key reads over the API.
 */
public final class ReadModelHealthRoutes extends AllDirectives implements ManagementRouteProvider {
  private final ProjectionDeadLetters deadLetters;

  public ReadModelHealthRoutes(ExtendedActorSystem system) {
    var typed = Adapter.toTyped(system);
    this.deadLetters = NodeDeadLetters.of(typed, SharedPool.dataSource(typed));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(
        segment("health").slash("read-models"),
        () ->
            get(
                () ->
                    onSuccess(
                        deadLetters.counts(),
                        counts -> {
                          Map<String, Object> body = new LinkedHashMap<>();
                          body.put("degraded", !counts.isEmpty());
                          body.put("parkedEvents", counts);
                          return complete(
                              HttpResponse.create()
                                  .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(body)));
                        })));
  }
}
