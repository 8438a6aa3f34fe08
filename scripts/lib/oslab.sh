# The real OpenStack lab of ../shared/openstack-lab for the integration suite. up.sh is idempotent but its
# first run on a bare machine can stop early (nova revive check, or volumes created before cinder-volume
# reported its pool end in error); a second pass after clearing error volumes settles both. A lab whose
# processes were killed with the session that started it may keep a state that up.sh does not repair:
# after two failed passes it is stopped and started again from empty databases, as on a bare machine.
pf9_oslab_up() {
  local lab="$PF9_SHARED_DIR/openstack-lab"
  [ -f "$lab/up.sh" ] || { echo "pf9: no OpenStack lab at $lab" >&2; return 1; }
  pf9_oslab_forget_reused_pids
  pf9_oslab_passes "$lab" 1 2 && return 0
  echo "pf9: lab not ready after 2 passes: stopping it and purging its state" >&2
  bash "$lab/down.sh" --purge >>"$(pf9_oslab_log)" 2>&1
  pf9_oslab_passes "$lab" 3 4
}

pf9_oslab_log() { echo "$PF9_ROOT/test-results/oslab-up.log"; }

# where the lab keeps its state (its lib.sh reads the same variable)
PF9_OSLAB_HOME="${OSLAB_HOME:-/var/tmp/oslab}"

pf9_oslab_running() {
  local pidfile="$PF9_OSLAB_HOME/run/$1.pid"
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# The lab knows its services by pid file only. Its processes end with the session that started them, but
# their pid files stay; where pids start again from 1 (a new pid namespace, a reboot), such a pid can
# belong to another process by now: up.sh would take that service for running and wait for its port in
# vain, and down.sh would signal the stranger. A pid whose process started after its file was written is
# not the lab's: the file is dropped.
pf9_oslab_forget_reused_pids() {
  local pidfile pid age
  for pidfile in "$PF9_OSLAB_HOME"/run/*.pid; do
    [ -s "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    age="$(ps -o etimes= -p "$pid" 2>/dev/null | tr -d ' ')"
    [ -n "$age" ] || continue
    if [ $(($(date +%s) - age)) -gt $(($(stat -c %Y "$pidfile") + 5)) ]; then
      echo "pf9: $pidfile names pid $pid, which another process has now: dropped" >&2
      rm -f "$pidfile"
    fi
  done
}

# pf9_oslab_passes LAB N... : one up.sh pass per N until the lab reports ready with a volume pool.
pf9_oslab_passes() {
  local lab="$1" log attempt
  log="$(pf9_oslab_log)"
  shift
  for attempt in "$@"; do
    local ready=0
    # up.sh has its own timeouts; this one only keeps a hung pass from eating CI's time
    (cd /tmp && timeout 900 bash "$lab/up.sh") >>"$log" 2>&1 && tail -n 1 "$log" | grep -q '^OSLAB_READY' && ready=1
    if pf9_oslab_running cinder-volume && pf9_oslab_wait_for_pool; then
      [ "$ready" = 1 ] && return 0
      pf9_oslab_clear_error_volumes
    fi
    echo "pf9: lab not ready (pass $attempt); see $log" >&2
  done
  return 1
}

# Why the lab did not come up, for the end of the test output: up.sh's failure lines, and the last lines of
# the log of each lab service that is not running.
pf9_oslab_report() {
  local home="$PF9_OSLAB_HOME" pidfile name
  echo "== OpenStack lab did not come up"
  grep -E 'OSLAB_FAILED|FATAL|FAILED|not ready|purging' "$(pf9_oslab_log)" | tail -n 20
  for pidfile in "$home"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    name="$(basename "$pidfile" .pid)"
    pf9_oslab_running "$name" && continue
    echo "-- $name is not running; last lines of its log:"
    tail -n 8 "$home/log/$name.log" "$home/log/$name.out" 2>/dev/null
  done
}

pf9_oslab_cli() {
  OS_CLIENT_CONFIG_FILE="$PF9_OSLAB_HOME/clouds.yaml" timeout 60 openstack --os-cloud oslab "$@"
}

# Volume creates fail with NoValidBackend until cinder-volume has reported its pool to the scheduler.
# Three minutes at most, however long each CLI call takes when Keystone does not answer.
pf9_oslab_wait_for_pool() {
  local deadline=$((SECONDS + 180)) pools
  while [ "$SECONDS" -lt "$deadline" ]; do
    # this openstack CLI has no pool listing (scheduler-stats) for volume API v3; cinder's own has
    pools="$(source "$PF9_OSLAB_HOME/adminrc" && timeout 60 cinder get-pools 2>/dev/null)"
    [[ "$pools" == *"| name "* ]] && return 0
    sleep 3
  done
  return 1
}

pf9_oslab_clear_error_volumes() {
  local id
  for id in $(pf9_oslab_cli volume list --all-projects --status error -c ID -f value 2>/dev/null); do
    pf9_oslab_cli volume delete "$id" >/dev/null 2>&1
  done
  sleep 5
}
