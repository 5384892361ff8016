#!/usr/bin/env bats
# mmm-train --threads 2 reading a regular file in two parts (issue 15): the
# file is cut at the first line start after a nominal offset; when the cut
# fell inside a record the second part is thrown away.  Whatever happens,
# the model bytes, or the error message and exit status, are those of
# --threads 1.  MMM_SPLIT_MIN_BYTES=1 splits small files, MMM_SPLIT_AT moves
# the nominal cut (a fraction of the data bytes), MMM_SPLIT_TRACE=1 has
# mmm-train say on stderr what it did; the comparisons drop that line.
# Seeded files of tests/gen/csvfuzz (MMM_FUZZ_N seeds: 150 by default,
# 5000 in make check-long) and a hand-written file per situation.
load common

GEN=${MMM_GEN:-$BATS_TEST_DIRNAME/../build/opt/tests/gen}/csvfuzz
FUZZ_N=${MMM_FUZZ_N:-150}
[ -z "${MMM_LONG:-}" ] || FUZZ_N=${MMM_FUZZ_N:-5000}
TWO='read in two parts cut at byte ([0-9]+) \(line ([0-9]+)\)'
ONE='cut at byte ([0-9]+) fell inside a record; read in one part'
# lone CRs: a part holds more records than newlines, its rows do not fit
CRS='cut at byte ([0-9]+): more records than lines (before|after) it; read in one part'
TRACE_RE="^mmm-train: .*: ($TWO|$ONE|$CRS)\$"

setup_file() {
	[ -x "$GEN" ] || { echo "no $GEN: run make check" >&2; return 1; }
}

# The tests that need the trace (MMM_SPLIT_TRACE_TESTS=0 skips them).
traced() {
	[ "${MMM_SPLIT_TRACE_TESTS:-1}" != 0 ] || skip "MMM_SPLIT_TRACE_TESTS=0"
}

# train T AT IN ARGS...: mmm-train --threads T with the split variables on
# IN: a file operand, "<FILE" (standard input redirected from FILE) or
# "|FILE" (FILE through a pipe).  Sets rc, errs (stderr but the trace),
# trace (and vtrace, --valid's); the model goes to m-T.json (absent after
# a failure).
train() {
	local t=$1 at=$2 in=$3 line
	shift 3
	local cmd=(mmm-train --threads "$t" --now 2024-01-01-0000
	    -o "m-$t.json" "$@")
	[ ! -e "m-$t.json" ] || rm -f "m-$t.json"
	rc=0
	# (no command substitutions: thousands of runs, a fork each costs)
	case $in in
	'<'*) MMM_SPLIT_MIN_BYTES=1 MMM_SPLIT_AT=$at MMM_SPLIT_TRACE=1 \
	    "${cmd[@]}" <"${in#<}" >out 2>err || rc=$? ;;
	'|'*) cat "${in#|}" | MMM_SPLIT_MIN_BYTES=1 MMM_SPLIT_AT=$at \
	    MMM_SPLIT_TRACE=1 "${cmd[@]}" >out 2>err || rc=$? ;;
	*) MMM_SPLIT_MIN_BYTES=1 MMM_SPLIT_AT=$at MMM_SPLIT_TRACE=1 \
	    "${cmd[@]}" "$in" >out 2>err || rc=$? ;;
	esac
	trace= vtrace= errs=
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ $TRACE_RE ]]; then
			# one per file read: the input's first, then --valid's
			if [ -z "$trace" ]; then
				trace=$line
			elif [ -z "$vtrace" ] && [ "${line%%: [rc]*}" != "${trace%%: [rc]*}" ]; then
				vtrace=$line
			else
				echo "a third trace line, or two for one file: $trace / $vtrace / $line"
				return 1
			fi
		else
			errs+=${errs:+$'\n'}$line
		fi
	done <err
	[ ! -s out ] || { echo "stdout written with -o"; return 1; }
}

# one AT IN ARGS...: the reference, --threads 1 (which never splits).
one() {
	train 1 "$@" || return 1
	rc1=$rc err1=$errs
	[ -z "$trace" ] || { echo "--threads 1 traced: $trace"; return 1; }
}

