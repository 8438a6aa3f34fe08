# Each test step appends "<step> <passed> <failed>" to $PF9_RESULTS; the test command sums them at the end.
pf9_record() { echo "$1 $2 $3" >>"$PF9_RESULTS"; }

# Runs a quality gate (tsc, lint, prettier) as one test: passed when the command succeeds.
pf9_gate() {
  local name="$1"; shift
  echo "== $name" >&2
  if "$@"; then pf9_record "$name" 1 0; else pf9_record "$name" 0 1; fi
}
