#!/usr/bin/env bats
# mmm-predict: predictions, intervals, contributions, metrics, drift.
load common

PYMC=pymc-marketing-mmm-example/mmm_example.csv

# near A B [TOL]: |A - B| <= TOL |B| (relative, default 1e-8).
near() {
	jq -en --argjson a "$1" --argjson b "$2" --argjson t "${3:-1e-8}" \
	    '(($a - $b) | if . < 0 then -. else . end) <=
	    $t * ($b | if . < 0 then -. else . end)' >/dev/null ||
	    { echo "$1 is not near $2"; false; }
}

# field CSV ROW COL: the value at data row ROW (1-based) of column COL.
field() {
	awk -F, -v r="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++)
	    if ($i == c) k = i; next } NR == r + 1 { print $k }' "$1"
}

ols() { mmm-train --model ols --target y "$DATA/$PYMC" > ols.json; }

# --- help, version, usage -------------------------------------------------

@test "--help prints usage on stdout and exits 0" {
	run_split mmm-predict --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: mmm-predict"* ]]
	[ -z "$stderr" ]
}

@test "every option of --help is in the man page" {
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-predict --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -q -- "Fl -${o#--}" "$root/man/mmm-predict.1" || { echo "man lacks $o"; false; }
		grep -q -- "$o" "$root/completions/mmm.bash" || { echo "bash completion lacks $o"; false; }
		grep -q -- "$o" "$root/completions/_mmm" || { echo "zsh completion lacks $o"; false; }
	done
}

@test "--version names the tool" {
	run mmm-predict --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mmm-predict (mmm) "* ]]
}

@test "usage errors exit 64 with one line" {
	ols
	run_split mmm-predict "$DATA/$PYMC"
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-predict: --model FILE is required (see mmm-predict --help)' ]
	run mmm-predict -m ols.json --format xml "$DATA/$PYMC";	[ "$status" -eq 64 ]
	run mmm-predict -m ols.json --interval 1 "$DATA/$PYMC";	[ "$status" -eq 64 ]
	run mmm-predict -m ols.json --interval 0 "$DATA/$PYMC";	[ "$status" -eq 64 ]
	run mmm-predict -m ols.json --bogus "$DATA/$PYMC";		[ "$status" -eq 64 ]
	run mmm-predict -m ols.json --keep nope "$DATA/$PYMC";	[ "$status" -eq 64 ]
	run mmm-predict -m ols.json --contributions --keep x1 "$DATA/$PYMC"
	[ "$status" -eq 64 ]
	run mmm-predict -m ols.json "$DATA/$PYMC" "$DATA/$PYMC";	[ "$status" -eq 64 ]
}

@test "the man page's EXAMPLES run" {
	head -151 "$DATA/$PYMC" > train.csv
	{ head -1 "$DATA/$PYMC"; tail -n +152 "$DATA/$PYMC"; } > test.csv
	n=$(man_examples "$BATS_TEST_DIRNAME/../man/mmm-predict.1")
	[ "$n" -eq 3 ]
	for i in $(seq 1 "$n"); do
		run_example ex-$i.sh
		[ "$status" -eq 0 ] || { echo "example $i: $output"; false; }
	done
	[ "$(head -1 pred.csv)" = "date_week,prediction,lower,upper" ]
	jq -e '.drift.pass == false' score.json
}

# --- reference agreement --------------------------------------------------

