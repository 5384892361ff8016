#!/usr/bin/env bats
# mmm-train --model mmm: time-series validation (--valid-frac) and the
# stability report (--stability, --windows).
load common

ROBYN=robyn-simulated-weekly/dt_simulated_weekly.csv
RARGS=(--model mmm --target revenue --date DATE --media tv_S,ooh_S,print_S,facebook_S,search_S
    --controls competitor_sales_B,newsletter --trend --now 2026-01-01-0000)
# A shorter search: these tests are about what is done with its result.
SHORT=(--iterations 400 --trials 2)

jqok() {
	jq -e "$1" "${2:-m.json}" >/dev/null || { echo "false: $1"; jq -c "$1" "${2:-m.json}"; false; }
}

# rows FIRST COUNT: the header and COUNT data rows from data row FIRST (1-based).
rows() {
	head -1 "$DATA/$ROBYN"
	tail -n +"$(($1 + 1))" "$DATA/$ROBYN" | head -n "$2"
}

@test "--valid-frac 0.7 of 208 weeks: 145 train, 31 validate, 32 test, in date order (Robyn's split)" {
	run_split mmm-train "${RARGS[@]}" "${SHORT[@]}" --valid-frac 0.7 "$DATA/$ROBYN" -o m.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# floor(1 + 207 x 0.7) = 145; floor(0.15 x 208) = 31; the rest 32
	jqok '.mmm.validation | .valid_frac == 0.7 and .train.rows == 145 and .validation.rows == 31 and .test.rows == 32'
	d146=$(rows 146 1 | tail -1 | cut -d, -f1)
	d177=$(rows 177 1 | tail -1 | cut -d, -f1)
	jqok ".mmm.validation.train.dates == [\"2015-11-23\", \"2018-08-27\"] and .mmm.validation.validation.dates[0] == \"$d146\" and .mmm.validation.test.dates == [\"$d177\", \"2019-11-11\"]"
	# the model is the training fit: its data and carryover end with the training rows
	jqok '.data.rows == 145 and .data.date_range[1] == "2018-08-27" and (.metrics.train.r2 - .mmm.fit.r2 | fabs) < 1e-12'
	jqok '.mmm.validation.train.nrmse == .mmm.fit.nrmse'
	# the validation rows are the model's held-out metrics, what gates judge
	jqok '.data.valid.rows == 31 and (.metrics.valid.nrmse - .mmm.validation.validation.nrmse | fabs) < 1e-12'
	r2=$(jq '.metrics.valid.r2' m.json)
	run_split mmm-train "${RARGS[@]}" "${SHORT[@]}" --valid-frac 0.7 --min-r2 "$(awk -v r="$r2" 'BEGIN { print r + 0.001 }')" "$DATA/$ROBYN" -o g.json
	[ "$status" -eq 1 ]
	[[ $stderr == *"gate min-r2 failed: r2 (valid)"* ]]
	[ ! -e g.json ]
	# 0.5 and 0.8 are the ends of the allowed range
	mmm-train "${RARGS[@]}" --iterations 40 --trials 1 --valid-frac 0.5 "$DATA/$ROBYN" -o a.json
	jqok '.mmm.validation | .train.rows == 104 and .validation.rows == 52 and .test.rows == 52' a.json
	mmm-train "${RARGS[@]}" --iterations 40 --trials 1 --valid-frac 0.8 "$DATA/$ROBYN" -o b.json
	jqok '.mmm.validation | .train.rows == 166 and .validation.rows == 20 and .test.rows == 22' b.json
	# without it: no validation block
	mmm-train "${RARGS[@]}" --iterations 40 --trials 1 "$DATA/$ROBYN" -o c.json
	jqok '.mmm.validation == null and .data.rows == 208' c.json
}

