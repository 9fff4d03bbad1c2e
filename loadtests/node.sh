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
# Benchmarks speak from one address for many tenants: lift the per-address limit.
BULWARK_DATA_DIR="$WORK/data" BULWARK_HTTP_PORT=$HTTP_PORT BULWARK_MANAGEMENT_PORT=$MGMT_PORT \
BULWARK_CLUSTER_PORT=$CLUSTER_PORT BULWARK_EMBEDDED_DB_PORT=$DB_PORT \
BULWARK_LIMIT_IP_PER_SECOND=1000000 BULWARK_LIMIT_IP_BURST=1000000 \
  java $NODE_JVM_FLAGS \
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
# The live heap: what a full collection keeps, unlike the heap in use, which includes garbage not
# yet collected. Each sample forces a full GC, a stop-the-world pause of about 100 ms on this heap,
# so samples are taken only where no latency is being measured: every LIVE_HEAP_EVERY seconds
# (bulk; 0 = never) and whenever a script calls live_heap_sample.
live_heap_sample() {
  jcmd "$NODE_PID" GC.run >/dev/null 2>&1 || return 0
  sleep 1
  tail -1 "$WORK/jstat.txt" >> "$WORK/live.txt"
}
LIVE_PID=""
if [ "${LIVE_HEAP_EVERY:-0}" -gt 0 ]; then
  (
    while kill -0 "$NODE_PID" 2>/dev/null; do
      live_heap_sample
      sleep "$((LIVE_HEAP_EVERY - 1))"
    done
  ) &
  LIVE_PID=$!
fi
echo "node $NODE_PID on $NODE_URL (work dir $WORK)"

# Prints the node's heap during the run from jstat: the largest heap in use, and the old
# generation's largest and last size (what stays after young collections).
heap_report() {
  awk 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
       {used=($c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"])/1024; if(used>max)max=used;
        ou=$c["OU"]/1024; if(ou>maxou)maxou=ou; if(NR==2)firstou=ou; lastou=ou}
       END{printf "  heap: max in use %.0f MB; old generation first %.0f MB, max %.0f MB, last %.0f MB\n", max, firstou, maxou, lastou}' \
    "$WORK/jstat.txt"
  head -1 "$WORK/jstat.txt" > "$WORK/live-with-header.txt"; cat "$WORK/live.txt" >> "$WORK/live-with-header.txt" 2>/dev/null || true
  awk 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
       {live=$c["OU"]/1024; if(NR==2)first=live; if(live>max)max=live; last=live; n++}
       END{if(n>0) printf "  live heap (old generation right after a full GC; %d samples): first %.0f MB, max %.0f MB, last %.0f MB, growth %.0f MB\n", n, first, max, last, max-first}' \
    "$WORK/live-with-header.txt"
}