# statsmodels 0.13.5: r = sm.OLS(y, sm.add_constant(X)).fit() on x1, x2,
# event_1, event_2, dayofyear, t; r.get_prediction(X[rows])
# .summary_frame(alpha=0.1): mean, obs_ci_lower, obs_ci_upper.
@test "OLS predictions and 90% prediction intervals equal statsmodels to 1e-8" {
	ols
	mmm-predict -m ols.json --interval 0.9 --keep t "$DATA/$PYMC" > p.csv
	[ "$(head -1 p.csv)" = "t,prediction,lower,upper" ]
	[ "$(wc -l < p.csv)" -eq 180 ]
	while read -r row mean lo hi; do
		[ "$(field p.csv "$row" t)" -eq $((row - 1)) ]
		near "$(field p.csv "$row" prediction)" "$mean"
		near "$(field p.csv "$row" lower)" "$lo"
		near "$(field p.csv "$row" upper)" "$hi"
	done <<-'EOF'
	1 4569.116647495544 3472.9849575020435 5665.248337489045
	2 4153.2939723222225 3054.0816402061873 5252.506304438258
	51 6272.023713598893 5165.772504130342 7378.2749230674435
	179 5628.234803784503 4530.585758413867 6725.88384915514
	EOF
}

# scikit-learn 1.2: BayesianRidge().fit(X, y).predict(X[rows],
# return_std=True); the 90% interval is mean -+ z sd, z = 1.6448536269514722.
@test "bayes predictive mean and sd equal scikit-learn's BayesianRidge to 1e-6" {
	mmm-train --model bayes --target y "$DATA/$PYMC" > b.json
	mmm-predict -m b.json --interval 0.9 "$DATA/$PYMC" > p.csv
	[ "$(head -1 p.csv)" = "prediction,lower,upper" ]
	while read -r row mean sd; do
		p=$(field p.csv "$row" prediction)
		lo=$(field p.csv "$row" lower)
		hi=$(field p.csv "$row" upper)
		near "$p" "$mean" 1e-6
		near "$(jq -n "($hi - $lo) / 2 / 1.6448536269514722")" "$sd" 1e-6
		near "$(jq -n "($hi + $lo) / 2")" "$mean" 1e-6
	done <<-'EOF'
	1 5136.431847971834 1079.212755683035
	2 5142.843868744851 1079.4849832852922
	51 5167.594151185506 1079.7601317594442
	179 5408.686708585391 1102.4344355114708
	EOF
}

@test "ridge: no interval, the columns are empty and a warning says so" {
	mmm-train --model ridge --lambda 1 --target y "$DATA/$PYMC" > r.json
	run_split mmm-predict -m r.json --interval 0.9 "$DATA/$PYMC"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"ridge model has no interval"* ]]
	[ "$(echo "$output" | sed -n 2p | cut -d, -f2,3)" = "," ]
	run_split mmm-predict -q -m r.json --interval 0.9 "$DATA/$PYMC"
	[ -z "$stderr" ]
}

@test "contributions sum to the prediction" {
	ols
	mmm-predict -m ols.json --contributions --format jsonl "$DATA/$PYMC" > p.jsonl
	[ "$(wc -l < p.jsonl)" -eq 179 ]
	jq -e '(.intercept + .x1 + .x2 + .event_1 + .event_2 + .dayofyear + .t
	    - .prediction) | (if . < 0 then -. else . end) < 1e-9' p.jsonl |
	    grep -v true && false
	# the intercept's contribution is the model's intercept, exactly
	jq -e --slurp --argjson b "$(jq .coefficients.intercept ols.json)" \
	    'all(.[]; .intercept == $b)' p.jsonl
	mmm-predict -m ols.json --contributions "$DATA/$PYMC" > p.csv
	[ "$(head -1 p.csv)" = "prediction,intercept,x1,x2,event_1,event_2,dayofyear,t" ]
}

@test "the default --keep is the model's date column; JSON lines parse with jq" {
	mmm-train --model ols --target y --date date_week "$DATA/$PYMC" > m.json
	mmm-predict -m m.json --format jsonl "$DATA/$PYMC" > p.jsonl
	[ "$(jq -r .date_week p.jsonl | head -1)" = 2018-04-02 ]
	[ "$(jq -s length p.jsonl)" -eq 179 ]
	[ "$(head -1 p.jsonl | jq -c keys)" = '["date_week","prediction"]' ]
	mmm-predict -m m.json --keep 'date_week,x*' "$DATA/$PYMC" | head -1 > h
	[ "$(cat h)" = "date_week,x1,x2,prediction" ]
}

