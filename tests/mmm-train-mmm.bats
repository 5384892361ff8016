#!/usr/bin/env bats
# mmm-train --model mmm: the learned adstock and saturation, the search, the
# Pareto front, the decomposition; recovery of the truth of mmm-synth.
load common

ROBYN=robyn-simulated-weekly/dt_simulated_weekly.csv
RARGS=(--model mmm --target revenue --date DATE --media tv_S,ooh_S,print_S,facebook_S,search_S
    --controls competitor_sales_B,newsletter --trend --now 2026-01-01-0000)

# jqok EXPR [FILE]: the jq expression is true of the model (m.json).
jqok() {
	jq -e "$1" "${2:-m.json}" >/dev/null || { echo "false: $1"; jq -c "$1" "${2:-m.json}"; false; }
}

@test "fits the Robyn demo data: a model of kind mmm with five channels" {
	run_split mmm-train "${RARGS[@]}" "$DATA/$ROBYN" -o m.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jqok '.kind == "mmm" and .format_version == 1'
	jqok '.mmm.media == ["tv_S","ooh_S","print_S","facebook_S","search_S"]'
	jqok '.features == ["tv_S","ooh_S","print_S","facebook_S","search_S","trend","sin1","cos1","sin2","cos2","competitor_sales_B","newsletter"]'
	jqok '.mmm.channels.tv_S.adstock.kind == "geometric" and .mmm.channels.tv_S.saturation.kind == "hill"'
	# Robyn's default ranges by channel type
	jqok '.mmm.search.hyperparameters["tv_S.theta"] | .lo == 0.3 and .hi == 0.8'
	jqok '.mmm.search.hyperparameters["ooh_S.theta"] | .lo == 0.1 and .hi == 0.4'
	jqok '.mmm.search.hyperparameters["facebook_S.theta"] | .lo == 0 and .hi == 0.3'
	jqok '.mmm.search.candidates == 10080 and .mmm.search.select == "nrmse"'
	# Fit at least as good as a plain OLS on the raw columns (R2 0.83)
	jqok '.mmm.fit.r2 > 0.86 and .mmm.fit.nrmse < 0.08'
	jqok '.metrics.train.r2 - .mmm.fit.r2 | fabs < 1e-12'
}

@test "decomposition: ROI is contribution over spend, shares sum to 1, parts sum to the KPI" {
	mmm-train "${RARGS[@]}" "$DATA/$ROBYN" -o m.json
	jqok '[.mmm.channels[] | (.roi - .contribution / .spend) | fabs] | max < 1e-12'
	jqok '[.mmm.channels[].effect_share] | add - 1 | fabs < 1e-12'
	jqok '[.mmm.channels[].spend_share] | add - 1 | fabs < 1e-12'
	jqok '[.mmm.channels[].coef] | min >= 0'
	jqok '.mmm.decomposition.media as $m | ([.mmm.channels[].contribution] | add) - $m | fabs < 1e-12 * $m'
	# with an unpenalised intercept the fitted values sum to the KPI's sum
	total=$(awk -F, 'NR > 1 { s += $2 } END { printf "%.10e", s }' "$DATA/$ROBYN")
	jqok ".mmm.decomposition.baseline + .mmm.decomposition.media - $total | fabs < 1e-9 * $total"
	# geometric: the steady-state multiplier is 1 / (1 - theta); state one value
	jqok '[.mmm.channels[] | (.carry - 1 / (1 - .adstock.theta)) | fabs] | max < 1e-12'
	jqok '[.mmm.channels[] | .state | length] | all(. == 1)'
	jqok '[.mmm.channels[] | .carryover_share >= 0 and .carryover_share < 1 and .mroi >= 0] | all'
}

@test "the end-of-data adstock state equals the adstock recomputed by awk" {
	mmm-train "${RARGS[@]}" "$DATA/$ROBYN" -o m.json
	theta=$(jq '.mmm.channels.tv_S.adstock.theta' m.json)
	want=$(awk -F, -v th="$theta" 'NR > 1 { a = $3 + th * a } END { printf "%.12e", a }' "$DATA/$ROBYN")
	jqok ".mmm.channels.tv_S.state[0] - $want | fabs < 1e-9 * $want"
}

@test "same seed, same bytes for 1 and 2 threads; another seed, another search" {
	mmm-train "${RARGS[@]}" --threads 1 "$DATA/$ROBYN" -o a.json
	mmm-train "${RARGS[@]}" --threads 2 "$DATA/$ROBYN" -o b.json
	cmp a.json b.json
	mmm-train "${RARGS[@]}" --seed 7 "$DATA/$ROBYN" -o c.json
	! cmp -s a.json c.json
}

@test "--pareto writes the front: sorted, non-dominated, the chosen one marked" {
	mmm-train "${RARGS[@]}" --iterations 400 --trials 3 --pareto front.jsonl "$DATA/$ROBYN" -o m.json
	n=$(wc -l < front.jsonl)
	jqok ".mmm.search.pareto_front == $n"
	[ "$(grep -c '"chosen":true' front.jsonl)" -eq 1 ]
	jq -s -e '[range(1; length) as $i | .[$i].nrmse >= .[$i-1].nrmse and .[$i].decomp_rssd < .[$i-1].decomp_rssd] | all' front.jsonl
	jq -s -e '.[0].params | has("tv_S.theta") and has("lambda")' front.jsonl
}

