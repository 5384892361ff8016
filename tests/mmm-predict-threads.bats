#!/usr/bin/env bats
# mmm-predict --threads: the reading thread beside the predicting one gives
# the same bytes as the one-thread loop — output, errors, warnings, metrics,
# exit status — on CSV and JSON lines, over many batches (2048 rows each) and
# past the 256 KB output buffer.
load common

PYMC=pymc-marketing-mmm-example/mmm_example.csv

ols() { mmm-train --model ols --target y --date date_week "$DATA/$PYMC" > ols.json; }

# big N: N copies of the data rows of the example (179 each) in big.csv.
big() {
	{ head -1 "$DATA/$PYMC"; for i in $(seq 1 "$1"); do tail -n +2 "$DATA/$PYMC"; done; } > big.csv
}

# same ARGS...: mmm-predict ARGS with --threads 1, 2 and 3 give the same
# stdout, stderr, exit status and --metrics file (when ARGS write met.json).
same() {
	local t
	for t in 1 2 3; do
		rm -f met.json
		run_split mmm-predict --threads $t "$@"
		printf '%s\n' "$output" > out.$t
		printf '%s\n' "$stderr" > err.$t
		echo "$status" > rc.$t
		if [ -e met.json ]; then cp met.json met.$t; else : > met.$t; fi
	done
	for t in 2 3; do
		cmp out.1 out.$t || { echo "stdout differs with --threads $t"; false; }
		cmp err.1 err.$t || { echo "stderr differs with --threads $t: $(cat err.$t)"; false; }
		cmp rc.1 rc.$t || { echo "status $(cat rc.1) vs $(cat rc.$t)"; false; }
		cmp met.1 met.$t || { echo "metrics differ with --threads $t"; false; }
	done
}

@test "--threads: 0, -1, abc, empty and too many are usage errors (64)" {
	ols
	for v in 0 -1 abc '' 1.5 1025; do
		run_split mmm-predict -m ols.json --threads "$v" "$DATA/$PYMC"
		[ "$status" -eq 64 ] || { echo "--threads '$v': $status"; false; }
		[[ "$stderr" == "mmm-predict: --threads"* ]] || { echo "$stderr"; false; }
		[ -z "$output" ]
	done
	run mmm-predict -m ols.json --threads;	[ "$status" -eq 64 ]
}

@test "--threads 1, 2, 3: the same bytes on CSV with intervals, contributions, metrics and keep" {
	ols
	big 200	# 35,800 rows: 18 batches, 5 MB of output
	same -m ols.json --interval 0.9 --contributions --metrics met.json big.csv
	[ "$(wc -l < out.1)" -eq 35801 ]
	[ "$(cat rc.1)" -eq 0 ]
	jq -e '.rows == 35800 and .rows_scored == 35800' met.1
	same -m ols.json --keep date_week,t big.csv
	[ "$(sed -n 2p out.1)" = 2018-04-02,0,4569.1166474956135 ]
	same -m ols.json --format jsonl --interval 0.5 big.csv
	# one row, and no row at all
	head -2 big.csv > one.csv
	same -m ols.json --interval 0.9 one.csv
	[ "$(wc -l < out.1)" -eq 2 ]
	head -1 big.csv > none.csv
	same -m ols.json none.csv
	[ "$(cat out.1)" = "date_week,prediction" ]
}