@test "a missing feature value: the row's outputs are empty, with a warning" {
	ols
	sed '3s/^\([^,]*\),\([^,]*\),[^,]*,/\1,\2,NA,/' "$DATA/$PYMC" > in.csv
	run_split mmm-predict -m ols.json --interval 0.9 --contributions --keep date_week in.csv
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 180 ]
	[ "$(echo "$output" | sed -n 3p)" = "2018-04-09,,,,,,,,,," ]
	[ "$stderr" = "mmm-predict: in.csv:3: 1 row(s) with a missing feature value: their predictions are empty" ]
	mmm-predict -q -m ols.json --format jsonl in.csv | sed -n 2p | jq -e '.prediction == null'
}

@test "a feature value that is not a number: exit 65 naming line and column" {
	ols
	sed '4s/^\([^,]*\),\([^,]*\),[^,]*,/\1,\2,abc,/' "$DATA/$PYMC" > in.csv
	run_split mmm-predict -m ols.json in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-predict: in.csv:4: column "x1": "abc" is not a number' ]
}

# --- metrics and model drift ---------------------------------------------

@test "--metrics on the training file equals mmm-train's train metrics" {
	ols
	mmm-predict -m ols.json --metrics met.json "$DATA/$PYMC" > /dev/null
	for k in r2 mape smape rmse nrmse mae lift; do
		near "$(jq ".metrics.$k" met.json)" "$(jq ".metrics.train.$k" ols.json)" 1e-12
	done
	[ "$(jq -r .reference.from met.json)" = train ]
	[ "$(jq .rows_scored met.json)" -eq 179 ]
	jq -e '.drift.pass' met.json
}

@test "--metrics references the cross-validated metrics when the model has them" {
	mmm-train --model ols --target y --features x1,x2,dayofyear,t \
	    --date date_week --cv 3 "$DATA/$PYMC" > m.json
	mmm-predict -m m.json --metrics met.json "$DATA/$PYMC" > /dev/null
	[ "$(jq -r .reference.from met.json)" = cv ]
	[ "$(jq .reference.r2 met.json)" = "$(jq .metrics.cv.mean.r2 m.json)" ]
}

@test "model drift: exit 1 and -o untouched when MAPE rose or R2 fell" {
	ols
	awk -F, -v OFS=, 'NR > 1 { $2 = $2 * 1.3 } 1' "$DATA/$PYMC" > up.csv
	echo old > p.csv
	run_split mmm-predict -m ols.json --metrics met.json -o p.csv up.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == "mmm-predict: model drift: "* ]]
	[ "$(cat p.csv)" = old ]
	jq -e '.drift.pass == false' met.json
	# A loose enough gate passes.
	run mmm-predict -m ols.json --metrics met.json --max-r2-drop 100 \
	    --max-mape-rise 1 -o p.csv up.csv
	[ "$status" -eq 0 ]
	[ "$(wc -l < p.csv)" -eq 180 ]
}

@test "--metrics without the target column: exit 65" {
	ols
	cut -d, -f1,3- "$DATA/$PYMC" > noy.csv
	run_split mmm-predict -m ols.json --metrics met.json noy.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-predict: noy.csv: --metrics needs the target column "y"' ]
	run mmm-predict -m ols.json noy.csv
	[ "$status" -eq 0 ]
}

# --- input drift ----------------------------------------------------------

