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


# man_examples PAGE: each literal block of PAGE's EXAMPLES into ex-N.sh (or
# ex-N.mk when it is a Makefile rule) in the current folder; prints N.
man_examples() {
	awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && /^\.Bd -literal/ { blk = 1; n++; first = 1; next }
	    on && /^\.Ed/ { blk = 0; next }
	    on && blk {
		gsub(/\\e/, "\\")
		if (first) ext[n] = ($0 ~ /^[A-Za-z_.][A-Za-z0-9_.-]*:/) ? "mk" : "sh"
		first = 0
		print > ("ex-" n "." ext[n])
	    }
	    END { print n + 0 }' "$1"
}

# run_example FILE: run one extracted example; sets $status.
run_example() {
	case $1 in
	*.mk) run make -s -f "$1" ;;
	*) run bash -e -o pipefail "$1" ;;
	esac
}
