#!/usr/bin/env bats
# mmm-split: leakage-free time split.
load common

ROBYN=robyn-simulated-weekly/dt_simulated_weekly.csv	# 208 weeks, DATE
GEO=meridian-simulated/geo_all_channels.csv	# 40 geos x 156 weeks, time

# N weekly dates from 2020-01-06, G rows per date, sorted by geo (so not
# by date): date,geo,x
panel() {
	local n=$1 g=${2:-1} i
	printf 'date,geo,x\n'
	seq 0 7 $((7 * (n - 1))) | sed 's/^/2020-01-06 + /; s/$/ days/' |
	    date -u -f - +%F > "$TMP/.dates"
	for i in $(seq 1 "$g"); do
		awk -v i="$i" '{ print $0 ",g" i "," NR }' "$TMP/.dates"
	done
}

# Rows of a CSV file without its header, sorted.
body() { tail -n +2 "$1" | sort; }

# --- help, version, usage -------------------------------------------------

@test "--help prints usage on stdout and exits 0" {
	run_split mmm-split --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: mmm-split"* ]]
	[ -z "$stderr" ]
}

@test "every option of --help is in the man page" {
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-split --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -q -- "$o" "$root/man/mmm-split.1" || grep -q -- "Fl -${o#--}" "$root/man/mmm-split.1" || { echo "man lacks $o"; false; }
	done
}

@test "the man page is clean under mandoc -T lint" {
	command -v mandoc || skip "no mandoc"
	run mandoc -T lint -W warning "$BATS_TEST_DIRNAME/../man/mmm-split.1"
	[ "$status" -eq 0 ]
}

@test "--version names the tool" {
	run mmm-split --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mmm-split (mmm) "* ]]
}

@test "unknown option: usage error 64, one line" {
	run_split mmm-split --bogus
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-split: option "--bogus" is unknown or lacks its value (see mmm-split --help)' ]
}

@test "bad option values and combinations are usage errors 64" {
	panel 10 > in.csv
	o="--train-out a.csv --test-out b.csv"
	for t in 0 1.0 1.5 -0.2 abc 2024-13-01 2024-02-30 0x1 ''; do
		run mmm-split --test "$t" $o in.csv; [ "$status" -eq 64 ] || { echo "--test '$t': $status"; false; }
	done
	run mmm-split --test 0.2 --gap -1 $o in.csv;		[ "$status" -eq 64 ]
	run mmm-split --test 0.2 --gap x $o in.csv;		[ "$status" -eq 64 ]
	run mmm-split --folds 1 --fold-dir d in.csv;		[ "$status" -eq 64 ]
	run mmm-split --folds 3 --valid-size 0 --fold-dir d in.csv; [ "$status" -eq 64 ]
	run mmm-split --folds 3 --max-train 0 --fold-dir d in.csv; [ "$status" -eq 64 ]
	run mmm-split in.csv;					[ "$status" -eq 64 ]
	run mmm-split --test 2 --folds 3 $o in.csv;		[ "$status" -eq 64 ]
	run mmm-split --test 2 --train-out a.csv in.csv;	[ "$status" -eq 64 ]
	run mmm-split --test 2 $o --fold-dir d in.csv;		[ "$status" -eq 64 ]
	run mmm-split --test 2 $o --valid-size 2 in.csv;	[ "$status" -eq 64 ]
	run mmm-split --folds 3 in.csv;				[ "$status" -eq 64 ]
	run mmm-split --folds 3 --fold-dir d --test-out b.csv in.csv; [ "$status" -eq 64 ]
	run mmm-split --test 2 --train-out a.csv --test-out a.csv in.csv; [ "$status" -eq 64 ]
	run mmm-split --test 2 --train-out - --test-out - in.csv; [ "$status" -eq 64 ]
	run mmm-split --test 2 $o --report b.csv in.csv;	[ "$status" -eq 64 ]
	run mmm-split --test 2 $o in.csv in.csv;		[ "$status" -eq 64 ]
	[ ! -e a.csv ] && [ ! -e b.csv ] && [ ! -e d ]
}