# two AT IN ARGS...: --threads 2 gives what one gave, and its trace (if
# any) names a byte where a record starts (two parts) or a line start
# inside a quoted field (one part).
two() {
	local at=$1 in=$2
	train 2 "$@" || return 1
	shift 2
	if [ "$rc" != "$rc1" ] || [ "$errs" != "$err1" ]; then
		echo "MMM_SPLIT_AT=$at $in $*"
		echo "--threads 1: exit $rc1: $err1"
		echo "--threads 2: exit $rc: $errs"
		echo "trace: $trace"
		return 1
	fi
	if [ -e m-1.json ] || [ -e m-2.json ]; then
		cmp m-1.json m-2.json || {
			echo "MMM_SPLIT_AT=$at $in $*: model files differ; trace: $trace"
			diff <(jq -S . m-1.json) <(jq -S . m-2.json) | head -20
			return 1
		}
	fi
	trace_valid "${in#[<|]}"
}

# trace_valid FILE: the trace's cut is a line start of FILE; a record
# starts there and its line is right (two parts), or it is inside a quoted
# field (one part), by the scanner's reading of FILE's quotes.  Unchecked
# after a malformed quote, or when --threads 1 stopped at an error on a line
# before the cut's (then the second part's fate is not the trace's).
trace_valid() {
	local kind n l entry
	[ -n "$trace" ] || return 0
	[ -e "$1.b" ] || "$GEN" -b "$1" >"$1.b"
	! grep -q '^X' "$1.b" || return 0
	if [[ $trace =~ $TWO ]]; then
		kind=B n=${BASH_REMATCH[1]} l=${BASH_REMATCH[2]}
	elif [[ $trace =~ $CRS ]]; then
		# a record starts at the cut, but a part has lone CRs
		kind=B n=${BASH_REMATCH[1]} l=
		grep -qaP '\r(?!\n|$)' "$1" ||
		    { echo "$1: no lone CR, yet: $trace"; return 1; }
	else
		[[ $trace =~ $ONE ]]
		kind=I n=${BASH_REMATCH[1]} l=
	fi
	entry=$(grep -E "^[BI] $n " "$1.b") ||
	    { echo "$1: byte $n is no line start: $trace"; return 1; }
	if [ "$rc1" -ne 0 ] && [[ $err1 =~ :([0-9]+):\  ]] &&
	    [ "${BASH_REMATCH[1]}" -lt "${entry##* }" ]; then
		return 0
	fi
	[[ $entry == "$kind $n "${l:-*} ]] ||
	    { echo "$1: at byte $n the scanner has '$entry': $trace"; return 1; }
}

# same IN ARGS...: one, then two at every AT of a sweep and at the extra
# fractions in the array ATS (when set).
same() {
	local in=$1 at
	shift
	one 0.4 "$in" "$@" || return 1
	for at in 0 0.07 0.15 0.23 0.31 0.4 0.48 0.56 0.64 0.72 0.8 0.88 0.95 \
	    0.99 "${ATS[@]}"; do
		two "$at" "$in" "$@" || return 1
	done
}

# at_for FILE R: the MMM_SPLIT_AT whose nominal offset is halfway between
# the line start before byte R and R, so that the cut is at R whether the
# first line start at or after the offset is taken, or after it.
at_for() {
	"$GEN" -b "$1" | awk -v r="$2" -v s="$(wc -c <"$1")" '
	    NR == 1 { h = $2 } $2 < r { p = $2 }
	    END { if (p < h || r <= h) exit 1
		printf "%.9f\n", ((p + r) / 2 - h) / (s - h) }'
}

# line_at FILE L: the byte where LF-ended line L starts.
line_at() {
	head -n $(($2 - 1)) "$1" | wc -c
}

# cut_at FILE R ARGS...: one and two with the nominal cut just before byte R.
cut_at() {
	local f=$1 r=$2 at
	shift 2
	at=$(at_for "$f" "$r") || { echo "no fraction for byte $r of $f"; return 1; }
	one "$at" "$f" "$@" && two "$at" "$f" "$@"
}

# expect_two R: the trace says two parts cut at byte R.
expect_two() {
	[[ $trace =~ $TWO ]] && [ "${BASH_REMATCH[1]}" = "$1" ] ||
	    { echo "want two parts cut at byte $1; trace: '$trace'"; return 1; }
}

# expect_inside R: the trace says the cut at byte R fell inside a record.
expect_inside() {
	[[ $trace =~ $ONE ]] && [ "${BASH_REMATCH[1]}" = "$1" ] ||
	    { echo "want a cut at byte $1 inside a record; trace: '$trace'"; return 1; }
}

