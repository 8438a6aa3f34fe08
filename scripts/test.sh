#!/usr/bin/env bash
# The README's test command: sets up, then runs every test and quality gate, and ends with "N passed, N failed".
# Exit status is non-zero when anything failed or nothing ran.
set -uo pipefail
source "$(dirname "$0")/env.sh"
source "$PF9_ROOT/scripts/lib/postgres.sh"
source "$PF9_ROOT/scripts/lib/results.sh"
source "$PF9_ROOT/scripts/lib/oslab.sh"
cd "$PF9_ROOT"

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

export PF9_RESULTS="$PF9_ROOT/test-results/summary.txt"
mkdir -p test-results && : >"$PF9_RESULTS"

# The real OpenStack lab comes up in the background while the quality gates run.
pf9_oslab_up >"$PF9_ROOT/test-results/oslab.status" 2>&1 &
oslab_pid=$!

pf9_ensure_postgres
export BACKSTAGE_TEST_DISABLE_DOCKER=1
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$PF9_PG_URL"
export PF9_REQUIRE_POSTGRES=1

pf9_gate tsc yarn tsc
# the benchmarks run through the TypeScript transform, which checks no types: checked here
pf9_gate tsc-bench tsc -p bench/tsconfig.json
pf9_gate lint backstage-cli repo lint
pf9_gate prettier prettier --check .

oslab_ready=1
if wait "$oslab_pid"; then
  export PF9_OSLAB_AUTH_URL=http://127.0.0.1:5000/v3
else
  oslab_ready=0
  cat "$PF9_ROOT/test-results/oslab.status" >&2
  pf9_record oslab-up 0 1
fi
# Without the lab URL the integration suite fails rather than skipping the real OpenStack.
export PF9_REQUIRE_OSLAB=1

# The suites against the real lab share one cloud and each checks what the lab holds, so they run one
# after another once the rest is done; everything else runs in parallel.
LAB_SUITES='\.integration\.test\.ts$'
pf9_jest() {
  local name="$1"
  shift
  CI=true backstage-cli repo test "$@" --json --outputFile="$PF9_ROOT/test-results/$name.json" >&2
  node -e '
    const r = require(process.argv[1]);
    console.log(`${process.argv[2]} ${r.numPassedTests} ${r.numFailedTests + r.numRuntimeErrorTestSuites}`);
  ' "$PF9_ROOT/test-results/$name.json" "$name" >>"$PF9_RESULTS" 2>/dev/null || pf9_record "$name" 0 1
}
echo "== unit tests and simulator/database integration tests (jest)" >&2
pf9_jest jest --testPathIgnorePatterns "$LAB_SUITES"
echo "== integration tests on the simulator and the real OpenStack lab, one suite at a time (jest)" >&2
pf9_jest jest-lab --runInBand --testPathPatterns "$LAB_SUITES"

echo "== built backend on PostgreSQL with app-config.production.yaml" >&2
bash scripts/prod-check.sh || true

echo "== browser tests (Playwright, Debian Chromium)" >&2
PLAYWRIGHT_JSON_OUTPUT_NAME="$PF9_ROOT/test-results/e2e.json" \
  playwright test --config e2e/playwright.config.ts --reporter=json,list >&2
node -e '
  const s = require(process.argv[1]).stats;
  console.log(`e2e ${s.expected + s.flaky} ${s.unexpected}`);
' "$PF9_ROOT/test-results/e2e.json" >>"$PF9_RESULTS" 2>/dev/null || pf9_record e2e 0 1

# repeated here, at the end of the output, where a CI excerpt shows it
[ "$oslab_ready" = 1 ] || pf9_oslab_report >&2
echo "== summary" >&2
cat "$PF9_RESULTS" >&2
read -r passed failed < <(awk '{p+=$2; f+=$3} END {print p+0, f+0}' "$PF9_RESULTS")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