@test "a usage error names the problem" {
	run_split mmm-split --test 1.5 --train-out a --test-out b
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'--test: "1.5" is not a fraction in (0,1)'* ]]
	run_split mmm-split --test 2 --train-out a
	[[ "$stderr" == *"--test needs --train-out and --test-out"* ]]
}

# --- holdout on the bundled data ---------------------------------------------

@test "Robyn, --test 0.2: ceil(0.2 x 208) = 42 test weeks, 166 train" {
	f=$DATA/$ROBYN
	run_split mmm-split --date DATE --test 0.2 --train-out tr.csv --test-out te.csv --report r.json "$f"
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$(wc -l < tr.csv)" -eq 167 ] && [ "$(wc -l < te.csv)" -eq 43 ]
	[ "$(jq -c '[.rows,.periods,.test_periods,.gap,.cutoff,.first,.last]' r.json)" = '[208,208,42,0,"2019-01-28","2015-11-23","2019-11-11"]' ]
	[ "$(jq -c '.sets|[.train.rows,.train.index,.train.last,.gap.rows,.test.rows,.test.index,.test.first]' r.json)" = '[166,[0,166],"2019-01-21",0,42,[166,208],"2019-01-28"]' ]
	[ "$(jq -c '[.checks[]|[.check,.pass]],.pass' r.json)" = "$(printf '%s\n%s' '[["order",true],["disjoint",true],["complete",true]]' true)" ]
	# Quoted fields ("na") are written unquoted, as csv_write_record does:
	# the rows are the input's with the quotes gone, header on each file.
	sed 's/"//g' "$f" > norm.csv
	[ "$(head -n 1 tr.csv)" = "$(head -n 1 norm.csv)" ]
	[ "$(head -n 1 te.csv)" = "$(head -n 1 norm.csv)" ]
	head -n 167 norm.csv | cmp - tr.csv
	{ head -n 1 norm.csv; tail -n 42 norm.csv; } | cmp - te.csv
}

@test "Robyn, --test 2019-01-01 --gap 4: test from the first date on or after the cutoff" {
	run mmm-split --date DATE --test 2019-01-01 --gap 4 --plan "$DATA/$ROBYN"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.cutoff,.test_periods,.sets.test.rows,.sets.gap.rows,.sets.gap.first,.sets.gap.last,.sets.train.rows]' <<< "$output")" = '["2019-01-07",45,45,4,"2018-12-10","2018-12-31",159]' ]
}

@test "Meridian panel, --test 26 --gap 2 --by geo: 5120 train, 80 gap, 1040 test rows" {
	f=$DATA/$GEO
	run mmm-split --date time --by geo --test 26 --gap 2 --train-out tr.csv --test-out te.csv --gap-out gap.csv --report r.json "$f"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.rows,.periods,.groups,.cutoff]' r.json)" = '[6240,156,40,"2023-07-24"]' ]
	[ "$(jq -c '.sets|[.train.rows,.train.periods,.train.groups,.gap.rows,.gap.periods,.test.rows,.test.periods,.test.groups]' r.json)" = '[5120,128,40,80,2,1040,26,40]' ]
	[ "$(jq -c '.sets|[.train.file,.gap.file,.test.file]' r.json)" = '["tr.csv","gap.csv","te.csv"]' ]
	[ "$(jq .pass r.json)" = true ]
	# Byte for byte and in input order (the file is sorted by geo, not
	# by date): each file is the input's rows of its dates.
	awk -F, 'NR == 1 || $3 < "2023-07-10"' "$f" | cmp - tr.csv
	awk -F, 'NR == 1 || ($3 >= "2023-07-10" && $3 < "2023-07-24")' "$f" | cmp - gap.csv
	awk -F, 'NR == 1 || $3 >= "2023-07-24"' "$f" | cmp - te.csv
}

