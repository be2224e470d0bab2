#!/usr/bin/env bash
# Run a command with an OpenSearch available.
#   with-opensearch.sh keep|stop CMD...
# Uses $OPENSEARCH_URL when it answers (its first URL, when it lists a cluster's nodes; with
# OPENSEARCH_USER/PASSWORD and OPENSEARCH_CA_CERTS when set). Otherwise, if that URL is on
# this machine's loopback, starts the local server on its port (a cluster of
# $OPENSEARCH_NODES nodes from that port on, when set); a remote URL that does not answer is
# an error. With `stop`, a server this script started is stopped afterwards (tests and CI
# leave nothing behind); a server that was already running is never touched.
set -uo pipefail
cd "$(dirname "$0")/.."
mode="$1"; shift
url="${OPENSEARCH_URL:-http://127.0.0.1:9200}"
url="${url%%,*}"
check=(-fsS -m 3)
[ -n "${OPENSEARCH_USER:-}" ] && check+=(-u "$OPENSEARCH_USER:${OPENSEARCH_PASSWORD:-}")
[ -n "${OPENSEARCH_CA_CERTS:-}" ] && check+=(--cacert "$OPENSEARCH_CA_CERTS")
started=0
if ! curl "${check[@]}" "$url/_cluster/health" >/dev/null 2>&1; then
  if [[ ! "$url" =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]]; then
    echo "OpenSearch at OPENSEARCH_URL=$url does not answer (and is not local, so it is not started here)" >&2
    exit 1
  fi
  export OPENSEARCH_PORT="${BASH_REMATCH[2]}"  # `down` below finds the same server (or cluster)
  opensearch/local.sh up || exit 1
  started=1
fi
"$@"; rc=$?
if [ "$mode" = stop ] && [ $started = 1 ]; then opensearch/local.sh down; fi
exit $rc