@test "--threads 1, 2, 3: the same bytes on JSON lines, from a file and from a pipe" {
	ols
	big 30
	jq -R -s -c 'split("\n") | map(select(length > 0) | split(",")) |
	    .[0] as $h | .[1:][] | [$h, .] | transpose |
	    map({(.[0]): (.[1] | tonumber? // .)}) | add' big.csv > big.jsonl
	same -m ols.json --interval 0.9 --contributions --metrics met.json big.jsonl
	[ "$(wc -l < out.1)" -eq 5371 ]
	mmm-predict --threads 1 -m ols.json --interval 0.9 --contributions big.csv > fromcsv
	cmp out.1 fromcsv
	for t in 1 2 3; do
		cat big.jsonl | mmm-predict --threads $t -m ols.json --format jsonl --contributions > pipe.$t
	done
	cmp pipe.1 pipe.2
	cmp pipe.1 pipe.3
	[ "$(wc -l < pipe.1)" -eq 5370 ]
}

@test "--threads: a bad value in the middle fails the same way (rows before it, message, 65)" {
	ols
	big 200
	# line 30,000: after many batches and several flushes of the output
	awk -F, -v OFS=, 'NR == 30000 { $3 = "abc" } { print }' big.csv > bad.csv
	same -m ols.json --interval 0.9 bad.csv
	[ "$(cat rc.1)" -eq 65 ]
	[[ "$(cat err.1)" == 'mmm-predict: bad.csv:30000: column "x1": "abc" is not a number' ]]
	# what the one-thread loop streamed before the error: whole buffers
	[ "$(wc -c < out.1)" -gt 500000 ]
	# the target column, in the second row: nothing streamed yet
	awk -F, -v OFS=, 'NR == 3 { $2 = "1e999" } { print }' big.csv > bady.csv
	same -m ols.json bady.csv
	[ "$(cat rc.1)" -eq 65 ]
	[[ "$(cat err.1)" == 'mmm-predict: bady.csv:3: column "y": "1e999" is not a number' ]]
	# the first row
	awk -F, -v OFS=, 'NR == 2 { $3 = "x" } { print }' big.csv > bad1.csv
	same -m ols.json bad1.csv
	[ "$(cat rc.1)" -eq 65 ]
	# malformed CSV in the middle (a ragged row): the reader's error
	awk 'NR == 20001 { print "1,2"; next } { print }' big.csv > ragged.csv
	same -m ols.json --contributions ragged.csv
	[ "$(cat rc.1)" -eq 65 ]
	grep -q '^mmm-predict: ragged.csv:20001: ' err.1
	# and in JSON lines
	head -5001 big.csv | jq -R -s -c 'split("\n") | map(select(length > 0) |
	    split(",")) | .[0] as $h | .[1:][] | [$h, .] | transpose |
	    map({(.[0]): (.[1] | tonumber? // .)}) | add' > in.jsonl
	awk 'NR == 4500 { print "{\"x1\":"; next } { print }' in.jsonl > bad.jsonl
	same -m ols.json --format jsonl bad.jsonl
	[ "$(cat rc.1)" -eq 65 ]
	grep -q '^mmm-predict: bad.jsonl:4500: ' err.1
}

@test "--threads: missing values, drift warnings, the drift gate and -o the same way" {
	ols
	big 40
	# rows with a missing feature, a mean shifted by many sds, a new category
	awk -F, -v OFS=, 'NR > 1 && NR % 997 == 0 { $3 = "NA" }
	    NR > 1 { $4 = $4 + 5 } NR == 4000 { $5 = 7 } { print }' big.csv > drift.csv
	same -m ols.json --interval 0.9 --metrics met.json drift.csv
	[ "$(cat rc.1)" -eq 1 ]
	grep -q 'row(s) with a missing feature value' err.1
	grep -q 'input drift: column "x2"' err.1
	grep -q 'drift.csv:4000: column "event_1": value 7 was not seen in training' err.1
	grep -q 'model drift' err.1
	same -m ols.json --strict-drift -q drift.csv
	[ "$(cat rc.1)" -eq 1 ]
	# -o: the file is not put in place when a check fails, whatever the threads
	for t in 1 2; do
		run mmm-predict --threads $t -m ols.json --strict-drift -q -o p$t.csv drift.csv
		[ "$status" -eq 1 ]
		[ ! -e p$t.csv ]
		mmm-predict --threads $t -m ols.json -q -o p$t.csv drift.csv
	done
	cmp p1.csv p2.csv
}

@test "--threads: an mmm model (adstock carried from row to row) gives the same bytes" {
	mmm-synth --periods 5000 --freq daily --seed 3 -o d.csv
	mmm-train --model mmm --target revenue --media '*_spend' \
	    --controls temperature,promo --trend --iterations 60 --trials 1 \
	    --stability 0 --now 2026-01-01-0000 d.csv -o m.json
	same -m m.json --contributions --metrics met.json d.csv
	[ "$(cat rc.1)" -eq 0 ]
	[ "$(wc -l < out.1)" -eq 5001 ]
	# an error after the first batches: a date out of order
	awk -F, -v OFS=, 'NR == 4500 { $1 = "2021-01-05" } { print }' d.csv > back.csv
	same -m m.json back.csv
	[ "$(cat rc.1)" -eq 65 ]
	grep -q '^mmm-predict: back.csv:4500: date 2021-01-05 is not after the row before' err.1
	# a Bayesian one: intervals from each draw's carryover, replayed from
	# the first training date over 2500 rows (two batches)
	head -501 d.csv > tr.csv
	head -2501 d.csv > d2.csv
	mmm-train --model mmm --method bayes --target revenue --media '*_spend' \
	    --controls temperature --trend --chains 2 --draws 100 --warmup 100 \
	    --keep-draws 20 --no-diagnostics-gate --now 2026-01-01-0000 tr.csv \
	    -o b.json
	same -m b.json --interval 0.9 --contributions d2.csv
	[ "$(cat rc.1)" -eq 0 ]
	[ "$(wc -l < out.1)" -eq 2501 ]
	awk -F, 'NR > 1 && !($3 < $2 && $2 < $4) { bad = 1 } END { exit bad }' out.1
}