@test "--select: rssd gives the least DECOMP.RSSD of the front, nrmse the least NRMSE" {
	mmm-train "${RARGS[@]}" --iterations 400 --trials 3 --select rssd --pareto f.jsonl "$DATA/$ROBYN" -o r.json
	mmm-train "${RARGS[@]}" --iterations 400 --trials 3 --select nrmse "$DATA/$ROBYN" -o n.json
	mmm-train "${RARGS[@]}" --iterations 400 --trials 3 --select pareto "$DATA/$ROBYN" -o p.json
	mmm-train "${RARGS[@]}" --iterations 400 --trials 3 --select knee "$DATA/$ROBYN" -o k.json
	rmin=$(jq -s 'map(.decomp_rssd) | min' f.jsonl)
	nmin=$(jq -s 'map(.nrmse) | min' f.jsonl)
	# the chosen candidate is refitted through the exact transforms of
	# mmm-features: equal to the search's scores to a few ulps
	jqok ".mmm.fit.decomp_rssd - $rmin | fabs < 1e-9 * $rmin" r.json
	jqok ".mmm.fit.nrmse - $nmin | fabs < 1e-9 * $nmin" n.json
	for f in p.json k.json; do
		jqok ".mmm.fit.nrmse >= $nmin * (1 - 1e-9) and .mmm.fit.decomp_rssd >= $rmin * (1 - 1e-9)" "$f"
	done
}

@test "--bounds fixes or narrows a hyperparameter; --adstock and --saturation per channel" {
	mmm-train "${RARGS[@]}" --iterations 200 --trials 1 --bounds tv_S.theta=0.5:0.5,lambda=0.01:0.02 \
	    --adstock ooh_S=weibull_pdf --saturation print_S=none,search_S=michaelis "$DATA/$ROBYN" -o m.json
	jqok '.mmm.channels.tv_S.adstock.theta == 0.5'
	jqok '.mmm.search.hyperparameters.lambda | .value >= 0.01 and .value <= 0.02'
	jqok '.mmm.channels.ooh_S.adstock | .kind == "weibull_pdf" and .len == 208 and (.shape | type) == "number"'
	jqok '.mmm.channels.print_S.saturation.kind == "none"'
	jqok '.mmm.channels.search_S.saturation | .kind == "michaelis" and .vmax == 1 and .k > 0'
	jqok '.mmm.search.hyperparameters | has("print_S.alpha") | not'
	jqok '.mmm.channels.ooh_S.state | length == 207'
}

@test "--dry-run prints the search's size and exits 0 without a model" {
	run_split mmm-train "${RARGS[@]}" --dry-run "$DATA/$ROBYN" -o m.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"hyperparameters: 16"* ]]
	[[ "$output" == *"candidates: 10080 (5 trials x 63 generations x 32)"* ]]
	[[ "$output" == *"estimated time: "* ]]
	[ ! -e m.json ]
}

@test "recovery: ROI within 20% of mmm-synth's truth (median over 5 seeds x 5 channels)" {
	for seed in 1 2 3 4 5; do
		mmm-synth --seed "$seed" --truth t$seed.json -o d$seed.csv
		mmm-train --model mmm --target revenue --media '*_spend' --controls temperature,promo \
		    --trend d$seed.csv -o m$seed.json
		paste <(jq -r '.channels[].roi' t$seed.json) <(jq -r '.mmm.channels[].roi' m$seed.json)
	done > roi.tsv
	[ "$(wc -l < roi.tsv)" -eq 25 ]
	med=$(awk '{ d = ($2 - $1) / $1; print d < 0 ? -d : d }' roi.tsv | sort -g | sed -n 13p)
	echo "median relative ROI error $med"
	awk -v m="$med" 'BEGIN { exit !(m < 0.20) }'
}

@test "gates: a failed gate writes no model and exits 1" {
	echo old > m.json
	run_split mmm-train "${RARGS[@]}" --iterations 100 --trials 1 --min-r2 0.99 "$DATA/$ROBYN" -o m.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"gate min-r2 failed"* ]]
	[ "$(cat m.json)" = old ]
}

