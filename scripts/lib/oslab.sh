# The real OpenStack lab of ../shared/openstack-lab for the integration suite. up.sh is idempotent but its
# first run on a bare machine can stop early (nova revive check, or volumes created before cinder-volume
# reported its pool end in error); a second pass after clearing error volumes settles both.
pf9_oslab_up() {
  local lab="$PF9_SHARED_DIR/openstack-lab" log="$PF9_ROOT/test-results/oslab-up.log"
  [ -f "$lab/up.sh" ] || { echo "pf9: no OpenStack lab at $lab" >&2; return 1; }
  local attempt
  for attempt in 1 2 3; do
    if (cd /tmp && bash "$lab/up.sh") >>"$log" 2>&1 && tail -n 1 "$log" | grep -q '^OSLAB_READY'; then
      pf9_oslab_wait_for_pool && return 0
    fi
    echo "pf9: lab not ready (attempt $attempt), settling and retrying; see $log" >&2
    pf9_oslab_wait_for_pool
    pf9_oslab_clear_error_volumes
  done
  return 1
}

pf9_oslab_cli() {
  OS_CLIENT_CONFIG_FILE=/var/tmp/oslab/clouds.yaml openstack --os-cloud oslab "$@"
}

# Volume creates fail with NoValidBackend until cinder-volume has reported its pool to the scheduler.
pf9_oslab_wait_for_pool() {
  local _
  for _ in $(seq 1 60); do
    [ -n "$(pf9_oslab_cli volume backend pool list -f value 2>/dev/null)" ] && return 0
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