# base N: N dated rows, y = 1 + 2a - b + c/2 + noise, LF line ends.
base() {
	awk -v n="$1" 'BEGIN { print "date,y,a,b,c"
	    for (i = 1; i <= n; i++) {
		a = (i * 37 % 101) / 10; b = (i * 53 % 97) / 10
		c = (i * 71 % 89) / 10
		y = 1 + 2 * a - b + c / 2 + ((i * 13 % 17) - 8) / 100
		printf "2024-%02d-%02d,%.4f,%.1f,%.1f,%.1f\n",
		    1 + int((i - 1) / 28), 1 + (i - 1) % 28, y, a, b, c } }'
}

# noted N: base N and a text column; line 21 (row 20) holds a quoted
# field of four lines, the third of which reads as a record.
noted() {
	base "$1" | awk -F, 'BEGIN { OFS = "," }
	    NR == 1 { print $0, "note"; next }
	    NR == 21 { print $0, "\"first\nsecond, with a comma\n2024-02-01,1,2,3,4,x\nlast \"\"quoted\"\"\""; next }
	    { print $0, (NR % 3 ? "tv" : "\"radio, promo\"") }'
}

OLS=(--model ols --target y)

# --- seeded files --------------------------------------------------------

# variant SEED: the options for the seed's file (f.csv), into args.
variant() {
	local hdr
	IFS= read -r hdr <f.csv || true
	case $(($1 % 8)) in
	0) args=(--model ols --drop-missing) ;;
	1) args=(--model ols) ;;
	2) args=(--model ridge --drop-missing) ;;
	3) args=(--model bayes --drop-missing) ;;
	4) if [[ $hdr =~ (^|[,\"])w([,\"]|$'\r'|$) ]]; then
		args=(--model ols --drop-missing --weights w)
	   else	# expanding-window folds over the dates instead
		args=(--model ols --drop-missing --cv 3)
	   fi ;;
	5) args=(--model ols --drop-missing --features 'x*') ;;
	6) args=(--model ridge --lambda 1 --drop-missing --features x1,x3,x2) ;;
	7) args=(--model ols --drop-missing --features x1,x2,note) ;;
	esac
	args+=(--target y)
}

# fuzz FROM TO: seeds [FROM, TO), each at ten cuts (0.0d, 0.1d, ... 0.9d
# with d the seed's last digit, so that the seeds cover every hundredth).
# With LOG set, one line per --threads 2 run: seed, AT, rc, the trace.
fuzz() {
	local s j at
	for ((s = $1; s < $2; s++)); do
		"$GEN" "$s" >f.csv
		rm -f f.csv.b
		variant "$s"
		one 0.4 f.csv "${args[@]}" || { echo "seed $s"; return 1; }
		for ((j = 0; j < 10; j++)); do
			at=0.$j$((s % 10))
			two "$at" f.csv "${args[@]}" || {
				echo "seed $s ($("$GEN" -d "$s"))"
				echo "again: csvfuzz $s >f.csv; MMM_SPLIT_AT=$at ... mmm-train ${args[*]}"
				return 1
			}
			[ -z "${LOG:-}" ] || echo "$s $at $rc1 $trace" >>"$LOG"
		done
	done
}

chunk() {	# I: the I-th sixth of the seeds
	fuzz $(($1 * FUZZ_N / 6)) $((($1 + 1) * FUZZ_N / 6))
}

@test "csvfuzz: the same seed gives the same bytes, another seed others" {
	"$GEN" 42 >a.csv
	"$GEN" 42 >b.csv
	"$GEN" 43 >c.csv
	cmp a.csv b.csv
	if cmp -s a.csv c.csv; then false; fi
	run "$GEN" -d 42
	[[ $output == "seed 42: rows "* ]]
	run "$GEN" x
	[ "$status" -eq 64 ]
}

