# Shared helpers for the scripts: installing what a fresh machine lacks and a
# throwaway PostgreSQL server. Sourced, not run.

apt_ready=0
need_pkg() {
  # need_pkg COMMAND PACKAGE...: installs the Debian packages if COMMAND is missing.
  # With an empty COMMAND, installs the packages that dpkg does not list.
  local cmd=$1; shift
  if [ -n "$cmd" ]; then
    if command -v "$cmd" >/dev/null 2>&1 || [ -e "$cmd" ]; then return 0; fi
  else
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    set -- "${missing[@]}"
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ $apt_ready -eq 0 ]; then
    echo "==> apt-get update" >&2
    $sudo apt-get update -qq >&2
    apt_ready=1
  fi
  echo "==> apt-get install $*" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts a throwaway PostgreSQL cluster on a free loopback port and exports
# KEHOACH_TEST_PG_URL. PG_DIR is removed by pg_stop.
pg_start() {
  if [ -z "$(pg_bin)" ]; then need_pkg "" postgresql; fi
  local bin; bin=$(pg_bin)
  PG_DIR=$(mktemp -d /tmp/kehoach-pg.XXXXXX)
  PG_PORT=$(free_port)
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c synchronous_commit=${PG_FSYNC:-off} -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  export KEHOACH_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "==> PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT" >&2
}

# Starts a hot standby of the cluster of pg_start: a base backup of it
# (pg_basebackup -R: streaming replication, WAL streamed during the copy) on
# another free loopback port, and exports KEHOACH_TEST_PG_STANDBY_URL. A
# database created on the primary appears on the standby a moment later.
pg_standby_start() {
  local bin; bin=$(pg_bin)
  PG_STANDBY_PORT=$(free_port)
  local as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$PG_DIR/standby" -R -X stream \
    >"$PG_DIR/basebackup.log" 2>&1 || { cat "$PG_DIR/basebackup.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/standby" -l "$PG_DIR/standby.log" -w -t 60 \
    -o "-p $PG_STANDBY_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/standby.log" >&2; return 1; }
  export KEHOACH_TEST_PG_STANDBY_URL="postgres://postgres@127.0.0.1:$PG_STANDBY_PORT/postgres"
  echo "==> hot standby (streaming replication) on 127.0.0.1:$PG_STANDBY_PORT" >&2
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  if [ -d "$PG_DIR/standby" ]; then
    "${as[@]}" "$(pg_bin)/pg_ctl" -D "$PG_DIR/standby" -m fast -w stop >/dev/null 2>&1 || true
  fi
  "${as[@]}" "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
