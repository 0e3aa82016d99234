#!/bin/sh
# Agent-mediated update of the broker on a Linux host: the POSIX twin of scripts/deploy/nats.ps1's
# agent mode, run by the kanade-agent on the broker host as a script_object job
# (configs/jobs/installers/install-kanade-nats-linux.yaml).
#
# Downloads nats-server from <AGENT_SOURCE_URL>/api/app-packages/nats-server/<AGENT_SOURCE_VERSION>, checks
# its SHA-256 BEFORE touching the installed copy, swaps it in (keeping .old), restarts the broker and waits
# until it answers. If it does not within HEALTH_TIMEOUT_SECS, the previous binary is put back and restarted, and the job
# fails. The agent loses its broker connection meanwhile; its result waits in its outbox.
set -eu

# ---- Agent-mode knobs: set these before `kanade script publish` ----
AGENT_SOURCE_URL=''          # e.g. 'http://kanade-backend.example.com:8080'
AGENT_SOURCE_VERSION=''      # as published with: kanade app publish nats-server <v> nats-server
AGENT_SOURCE_SHA256=''       # lowercase hex, the "sha256" line kanade app publish prints
AGENT_SOURCE_AUTH_TOKEN=''   # bearer token for the backend API (empty only when auth is disabled)
INSTALL_PATH='/opt/kanade/bin/nats-server'
RESTART_COMMAND='systemctl restart kanade-nats'
HEALTH_URL='http://127.0.0.1:8222/healthz'   # the broker's monitoring endpoint (install.sh's config)
HEALTH_TIMEOUT_SECS='60'
# ---------------------------------------------------------------------

fail() { echo "nats-server update failed: $*" >&2; exit 1; }

[ -n "$AGENT_SOURCE_URL" ] && [ -n "$AGENT_SOURCE_VERSION" ] || fail "set AGENT_SOURCE_URL and AGENT_SOURCE_VERSION at the top of the script"
printf '%s' "$AGENT_SOURCE_SHA256" | grep -Eq '^[0-9a-f]{64}$' || fail "AGENT_SOURCE_SHA256 must be the lowercase hex SHA-256 of nats-server"
[ -f "$INSTALL_PATH" ] || fail "no nats-server at $INSTALL_PATH; install the broker first (deploy/linux/install.sh nats)"

staging=$(mktemp -d "${TMPDIR:-/tmp}/kanade-nats-XXXXXX")
trap 'rm -rf "$staging"' EXIT
url="${AGENT_SOURCE_URL%/}/api/app-packages/nats-server/$AGENT_SOURCE_VERSION"
echo "downloading $url"
if [ -n "$AGENT_SOURCE_AUTH_TOKEN" ]; then
  curl -fsS -H "Authorization: Bearer $AGENT_SOURCE_AUTH_TOKEN" -o "$staging/nats-server" "$url" || fail "download of $url failed"
else
  curl -fsS -o "$staging/nats-server" "$url" || fail "download of $url failed"
fi
actual=$(sha256sum "$staging/nats-server" | cut -d' ' -f1)
[ "$actual" = "$AGENT_SOURCE_SHA256" ] || fail "sha256 mismatch - expected=$AGENT_SOURCE_SHA256 actual=$actual; the installed copy was not touched"
echo "sha256 $actual"

healthy() {
  i=0
  while [ "$i" -lt "$HEALTH_TIMEOUT_SECS" ]; do
    curl -fsS -o /dev/null "$HEALTH_URL" 2>/dev/null && return 0
    i=$((i + 1))
    sleep 1
  done
  return 1
}

chmod 0755 "$staging/nats-server"
cp -p "$INSTALL_PATH" "$INSTALL_PATH.old"
# Rename over the installed file: the running broker keeps its (old) inode until it restarts.
cp -p "$staging/nats-server" "$INSTALL_PATH.new"
mv -f "$INSTALL_PATH.new" "$INSTALL_PATH"
echo "restarting the broker: $RESTART_COMMAND"
sh -c "$RESTART_COMMAND" || echo "restart command exited non-zero; checking the broker anyway" >&2
if ! healthy; then
  mv -f "$INSTALL_PATH.old" "$INSTALL_PATH"
  sh -c "$RESTART_COMMAND" || true
  fail "the new nats-server did not answer $HEALTH_URL within $HEALTH_TIMEOUT_SECS s; the previous binary was restored"
fi
rm -f "$INSTALL_PATH.old"
echo "nats-server $AGENT_SOURCE_VERSION"
