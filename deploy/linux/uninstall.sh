#!/bin/sh
# Removes one kanade role's systemd service (docs/operator/deploy.md). Safe by default; idempotent.
#
#   uninstall.sh <agent|backend|nats> [--purge] [--keep-secrets]
#
# Default: stops and disables kanade-<role>.service, removes the unit and the role's binary (and any
# .new/.old swap leftovers). Keeps /etc/kanade/<role> config, secrets and /var/lib/kanade-<role>.
# --purge also removes the config, the secrets (unless --keep-secrets) and the state directory: for
# nats that is all of JetStream, for the backend its database and command-signing keys.
# With DESTDIR=<dir> it works below <dir> and does not call systemctl.
set -eu

die() { echo "uninstall.sh: $*" >&2; exit 2; }
say() { echo "[kanade] $*"; }

role="${1:-}"
case "$role" in
  agent|backend|nats) shift ;;
  *) die "usage: uninstall.sh <agent|backend|nats> [--purge] [--keep-secrets] (got '${role}')" ;;
esac
purge=0
keep_secrets=0
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) purge=1; shift ;;
    --keep-secrets) keep_secrets=1; shift ;;
    *) die "unknown option '$1'" ;;
  esac
done

root="${DESTDIR:-}"
unit="kanade-$role.service"
case "$role" in
  agent) exe="kanade-agent"; config="agent.toml" ;;
  backend) exe="kanade-backend"; config="backend.toml" ;;
  nats) exe="nats-server"; config="nats-server.conf" ;;
esac

remove() {
  if [ -e "$1" ] || [ -L "$1" ]; then
    rm -rf "$1"
    say "removed $1"
  else
    say "$1 not present, skipping"
  fi
}

if [ -n "$root" ]; then
  say "DESTDIR set: files only, no systemctl"
elif systemctl cat "$unit" >/dev/null 2>&1; then
  systemctl disable --now "$unit" >/dev/null 2>&1 || systemctl stop "$unit"
  say "stopped and disabled $unit"
else
  say "$unit not present, skipping stop"
fi

if [ "$purge" = 1 ] && [ "$role" != agent ]; then
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  if [ "$role" = nats ]; then
    echo "!!  --purge DELETES ALL JETSTREAM DATA: $root/var/lib/kanade-nats" >&2
  else
    echo "!!  --purge DELETES THE BACKEND DATABASE AND COMMAND KEYS: $root/var/lib/kanade-backend" >&2
  fi
  echo "!!  This cannot be undone without a backup." >&2
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
fi

remove "$root/etc/systemd/system/$unit"
for suffix in "" .new .old; do
  if [ -z "$suffix" ]; then remove "$root/opt/kanade/bin/$exe"; elif [ -e "$root/opt/kanade/bin/$exe$suffix" ]; then remove "$root/opt/kanade/bin/$exe$suffix"; fi
done
[ "$role" = backend ] && remove "$root/opt/kanade/web"
if [ "$purge" = 1 ]; then
  remove "$root/etc/kanade/$config"
  [ "$keep_secrets" = 1 ] || remove "$root/etc/kanade/$role.env"
  # DynamicUser services keep their state under /var/lib/private with a symlink in /var/lib.
  remove "$root/var/lib/kanade-$role"
  remove "$root/var/lib/private/kanade-$role"
fi
for dir in "$root/opt/kanade/bin" "$root/opt/kanade" "$root/etc/kanade"; do
  [ -d "$dir" ] && rmdir "$dir" 2>/dev/null && say "removed empty $dir"
done
[ -z "$root" ] && systemctl daemon-reload
say "kanade-$role removed"