@test "input drift: a shifted copy warns, and fails with --strict-drift" {
	ols
	awk -F, -v OFS=, 'NR > 1 { $3 = $3 + 10 } 1' "$DATA/$PYMC" > shift.csv
	run_split mmm-predict -m ols.json shift.csv
	[ "$status" -eq 0 ]
	[[ "$stderr" == 'mmm-predict: shift.csv: input drift: column "x1": mean 10.309'* ]]
	[ "$(echo "$output" | wc -l)" -eq 180 ]
	run_split mmm-predict -m ols.json --strict-drift -o p.csv shift.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'input drift: column "x1"'* ]]
	[ ! -e p.csv ]
	run_split mmm-predict -m ols.json --strict-drift "$DATA/$PYMC"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run mmm-predict -m ols.json --strict-drift --drift-sd 100 shift.csv
	[ "$status" -eq 0 ]
}

# --- bad input ------------------------------------------------------------

@test "a column the model needs is missing: exit 65 naming it" {
	ols
	cut -d, -f1-3,5- "$DATA/$PYMC" > nox2.csv
	run_split mmm-predict -m ols.json nox2.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-predict: nox2.csv: column "x2" the model needs is missing' ]
}

@test "unknown format_version, unknown kind, truncated model: exit 65" {
	ols
	jq '.format_version = 2' ols.json > v2.json
	run_split mmm-predict -m v2.json "$DATA/$PYMC"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-predict: v2.json: not a usable model file: format_version 2 is unknown (this mmm reads 1)' ]
	jq '.kind = "xgboost"' ols.json > k.json
	run_split mmm-predict -m k.json "$DATA/$PYMC"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'kind "xgboost" is unknown'* ]]
	head -c 300 ols.json > t.json
	run_split mmm-predict -m t.json "$DATA/$PYMC"
	[ "$status" -eq 65 ]
	[[ "$stderr" == "mmm-predict: t.json:"*"not a usable model file"* ]]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	jq 'del(.covariance)' ols.json > nc.json
	run_split mmm-predict -m nc.json --interval 0.9 "$DATA/$PYMC"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'no valid "covariance"'* ]]
}

@test "unreadable input or model: exit 66" {
	ols
	run_split mmm-predict -m ols.json nonexistent.csv
	[ "$status" -eq 66 ]
	[ "$stderr" = "mmm-predict: nonexistent.csv: cannot open: No such file or directory" ]
	run_split mmm-predict -m none.json "$DATA/$PYMC"
	[ "$status" -eq 66 ]
	cp "$DATA/$PYMC" in.csv
	chmod 000 in.csv
	if [ "$(id -u)" -ne 0 ]; then
		run mmm-predict -m ols.json in.csv
		[ "$status" -eq 66 ]
	fi
}

@test "standard input, and | head -1 exits 0 with no message" {
	ols
	{ head -1 "$DATA/$PYMC"; for i in $(seq 1 400); do tail -n +2 "$DATA/$PYMC"; done; } > big.csv
	mmm-predict -m ols.json --interval 0.9 big.csv 2> err | head -1 > first
	[ "${PIPESTATUS[0]}" -eq 0 ]
	[ ! -s err ]
	[ "$(cat first)" = "prediction,lower,upper" ]
	[ "$(mmm-predict -m ols.json < "$DATA/$PYMC" | sed -n 2p)" = 4569.1166474956135 ]
}

@test "write error on stdout: exit 74; cannot create -o or --metrics: exit 73" {
	ols
	run bash -c "mmm-predict -m ols.json '$DATA/$PYMC' > /dev/full"
	[ "$status" -eq 74 ]
	run mmm-predict -m ols.json -o /nonexistent-dir/p.csv "$DATA/$PYMC"
	[ "$status" -eq 73 ]
	run mmm-predict -m ols.json --metrics /nonexistent-dir/m.json "$DATA/$PYMC"
	[ "$status" -eq 73 ]
}

