#!/bin/sh
# run.sh: run every unit test (TAP) and bats suite, then print one line
# "N passed, N failed" for all of them together.  Exit 1 when any failed.
# MMM_BIN: the tools' folder; MMM_UNIT: the unit test binaries.
set -u
cd "$(dirname "$0")/.." || exit 70
log=$(mktemp) || exit 70
trap 'rm -f "$log"' EXIT INT TERM
status=0

run() {	# NAME CMD...: run a TAP producer, keep its output
	echo "== $1"
	shift
	if ! "$@" >"$log.one" 2>&1; then
		status=1
	fi
	grep -E '^(not )?ok ' "$log.one" >>"$log"
	# Show failures and diagnostics, not the long list of passes.
	grep -vE '^ok |^1\.\.' "$log.one" | head -200
	n=$(grep -cE '^(not )?ok ' "$log.one")
	if [ "$n" -eq 0 ]; then
		echo "not ok - $1 ran no test" >>"$log"
		status=1
	fi
	rm -f "$log.one"
}

for t in ${MMM_UNIT:-}; do
	run "$(basename "$t")" "$t"
done
for s in tests/*.bats; do
	run "$(basename "$s")" env PATH="$MMM_BIN:$PATH" bats --tap "$s"
done

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ] || exit 1
