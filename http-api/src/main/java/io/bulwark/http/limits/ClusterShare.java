package io.bulwark.http.limits;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * How many nodes now serve the API, so each can enforce its share of a tenant's cluster-wide limit:
 * members with the cluster role {@value #API_ROLE} that are Up (or WeaklyUp) and reachable from
 * here, read every {@code every}. A crashed node's share moves to the others as soon as it is
 * unreachable. Entities and projections nodes (phase 2) take no share: they serve no requests. A
 * cluster whose members carry no api role at all (a bare test system) counts every member.
 */
public final class ClusterShare implements IntSupplier {
  private static final Set<MemberStatus> SERVING =
      Set.of(MemberStatus.up(), MemberStatus.weaklyUp());

  /** The node role of API nodes (BULWARK_ROLES). */
  public static final String API_ROLE = "api";

  private final AtomicInteger nodes = new AtomicInteger(1);

  private ClusterShare() {}

  public static ClusterShare of(ActorSystem<?> system, Duration every) {
    var share = new ClusterShare();
    var cluster = Cluster.get(system);
    system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ZERO,
            every,
            () -> share.nodes.set(Math.max(1, serving(cluster))),
            system.executionContext());
    return share;
  }

  static int serving(Cluster cluster) {
    var state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    int all = 0;
    int api = 0;
    for (Member member : state.getMembers()) {
      if (SERVING.contains(member.status()) && !unreachable.contains(member)) {
        all++;
        if (member.hasRole(API_ROLE)) {
          api++;
        }
      }
    }
    return api > 0 ? api : all;
  }

  @Override
  public int getAsInt() {
    return nodes.get();
  }
}