@test "the lift's baseline is the model's recorded training mean, also with dropped rows" {
	# a training file with one row dropped (--drop-missing): the mean of
	# the rows used, not a reconstruction from the coefficients
	{ head -1 "$DATA/pymc-marketing-mmm-example/mmm_example.csv"; tail -n +2 "$DATA/pymc-marketing-mmm-example/mmm_example.csv" | sed '5s/^\([^,]*\),[^,]*,/\1,,/'; } > tr.csv
	mmm-train --model ols --target y --date date_week --features x1,x2,t --drop-missing -o m.json tr.csv
	[ "$(jq '.data.rows' m.json)" = 178 ]
	run mmm-predict --model m.json --metrics met.json tr.csv
	[ "$status" -eq 0 ]
	# on its own training rows, the lift equals training's
	[ "$(jq --slurpfile m m.json '(.metrics.lift - $m[0].metrics.train.lift) | fabs < 1e-12' met.json)" = true ]
}

# --- JSON-lines input -----------------------------------------------------

# tojsonl CSV [strings]: the CSV's rows as JSON lines, numbers as JSON
# numbers (jq prints them with 17 digits: the same doubles), or every value
# as a string with "strings".
tojsonl() {
	jq -R -s -c --arg s "${2:-}" 'split("\n") | map(select(length > 0) |
	    split(",")) | .[0] as $h | .[1:][] | [$h, .] | transpose |
	    map({(.[0]): (if $s == "" then (.[1] | tonumber? // .) else .[1]
	    end)}) | add' "$1"
}

@test "JSON lines give the same output as the CSV, byte for byte" {
	mmm-train --model ols --target y --date date_week "$DATA/$PYMC" > m.json
	tojsonl "$DATA/$PYMC" > in.jsonl
	[ "$(head -c 1 in.jsonl)" = "{" ]
	[ "$(wc -l < in.jsonl)" -eq 179 ]
	for f in csv jsonl; do
		mmm-predict -m m.json --interval 0.9 --contributions \
		    --metrics met-csv.json --format $f "$DATA/$PYMC" > csv.$f
		mmm-predict -m m.json --interval 0.9 --contributions \
		    --metrics met-jsonl.json --format $f in.jsonl > jsonl.$f
		cmp csv.$f jsonl.$f
		cmp met-csv.json met-jsonl.json
	done
	# From standard input, through a pipe, and with numbers as strings.
	cat in.jsonl | mmm-predict -m m.json --interval 0.9 --contributions > p1
	cmp csv.csv p1
	tojsonl "$DATA/$PYMC" strings > s.jsonl
	grep -q '"x1":"0.3185800179359486"' s.jsonl
	mmm-predict -m m.json --interval 0.9 --contributions s.jsonl > p2
	cmp csv.csv p2
}

@test "JSON lines: keys in another order, blank lines, a BOM, null and absent keys" {
	ols
	printf '\xef\xbb\xbf\n  {"t":0,"x1":0.3185800179359486,"x2":0,"event_1":0,"event_2":0,"dayofyear":92,"id":"a\\"b"}\n\n' > in.jsonl
	printf '{"id":"\\u00e9","x2":0,"x1":0.1123884764420599,"event_1":0,"event_2":0,"dayofyear":99,"t":1,"extra":[1,{"a":2}]}\n' >> in.jsonl
	printf '{"id":"c","x1":null,"x2":0,"event_1":0,"event_2":0,"dayofyear":99,"t":1}\n' >> in.jsonl
	printf '{"id":"d","x2":0,"event_1":0,"event_2":0,"dayofyear":99,"t":1}' >> in.jsonl
	run_split mmm-predict -m ols.json --keep id in.jsonl
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id,prediction\n"a""b",4569.1166474956135\né,4153.293972322287\nc,\nd,')" ]
	[ "$stderr" = "mmm-predict: in.jsonl:5: 2 row(s) with a missing feature value: their predictions are empty" ]
}