@test "csvfuzz: the files hold what they are meant to" {
	# over 200 seeds: every kind of line end, quoted newlines, BOMs, blank
	# lines, missing values, a last line without newline, errors
	for ((s = 0; s < 200; s++)); do "$GEN" $s; echo; done >all
	grep -q $'\r\n' all
	LC_ALL=C grep -qP '\r[^\n]' all
	grep -q $'\xef\xbb\xbf' all
	grep -q '""' all
	grep -qE '(^|,)(NA|null|NaN)(,|$)' all
	grep -qx '' all
	for ((s = 0; s < 200; s++)); do "$GEN" -d $s; done >desc
	for k in quote-mid quote-open fields nonnum inf date totext weight; do
		grep -q " $k@" desc || { echo "no $k error"; false; }
	done
	grep -q 'last eol 0' desc
	grep -q 'eol cr,' desc
	grep -qE 'late x [0-9]' desc
	# and mmm-train fits most of them
	ok=0
	for ((s = 0; s < 40; s++)); do
		"$GEN" $s >f.csv
		mmm-train --model ols --target y --drop-missing f.csv >/dev/null 2>&1 && ok=$((ok + 1))
	done
	[ "$ok" -ge 15 ] && [ "$ok" -le 35 ] || { echo "$ok of 40 fitted"; false; }
}

@test "csvfuzz -b: record starts outside quotes, line starts inside" {
	printf 'a,b\n1,"x\ny"\r\n\n2,3\r4,5' >q.csv
	run "$GEN" -b q.csv
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'B 4 2\nI 9 3\nB 13 4\nB 14 5\nB 18 5')" ]
	# a BOM is skipped; a quote inside an unquoted field or after a
	# closing one ends the list
	printf '\xef\xbb\xbf"a",b\n1,x"y\n2,3\n' >q.csv
	run "$GEN" -b q.csv
	[ "$output" = "$(printf 'B 9 2\nX 12')" ]
	printf 'a,b\n"1"2,3\n' >q.csv
	run "$GEN" -b q.csv
	[ "$output" = "$(printf 'B 4 2\nX 7')" ]
}

@test "fuzz: seeded files, one and two threads agree (1 of 6)" { chunk 0; }
@test "fuzz: seeded files, one and two threads agree (2 of 6)" { chunk 1; }
@test "fuzz: seeded files, one and two threads agree (3 of 6)" { chunk 2; }
@test "fuzz: seeded files, one and two threads agree (4 of 6)" { chunk 3; }
@test "fuzz: seeded files, one and two threads agree (5 of 6)" { chunk 4; }
@test "fuzz: seeded files, one and two threads agree (6 of 6)" { chunk 5; }

@test "trace: seeded files really split, and fall back inside quoted fields" {
	traced
	LOG=$TMP/log fuzz 1000 1060
	# over the runs that fitted: most split; some cuts fell inside a
	# quoted field with a newline
	ok=$(awk '$3 == 0' log | wc -l)
	split=$(awk '$3 == 0 && / read in two parts /' log | wc -l)
	inside=$(grep -c ' fell inside a record' log || true)
	echo "# $split of $ok fitting runs split, $inside fell inside" >&3
	[ "$ok" -ge 200 ]
	[ $((split * 10)) -ge $((ok * 3)) ]
	[ "$inside" -ge 1 ]
}

# --- hand-written files: each situation ---------------------------------

@test "a cut inside a quoted field holding newlines: same as one thread" {
	noted 40 >f.csv
	for l in 22 23 24; do
		ATS+=($(at_for f.csv "$(line_at f.csv $l)"))
	done
	same f.csv "${OLS[@]}"
	jq -e '.data.rows == 40 and .features == ["a", "b", "c"]' m-2.json
	same f.csv --model ridge --target y --features a,b
}

@test "trace: a cut inside a quoted newline field falls back to one part" {
	traced
	noted 40 >f.csv
	# every line of the field but the first: the last closes it
	for l in 22 23 24; do
		r=$(line_at f.csv $l)
		cut_at f.csv "$r" "${OLS[@]}"
		expect_inside "$r"
	done
	# just after the field: a record starts
	r=$(line_at f.csv 25)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_two "$r"
	[[ $trace == *"(line 25)" ]]
}

@test "CRLF inside quotes and as line ends: same as one thread" {
	noted 40 | sed 's/$/\r/' >f.csv
	grep -q $'first\r$' f.csv
	same f.csv "${OLS[@]}"
	jq -e '.data.rows == 40' m-2.json
}

@test "trace: a cut after a CRLF inside quotes falls back to one part" {
	traced
	noted 40 | sed 's/$/\r/' >f.csv
	r=$(line_at f.csv 23)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_inside "$r"
	r=$(line_at f.csv 30)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_two "$r"
}

@test "a cut exactly at a record start: same as one thread" {
	base 40 >f.csv
	ATS=($(at_for f.csv "$(line_at f.csv 20)"))
	same f.csv "${OLS[@]}"
	same f.csv --model bayes --target y
}

