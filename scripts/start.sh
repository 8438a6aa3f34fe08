#!/usr/bin/env bash
# The README's first command: sets everything up, starts the simulated demo cloud and the portal
# (frontend http://localhost:3000, backend http://localhost:7007) on the embedded default (SQLite, guest).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PF9_ROOT"
bash scripts/setup.sh
mkdir -p .data

sim=""
if [ -f packages/openstack-sim/src/cli.ts ]; then
  node --require @backstage/cli/config/nodeTransform.cjs packages/openstack-sim/src/cli.ts \
    --scenario "${PF9_DEMO_SCENARIO:-medium}" --port 5050 --admin-in-every-project >.data/openstack-sim.log 2>&1 &
  sim=$!
fi
trap '[ -z "$sim" ] || kill "$sim" 2>/dev/null' EXIT
yarn start "$@"
