#!/usr/bin/env bats
# mmm-train on many rows: the reading in two parts (--threads > 1 reads a
# regular file from its start and from a cut at once; MMM_SPLIT_MIN_BYTES=1
# makes these small files split) and the factorisations that never store the
# centred design (CholeskyQR2 over row blocks).
load common

# near FILE JQPATH VALUE TOL: FILE holds VALUE at JQPATH to TOL (relative).
near() {
	jq -e --argjson v "$3" --argjson t "$4" \
	    "($2) as \$x | ((\$x - \$v) | if . < 0 then -. else . end) <=
	    \$t * (\$v | if . < 0 then -. else . end)" "$1" >/dev/null ||
	    { echo "$2 = $(jq "$2" "$1"), want $3"; false; }
}

# The 30,000 rows of tests/data/gen_stream_ref.py: c = a + 1e-4 noise, so
# that the centred unit-norm design has condition number 2e4.
ill() {
	awk 'BEGIN { print "date,y,a,b,c"
	    for (i = 1; i <= 30000; i++) {
		a = (i * 7919 % 10007) / 10007; b = (i * 104729 % 10009) / 10009 * 10
		c = a + (i * 31337 % 10037) / 10037 * 0.0001
		y = 1 + 2 * a - b / 3 + c + ((i * 7 % 101) / 101 - 0.5)
		printf "2024-01-01,%.9f,%.9f,%.9f,%.9f\n", y, a, b, c } }'
}

# Reference values: tests/data/stream_ref.txt (exact rational least squares;
# scikit-learn 1.2.1 BayesianRidge).
@test "ill-conditioned OLS (CholeskyQR2) equals the exact least squares" {
	ill > ill.csv
	mmm-train --model ols --target y ill.csv > m.json
	near m.json .coefficients.intercept 0.9944942936853085 1e-12
	near m.json .coefficients.a 2.94882818856176 1e-9
	near m.json .coefficients.b -0.3333217277365772 1e-12
	near m.json .coefficients.c 0.05218972943105719 1e-8
	near m.json .statistics.coefficients.intercept.se 0.005274331910393123 1e-8
	near m.json .statistics.coefficients.a.se 57.73861004718337 1e-12
	near m.json .statistics.coefficients.b.se 0.0005773911231811862 1e-12
	near m.json .statistics.coefficients.c.se 57.738608124373286 1e-12
	# statsmodels 0.13.5
	near m.json .statistics.r2 0.9527652539736703 1e-10
	near m.json .statistics.durbin_watson 0.7739994532898283 1e-10
	near m.json .statistics.jarque_bera.statistic 1801.053269759946 1e-10
}

@test "ill-conditioned bayes (CholeskyQR2, no U) equals scikit-learn" {
	ill > ill.csv
	mmm-train --model bayes --target y ill.csv > m.json
	near m.json .coefficients.a 1.5009989815998785 1e-6
	near m.json .coefficients.b -0.3333216854289734 1e-6
	near m.json .coefficients.c 1.4999972038887242 1e-6
	near m.json .coefficients.intercept 0.9944325636590633 1e-6
	near m.json .statistics.alpha 11.999713120312531 1e-6
	near m.json .statistics.lambda 0.4335282501262621 1e-6
}

@test "one and two threads: byte-identical model files (two parts, blocks)" {
	ill > ill.csv
	# a text column and missing values: the types and the rows dropped
	# are decided in row order, whatever thread parses them
	# (and quoted fields: records read by libcsv, not in place)
	awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "note"; next }
	    NR % 997 == 0 { $3 = "" } NR % 1001 == 0 { $4 = "\"" $4 "\"" }
	    { print $0, (NR == 2 ? "x" : NR % 3) }' ill.csv > mixed.csv
	grep -q '"' mixed.csv
	for m in ols ridge bayes; do
		for t in 1 2; do
			MMM_SPLIT_MIN_BYTES=1 MMM_SPLIT_TRACE=1 mmm-train --model $m \
			    --target y --threads $t --drop-missing \
			    --now 2024-01-01-0000 mixed.csv > $m-$t.json 2> $m-$t.err
		done
		cmp $m-1.json $m-2.json
		[ ! -s $m-1.err ]
		grep -q 'read in two parts cut at byte' $m-2.err
	done
	jq -e '.features == ["a", "b", "c"] and .data.rows < 30000' ols-1.json
}

@test "two parts: the first bad row wins over a later CSV error" {
	export MMM_SPLIT_MIN_BYTES=1
	ill > ill.csv
	awk 'NR == 20001 { sub(/,[^,]*$/, ",zz") } NR == 25001 { $0 = $0 "\"" }
	    { print }' ill.csv > bad.csv
	for t in 1 2; do
		run_split mmm-train --model ols --target y --threads $t bad.csv
		[ "$status" -eq 65 ]
		[ "$stderr" = 'mmm-train: bad.csv:20001: column "c": "zz" is not a finite number' ] ||
		    { echo "$stderr"; false; }
	done
	# both in the batch the reader stops in
	awk 'NR == 24001 { sub(/,[^,]*$/, ",zz") } NR == 24101 { $0 = $0 "\"" }
	    { print }' ill.csv > bad2.csv
	run_split mmm-train --model ols --target y --threads 2 bad2.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: bad2.csv:24001: column "c": "zz" is not a finite number' ] ||
	    { echo "$stderr"; false; }
	awk 'NR == 25001 { $0 = $0 "\"" } { print }' ill.csv > csv.csv
	run_split mmm-train --model ols --target y --threads 1 csv.csv
	[ "$status" -eq 65 ]
	one=$stderr
	run_split mmm-train --model ols --target y --threads 2 csv.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = "$one" ]
	[[ $one == *csv.csv:25001* ]]
	awk 'NR == 12345 { $0 = $0 ",1" } { print }' ill.csv > wide.csv
	run_split mmm-train --model bayes --target y --threads 2 wide.csv
	[ "$status" -eq 65 ]
	[[ $stderr == *wide.csv:12345* ]]
}

@test "two parts: a missing value without --drop-missing names its row" {
	export MMM_SPLIT_MIN_BYTES=1
	ill > ill.csv
	awk -F, 'BEGIN { OFS = "," } NR == 17777 { $4 = "NA" } { print }' ill.csv > na.csv
	for t in 1 2; do
		run_split mmm-train --model ridge --lambda 1 --target y --threads $t na.csv
		[ "$status" -eq 65 ]
		[ "$stderr" = 'mmm-train: na.csv:17777: column "b": missing value (--drop-missing drops such rows)' ] ||
		    { echo "$stderr"; false; }
	done
}