@test "trace: a cut exactly at a record start reads two parts" {
	traced
	base 40 >f.csv
	for l in 3 20 40; do
		r=$(line_at f.csv $l)
		cut_at f.csv "$r" "${OLS[@]}"
		expect_two "$r"
		[[ $trace == "mmm-train: f.csv: read in two parts cut at byte $r (line $l)" ]] ||
		    { echo "$trace"; false; }
	done
}

@test "a cut on the header's next line: same as one thread" {
	base 40 >f.csv
	ATS=(0 0.000001 0.001 0.01 "$(at_for f.csv "$(line_at f.csv 3)")")
	same f.csv "${OLS[@]}"
	same f.csv --model ridge --target y
}

@test "a cut on the last line, which has no newline: same as one thread" {
	base 40 | head -c -1 >f.csv
	[ "$(tail -c 1 f.csv)" != "" ]
	ATS=(0.98 0.995 0.999 1 "$(at_for f.csv "$(line_at f.csv 41)")")
	same f.csv "${OLS[@]}"
	same f.csv --model bayes --target y
}

@test "trace: a cut at the last line without newline reads two parts" {
	traced
	base 40 | head -c -1 >f.csv
	r=$(line_at f.csv 41)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_two "$r"
	jq -e '.data.rows == 40' m-2.json
}

@test "a cut on a line that errors: the same error" {
	base 40 | awk -F, 'BEGIN { OFS = "," } NR == 20 { $5 = "abc" } { print }' >f.csv
	ATS=($(at_for f.csv "$(line_at f.csv 20)"))
	same f.csv "${OLS[@]}"
	[ "$rc" -eq 65 ]
	[ "$errs" = 'mmm-train: f.csv:20: column "c": "abc" is not a finite number' ]
}

@test "trace: a cut on a line that errors reads two parts" {
	traced
	base 40 | awk -F, 'BEGIN { OFS = "," } NR == 20 { $5 = "abc" } { print }' >f.csv
	r=$(line_at f.csv 20)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_two "$r"
	[ "$rc" -eq 65 ]
	[[ $errs == *f.csv:20:* ]]
}

# bad30 KIND: base 40 with an error of KIND on line 30.
bad30() {
	base 40 | awk -F, -v k="$1" 'BEGIN { OFS = "," }
	    NR == 30 && k == "quote" { $4 = "1\"2" }
	    NR == 30 && k == "open" { $4 = "\"1" }
	    NR == 30 && k == "fields" { $0 = $0 ",9" }
	    NR == 30 && k == "few" { $0 = $1 "," $2 "," $3 "," $4 }
	    NR == 30 && k == "date" { $1 = "2024-02-30" }
	    NR == 30 && k == "number" { $3 = "1.2.3" }
	    NR == 30 && k == "inf" { $3 = "inf" }
	    NR == 30 && k == "missing" { $3 = "NA" }
	    { print }'
}

@test "errors only in the second part: the same error" {
	for k in quote open fields few date number inf missing; do
		bad30 $k >f.csv
		rm -f f.csv.b
		ATS=($(at_for f.csv "$(line_at f.csv 15)"))
		same f.csv "${OLS[@]}" || { echo "error kind $k"; false; }
		[ "$rc" -eq 65 ]
		case $k in
		open) [[ $errs == *"f.csv:30: unterminated quoted field"* ]] ;;
		*) [[ $errs == *"f.csv:30: "* ]] ;;
		esac || { echo "$k: $errs"; false; }
	done
}

@test "trace: errors only in the second part, two parts read" {
	traced
	for k in quote fields date number inf missing; do
		bad30 $k >f.csv
		rm -f f.csv.b
		r=$(line_at f.csv 15)
		cut_at f.csv "$r" "${OLS[@]}"
		expect_two "$r"
		[[ $errs == *"f.csv:30: "* ]]
	done
}

