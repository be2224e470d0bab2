#!/usr/bin/env bash
# Local OpenSearch for development and tests, built only from Maven Central artifacts.
#
# Why a script of our own: no Docker engine runs on these machines, and the minimal
# "integ-test" distribution on Maven Central lacks the modules k-NN and our mapping need
# (lang-painless, analysis-common, mapper-extras). Those are published only as jars, so we
# assemble their module folders here. See ../shared/notes/opensearch-from-maven.md.
#
# Usage: opensearch/local.sh fetch|up|down|status
#   fetch  download + unpack + install plugins into the cache (idempotent)
#   up     fetch if needed, start as an unprivileged user, wait for yellow health
#   down   stop the process this script started (by its PID file), nothing else
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(dirname "$here")"
# The one place the version is pinned; docker-compose.yml reads the same file.
OPENSEARCH_VERSION="$(sed -n 's/^OPENSEARCH_VERSION=//p' "$here/VERSION")"
PLUGIN_VERSION="${OPENSEARCH_VERSION}.0"
JAVA_HOME_17="${OPENSEARCH_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
OS_USER="${OPENSEARCH_USER:-mgm-opensearch}"
PORT="${OPENSEARCH_PORT:-9200}"
# The unpacked server is cached outside $HOME: /root is mode 0700 and the unprivileged
# user could not traverse it. /opt is world-traversable on every machine of this kind.
CACHE_ROOT="${OPENSEARCH_CACHE:-/opt/mgm-opensearch}"
HOME_DIR="$CACHE_ROOT/opensearch-$OPENSEARCH_VERSION"
# Data, logs and the PID file live in a git-ignored folder of the checkout when the
# unprivileged user can reach it, else under /tmp keyed by the checkout path (CI clones
# may sit under a private folder).
STATE_DIR="${OPENSEARCH_STATE_DIR:-$project/.opensearch}"
PID_FILE="$STATE_DIR/opensearch.pid"
URL="http://127.0.0.1:$PORT"

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
    PID_FILE="$STATE_DIR/opensearch.pid"
    mkdir -p "$STATE_DIR" && chown "$OS_USER" "$STATE_DIR"
    log "checkout not reachable by $OS_USER; state in $STATE_DIR"
  fi
}

up() {
  if healthy; then log "already answering at $URL"; return 0; fi
  fetch
  ensure_user
  pick_state_dir
  chown -R "$OS_USER" "$CACHE_ROOT"
  mkdir -p "$STATE_DIR/data" "$STATE_DIR/logs" "$STATE_DIR/config"
  # A config folder of our own, so the cached distribution stays pristine and shared.
  cp -r "$HOME_DIR/config/." "$STATE_DIR/config/"
  cat >"$STATE_DIR/config/opensearch.yml" <<YML
cluster.name: micro-genre-miner-local
node.name: local
network.host: 127.0.0.1
http.port: $PORT
discovery.type: single-node
path.data: $STATE_DIR/data
path.logs: $STATE_DIR/logs
YML
  cat >"$STATE_DIR/config/jvm.options.d/heap.options" <<'JVM'
-Xms1g
-Xmx1g
JVM
  chown -R "$OS_USER" "$STATE_DIR"
  rm -f "$PID_FILE"
  runuser -u "$OS_USER" -- env OPENSEARCH_JAVA_HOME="$JAVA_HOME_17" OPENSEARCH_PATH_CONF="$STATE_DIR/config" \
    "$HOME_DIR/bin/opensearch" -d -p "$PID_FILE" >"$STATE_DIR/logs/startup.log" 2>&1 \
    || { log "failed to start:"; grep -v -e '^WARNING' -e '^warning' "$STATE_DIR/logs/startup.log" | tail -n 20 >&2; exit 1; }
  local deadline=$((SECONDS + ${OPENSEARCH_START_TIMEOUT:-120}))
  until curl -fsS -m 2 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ] || { [ -f "$PID_FILE" ] && ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }; then
      log "did not become healthy at $URL; last log lines:"
      tail -n 30 "$STATE_DIR/logs/micro-genre-miner-local.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 1
  done
  # Remember where the state went, so `down` finds the PID after a /tmp fallback.
  echo "$STATE_DIR" >"$project/.opensearch-state"
  log "up at $URL (pid $(cat "$PID_FILE"))"
}

down() {
  [ -f "$project/.opensearch-state" ] && STATE_DIR="$(cat "$project/.opensearch-state")" && PID_FILE="$STATE_DIR/opensearch.pid"
  if [ ! -f "$PID_FILE" ]; then log "not started by this checkout; nothing to stop"; return 0; fi
  local pid; pid="$(cat "$PID_FILE")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped pid $pid"
  fi
  rm -f "$PID_FILE" "$project/.opensearch-state"
}

case "${1:-}" in
  fetch) fetch ;;
  up) up ;;
  down) down ;;
  status) healthy && curl -fsS "$URL/_cluster/health?pretty" || { log "not answering at $URL"; exit 1; } ;;
  *) echo "usage: $0 fetch|up|down|status" >&2; exit 2 ;;
esac
