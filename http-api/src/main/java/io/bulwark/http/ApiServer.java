package io.bulwark.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/** Binds the API and unbinds it, letting in-flight requests finish, on coordinated shutdown. */
public final class ApiServer {
  private ApiServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, Route route, String host, int port) {
    return Http.get(system)
        .newServerAt(host, port)
        .bind(route)
        .thenApply(
            binding -> {
              system.log().info("Bulwark API listening on http://{}:{}", host, port);
              CoordinatedShutdown.get(system)
                  .addTask(
                      CoordinatedShutdown.PhaseServiceUnbind(),
                      "http-api-unbind",
                      () -> binding.unbind().thenApply(done -> Done.getInstance()));
              CoordinatedShutdown.get(system)
                  .addTask(
                      CoordinatedShutdown.PhaseServiceRequestsDone(),
                      "http-api-drain",
                      () ->
                          binding
                              .terminate(Duration.ofSeconds(10))
                              .thenApply(terminated -> Done.getInstance()));
              return binding;
            });
  }
}