@test "Meridian panel, --test 0.2: ceil(0.2 x 156) = 32 periods of 40 rows" {
	run mmm-split --date time --test 0.2 --plan "$DATA/$GEO"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.test_periods,.sets.test.rows,.sets.train.periods,.sets.train.rows,.groups]' <<< "$output")" = '[32,1280,124,4960,null]' ]
}

@test "every input row lands in exactly one output file, byte for byte" {
	f=$DATA/$GEO
	mmm-split --date time --test 0.3 --gap 5 --train-out tr.csv --test-out te.csv --gap-out gap.csv "$f"
	for x in tr te gap; do body $x.csv; done | sort > all
	body "$f" > want
	cmp all want
	# Without --gap-out the gap rows are only counted.
	mmm-split --date time --test 0.3 --gap 5 --train-out tr2.csv --test-out te2.csv --report r.json "$f"
	cmp tr.csv tr2.csv && cmp te.csv te2.csv
	[ "$(jq '.sets.gap.rows' r.json)" -eq "$(($(wc -l < gap.csv) - 1))" ]
	[ "$(jq '.sets.train.rows + .sets.gap.rows + .sets.test.rows == .rows' r.json)" = true ]
	[ "$(jq -r .sets.gap.file r.json)" = null ]
}

@test "invariants: every test date after every train date, with the gap between" {
	f=$DATA/$GEO
	mmm-split --date time --test 10 --gap 3 --train-out tr.csv --test-out te.csv --gap-out gap.csv "$f"
	maxtr=$(tail -n +2 tr.csv | cut -d, -f3 | sort | tail -n 1)
	mingap=$(tail -n +2 gap.csv | cut -d, -f3 | sort | head -n 1)
	maxgap=$(tail -n +2 gap.csv | cut -d, -f3 | sort | tail -n 1)
	minte=$(tail -n +2 te.csv | cut -d, -f3 | sort | head -n 1)
	[[ "$maxtr" < "$mingap" ]] && [[ "$maxgap" < "$minte" ]]
	[ "$(tail -n +2 gap.csv | cut -d, -f3 | sort -u | wc -l)" -eq 3 ]
	[ "$(tail -n +2 te.csv | cut -d, -f3 | sort -u | wc -l)" -eq 10 ]
	# No date, so no row, is on two sides.
	[ -z "$(comm -12 <(tail -n +2 tr.csv | cut -d, -f3 | sort -u) <(tail -n +2 te.csv | cut -d, -f3 | sort -u))" ]
}

@test "unsorted input: the same split, each file in input order" {
	panel 20 3 > in.csv
	{ head -n 1 in.csv; tail -n +2 in.csv | sort -t, -k3,3n -r; } > rev.csv
	mmm-split --test 5 --gap 1 --train-out a1 --test-out b1 in.csv
	mmm-split --test 5 --gap 1 --train-out a2 --test-out b2 rev.csv
	[ "$(body a1)" = "$(body a2)" ] && [ "$(body b1)" = "$(body b2)" ]
	awk -F, 'NR == 1 || $1 >= "2020-04-20"' rev.csv | cmp - b2
	awk -F, 'NR == 1 || $1 < "2020-04-13"' rev.csv | cmp - a2
	[ "$(wc -l < b1)" -eq 16 ] && [ "$(wc -l < a1)" -eq 43 ]
}

@test "standard input, - and a file give the same split; --test-out - is stdout" {
	panel 12 2 > in.csv
	mmm-split --test 3 --train-out a1 --test-out b1 in.csv
	mmm-split --test 3 --train-out a2 --test-out b2 < in.csv
	mmm-split --test 3 --train-out a3 --test-out - - < in.csv > b3
	cmp a1 a2 && cmp b1 b2 && cmp a1 a3 && cmp b1 b3
	run mmm-split --test 3 --plan < in.csv
	[ "$(jq -r .input <<< "$output")" = "<stdin>" ]
}

