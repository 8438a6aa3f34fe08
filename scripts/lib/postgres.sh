# PostgreSQL for tests: the server on 127.0.0.1:5432 when one answers, otherwise a throwaway cluster from the
# machine's initdb/pg_ctl on a free port, stopped when the calling script exits. Sets PF9_PG_HOST/PORT/URL.
# PF9_PG_THROWAWAY=1 forces the throwaway cluster.
pf9_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/$1" ] && { echo "$dir/$1"; return; }
  done
  command -v "$1"
}

pf9_ensure_postgres() {
  PF9_PG_HOST=127.0.0.1
  if [ "${PF9_PG_THROWAWAY:-}" != 1 ] && { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null ||
    node -e 'require("net").connect(5432,"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))'; }; then
    PF9_PG_PORT=5432
  else
    PF9_PG_PORT="$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
    PF9_PG_DIR="$(mktemp -d /tmp/pf9-pg.XXXXXX)"
    local owner=""
    # initdb refuses to run as root; the cluster then belongs to the postgres user.
    if [ "$(id -u)" = 0 ]; then owner="runuser -u postgres --"; chown postgres "$PF9_PG_DIR"; fi
    echo "pf9: starting a throwaway PostgreSQL cluster on port $PF9_PG_PORT" >&2
    $owner "$(pf9_pg_bin initdb)" -D "$PF9_PG_DIR/data" -U postgres -A trust >/dev/null
    $owner "$(pf9_pg_bin pg_ctl)" -D "$PF9_PG_DIR/data" -l "$PF9_PG_DIR/log" -w \
      -o "-h 127.0.0.1 -p $PF9_PG_PORT -k $PF9_PG_DIR" start >/dev/null
    trap 'pf9_stop_postgres' EXIT
  fi
  PF9_PG_URL="postgresql://postgres@$PF9_PG_HOST:$PF9_PG_PORT"
  export PF9_PG_HOST PF9_PG_PORT PF9_PG_URL
}

pf9_stop_postgres() {
  [ -n "${PF9_PG_DIR:-}" ] || return 0
  local owner=""
  [ "$(id -u)" = 0 ] && owner="runuser -u postgres --"
  $owner "$(pf9_pg_bin pg_ctl)" -D "$PF9_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PF9_PG_DIR"
}