@test "--valid-frac: mmm-predict on the held-out rows gives the validation and test NRMSE to 1e-12" {
	rows 146 63 > held.csv
	# the default transforms (the search's vector path), then window
	# adstocks and other curves (transform.c's path in the search too)
	for kinds in "" "--adstock weibull_pdf --saturation ooh_S=logistic,print_S=michaelis"; do
		# shellcheck disable=SC2086 # two words on purpose
		mmm-train "${RARGS[@]}" "${SHORT[@]}" $kinds --valid-frac 0.7 "$DATA/$ROBYN" -o m.json
		mmm-predict --model m.json --keep DATE,revenue held.csv > p.csv
		# NRMSE of a part: root mean squared error over the range of its KPI
		read -r val test < <(awk -F, 'NR > 1 { i++; y[i] = $2; p[i] = $3 }
		    function nrmse(a, b,   j, e, s, lo, hi) {
			lo = 1e300; hi = -1e300; s = 0
			for (j = a; j <= b; j++) { e = y[j] - p[j]; s += e * e; if (y[j] < lo) lo = y[j]; if (y[j] > hi) hi = y[j] }
			return sqrt(s / (b - a + 1)) / (hi - lo)
		    }
		    END { printf "%.17g %.17g\n", nrmse(1, 31), nrmse(32, 63) }' p.csv)
		jqok ".mmm.validation.validation.nrmse - $val | fabs < 1e-12 * $val"
		jqok ".mmm.validation.test.nrmse - $test | fabs < 1e-12 * $test"
	done
}

@test "--valid-frac: the search minimises the validation NRMSE; the front and the pareto lines carry all three" {
	mmm-train "${RARGS[@]}" "${SHORT[@]}" --valid-frac 0.7 --pareto f.jsonl "$DATA/$ROBYN" -o m.json
	jq -s -e 'all(has("nrmse") and has("nrmse_validation") and has("nrmse_test"))' f.jsonl
	# sorted by validation NRMSE, each one better on DECOMP.RSSD than the one before
	jq -s -e '[range(1; length) as $i | .[$i].nrmse_validation >= .[$i-1].nrmse_validation and .[$i].decomp_rssd < .[$i-1].decomp_rssd] | all' f.jsonl
	# --select nrmse (the default) takes the least validation NRMSE
	vmin=$(jq -s 'map(.nrmse_validation) | min' f.jsonl)
	[ "$(jq -s -c 'map(select(.chosen)) | .[0].nrmse_validation' f.jsonl)" = "$vmin" ]
	jqok ".mmm.validation.validation.nrmse - $vmin | fabs < 1e-9 * $vmin"
	# without it the lines keep their old keys
	mmm-train "${RARGS[@]}" --iterations 40 --trials 1 --pareto g.jsonl "$DATA/$ROBYN" -o c.json
	jq -s -e 'all(has("nrmse_validation") | not)' g.jsonl
}

@test "--valid-frac: bad values are usage errors, too few rows a data error" {
	for f in 0.4 0.81 1 abc; do
		run_split mmm-train "${RARGS[@]}" --valid-frac "$f" "$DATA/$ROBYN" -o m.json
		[ "$status" -eq 64 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	done
	run_split mmm-train --model ols --target revenue --valid-frac 0.7 "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	# 10 rows: 7 to train (fewer than 8)
	rows 1 10 > small.csv
	run_split mmm-train "${RARGS[@]}" --valid-frac 0.7 small.csv -o m.json
	[ "$status" -eq 65 ]
	[[ $stderr == *"--valid-frac 0.7: 10 rows give 7 to train, 1 to validate and 2 to test"* ]]
	[ ! -e m.json ]
}

@test "a control constant over the fitted part (an event in the held-out weeks, outside a window) gets coefficient 0" {
	P=pymc-marketing-mmm-example/mmm_example.csv
	PARGS=(--model mmm --target y --date date_week --media x1,x2 --controls event_1,event_2
	    --trend --saturation logistic --now 2026-01-01-0000 --iterations 200 --trials 2)
	# event_2 falls on week 129 of 179; --valid-frac 0.5 trains on 90
	mmm-train "${PARGS[@]}" --valid-frac 0.5 "$DATA/$P" -o m.json
	jqok '.mmm.validation.train.rows == 90 and .coefficients.event_2 == 0 and .coefficients.event_1 != 0'
	# the same 90 rows alone: a constant control is an error
	head -91 "$DATA/$P" > head.csv
	run_split mmm-train "${PARGS[@]}" head.csv -o h.json
	[ "$status" -eq 65 ]
	[[ $stderr == *'baseline term "event_2" is constant'* ]]
	# windows of 144 weeks validated on their last quarter: the first
	# trains on 108 weeks without event_2, and equals a run on its rows
	mmm-train "${PARGS[@]}" --valid-frac 0.75 --stability 1 --windows 3 "$DATA/$P" -o w.json
	head -145 "$DATA/$P" > w0.csv
	mmm-train "${PARGS[@]}" --valid-frac 0.75 w0.csv -o w0.json
	jqok '.coefficients.event_2 == 0' w0.json
	[ "$(jq -c '[.mmm.channels[].roi]' w0.json)" = "$(jq -c '.mmm.stability.fits[1] | [.roi[]]' w.json)" ]
}

@test "--stability 3: three fits whose ROIs are those of separate runs with seeds 5, 6, 7 (the same bytes)" {
	mmm-train "${RARGS[@]}" "${SHORT[@]}" --seed 5 --stability 3 "$DATA/$ROBYN" -o m.json
	jqok '.mmm.stability | .seeds == 3 and .windows == 0 and (.fits | length) == 3'
	jqok '[.mmm.stability.fits[].seed] == [5, 6, 7] and all(.mmm.stability.fits[]; .rows == 208)'
	for i in 0 1 2; do
		mmm-train "${RARGS[@]}" "${SHORT[@]}" --seed $((5 + i)) "$DATA/$ROBYN" -o s$i.json
		[ "$(jq -c '[.mmm.channels | to_entries[] | .value.roi]' s$i.json)" = \
		  "$(jq -c ".mmm.stability.fits[$i] | [.roi[]]" m.json)" ]
		[ "$(jq -c '[.mmm.channels | to_entries[] | .value.mroi]' s$i.json)" = \
		  "$(jq -c ".mmm.stability.fits[$i] | [.mroi[]]" m.json)" ]
	done
	# the first fit is the model itself
	jqok '[.mmm.channels[].roi] == [.mmm.stability.fits[0].roi[]]'
	jqok '.mmm.stability.fits[0].nrmse == .mmm.fit.nrmse and (.mmm.stability.fits[0] | has("nrmse_validation") | not)'
	[ "$(jq '.mmm.fit.nrmse' s1.json)" = "$(jq '.mmm.stability.fits[1].nrmse' m.json)" ]
	# another seed gives another search
	! cmp -s s0.json s1.json
}

@test "--windows 3: windows of 167 rows starting at rows 0, 20 and 41, each fit equal to a run on those rows" {
	mmm-train "${RARGS[@]}" "${SHORT[@]}" --stability 2 --windows 3 "$DATA/$ROBYN" -o m.json
	jqok '(.mmm.stability.fits | length) == 5 and .mmm.stability.windows == 3'
	jqok '[.mmm.stability.fits[2:][] | .rows] == [167, 167, 167]'
	# n - floor(n/5) = 167 rows; window j starts at floor(j (208 - 167) / 2)
	i=2
	for first in 0 20 41; do
		rows $((first + 1)) 167 > w$first.csv
		d0=$(sed -n 2p w$first.csv | cut -d, -f1)
		d1=$(tail -1 w$first.csv | cut -d, -f1)
		jqok ".mmm.stability.fits[$i].dates == [\"$d0\", \"$d1\"] and .mmm.stability.fits[$i].seed == 1"
		mmm-train "${RARGS[@]}" "${SHORT[@]}" w$first.csv -o r$first.json
		[ "$(jq -c '[.mmm.channels[].roi]' r$first.json)" = "$(jq -c ".mmm.stability.fits[$i] | [.roi[]]" m.json)" ]
		i=$((i + 1))
	done
	# one window: the latest four fifths
	mmm-train "${RARGS[@]}" --iterations 40 --trials 1 --stability 1 --windows 1 "$DATA/$ROBYN" -o one.json
	jqok '.mmm.stability.fits[1].dates[1] == "2019-11-11" and .mmm.stability.fits[1].rows == 167' one.json
}

@test "stability: min, median, max and CV (sample sd over |mean|) recomputed from the fits" {
	mmm-train "${RARGS[@]}" "${SHORT[@]}" --stability 2 --windows 2 "$DATA/$ROBYN" -o m.json
	for q in roi mroi allocation_share; do
		jqok ".mmm.stability as \$s | [\$s.fits[0].$q | keys[] | . as \$c |
		    ([\$s.fits[].$q[\$c]] | sort) as \$v |
		    (\$v | add / length) as \$m |
		    ((\$v | map((. - \$m) * (. - \$m)) | add) / ((\$v | length) - 1) | sqrt) as \$sd |
		    \$s.$q[\$c] as \$r |
		    (\$r.min == \$v[0] and \$r.max == \$v[3] and
		     ((\$r.median - (\$v[1] + \$v[2]) / 2) | fabs) <= 1e-15 * (\$r.median | fabs) and
		     ((\$r.cv - \$sd / (\$m | fabs)) | fabs) <= 1e-12 * \$r.cv + 1e-300)] | all"
	done
	# allocation shares sum to 1 in every fit
	jqok '[.mmm.stability.fits[].allocation_share | [.[]] | add - 1 | fabs < 1e-9] | all'
}

@test "stability: the allocation share is mmm-allocate's max-response plan of the recent budget" {
	mmm-train "${RARGS[@]}" "${SHORT[@]}" --stability 2 "$DATA/$ROBYN" -o m.json
	mmm-allocate --model m.json --unbounded > plan.json
	jq -e --slurpfile m m.json '.budget as $b | [.channels[] | .channel as $c |
	    (.recommended / $b - $m[0].mmm.stability.fits[0].allocation_share[$c]) | fabs < 1e-12] | all' plan.json
}