@test "JSON lines: malformed lines and bad values exit 65 naming line and key" {
	ols
	good='"x1":0.5,"x2":0,"event_1":0,"event_2":0,"dayofyear":92,"t":0'
	bad() {	# bad LINE2 MESSAGE
		printf '{%s}\n%s\n' "$good" "$1" > in.jsonl
		run_split mmm-predict -m ols.json in.jsonl
		[ "$status" -eq 65 ] || { echo "$1: $status"; false; }
		[ "$stderr" = "mmm-predict: in.jsonl:2: $2" ] || { echo "$stderr"; false; }
	}
	bad "{$good" 'key "t": no '"','"' or '"'}'"' after the value'
	bad '{x1:1}' 'not valid JSON: a key is not a string (byte 2)'
	bad '{"x1":1,}' 'not valid JSON: a key is not a string (byte 9)'
	bad '[1,2]' 'not a JSON object'
	bad "{$good,\"x1\":1}" 'key "x1" appears twice'
	bad "{\"x1\":01}" 'key "x1": no '"','"' or '"'}'"' after the value'
	bad "{\"x1\":-}" 'key "x1": a malformed number'
	bad "{\"x1\":\"a\\qb\"}" 'key "x1": a bad escape in a string'
	bad "{\"x1\":\"abc\"}" 'column "x1": "abc" is not a number'
	bad "{\"x1\":true}" 'column "x1": "true" is not a number'
	bad "{\"x1\":[1]}" 'column "x1": "[1]" is not a number'
	bad "{$good} x" 'not valid JSON: bytes after the object (byte 64)'
	# A key the model needs is absent from the first object.
	printf '{"x1":1}\n' > in.jsonl
	run_split mmm-predict -m ols.json in.jsonl
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-predict: in.jsonl: column "x2" the model needs is missing' ]
}

@test "CSV from a pipe is read whole (the bytes read to tell the format are relayed)" {
	ols
	{ head -1 "$DATA/$PYMC"; for i in $(seq 1 400); do tail -n +2 "$DATA/$PYMC"; done; } > big.csv
	mmm-predict -m ols.json --interval 0.9 big.csv > a
	cat big.csv | mmm-predict -m ols.json --interval 0.9 > b
	cmp a b
	[ "$(wc -l < b)" -eq 71601 ]
	printf '\n\n' | { cat; cat "$DATA/$PYMC"; } | mmm-predict -m ols.json > c
	[ "$(sed -n 2p c)" = 4569.1166474956135 ]
	run_split mmm-predict -m ols.json < /dev/null
	[ "$status" -eq 65 ]
}

# --- --by -----------------------------------------------------------------

@test "--by columns are kept after the date; they must exist" {
	mmm-train --model ols --target y --date date_week --features x1,x2 "$DATA/$PYMC" > m.json
	mmm-predict -m m.json --by event_1,'event_2' "$DATA/$PYMC" > p.csv
	[ "$(head -1 p.csv)" = "date_week,event_1,event_2,prediction" ]
	[ "$(sed -n 2p p.csv)" = "2018-04-02,0.0,0.0,$(mmm-predict -m m.json --keep '' "$DATA/$PYMC" | sed -n 2p)" ]
	# The date named in --by is kept once; --keep replaces the default.
	[ "$(mmm-predict -m m.json --by date_week,t "$DATA/$PYMC" | head -1)" = "date_week,t,prediction" ]
	[ "$(mmm-predict -m m.json --by t --keep x1 "$DATA/$PYMC" | head -1)" = "x1,prediction" ]
	[ "$(mmm-predict -m m.json --by 'event_*' --format jsonl "$DATA/$PYMC" | head -1 | jq -c keys)" = '["date_week","event_1","event_2","prediction"]' ]
	run_split mmm-predict -m m.json --by geo "$DATA/$PYMC"
	[ "$status" -eq 65 ]
	[[ "$stderr" == "mmm-predict: $DATA/$PYMC: --by: "*geo* ]]
}

# --- new categories -------------------------------------------------------

