#!/usr/bin/env bash
# Local OpenSearch for development and tests, built only from Maven Central artifacts.
#
# Why a script of our own: no Docker engine runs on these machines, and the minimal
# "integ-test" distribution on Maven Central lacks the modules k-NN and our mapping need
# (lang-painless, analysis-common, mapper-extras). Those are published only as jars, so we
# assemble their module folders here. See ../shared/notes/opensearch-from-maven.md.
#
# Usage: opensearch/local.sh fetch|up|down|status [--nodes N] | pid NODE
#   fetch  download + unpack + install plugins into the cache (idempotent)
#   up     fetch if needed, start as an unprivileged user, wait for yellow health
#   down   stop the process(es) this script started (by their PID files), nothing else
#   pid    print the PID of one node of the cluster (the failover test kills it)
# --nodes N (or OPENSEARCH_NODES=N), N > 1: a cluster on loopback. Node i (1..N) gets HTTP
# port OPENSEARCH_PORT+i-1, transport port OPENSEARCH_TRANSPORT_PORT+i-1 (default
# OPENSEARCH_PORT+100), its own data, logs, config and PID under <state>/cluster-<port>/node-i.
# `up` starts only the nodes that are not answering, so it also restarts a lost node.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(dirname "$here")"
# The one place the version is pinned; docker-compose.yml reads the same file.
OPENSEARCH_VERSION="$(sed -n 's/^OPENSEARCH_VERSION=//p' "$here/VERSION")"
PLUGIN_VERSION="${OPENSEARCH_VERSION}.0"
JAVA_HOME_17="${OPENSEARCH_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
OS_USER="${OPENSEARCH_RUN_AS:-mgm-opensearch}"
PORT="${OPENSEARCH_PORT:-9200}"
# The unpacked server is cached outside $HOME: /root is mode 0700 and the unprivileged
# user could not traverse it. /opt is world-traversable on every machine of this kind.
CACHE_ROOT="${OPENSEARCH_CACHE:-/opt/mgm-opensearch}"
HOME_DIR="$CACHE_ROOT/opensearch-$OPENSEARCH_VERSION"
# Data, logs and the PID file live in a git-ignored folder of the checkout when the
# unprivileged user can reach it, else under /tmp keyed by the checkout path (CI clones
# may sit under a private folder). A pointer file per port (.opensearch-state-PORT,
# .opensearch-cluster-PORT) tells `down` where the server of that port keeps them.
STATE_DIR="${OPENSEARCH_STATE_DIR:-$project/.opensearch}"
URL="http://127.0.0.1:$PORT"
NODES="${OPENSEARCH_NODES:-1}"
TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-$((PORT + 100))}"

log() { echo "opensearch: $*" >&2; }

mvn_copy() { # artifact outdir
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$1" -DoutputDirectory="$2" \
    -Dmdep.overWriteIfNewer=true >"$2/mvn.log" 2>&1 \
    || { log "Maven could not fetch $1:"; tail -n 20 "$2/mvn.log" >&2; exit 1; }
}

write_descriptor() { # dir name classname extended
  cat >"$1/plugin-descriptor.properties" <<PROPS
description=$2 module assembled from Maven Central jars
version=$OPENSEARCH_VERSION
name=$2
classname=$3
java.version=11
opensearch.version=$OPENSEARCH_VERSION
extended.plugins=$4
has.native.controller=false
PROPS
}

