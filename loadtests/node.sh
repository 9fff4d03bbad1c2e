# Sourced by the benchmark scripts: builds Bulwark, starts one node on the embedded PostgreSQL with
# release-like JVM flags in a fresh directory, waits until it is ready, and samples its heap with
# jstat. Sets NODE_URL, NODE_PID, WORK, PLATFORM_KEY_FILE; stops the node on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "${SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -q -B -DskipTests package
fi
WORK="$(mktemp -d /tmp/bulwark-bench.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port); MGMT_PORT=$(free_port); CLUSTER_PORT=$(free_port); DB_PORT=$(free_port)
NODE_JVM_FLAGS="${NODE_JVM_FLAGS:--Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+AlwaysPreTouch}"
# PIN=1 gives the load generator the last core and the node (with its embedded PostgreSQL, which
# inherits the node's affinity) the others, as if the client ran on a machine of its own: the
# generator's CPU is then not taken from the node's. Scripts run the generator as
# "${GEN_TASKSET[@]}" java ...
NODE_TASKSET=()
GEN_TASKSET=()
if [ "${PIN:-0}" = "1" ]; then
  CORES=$(nproc)
  if [ "$CORES" -lt 2 ]; then
    echo "PIN=1 needs at least two cores; this machine has $CORES" >&2
    exit 1
  fi
  NODE_TASKSET=(taskset -c "0-$((CORES - 2))")
  GEN_TASKSET=(taskset -c "$((CORES - 1))")
  echo "pinned: node and PostgreSQL on CPUs 0-$((CORES - 2)), load generator on CPU $((CORES - 1))"
fi
# Benchmarks speak from one address for many tenants: lift the per-address limit.
BULWARK_DATA_DIR="$WORK/data" BULWARK_HTTP_PORT=$HTTP_PORT BULWARK_MANAGEMENT_PORT=$MGMT_PORT \
BULWARK_CLUSTER_PORT=$CLUSTER_PORT BULWARK_EMBEDDED_DB_PORT=$DB_PORT \
BULWARK_LIMIT_IP_PER_SECOND=1000000 BULWARK_LIMIT_IP_BURST=1000000 \
  "${NODE_TASKSET[@]}" java $NODE_JVM_FLAGS -Xlog:gc:file="$WORK/gc.log" \
  -jar cluster-node/target/bulwark-node.jar > "$WORK/node.log" 2>&1 &
NODE_PID=$!
JSTAT_PID=""
stop_node() {
  [ -n "$JSTAT_PID" ] && kill "$JSTAT_PID" 2>/dev/null || true
  [ -n "${LIVE_PID:-}" ] && kill "$LIVE_PID" 2>/dev/null || true
  kill "$NODE_PID" 2>/dev/null || true
  wait "$NODE_PID" 2>/dev/null || true
}
trap stop_node EXIT
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$MGMT_PORT/ready" >/dev/null; then break; fi
  sleep 1
done
curl -sf "http://127.0.0.1:$MGMT_PORT/ready" >/dev/null || { echo "node did not get ready; see $WORK/node.log"; exit 1; }
NODE_URL="http://127.0.0.1:$HTTP_PORT"
PLATFORM_KEY_FILE="$WORK/data/platform-key"
jstat -gc "$NODE_PID" 1000 > "$WORK/jstat.txt" &
JSTAT_PID=$!
# The live heap: the bytes of objects still reachable, unlike the heap in use, which includes
# garbage not yet collected. Each sample is a class histogram of live objects (jcmd
# GC.class_histogram), which means a full marking of the heap and a stop-the-world pause of about
# 100 ms, and reads the same under any collector (with ZGC, the heap in use right after a cycle is
# not the live heap). So samples are taken only where no latency is being measured: every
# LIVE_HEAP_EVERY seconds (bulk; 0 = never) and whenever a script calls live_heap_sample.
live_heap_sample() {
  jcmd "$NODE_PID" GC.class_histogram 2>/dev/null | awk '$1 == "Total" {print $3}' >> "$WORK/live.txt" || true
}
LIVE_PID=""
if [ "${LIVE_HEAP_EVERY:-0}" -gt 0 ]; then
  (
    while kill -0 "$NODE_PID" 2>/dev/null; do
      live_heap_sample
      sleep "$LIVE_HEAP_EVERY"
    done
  ) &
  LIVE_PID=$!
fi
echo "node $NODE_PID on $NODE_URL (work dir $WORK)"

# Prints the node's heap during the run: from jstat the largest heap in use and the old
# generation's largest and last size, then the live heap samples.
heap_report() {
  awk 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
       {used=($c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"])/1024; if(used>max)max=used;
        ou=$c["OU"]/1024; if(ou>maxou)maxou=ou; if(NR==2)firstou=ou; lastou=ou}
       END{printf "  heap: max in use %.0f MB; old generation first %.0f MB, max %.0f MB, last %.0f MB\n", max, firstou, maxou, lastou}' \
    "$WORK/jstat.txt"
  awk '{live=$1/1048576; if(NR==1)first=live; if(live>max)max=live; last=live; n++}
       END{if(n>0) printf "  live heap (reachable objects; %d samples): first %.0f MB, max %.0f MB, last %.0f MB, growth %.0f MB\n", n, first, max, last, max-first}' \
    "$WORK/live.txt" 2>/dev/null || true
}
