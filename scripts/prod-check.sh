#!/usr/bin/env bash
# Builds the backend bundle and starts it as production does (node, NODE_ENV=production, app-config.yaml +
# app-config.production.yaml, PostgreSQL from POSTGRES_* variables), then checks /api/pf9/health and the role
# of static external-access tokens. Records its checks in $PF9_RESULTS when set.
set -uo pipefail
source "$(dirname "$0")/env.sh"
source "$PF9_ROOT/scripts/lib/postgres.sh"
source "$PF9_ROOT/scripts/lib/results.sh"
cd "$PF9_ROOT"
: "${PF9_RESULTS:=/dev/null}"
[ -n "${PF9_PG_URL:-}" ] || pf9_ensure_postgres

work="$PF9_ROOT/.data/prod-check"
rm -rf "$work" && mkdir -p "$work/bundle"
if ! yarn workspace backend build >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2; pf9_record prod-build 0 1; exit 1
fi
pf9_record prod-build 1 0
tar xzf packages/backend/dist/bundle.tar.gz -C "$work/bundle"
# The bundle's workspace packages are linked by name; third-party packages resolve from the repo's
# node_modules (a deployment would run `yarn workspaces focus --production` in the bundle instead).
mkdir -p "$work/bundle/node_modules/@internal"
for pkg in "$work"/bundle/plugins/* "$work"/bundle/packages/*; do
  name="$(node -p "require('$pkg/package.json').name")"
  ln -s "$pkg" "$work/bundle/node_modules/$name"
done

port="$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
prefix="pf9check_$$_"
cat >"$work/check.yaml" <<YAML
backend:
  baseUrl: http://127.0.0.1:$port
  listen: 127.0.0.1:$port
  database: { prefix: $prefix }
  auth:
    externalAccess:
      - type: static
        options: { token: prod-check-viewer-token-0001, subject: viewer-bot }
      - type: static
        options: { token: prod-check-superadmin-token-01, subject: ci-bot }
app:
  baseUrl: http://127.0.0.1:$port
pf9:
  access:
    roles:
      viewer: [service:external:viewer-bot]
      superadmin: [service:external:ci-bot]
YAML

(cd "$work/bundle/packages/backend" && NODE_ENV=production \
  POSTGRES_HOST="$PF9_PG_HOST" POSTGRES_PORT="$PF9_PG_PORT" POSTGRES_USER=postgres POSTGRES_PASSWORD=unused \
  PF9_METRICS_TOKEN=prod-check-metrics-token-01 \
  exec node dist/index.cjs.js --config "$PF9_ROOT/app-config.yaml" \
  --config "$PF9_ROOT/app-config.production.yaml" --config "$work/check.yaml") >"$work/backend.log" 2>&1 &
backend=$!
cleanup() {
  kill "$backend" 2>/dev/null; wait "$backend" 2>/dev/null
  psql -h "$PF9_PG_HOST" -p "$PF9_PG_PORT" -U postgres -Atc \
    "select datname from pg_database where datname like '${prefix}%'" 2>/dev/null |
    while read -r db; do psql -h "$PF9_PG_HOST" -p "$PF9_PG_PORT" -U postgres -qc "drop database \"$db\"" >/dev/null 2>&1; done
  pf9_stop_postgres
}
trap cleanup EXIT

base="http://127.0.0.1:$port/api/pf9"
for _ in $(seq 1 120); do
  curl -fs "$base/health" >"$work/health.json" 2>/dev/null && break
  kill -0 "$backend" 2>/dev/null || break
  sleep 1
done

failures=0
check() {
  local name="$1"; shift
  if "$@"; then echo "ok   $name" >&2; pf9_record "prod:$name" 1 0
  else echo "FAIL $name" >&2; pf9_record "prod:$name" 0 1; failures=$((failures + 1)); fi
}
status() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" "$base$1"; }

check "health reports postgres and the production cloud" node -e '
  const h = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.exit(h.status === "ok" && h.database === "postgres" && h.clouds.join() === "production" ? 0 : 1);
' "$work/health.json"
check "viewer token refused on a superadmin-only route (403)" [ "$(status /access/matrix prod-check-viewer-token-0001)" = 403 ]
check "superadmin token allowed on it (200)" [ "$(status /access/matrix prod-check-superadmin-token-01)" = 200 ]
check "no token refused (401)" [ "$(status /access/matrix '')" = 401 ]
check "metrics refused without the metrics token (401)" [ "$(status /metrics prod-check-viewer-token-0001)" = 401 ]
check "metrics served with the metrics token (200)" [ "$(status /metrics prod-check-metrics-token-01)" = 200 ]
if [ "$failures" -gt 0 ]; then
  tail -n 40 "$work/backend.log" >&2; exit 1
fi