@test "errors in both parts: the first in file order wins" {
	base 40 | awk -F, 'BEGIN { OFS = "," } NR == 8 { $4 = "x" }
	    NR == 33 { $4 = "1\"2" } { print }' >f.csv
	ATS=($(at_for f.csv "$(line_at f.csv 20)"))
	same f.csv "${OLS[@]}"
	[ "$rc" -eq 65 ]
	[ "$errs" = 'mmm-train: f.csv:8: column "b": "x" is not a finite number' ]
	# a missing value is an error only once every row is read: a later
	# CSV error wins, with one thread as with two
	base 40 | awk -F, 'BEGIN { OFS = "," } NR == 8 { $4 = "NA" }
	    NR == 33 { $4 = "1\"2" } { print }' >f.csv
	rm -f f.csv.b
	same f.csv "${OLS[@]}"
	[ "$rc" -eq 65 ]
	[[ $errs == "mmm-train: f.csv:33: malformed CSV"* ]]
	# two missing values: the first row's
	base 40 | awk -F, 'BEGIN { OFS = "," } NR == 8 { $4 = "NA" }
	    NR == 33 { $3 = "" } { print }' >f.csv
	rm -f f.csv.b
	same f.csv "${OLS[@]}"
	[[ $errs == *'f.csv:8: column "b": missing value'* ]]
}

@test "trace: errors in both parts, two parts read" {
	traced
	base 40 | awk -F, 'BEGIN { OFS = "," } NR == 8 { $4 = "NA" }
	    NR == 33 { $3 = "" } { print }' >f.csv
	r=$(line_at f.csv 20)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_two "$r"
	[[ $errs == *'f.csv:8: column "b": missing value'* ]]
}

@test "a non-finite number after numbers: the same error" {
	for v in inf -Infinity 1e999 NAN; do
		base 40 | awk -F, -v v=$v 'BEGIN { OFS = "," } NR == 31 { $5 = v } { print }' >f.csv
		rm -f f.csv.b
		ATS=($(at_for f.csv "$(line_at f.csv 20)"))
		same f.csv "${OLS[@]}"
		if [ $v = NAN ]; then	# NaN is a missing value
			[[ $errs == *'f.csv:31: column "c": missing value'* ]]
		else
			[ "$errs" = "mmm-train: f.csv:31: column \"c\": \"$v\" is not a finite number" ]
		fi
	done
}

# late: base 40 and a column "late" missing on lines 2-25, then holding
# FIRST on line 26, then REST.
late() {
	base 40 | awk -F, -v first="$1" -v rest="$2" 'BEGIN { OFS = "," }
	    NR == 1 { print $0, "late"; next }
	    { print $0, (NR < 26 ? (NR % 2 ? "" : "NA") : NR == 26 ? first : rest) }'
}

@test "a text column whose first value comes late: same as one thread" {
	late promo tv >f.csv
	# and cuts just before and after the first value (line 26)
	ATS=($(at_for f.csv "$(line_at f.csv 26)") $(at_for f.csv "$(line_at f.csv 27)"))
	same f.csv "${OLS[@]}"
	[ "$rc" -eq 0 ]
	jq -e '.features == ["a", "b", "c"]' m-1.json
	same f.csv "${OLS[@]}" --features a,late
	same f.csv "${OLS[@]}" --features a,late --drop-missing
	same f.csv "${OLS[@]}" --features 'l*,b' --drop-missing
}

@test "a column missing in the first part, numeric in the second" {
	late 2.5 3.5 >f.csv
	ATS=($(at_for f.csv "$(line_at f.csv 26)") $(at_for f.csv "$(line_at f.csv 27)"))
	same f.csv "${OLS[@]}"
	[ "$rc" -eq 65 ]
	[[ $errs == *'f.csv:2: column "late": missing value'* ]]
	same f.csv "${OLS[@]}" --drop-missing
	[ "$rc" -eq 0 ]
	jq -e '.data.rows == 16 and (.features | index("late"))' m-2.json
	same f.csv --model ridge --target y --features late,a --drop-missing
}

@test "a numeric column that turns to text late: the same error" {
	# numbers from the start, text from line 30
	base 40 | awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "n"; next }
	    { print $0, (NR < 30 ? NR : "n/a") }' >f.csv
	# a cut where the text starts: the second part has no number
	ATS=($(at_for f.csv "$(line_at f.csv 30)"))
	same f.csv "${OLS[@]}"
	[ "$errs" = 'mmm-train: f.csv:30: column "n": "n/a" is not a finite number' ]
	# missing in part one, a number on line 26, text after
	late 7 text >f.csv
	rm -f f.csv.b
	ATS=($(at_for f.csv "$(line_at f.csv 26)") $(at_for f.csv "$(line_at f.csv 27)"))
	same f.csv "${OLS[@]}" --drop-missing
	[ "$errs" = 'mmm-train: f.csv:27: column "late": "text" is not a finite number' ]
}