@test "stability: the same bytes for 1 and 2 threads, with --valid-frac too" {
	mmm-train "${RARGS[@]}" "${SHORT[@]}" --stability 2 --windows 2 --valid-frac 0.75 --threads 1 "$DATA/$ROBYN" -o a.json
	mmm-train "${RARGS[@]}" "${SHORT[@]}" --stability 2 --windows 2 --valid-frac 0.75 --threads 2 "$DATA/$ROBYN" -o b.json
	cmp a.json b.json
	# each window is validated on its own last rows
	jqok '.mmm.validation.train.rows == 156 and (.mmm.stability.fits | length) == 4' a.json
	jqok '.mmm.stability.fits[0].nrmse_validation == .mmm.validation.validation.nrmse' a.json
	jqok '[.mmm.stability.fits[] | .nrmse_validation > 0] | all' a.json
}

@test "--dry-run counts the stability refits" {
	run_split mmm-train "${RARGS[@]}" --stability 3 --windows 2 --dry-run "$DATA/$ROBYN" -o m.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"candidates: 10080 (5 trials x 63 generations x 32)"* ]]
	[[ "$output" == *"stability: 4 refits (2 seeds, 2 windows), estimated "*" s more"* ]]
	[ ! -e m.json ]
}

@test "stability: usage errors, and a window the model cannot take" {
	run_split mmm-train "${RARGS[@]}" --windows 2 "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	[[ $stderr == *"--windows goes with --stability"* ]]
	run_split mmm-train "${RARGS[@]}" --stability 1 "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	for bad in 0 -1 x; do
		run_split mmm-train "${RARGS[@]}" --stability "$bad" "$DATA/$ROBYN"
		[ "$status" -eq 64 ]
	done
	run_split mmm-train --model ols --target revenue --stability 3 "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	# print_S cut to zero from data row 30 on: the second window (rows
	# 42-208) has no print_S spend
	awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "print_S" || $i == "\"print_S\"") c = i; print; next }
	    { if (NR > 30) $c = 0; print }' "$DATA/$ROBYN" > cut.csv
	run_split mmm-train "${RARGS[@]}" --iterations 40 --trials 1 --stability 1 --windows 2 cut.csv -o m.json
	[ "$status" -eq 65 ]
	[[ $stderr == *"--windows: window 2 ("*"): media \"print_S\" has no spend"* ]]
	[ ! -e m.json ]
}
