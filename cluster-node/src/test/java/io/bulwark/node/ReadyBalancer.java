package io.bulwark.node;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A load balancer in front of node processes, as a Kubernetes Service is: it probes each node's
 * /ready once a second and sends to the nodes whose last probe said ready, in turn. A node can be
 * replaced (restarted) while it runs.
 */
final class ReadyBalancer implements AutoCloseable {
  private final AtomicReferenceArray<NodeProcess> nodes;
  private final boolean[] ready;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger turn = new AtomicInteger();
  private final Thread prober;

  ReadyBalancer(List<NodeProcess> initial) {
    nodes = new AtomicReferenceArray<>(initial.toArray(NodeProcess[]::new));
    ready = new boolean[initial.size()];
    probe();
    prober = new Thread(this::probeEverySecond, "ready-balancer");
    prober.setDaemon(true);
    prober.start();
  }

  void replace(int index, NodeProcess node) {
    nodes.set(index, node);
  }

  /** The base URL of a ready node; the first node's when none is ready (the request then fails). */
  String pick() {
    synchronized (ready) {
      for (int tries = 0; tries < ready.length; tries++) {
        int i = Math.floorMod(turn.getAndIncrement(), ready.length);
        if (ready[i]) {
          return nodes.get(i).baseUrl();
        }
      }
    }
    return nodes.get(0).baseUrl();
  }

  private void probeEverySecond() {
    while (running.get()) {
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        return;
      }
      probe();
    }
  }

  private void probe() {
    for (int i = 0; i < ready.length; i++) {
      boolean up = NodeProcess.status(nodes.get(i).managementUrl() + "/ready") == 200;
      synchronized (ready) {
        ready[i] = up;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    prober.interrupt();
    prober.join();
  }
}