@test "bad input: unsorted or repeated dates, negative spend, no spend, constant KPI" {
	head -1 "$DATA/$ROBYN" > h.csv
	{ cat h.csv; sed -n 3p "$DATA/$ROBYN"; sed -n 2p "$DATA/$ROBYN"; sed -n '4,40p' "$DATA/$ROBYN"; } > unsorted.csv
	run_split mmm-train "${RARGS[@]}" unsorted.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == "mmm-train: unsorted.csv:3: date 2015-11-23 comes after 2015-11-30: --model mmm needs one row per period in date order"* ]]
	{ cat h.csv; sed -n '2,40p' "$DATA/$ROBYN"; sed -n 10p "$DATA/$ROBYN"; } > repeated.csv
	run_split mmm-train "${RARGS[@]}" repeated.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == "mmm-train: repeated.csv:41: date 2016-01-18 comes after 2016-08-15"* ]]
	{ cat h.csv; sed -n '2,40p' "$DATA/$ROBYN" | awk -F, -v OFS=, 'NR == 5 { $3 = -1 } 1'; } > neg.csv
	run_split mmm-train "${RARGS[@]}" neg.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'media "tv_S" has a negative or non-finite spend'* ]]
	{ cat h.csv; sed -n '2,40p' "$DATA/$ROBYN" | awk -F, -v OFS=, '{ $4 = 0 } 1'; } > zero.csv
	run_split mmm-train "${RARGS[@]}" zero.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'media "ooh_S" has no spend'* ]]
	{ cat h.csv; sed -n '2,40p' "$DATA/$ROBYN" | awk -F, -v OFS=, '{ $2 = 5 } 1'; } > flat.csv
	run_split mmm-train "${RARGS[@]}" flat.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"the target is constant"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "usage errors: 64 with one line" {
	run_split mmm-train --model mmm --target revenue --date DATE "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	[[ "$stderr" == "mmm-train: --model mmm needs --media"* ]]
	run_split mmm-train "${RARGS[@]}" --features tv_S "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --method gibbs "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --adstock tv_S=cubic "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --adstock radio=geometric "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'"radio" is not a media channel'* ]]
	run_split mmm-train "${RARGS[@]}" --bounds tv_S.theta=0.9:0.1 "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --bounds tv_S.shape=1:2 "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --select best "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --fourier weekly:2 "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train --model ols --target revenue --media tv_S "$DATA/$ROBYN";	[ "$status" -eq 64 ]
}

# --- mmm-predict with an mmm model -------------------------------------------

@test "mmm-predict replays the training data: its fitted values, contributions that add up" {
	mmm-train "${RARGS[@]}" "$DATA/$ROBYN" -o m.json
	mmm-predict --model m.json --contributions --metrics met.json "$DATA/$ROBYN" > p.csv
	[ "$(wc -l < p.csv)" -eq 209 ]
	head -1 p.csv | grep -q '^DATE,prediction,intercept,tv_S,ooh_S,print_S,facebook_S,search_S,trend,sin1,cos1,sin2,cos2,competitor_sales_B,newsletter$'
	jq -e --slurpfile m m.json '(.metrics.r2 - $m[0].metrics.train.r2 | fabs) < 1e-12 and .rows_scored == 208' met.json
	# the parts add up to the prediction
	awk -F, 'NR > 1 { s = 0; for (i = 3; i <= NF; i++) s += $i; d = s - $2; if (d < 0) d = -d
	    if (d > 1e-6 * ($2 < 0 ? -$2 : $2)) { print "row " NR ": " s " vs " $2; bad = 1 } } END { exit bad }' p.csv
	# a channel's contributions sum to its total in the model
	tv=$(awk -F, 'NR > 1 { s += $4 } END { printf "%.12e", s }' p.csv)
	jqok ".mmm.channels.tv_S.contribution - $tv | fabs < 1e-9 * $tv"
}

@test "mmm-predict carries the adstock over the train/test boundary exactly" {
	head -151 "$DATA/$ROBYN" > tr.csv
	{ head -1 "$DATA/$ROBYN"; tail -n +152 "$DATA/$ROBYN"; } > te.csv
	mmm-train "${RARGS[@]}" --iterations 200 --trials 2 tr.csv -o m.json
	mmm-predict --model m.json te.csv | tail -n +2 > after.csv
	mmm-predict --model m.json "$DATA/$ROBYN" | tail -n +152 > whole.csv
	[ "$(wc -l < after.csv)" -eq 58 ]
	cmp after.csv whole.csv
}

@test "mmm-predict: rows inside the training data, out of order, or a missing spend are errors" {
	mmm-train "${RARGS[@]}" --iterations 100 --trials 1 "$DATA/$ROBYN" -o m.json
	{ head -1 "$DATA/$ROBYN"; sed -n '100,110p' "$DATA/$ROBYN"; } > mid.csv
	run_split mmm-predict --model m.json mid.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == "mmm-predict: mid.csv:2: date 2017-10-09: an mmm model predicts from the first date of its training data (2015-11-23) or after its last (2019-11-11)"* ]]
	{ head -1 "$DATA/$ROBYN"; sed -n '2,5p' "$DATA/$ROBYN"; sed -n 3p "$DATA/$ROBYN"; } > back.csv
	run_split mmm-predict --model m.json back.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"back.csv:6: date 2015-11-30 is not after the row before"* ]]
	{ head -1 "$DATA/$ROBYN"; sed -n '2,5p' "$DATA/$ROBYN" | awk -F, -v OFS=, 'NR == 2 { $3 = "" } 1'; } > gap.csv
	run_split mmm-predict --model m.json gap.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'gap.csv:3: column "tv_S": "" is not a spend (a missing spend breaks the carryover)'* ]]
	cut -d, -f1-2,4- "$DATA/$ROBYN" > notv.csv
	run_split mmm-predict --model m.json notv.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'column "tv_S" the model needs is missing'* ]]
}
