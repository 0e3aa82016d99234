#!/bin/sh
# Agent-mediated install or update of kanade-client on a Linux PC: the POSIX twin of scripts/deploy/client.ps1's
# agent mode, run by the kanade-agent as a script_object job (configs/jobs/installers/install-kanade-client-linux.yaml).
#
# Downloads kanade-client from <AGENT_SOURCE_URL>/api/app-packages/kanade-client/<AGENT_SOURCE_VERSION>, checks
# its SHA-256 BEFORE touching the installed copy, and renames it into place (a client that users are running
# keeps its old file; they get the new one when they start it again). With AUTOSTART_FILE set it writes an XDG
# autostart entry, so desktop sessions start it at sign-in. Ends by printing one JSON line
# {"version","path","sha256"}, which the job's inventory block turns into facts.
set -eu

# ---- Agent-mode knobs: set these before `kanade script publish` ----
AGENT_SOURCE_URL=''          # e.g. 'http://kanade-backend.example.com:8080'
AGENT_SOURCE_VERSION=''      # as published with: kanade app publish kanade-client <v> kanade-client-linux-x64
AGENT_SOURCE_SHA256=''       # lowercase hex, the "sha256" line kanade app publish prints
AGENT_SOURCE_AUTH_TOKEN=''   # bearer token for the backend API (empty only when auth is disabled)
INSTALL_PATH='/opt/kanade/bin/kanade-client'
AUTOSTART_FILE='/etc/xdg/autostart/kanade-client.desktop'   # empty: no autostart entry
# ---------------------------------------------------------------------

fail() { echo "kanade-client install failed: $*" >&2; exit 1; }

[ -n "$AGENT_SOURCE_URL" ] && [ -n "$AGENT_SOURCE_VERSION" ] || fail "set AGENT_SOURCE_URL and AGENT_SOURCE_VERSION at the top of the script"
printf '%s' "$AGENT_SOURCE_SHA256" | grep -Eq '^[0-9a-f]{64}$' || fail "AGENT_SOURCE_SHA256 must be the lowercase hex SHA-256 of kanade-client-linux-x64"
# Both go into a JSON line and a .desktop file as they are: plain characters only.
printf '%s' "$AGENT_SOURCE_VERSION" | grep -Eq '^[0-9A-Za-z.+_-]+$' || fail "AGENT_SOURCE_VERSION: letters, digits and . + _ - only"
printf '%s' "$INSTALL_PATH" | grep -Eq '^/[0-9A-Za-z./_-]+$' || fail "INSTALL_PATH: an absolute path of letters, digits and . / _ - only"

staging=$(mktemp -d "${TMPDIR:-/tmp}/kanade-client-XXXXXX")
trap 'rm -rf "$staging"' EXIT
url="${AGENT_SOURCE_URL%/}/api/app-packages/kanade-client/$AGENT_SOURCE_VERSION"
echo "downloading $url"
if [ -n "$AGENT_SOURCE_AUTH_TOKEN" ]; then
  curl -fsS -H "Authorization: Bearer $AGENT_SOURCE_AUTH_TOKEN" -o "$staging/kanade-client" "$url" || fail "download of $url failed"
else
  curl -fsS -o "$staging/kanade-client" "$url" || fail "download of $url failed"
fi
actual=$(sha256sum "$staging/kanade-client" | cut -d' ' -f1)
[ "$actual" = "$AGENT_SOURCE_SHA256" ] || fail "sha256 mismatch - expected=$AGENT_SOURCE_SHA256 actual=$actual; the installed copy was not touched"
echo "sha256 $actual"

mkdir -p "$(dirname "$INSTALL_PATH")"
cp "$staging/kanade-client" "$INSTALL_PATH.new"
chmod 0755 "$INSTALL_PATH.new"
# Rename over the installed file: running clients keep their (old) inode.
mv -f "$INSTALL_PATH.new" "$INSTALL_PATH"

if [ -n "$AUTOSTART_FILE" ]; then
  mkdir -p "$(dirname "$AUTOSTART_FILE")"
  cat > "$AUTOSTART_FILE.new" <<DESKTOP
[Desktop Entry]
Type=Application
Name=kanade
Comment=Notices from IT and self-service
Exec=$INSTALL_PATH
Terminal=false
X-GNOME-Autostart-enabled=true
DESKTOP
  chmod 0644 "$AUTOSTART_FILE.new"
  mv -f "$AUTOSTART_FILE.new" "$AUTOSTART_FILE"
  echo "autostart: $AUTOSTART_FILE"
fi

printf '{"version":"%s","path":"%s","sha256":"%s"}\n' "$AGENT_SOURCE_VERSION" "$INSTALL_PATH" "$actual"