@test "CR-only line ends: same as one thread" {
	base 40 | tr '\n' '\r' >f.csv
	same f.csv "${OLS[@]}"
	[ "$rc" -eq 0 ]
	jq -e '.data.rows == 40' m-2.json
	# and mixed with LF and CRLF
	base 40 | awk 'NR % 3 == 0 { printf "%s\r", $0; next }
	    NR % 3 == 1 { printf "%s\r\n", $0; next } { print }' >f.csv
	rm -f f.csv.b
	same f.csv "${OLS[@]}"
	jq -e '.data.rows == 40' m-2.json
}

@test "a UTF-8 BOM: same as one thread" {
	{ printf '\xef\xbb\xbf'; base 40; } >f.csv
	ATS=($(at_for f.csv "$(line_at f.csv 20)"))
	same f.csv "${OLS[@]}"
	jq -e '.data.rows == 40' m-2.json
}

@test "trace: a UTF-8 BOM, the cut counted in the file's bytes" {
	traced
	{ printf '\xef\xbb\xbf'; base 40; } >f.csv
	r=$(line_at f.csv 20)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_two "$r"
}

# blanks: base 40 with blank lines (LF, CRLF) before and after line 20.
blanks() {
	base 40 | awk 'NR == 20 { print ""; printf "\r\n"; print; print ""; next } { print }'
}

@test "blank lines around the cut: same as one thread" {
	blanks >f.csv
	for l in 20 21 22 23; do
		ATS+=($(at_for f.csv "$(line_at f.csv $l)"))
	done
	same f.csv "${OLS[@]}"
	jq -e '.data.rows == 40' m-2.json
}

@test "trace: a cut on a blank line reads two parts" {
	traced
	blanks >f.csv
	for l in 20 21 22 23; do
		r=$(line_at f.csv $l)
		cut_at f.csv "$r" "${OLS[@]}"
		expect_two "$r"
	done
}

@test "a file of one data row: same as one thread" {
	# no model fits one row: the same error, wherever the cut
	base 1 >f.csv
	same f.csv "${OLS[@]}"
	[ "$errs" = 'mmm-train: f.csv: 1 rows are too few for 4 coefficients' ]
	same f.csv --model ridge --lambda 1 --target y --features a
	[ "$errs" = 'mmm-train: f.csv: ridge needs at least 2 rows' ]
	base 1 | head -c -1 >f.csv
	rm -f f.csv.b
	same f.csv "${OLS[@]}" --features a --no-intercept
	[ "$errs" = 'mmm-train: f.csv: 1 rows are too few for 1 coefficients' ]
	printf 'date,y,a\n\n\n2024-01-01,1,2\n\n' >f.csv
	rm -f f.csv.b
	same f.csv "${OLS[@]}" --features a --no-intercept
	[ "$errs" = 'mmm-train: f.csv: 1 rows are too few for 1 coefficients' ]
	# two rows fit
	printf 'date,y,a\n2024-01-01,1,2\n\n2024-01-02,3,1' >f.csv
	rm -f f.csv.b
	same f.csv "${OLS[@]}" --features a --no-intercept
	[ "$rc" -eq 0 ]
	jq -e '.data.rows == 2' m-2.json
	printf 'date,y,a\n\n\n' >f.csv
	rm -f f.csv.b
	same f.csv "${OLS[@]}"
	[ "$errs" = 'mmm-train: f.csv: no data rows' ]
}

@test "--valid FILE: same as one thread, its errors too" {
	base 40 >f.csv
	noted 30 >v.csv
	same f.csv "${OLS[@]}" --valid v.csv
	[ "$rc" -eq 0 ]
	jq -e --arg s "$(sha256sum v.csv | cut -d' ' -f1)" \
	    '.data.valid.sha256 == $s and .data.valid.rows == 30' m-2.json
	noted 30 | awk -F, 'BEGIN { OFS = "," } NR == 27 { $3 = "abc" } { print }' >v.csv
	same f.csv "${OLS[@]}" --valid v.csv
	[[ $errs == 'mmm-train: v.csv:27: column "a": "abc" is not a finite number' ]]
	noted 30 | awk -F, 'BEGIN { OFS = "," } NR == 27 { $4 = "NA" } { print }' >v.csv
	same f.csv "${OLS[@]}" --valid v.csv
	[[ $errs == 'mmm-train: v.csv:27: column "b": missing value'* ]]
	same f.csv "${OLS[@]}" --valid v.csv --drop-missing
	jq -e '.data.valid.rows == 29' m-2.json
}

