# common.bash: shared setup of every bats suite.
export LC_ALL=C
DATA=${MMM_DATA:-$BATS_TEST_DIRNAME/../../shared/data}
T=$BATS_TEST_DIRNAME/data

setup() {
	TMP=$(mktemp -d)
	cd "$TMP" || return 1
}

teardown() {
	cd / && rm -rf "$TMP"
}

# Run with stderr kept apart: $output is stdout, $stderr is stderr.
run_split() {
	local rc=0
	"$@" >"$TMP/.out" 2>"$TMP/.err" || rc=$?
	status=$rc
	output=$(cat "$TMP/.out")
	stderr=$(cat "$TMP/.err")
}

