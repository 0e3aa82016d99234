#!/bin/sh
# Installs one kanade role as a systemd service (docs/operator/deploy.md).
#
#   install.sh <agent|backend|nats> [--source DIR] [--nats-url URL] [--nats-token TOKEN]
#              [--static-token TOKEN] [--bind ADDR:PORT] [--nats-server PATH] [--force-config] [--no-start]
#
# Binaries go to /opt/kanade/bin, the unit to /etc/systemd/system/kanade-<role>.service, config to
# /etc/kanade/<role>.toml (nats-server.conf for NATS, mode 0644) and secrets to /etc/kanade/<role>.env
# (mode 0600, read by systemd before the service starts). Existing config and secrets are kept unless
# --force-config. With DESTDIR=<dir> everything is written below <dir> and systemctl is not called
# (packaging, tests); otherwise the unit is enabled and started and the script checks it stays up.
set -eu

die() { echo "install.sh: $*" >&2; exit 2; }
say() { echo "[kanade] $*"; }

role="${1:-}"
case "$role" in
  agent|backend|nats) shift ;;
  *) die "usage: install.sh <agent|backend|nats> [options] (got '${role}')" ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
nats_url="nats://127.0.0.1:4222"
nats_token=""
static_token=""
bind_addr="0.0.0.0:8080"
nats_server=""
force_config=0
start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --source) source_dir="${2:?--source needs a directory}"; shift 2 ;;
    --nats-url) nats_url="${2:?--nats-url needs a URL}"; shift 2 ;;
    --nats-token) nats_token="${2:?--nats-token needs a value}"; shift 2 ;;
    --static-token) static_token="${2:?--static-token needs a value}"; shift 2 ;;
    --bind) bind_addr="${2:?--bind needs host:port}"; shift 2 ;;
    --nats-server) nats_server="${2:?--nats-server needs a path}"; shift 2 ;;
    --force-config) force_config=1; shift ;;
    --no-start) start=0; shift ;;
    *) die "unknown option '$1'" ;;
  esac
done

token_ok() {
  case "$1" in
    *[!A-Za-z0-9._~+/=-]*) return 1 ;;
  esac
}
token_ok "$nats_token" || die "--nats-token: use letters, digits and ._~+/=- only"
token_ok "$static_token" || die "--static-token: use letters, digits and ._~+/=- only"

root="${DESTDIR:-}"
bin_dir="$root/opt/kanade/bin"
etc_dir="$root/etc/kanade"
unit_dir="$root/etc/systemd/system"
unit="kanade-$role.service"

case "$role" in
  agent) src="$source_dir/kanade-agent-linux-x64"; exe="kanade-agent" ;;
  backend) src="$source_dir/kanade-backend-linux-x64"; exe="kanade-backend" ;;
  nats) src="${nats_server:-$source_dir/nats-server}"; exe="nats-server" ;;
esac
[ -f "$src" ] || die "missing $src (build it with npm run build:release, or pass --source / --nats-server)"
[ -f "$here/systemd/$unit" ] || die "missing $here/systemd/$unit"
if [ "$role" = backend ] && [ -z "$static_token" ] && [ ! -f "$etc_dir/backend.env" ]; then
  die "--static-token is required on the first install (at least 32 characters)"
fi

if [ -z "$root" ] && [ "$start" = 1 ] && systemctl is-active --quiet "$unit"; then
  say "stopping $unit"
  systemctl stop "$unit"
fi

mkdir -p "$bin_dir" "$etc_dir" "$unit_dir"
# Copy beside, then rename over: a running binary is never half-written.
cp "$src" "$bin_dir/.$exe.new"
chmod 0755 "$bin_dir/.$exe.new"
mv -f "$bin_dir/.$exe.new" "$bin_dir/$exe"
say "installed $bin_dir/$exe"
if [ "$role" = backend ] && [ -d "$source_dir/web" ]; then
  rm -rf "$root/opt/kanade/web"
  cp -R "$source_dir/web" "$root/opt/kanade/web"
  say "installed the web UI in $root/opt/kanade/web"
fi
install -m 0644 "$here/systemd/$unit" "$unit_dir/$unit"
say "installed $unit_dir/$unit"

# write_file <path> <mode>: stdin to path unless it exists (and no --force-config).
write_file() {
  if [ -f "$1" ] && [ "$force_config" = 0 ]; then
    cat >/dev/null
    say "keeping the existing $1 (pass --force-config to rewrite it)"
    return
  fi
  umask 077
  cat >"$1.tmp"
  chmod "$2" "$1.tmp"
  mv -f "$1.tmp" "$1"
  say "wrote $1"
}

case "$role" in
  agent)
    printf '# Written by install.sh; secrets are in agent.env.\nnats_url = "%s"\n' "$nats_url" | write_file "$etc_dir/agent.toml" 0644
    printf 'KANADE_NATS_TOKEN=%s\n' "$nats_token" | write_file "$etc_dir/agent.env" 0600
    ;;
  backend)
    web_line=""
    [ -d "$root/opt/kanade/web" ] && web_line='web_root = "/opt/kanade/web"'
    printf '# Written by install.sh; secrets are in backend.env.\nbind_addr = "%s"\nnats_url = "%s"\ndatabase_url = "sqlite:///var/lib/kanade-backend/kanade.db"\n%s\n' \
      "$bind_addr" "$nats_url" "$web_line" | write_file "$etc_dir/backend.toml" 0644
    printf 'KANADE_NATS_TOKEN=%s\nKANADE_AUTH_STATIC_TOKEN=%s\n' "$nats_token" "$static_token" | write_file "$etc_dir/backend.env" 0600
    ;;
  nats)
    write_file "$etc_dir/nats-server.conf" 0644 <<'CONF'
# Written by install.sh. The token comes from nats.env (KANADE_NATS_TOKEN) through the environment.
port: 4222
http: "127.0.0.1:8222"
jetstream {
  store_dir: "/var/lib/kanade-nats/jetstream"
}
authorization {
  token: $KANADE_NATS_TOKEN
}
CONF
    printf 'KANADE_NATS_TOKEN=%s\n' "$nats_token" | write_file "$etc_dir/nats.env" 0600
    ;;
esac

if [ -n "$root" ]; then
  say "DESTDIR set: files only, no systemctl"
  exit 0
fi
systemctl daemon-reload
systemctl enable "$unit" >/dev/null
if [ "$start" = 1 ]; then
  systemctl restart "$unit"
  sleep 3
  systemctl is-active --quiet "$unit" || { systemctl status --no-pager "$unit" >&2 || true; die "$unit did not stay up; see journalctl -u $unit"; }
  say "$unit is running"
fi
