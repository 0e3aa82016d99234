#!/usr/bin/env bash
# PostgreSQL for the backend's tests on both engines: a server on 127.0.0.1:5432 that trusts loopback
# connections (user postgres; each test makes and drops its own database). When nothing answers there it
# installs Debian's postgresql if missing and starts the newest cluster (as root); otherwise it says what to do.
set -euo pipefail
PORT=5432
ready() { pg_isready -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1; }
command -v pg_isready >/dev/null 2>&1 && ready && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "[ensure-postgres] nothing answers on 127.0.0.1:$PORT. Install and start PostgreSQL with trust auth for 127.0.0.1:" >&2
  echo "  sudo apt-get install postgresql && sudo pg_ctlcluster <version> main start" >&2
  exit 1
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q postgresql
fi
ver=$(ls /etc/postgresql | sort -V | tail -1)
hba=/etc/postgresql/$ver/main/pg_hba.conf
# A test machine only: loopback TCP logins need no password (first matching line wins, so it goes on top).
if ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
fi
if pg_ctlcluster "$ver" main status >/dev/null 2>&1; then
  pg_ctlcluster "$ver" main reload
else
  pg_ctlcluster "$ver" main start
fi
for _ in $(seq 1 60); do
  ready && exit 0
  sleep 0.5
done
echo "[ensure-postgres] PostgreSQL $ver did not come up on 127.0.0.1:$PORT" >&2
exit 1