fetch() {
  if [ -f "$HOME_DIR/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found (needed to fetch OpenSearch from Maven Central)"; exit 1; }
  local dl; dl="$(mktemp -d)"
  log "fetching OpenSearch $OPENSEARCH_VERSION and plugins from Maven Central"
  mvn_copy "org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip" "$dl"
  mvn_copy "org.opensearch.plugin:opensearch-knn:$PLUGIN_VERSION:zip" "$dl"
  mvn_copy "org.opensearch.plugin:neural-search:$PLUGIN_VERSION:zip" "$dl"
  mkdir -p "$dl/painless" "$dl/common" "$dl/extras"
  for a in "org.opensearch.plugin:lang-painless:$OPENSEARCH_VERSION" \
           "org.opensearch.plugin:opensearch-scripting-painless-spi:$OPENSEARCH_VERSION" \
           "org.antlr:antlr4-runtime:4.13.1" \
           "org.ow2.asm:asm:9.7" "org.ow2.asm:asm-analysis:9.7" "org.ow2.asm:asm-commons:9.7" \
           "org.ow2.asm:asm-tree:9.7" "org.ow2.asm:asm-util:9.7"; do
    mvn_copy "$a" "$dl/painless"
  done
  mvn_copy "org.opensearch.plugin:analysis-common:$OPENSEARCH_VERSION" "$dl/common"
  mvn_copy "org.opensearch.plugin:mapper-extras-client:$OPENSEARCH_VERSION" "$dl/extras"

  rm -rf "$HOME_DIR.tmp" && mkdir -p "$HOME_DIR.tmp"
  unzip -q "$dl/opensearch-$OPENSEARCH_VERSION.zip" -d "$HOME_DIR.tmp"
  local home="$HOME_DIR.tmp/opensearch-$OPENSEARCH_VERSION"
  local m="$home/modules"
  mkdir -p "$m/lang-painless" "$m/analysis-common" "$m/mapper-extras"
  cp "$dl"/painless/*.jar "$m/lang-painless/"
  write_descriptor "$m/lang-painless" lang-painless org.opensearch.painless.PainlessPlugin ""
  cat >"$m/lang-painless/plugin-security.policy" <<'POLICY'
grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
POLICY
  cp "$dl"/common/*.jar "$m/analysis-common/"
  write_descriptor "$m/analysis-common" analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin lang-painless
  cp "$dl"/extras/*.jar "$m/mapper-extras/"
  write_descriptor "$m/mapper-extras" mapper-extras org.opensearch.index.mapper.MapperExtrasPlugin ""
  for p in "opensearch-knn-$PLUGIN_VERSION.zip" "neural-search-$PLUGIN_VERSION.zip"; do
    OPENSEARCH_JAVA_HOME="$JAVA_HOME_17" "$home/bin/opensearch-plugin" install --batch "file://$dl/$p" >"$dl/plugin.log" 2>&1 \
      || { log "plugin install failed: $p"; tail -n 20 "$dl/plugin.log" >&2; exit 1; }
  done
  rm -rf "$HOME_DIR" && mv "$home" "$HOME_DIR" && rm -rf "$HOME_DIR.tmp" "$dl"
  touch "$HOME_DIR/.complete"
  log "cached in $HOME_DIR"
}

ensure_user() {
  id "$OS_USER" >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$OS_USER"
}

healthy() { curl -fsS -m 2 "$URL/_cluster/health" >/dev/null 2>&1; }

pick_state_dir() {
  mkdir -p "$STATE_DIR"
  chown "$OS_USER" "$STATE_DIR"
  if ! runuser -u "$OS_USER" -- test -w "$STATE_DIR"; then
    STATE_DIR="/tmp/mgm-opensearch-$(echo -n "$project" | md5sum | cut -c1-12)"
    mkdir -p "$STATE_DIR" && chown "$OS_USER" "$STATE_DIR"
    log "checkout not reachable by $OS_USER; state in $STATE_DIR"
  fi
}

# Disk watermarks as free space, not as shares of the disk: these machines' disks are large
# and shared (a 252 GB disk with 31 GB free is "88% used"), and the default 85% low mark then
# leaves a cluster's replicas unassigned (yellow for good), as it did to the failover test
# once four test clones sat on the disk. OpenSearch still stops writing before the disk fills.
WATERMARKS="cluster.routing.allocation.disk.watermark.low: 2gb
cluster.routing.allocation.disk.watermark.high: 1gb
cluster.routing.allocation.disk.watermark.flood_stage: 500mb"

# Start one server as the unprivileged user. $1: its folder (data, logs, config, PID file),
# $2: the opensearch.yml body, $3: heap size, $4: the cluster name (names its log file).
start_node() {
  local dir="$1" yml="$2" heap="$3" name="$4"
  mkdir -p "$dir/data" "$dir/logs" "$dir/config"
  # A config folder of our own, so the cached distribution stays pristine and shared.
  cp -r "$HOME_DIR/config/." "$dir/config/"
  printf '%s\n%s\npath.data: %s\npath.logs: %s\n' "$yml" "$WATERMARKS" "$dir/data" "$dir/logs" >"$dir/config/opensearch.yml"
  printf -- '-Xms%s\n-Xmx%s\n' "$heap" "$heap" >"$dir/config/jvm.options.d/heap.options"
  # The previous run's server log steps aside, so a failure report shows this start's lines.
  [ -f "$dir/logs/$name.log" ] && mv -f "$dir/logs/$name.log" "$dir/logs/$name.previous.log"
  chown -R "$OS_USER" "$dir"
  rm -f "$dir/opensearch.pid"
  runuser -u "$OS_USER" -- env OPENSEARCH_JAVA_HOME="$JAVA_HOME_17" OPENSEARCH_PATH_CONF="$dir/config" \
    "$HOME_DIR/bin/opensearch" -d -p "$dir/opensearch.pid" >"$dir/logs/startup.log" 2>&1 \
    || { log "failed to start:"; grep -v -e '^WARNING' -e '^warning' "$dir/logs/startup.log" | tail -n 20 >&2; exit 1; }
}

# True when the PID file names a process that has exited. `bin/opensearch -d` returns at
# once and the JVM writes the file during bootstrap, so a missing or still-empty file means
# "starting", not "dead" (reading it empty once made CI report a healthy start as a death).
died() {
  local pid; pid="$(cat "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null
}

# Why a start failed: the server log, or the launcher's output when the JVM died before it
# configured logging (heap, JVM options), and any JVM crash report.
explain_failure() { # node folder, server log
  if [ -s "$2" ]; then
    log "last lines of $2:"; tail -n 30 "$2" >&2
  else
    log "no server log yet; the launcher printed:"
    grep -v -e '^WARNING' -e '^warning' "$1/logs/startup.log" 2>/dev/null | tail -n 30 >&2 || true
  fi
  local crash; for crash in "$1"/logs/hs_err_pid*.log; do [ -f "$crash" ] && head -n 20 "$crash" >&2; done
  return 0
}

# Wait until $1 answers yellow (with $2 nodes). Returns 1 early if the node's process died
# (after explaining why), and exits when the deadline passes.
wait_yellow() {
  local url="$1" nodes="$2" dir="$3" log_file="$4"
  # A cluster's nodes start together and elect a manager: give them longer.
  local deadline=$((SECONDS + ${OPENSEARCH_START_TIMEOUT:-$((nodes > 1 ? 300 : 120))}))
  until curl -fsS -m 2 "$url/_cluster/health?wait_for_status=yellow&wait_for_nodes=$nodes&timeout=1s" >/dev/null 2>&1; do
    if died "$dir/opensearch.pid"; then
      log "the server at $url exited while starting"; explain_failure "$dir" "$log_file"; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "did not become healthy at $url within the start timeout"; explain_failure "$dir" "$log_file"; exit 1
    fi
    sleep 1
  done
}

# A start that dies is tried once more: a JVM can fail on a busy machine for reasons of
# the moment, and the first failure's cause is printed above the retry either way.
START_ATTEMPTS=2

# Where `down` finds the single server of a port: its folder (which may have fallen back to /tmp).
SINGLE_POINTER="$project/.opensearch-state-$PORT"

up() {
  if [ "$NODES" -gt 1 ]; then up_cluster; return; fi
  if healthy; then log "already answering at $URL"; return 0; fi
  fetch
  ensure_user
  pick_state_dir
  chown -R "$OS_USER" "$CACHE_ROOT"
  # The default port keeps the state folder itself; another port gets a folder of its own
  # inside it, so two servers of one checkout never share data (OpenSearch would refuse).
  local dir="$STATE_DIR" attempt
  if [ "$PORT" != 9200 ] && [ -z "${OPENSEARCH_STATE_DIR:-}" ]; then dir="$STATE_DIR/port-$PORT"; fi
  for attempt in $(seq 1 $START_ATTEMPTS); do
    start_node "$dir" "cluster.name: micro-genre-miner-local
node.name: local
network.host: 127.0.0.1
http.port: $PORT
discovery.type: single-node" "${OPENSEARCH_HEAP:-1g}" micro-genre-miner-local
    if wait_yellow "$URL" 1 "$dir" "$dir/logs/micro-genre-miner-local.log"; then
      echo "$dir" >"$SINGLE_POINTER"
      log "up at $URL (pid $(cat "$dir/opensearch.pid"))"
      return 0
    fi
    [ "$attempt" -lt $START_ATTEMPTS ] && log "starting again (attempt $((attempt + 1)) of $START_ATTEMPTS)"
  done
  exit 1
}

# The cluster's pointer file: where its state went (it may have fallen back to /tmp).
CLUSTER_POINTER="$project/.opensearch-cluster-$PORT"

up_cluster() {
  fetch
  ensure_user
  pick_state_dir
  chown -R "$OS_USER" "$CACHE_ROOT"
  local dir="$STATE_DIR/cluster-$PORT" name="micro-genre-miner-cluster-$PORT" seeds="" managers="" i
  for i in $(seq 1 "$NODES"); do
    seeds+="${seeds:+, }\"127.0.0.1:$((TRANSPORT_PORT + i - 1))\""
    managers+="${managers:+, }\"node-$i\""
  done
  echo "$dir" >"$CLUSTER_POINTER"
  local attempt failed
  for attempt in $(seq 1 $START_ATTEMPTS); do
    for i in $(seq 1 "$NODES"); do
      local http=$((PORT + i - 1))
      if curl -fsS -m 2 "http://127.0.0.1:$http/" >/dev/null 2>&1; then continue; fi
      start_node "$dir/node-$i" "cluster.name: $name
node.name: node-$i
network.host: 127.0.0.1
http.port: $http
transport.port: $((TRANSPORT_PORT + i - 1))
discovery.seed_hosts: [$seeds]
cluster.initial_cluster_manager_nodes: [$managers]" "${OPENSEARCH_HEAP:-512m}" "$name"
      log "starting node-$i: http $http, transport $((TRANSPORT_PORT + i - 1))"
    done
    failed=0
    for i in $(seq 1 "$NODES"); do
      wait_yellow "http://127.0.0.1:$((PORT + i - 1))" "$NODES" "$dir/node-$i" "$dir/node-$i/logs/$name.log" || failed=1
    done
    if [ $failed = 0 ]; then
      log "cluster of $NODES nodes up at http://127.0.0.1:$PORT..$((PORT + NODES - 1))"
      return 0
    fi
    # The `curl` above skips the nodes still answering, so only the dead ones start again.
    [ "$attempt" -lt $START_ATTEMPTS ] && log "starting the exited nodes again (attempt $((attempt + 1)) of $START_ATTEMPTS)"
  done
  exit 1
}

# Stop the process of one PID file: TERM, then KILL after 30 s.
stop_pid_file() {
  [ -f "$1" ] || return 0
  local pid; pid="$(cat "$1")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped pid $pid"
  fi
  rm -f "$1"
}

down() {
  if [ "$NODES" -gt 1 ]; then
    if [ ! -f "$CLUSTER_POINTER" ]; then log "no cluster started by this checkout on port $PORT; nothing to stop"; return 0; fi
    local dir i; dir="$(cat "$CLUSTER_POINTER")"
    for i in $(seq 1 "$NODES"); do stop_pid_file "$dir/node-$i/opensearch.pid"; done
    rm -f "$CLUSTER_POINTER"
    return 0
  fi
  if [ ! -f "$SINGLE_POINTER" ]; then log "no server started by this checkout on port $PORT; nothing to stop"; return 0; fi
  stop_pid_file "$(cat "$SINGLE_POINTER")/opensearch.pid"
  rm -f "$SINGLE_POINTER"
}

node_pid() {
  [ -f "$CLUSTER_POINTER" ] || { log "no cluster started by this checkout on port $PORT"; exit 1; }
  echo "$(cat "$(cat "$CLUSTER_POINTER")/node-$1/opensearch.pid")"
}

main() {
  local command="${1:-}"; shift || true
  if [ "${1:-}" = "--nodes" ]; then NODES="${2:?--nodes needs a number}"; fi
  case "$command" in
    fetch) fetch ;;
    up) up ;;
    down) down ;;
    pid) node_pid "${1:?usage: $0 pid NODE}" ;;
    status) healthy && curl -fsS "$URL/_cluster/health?pretty" || { log "not answering at $URL"; exit 1; } ;;
    *) echo "usage: $0 fetch|up|down|status [--nodes N] | pid NODE" >&2; exit 2 ;;
  esac
}

# Sourced (by tests of its functions), it only defines them.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