@test "standard input from a pipe never splits" {
	base 40 >f.csv
	same '|f.csv' "${OLS[@]}"
	[ -z "$trace" ]
	noted 40 >f.csv
	same '|f.csv' "${OLS[@]}"
	[ -z "$trace" ]
	jq -e '.data.input == "<stdin>"' m-2.json
}

@test "standard input redirected from a file: same as one thread" {
	noted 40 >f.csv
	same '<f.csv' "${OLS[@]}"
	[[ -z $trace || $trace == 'mmm-train: <stdin>: '* ]]
	jq -e '.data.input == "<stdin>"' m-2.json
	[ "$(jq -r .data.sha256 m-2.json)  -" = "$(sha256sum <f.csv)" ]
}

@test "the model's SHA-256 is sha256sum's, with one thread and two" {
	for mk in "base 40" "noted 40" blanks "late promo tv"; do
		$mk >f.csv
		rm -f f.csv.b
		want=$(sha256sum f.csv | cut -d' ' -f1)
		one 0.4 f.csv "${OLS[@]}"
		for at in 0 0.1 0.3 0.5 0.7 0.9 0.99; do
			two $at f.csv "${OLS[@]}"
			[ "$(jq -r .data.sha256 m-1.json)" = "$want" ]
			[ "$(jq -r .data.sha256 m-2.json)" = "$want" ]
		done
	done
}

@test "trace: the SHA-256 is sha256sum's when two parts were read" {
	traced
	noted 40 >f.csv
	want=$(sha256sum f.csv | cut -d' ' -f1)
	r=$(line_at f.csv 30)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_two "$r"
	[ "$(jq -r .data.sha256 m-2.json)" = "$want" ]
	r=$(line_at f.csv 23)
	cut_at f.csv "$r" "${OLS[@]}"
	expect_inside "$r"
	[ "$(jq -r .data.sha256 m-2.json)" = "$want" ]
}

@test "trace: standard input redirected from a file may split, and says so" {
	traced
	noted 40 >f.csv
	r=$(line_at f.csv 30)
	one "$(at_for f.csv "$r")" '<f.csv' "${OLS[@]}"
	two "$(at_for f.csv "$r")" '<f.csv' "${OLS[@]}"
	[[ -z $trace || $trace =~ ^'mmm-train: <stdin>: '$TWO$ ]]
}

@test "no trace with one thread, below MMM_SPLIT_MIN_BYTES, or by default" {
	base 40 >f.csv
	MMM_SPLIT_TRACE=1 MMM_SPLIT_AT=0.5 mmm-train "${OLS[@]}" --threads 2 f.csv \
	    2>err >/dev/null
	[ ! -s err ]
	MMM_SPLIT_TRACE=1 MMM_SPLIT_MIN_BYTES=$(($(wc -c <f.csv) + 1)) \
	    mmm-train "${OLS[@]}" --threads 2 f.csv 2>err >/dev/null
	[ ! -s err ]
	MMM_SPLIT_TRACE=1 MMM_SPLIT_MIN_BYTES=1 mmm-train "${OLS[@]}" \
	    --threads 1 f.csv 2>err >/dev/null
	[ ! -s err ]
}

@test "trace: at MMM_SPLIT_MIN_BYTES a file splits" {
	traced
	base 40 >f.csv
	MMM_SPLIT_TRACE=1 MMM_SPLIT_MIN_BYTES=$(wc -c <f.csv) mmm-train \
	    "${OLS[@]}" --threads 2 f.csv 2>err >/dev/null
	grep -qE "^mmm-train: f.csv: $TWO\$" err
}

@test "the marketing-mix model (--model mmm) on Robyn's weeks: same as one thread" {
	traced
	robyn=$DATA/robyn-simulated-weekly/dt_simulated_weekly.csv
	cp "$robyn" r.csv
	MMM=(--model mmm --target revenue --date DATE --trend --stability 0
	    --media tv_S,ooh_S,print_S,facebook_S,search_S
	    --controls competitor_sales_B,newsletter)
	same r.csv "${MMM[@]}"
	# the cut at a third of the weeks: two parts, the same model
	two 0.33 r.csv "${MMM[@]}"
	[[ $trace =~ $TWO ]]
	jq -e '.data.rows == 208' m-2.json
}