@test "datetimes: the time of day is ignored, one day is one period" {
	printf 'date,x\n2024-01-01 09:00,1\n2024-01-01T17:30:00,2\n2024-01-02,3\n2024-01-03 00:00,4\n' > in.csv
	run mmm-split --test 1 --plan in.csv
	[ "$(jq -c '[.periods,.sets.train.rows,.sets.test.rows,.cutoff]' <<< "$output")" = '[3,3,1,"2024-01-03"]' ]
}

@test "quoted fields, CRLF and a BOM: records are rewritten as csv_write_record does" {
	printf '\xef\xbb\xbfdate,note\r\n2024-01-01,"a, b"\r\n2024-01-02,"say ""hi"""\r\n2024-01-03,"two\nlines"\r\n2024-01-04,"plain"\r\n2024-01-05,x\r\n' > in.csv
	mmm-split --test 2 --train-out a --test-out b in.csv
	[ "$(cat a)" = "$(printf 'date,note\n2024-01-01,"a, b"\n2024-01-02,"say ""hi"""\n2024-01-03,"two\nlines"')" ]
	[ "$(cat b)" = "$(printf 'date,note\n2024-01-04,plain\n2024-01-05,x')" ]
}

@test "a cutoff that is no date of the input; gaps count dates that hold rows" {
	printf 'date,x\n2024-01-01,1\n2024-01-08,2\n2024-01-29,3\n2024-02-05,4\n2024-02-12,5\n' > in.csv
	run mmm-split --test 2024-01-20 --gap 1 --plan in.csv
	[ "$status" -eq 0 ]
	# Test from 2024-01-29; the gap is one date with rows, 2024-01-08.
	[ "$(jq -c '[.cutoff,.sets.train.last,.sets.gap.first,.sets.test.rows]' <<< "$output")" = '["2024-01-29","2024-01-01","2024-01-08",3]' ]
}

# --- folds: the boundaries of scikit-learn's TimeSeriesSplit -------------------

# Reference: scikit-learn 1.2.1 (Debian 12's python3-sklearn), run once by
#   from sklearn.model_selection import TimeSeriesSplit
#   t = TimeSeriesSplit(n_splits=K, gap=GAP, test_size=TS or None,
#                       max_train_size=MT or None)
#   [[[tr[0], tr[-1]+1], [te[0], te[-1]+1]] for tr, te in t.split(np.arange(N))]
# and pasted here, so the test needs no Python.  Each line: N K GAP TS MT
# (0: None) and the folds' half-open train and validation index ranges.
SKLEARN_TSS='208 5 0 0 0 [[[0,38],[38,72]],[[0,72],[72,106]],[[0,106],[106,140]],[[0,140],[140,174]],[[0,174],[174,208]]]
208 5 4 0 0 [[[0,34],[38,72]],[[0,68],[72,106]],[[0,102],[106,140]],[[0,136],[140,174]],[[0,170],[174,208]]]
208 5 2 26 52 [[[24,76],[78,104]],[[50,102],[104,130]],[[76,128],[130,156]],[[102,154],[156,182]],[[128,180],[182,208]]]
156 5 0 0 0 [[[0,26],[26,52]],[[0,52],[52,78]],[[0,78],[78,104]],[[0,104],[104,130]],[[0,130],[130,156]]]
156 5 3 20 0 [[[0,53],[56,76]],[[0,73],[76,96]],[[0,93],[96,116]],[[0,113],[116,136]],[[0,133],[136,156]]]
20 3 1 4 0 [[[0,7],[8,12]],[[0,11],[12,16]],[[0,15],[16,20]]]
10 4 0 0 0 [[[0,2],[2,4]],[[0,4],[4,6]],[[0,6],[6,8]],[[0,8],[8,10]]]
7 6 0 0 0 [[[0,1],[1,2]],[[0,2],[2,3]],[[0,3],[3,4]],[[0,4],[4,5]],[[0,5],[5,6]],[[0,6],[6,7]]]
12 2 0 5 3 [[[0,2],[2,7]],[[4,7],[7,12]]]
100 7 5 0 30 [[[0,11],[16,28]],[[0,23],[28,40]],[[5,35],[40,52]],[[17,47],[52,64]],[[29,59],[64,76]],[[41,71],[76,88]],[[53,83],[88,100]]]
30 5 2 3 0 [[[0,13],[15,18]],[[0,16],[18,21]],[[0,19],[21,24]],[[0,22],[24,27]],[[0,25],[27,30]]]'

tss_plan() {	# N K GAP TS MT FILE [options]: the plan's index ranges
	local n=$1 k=$2 gap=$3 ts=$4 mt=$5 f=$6
	shift 6
	set -- --folds "$k" --gap "$gap" "$@"
	[ "$ts" -eq 0 ] || set -- "$@" --valid-size "$ts"
	[ "$mt" -eq 0 ] || set -- "$@" --max-train "$mt"
	mmm-split "$@" --plan "$f" | jq -c '[.folds[] | [.sets.train.index, .sets.valid.index]]'
}

@test "--folds --plan equals scikit-learn's TimeSeriesSplit on the periods (panels of 2 rows per date)" {
	while read -r n k gap ts mt want; do
		panel "$n" 2 > in.csv
		got=$(tss_plan "$n" "$k" "$gap" "$ts" "$mt" in.csv)
		[ "$got" = "$want" ] || { echo "n=$n k=$k gap=$gap ts=$ts mt=$mt: $got"; false; }
	done <<< "$SKLEARN_TSS"
}

@test "--folds 5 --plan on Robyn (208 weeks) and Meridian (156 weeks x 40 geos) equals TimeSeriesSplit" {
	[ "$(tss_plan 208 5 0 0 0 "$DATA/$ROBYN" --date DATE)" = "$(sed -n 1p <<< "$SKLEARN_TSS" | cut -d' ' -f6)" ]
	[ "$(tss_plan 208 5 2 26 52 "$DATA/$ROBYN" --date DATE)" = "$(sed -n 3p <<< "$SKLEARN_TSS" | cut -d' ' -f6)" ]
	[ "$(tss_plan 156 5 0 0 0 "$DATA/$GEO" --date time)" = "$(sed -n 4p <<< "$SKLEARN_TSS" | cut -d' ' -f6)" ]
	[ "$(tss_plan 156 5 3 20 0 "$DATA/$GEO" --date time)" = "$(sed -n 5p <<< "$SKLEARN_TSS" | cut -d' ' -f6)" ]
	run mmm-split --date time --by geo --folds 5 --plan "$DATA/$GEO"
	[ "$(jq -c '[.n_splits,.valid_periods,.gap,.max_train]' <<< "$output")" = '[5,26,0,null]' ]
	[ "$(jq -c '[.folds[] | [.sets.train.rows, .sets.valid.rows, .sets.valid.groups]]' <<< "$output")" = '[[1040,1040,40],[2080,1040,40],[3120,1040,40],[4160,1040,40],[5200,1040,40]]' ]
	[ "$(jq -c '[.folds[].checks[].pass] | all' <<< "$output")" = true ]
}

@test "--folds writes each fold's rows, in input order, byte for byte" {
	f=$DATA/$GEO
	run mmm-split --date time --folds 5 --gap 2 --max-train 52 --fold-dir cv --report r.json "$f"
	[ "$status" -eq 0 ]
	[ "$(ls cv | sort | tr '\n' ' ')" = "fold-1.train.csv fold-1.valid.csv fold-2.train.csv fold-2.valid.csv fold-3.train.csv fold-3.valid.csv fold-4.train.csv fold-4.valid.csv fold-5.train.csv fold-5.valid.csv " ]
	for i in 1 2 3 4 5; do
		for s in train valid; do
			set -- $(jq -r ".folds[$((i - 1))].sets.$s | .first + \" \" + .last + \" \" + .file" r.json)
			[ "$3" = "cv/fold-$i.$s.csv" ]
			awk -F, -v a="$1" -v b="$2" 'NR == 1 || ($3 >= a && $3 <= b)' "$f" | cmp - "cv/fold-$i.$s.csv"
		done
	done
	# Fold 5: before + train + gap + valid = every row (after is empty).
	[ "$(jq '.folds[4].sets | .before.rows + .train.rows + .gap.rows + .valid.rows + .after.rows' r.json)" -eq 6240 ]
	[ "$(jq -c '.folds[4].sets | [.before.index, .train.index, .gap.index, .valid.index, .after.rows]' r.json)" = '[[0,76],[76,128],[128,130],[130,156],0]' ]
}

@test "--plan writes no file" {
	panel 30 > in.csv
	run mmm-split --folds 3 --fold-dir cv --report r.json --plan in.csv
	[ "$status" -eq 0 ]
	[ ! -e cv ] && [ ! -e r.json ]
	[ "$(jq -r '.folds[0].sets.train.file' <<< "$output")" = cv/fold-1.train.csv ]
	run mmm-split --test 3 --train-out a --test-out b --plan in.csv
	[ "$status" -eq 0 ]
	[ ! -e a ] && [ ! -e b ]
	[ "$(jq -r '.sets.test.file' <<< "$output")" = b ]
}

# --- bad input ---------------------------------------------------------------

@test "missing date column: 65, FILE:1" {
	panel 5 > in.csv
	run_split mmm-split --date when --test 1 --plan in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-split: in.csv:1: no column "when"' ]
	run_split mmm-split --by region --test 1 --plan in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == 'mmm-split: in.csv:1: --by: no column "region"'* ]]
}

@test "an invalid or missing date: 65 with the line, the column and the value" {
	printf 'date,x\n2024-01-01,1\n2024-02-30,2\n' > in.csv
	run_split mmm-split --test 1 --train-out a --test-out b in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-split: in.csv:3: column "date": "2024-02-30" is not a date' ]
	printf 'date,x\n2024-01-01,1\n,2\n' > in.csv
	run_split mmm-split --test 1 --train-out a --test-out b in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-split: in.csv:3: column "date": "" is not a date' ]
	printf 'date,x\n2024-01-01,1\nNA,2\n' > in.csv
	run_split mmm-split --test 1 --train-out a --test-out b in.csv
	[ "$stderr" = 'mmm-split: in.csv:3: column "date": "NA" is not a date' ]
	[ ! -e a ] && [ ! -e b ]
}

@test "ragged rows, no header, no rows: 65" {
	printf 'date,x\n2024-01-01,1\n2024-01-02\n' > in.csv
	run_split mmm-split --test 1 --plan in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"in.csv:3: expected 2 fields"* ]]
	: > empty.csv
	run mmm-split --test 1 --plan empty.csv;	[ "$status" -eq 65 ]
	printf 'date,x\n' > head.csv
	run_split mmm-split --test 1 --plan head.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = "mmm-split: head.csv: no rows to split" ]
}

@test "splits the data cannot give: 65, naming what is needed" {
	f=$DATA/$ROBYN
	run_split mmm-split --date DATE --test 300 --plan "$f"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"--test 300: more test periods than the 208 periods of the input" ]]
	run_split mmm-split --date DATE --test 208 --plan "$f"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"--test 208 with --gap 0: 208 test periods and 0 gap periods leave no train period among 208" ]]
	run_split mmm-split --date DATE --test 200 --gap 8 --plan "$f"
	[ "$status" -eq 65 ]
	run_split mmm-split --date DATE --test 2020-01-01 --plan "$f"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"--test 2020-01-01: no date on or after it (the last date is 2019-11-11)" ]]
	run_split mmm-split --date DATE --test 2015-01-01 --plan "$f"
	[ "$status" -eq 65 ]
	# Fractions never ask for more periods than there are, but may leave no
	# train period: scikit-learn refuses test_size=0.7 of 3 as well.
	panel 3 > in.csv
	run mmm-split --test 0.7 --plan in.csv;		[ "$status" -eq 65 ]
	run mmm-split --test 0.6 --plan in.csv;		[ "$status" -eq 0 ]
}

@test "--folds with too few periods: 65, saying how many are needed" {
	panel 5 > in.csv
	run_split mmm-split --folds 5 --plan in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = "mmm-split: in.csv: --folds 5: 5 folds need at least 6 periods (folds + 1), found 5" ]
	panel 12 > in.csv
	run_split mmm-split --folds 5 --gap 2 --fold-dir cv in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = "mmm-split: in.csv: --folds 5: 5 folds of 2 validation periods (12 // 6) and a gap of 2 need more than 2 + 5 x 2 = 12 periods, found 12" ]
	[ ! -e cv ]
	panel 13 > in.csv
	run mmm-split --folds 5 --gap 2 --plan in.csv;	[ "$status" -eq 0 ]
	panel 10 > in.csv
	run_split mmm-split --folds 3 --gap 2 --valid-size 3 --plan in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"3 folds of 3 validation periods and a gap of 2 need more than 2 + 3 x 3 = 11 periods, found 10" ]]
}

# --- files, I/O faults ---------------------------------------------------------

@test "unreadable input: 66; a directory: 66" {
	run mmm-split --test 1 --plan nonexistent.csv;	[ "$status" -eq 66 ]
	mkdir d
	run mmm-split --test 1 --plan d;		[ "$status" -eq 66 ]
}

@test "outputs that cannot be created: 73, and nothing left behind" {
	panel 10 > in.csv
	run_split mmm-split --test 2 --train-out no/such/dir/a.csv --test-out b.csv in.csv
	[ "$status" -eq 73 ]
	[[ "$stderr" == *"no/such/dir/a.csv: cannot create"* ]]
	[ ! -e b.csv ]
	: > file
	run mmm-split --folds 3 --fold-dir file in.csv;	[ "$status" -eq 73 ]
	run mmm-split --folds 3 --fold-dir file/sub in.csv; [ "$status" -eq 73 ]
	[ -z "$(ls | grep tmp)" ]
}

@test "a write error: 74; a closed pipe is no error" {
	panel 10 > in.csv
	run bash -c 'mmm-split --test 2 --train-out - --test-out b.csv in.csv > /dev/full'
	[ "$status" -eq 74 ]
	[ ! -e b.csv ]
	run bash -c 'mmm-split --test 2 --plan in.csv > /dev/full'
	[ "$status" -eq 74 ]
	panel 5000 > big.csv
	run bash -c 'set -o pipefail; mmm-split --test 2 --train-out - --test-out b.csv big.csv | head -n 1'
	[ "$status" -eq 0 ]
	[ "$output" = "date,geo,x" ]
}

@test "a failed run leaves existing outputs as they were" {
	panel 10 > in.csv
	echo old > a.csv
	echo old > b.csv
	printf 'oops,g1,1\n' >> in.csv
	run mmm-split --test 2 --train-out a.csv --test-out b.csv in.csv
	[ "$status" -eq 65 ]
	[ "$(cat a.csv)" = old ] && [ "$(cat b.csv)" = old ]
	[ -z "$(ls | grep tmp)" ]
}

@test "the examples of the man page run on the bundled data" {
	cp "$DATA/$ROBYN" robyn_weekly.csv
	cp "$DATA/$GEO" geo_all_channels.csv
	# Each literal block of EXAMPLES, with \e line continuations.
	awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && /^\.Bd -literal/ { blk = 1; next }
	    on && /^\.Ed/ { blk = 0; print "#--"; next }
	    on && blk { gsub(/\\e/, "\\"); print }' \
	    "$BATS_TEST_DIRNAME/../man/mmm-split.1" > ex.sh
	[ "$(grep -c '^#--' ex.sh)" -ge 6 ]
	run bash -e -o pipefail ex.sh
	[ "$status" -eq 0 ]
	[ "$(jq -c '.sets|[.train.rows,.gap.rows,.test.rows]' split.json)" = '[5120,80,1040]' ]
	[ "$(ls folds | wc -l)" -eq 10 ] && [ "$(ls cv | wc -l)" -eq 8 ]
}