@test "the model's profile lists categories for few-valued integer features" {
	ols
	[ "$(jq -c .profile.event_1.categories ols.json)" = "[0,1]" ]
	[ "$(jq -c .profile.event_2.categories ols.json)" = "[0,1]" ]
	[ "$(jq -c '.profile.x1 | has("categories")' ols.json)" = false ]
	[ "$(jq -c '.profile.t | has("categories")' ols.json)" = false ]	# 179 values
	# At most 32 distinct values, and twice as many rows as values.
	{ echo "y,dow,k"; for i in $(seq 0 69); do echo "$i,$((i % 7)),$((i % 35))"; done; } > d.csv
	mmm-train --model ols --target y d.csv > d.json
	[ "$(jq -c .profile.dow.categories d.json)" = "[0,1,2,3,4,5,6]" ]
	[ "$(jq -c '.profile.k | has("categories")' d.json)" = false ]
}

@test "a new category warns once per column, and fails with --strict-drift" {
	ols
	awk -F, -v OFS=, 'NR == 5 || NR == 9 { $5 = 2 } NR == 7 { $6 = -1 } 1' "$DATA/$PYMC" > cat.csv
	run_split mmm-predict -m ols.json --drift-sd 1e9 cat.csv
	[ "$status" -eq 0 ]
	[ "$stderr" = "$(printf '%s\n' 'mmm-predict: cat.csv:5: column "event_1": value 2 was not seen in training' 'mmm-predict: cat.csv:7: column "event_2": value -1 was not seen in training')" ]
	[ "$(wc -l < <(echo "$output"))" -eq 180 ]
	run_split mmm-predict -m ols.json --drift-sd 1e9 --strict-drift -o p.csv cat.csv
	[ "$status" -eq 1 ]
	[ ! -e p.csv ]
	run_split mmm-predict -q -m ols.json --drift-sd 1e9 cat.csv
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# An older model file without categories: no such check.
	jq 'del(.profile[].categories)' ols.json > old.json
	run_split mmm-predict -m old.json --drift-sd 1e9 --strict-drift cat.csv
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

# --- model-drift reference ------------------------------------------------

@test "the drift reference is metrics.valid, else the cv mean, else train" {
	mmm-train --model ols --target y --features x1,x2,dayofyear,t \
	    --date date_week --cv 3 "$DATA/$PYMC" > m.json
	jq '.metrics.valid = (.metrics.train | .r2 = 0.5 | .mape = 0.25)' m.json > v.json
	mmm-predict -m v.json --metrics met.json "$DATA/$PYMC" > /dev/null
	[ "$(jq -c .reference met.json)" = '{"from":"valid","r2":0.5,"mape":0.25}' ]
	jq -e '.drift.pass' met.json
	# R2 far below the validation R2: drift, named against "valid".
	jq '.metrics.valid.r2 = 0.999' v.json > v2.json
	run_split mmm-predict -m v2.json --metrics met.json "$DATA/$PYMC"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"from the valid 0.999 "* ]]
	# metrics.valid null (no --valid): the cv mean.
	jq '.metrics.valid = null' m.json > n.json
	mmm-predict -m n.json --metrics met.json "$DATA/$PYMC" > /dev/null
	[ "$(jq -r .reference.from met.json)" = cv ]
}

@test "interval: a covariance that is not positive definite is summed as it is" {
	ols
	# a zero covariance: x'Cx = 0, so every half width is t sigma
	jq '.covariance.matrix |= map(map(0))' ols.json > z.json
	mmm-predict -m z.json --interval 0.9 "$DATA/$PYMC" > z.csv
	awk -F, 'NR == 2 { w = $3 - $2 }
	    NR > 2 { d = ($3 - $2) - w; if (d < 0) d = -d; if (d > 1e-9 * w) bad = 1 }
	    END { exit bad }' z.csv
	# and agrees with the Cholesky form on the statsmodels rows to 1e-12
	mmm-predict -m ols.json --interval 0.9 "$DATA/$PYMC" > p.csv
	near "$(sed -n 2p p.csv | cut -d, -f2)" 3472.9849575020435 1e-12
	near "$(sed -n 180p p.csv | cut -d, -f3)" 6725.88384915514 1e-12
}
