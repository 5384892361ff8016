#!/usr/bin/env bats
# mmm-train --model mmm --method bayes: the posterior by NUTS — recovery of
# mmm-synth's truth, the diagnostics gate, determinism, the model file's
# summaries and draws, options and errors.
load common

BARGS=(--model mmm --method bayes --target revenue --media '*_spend'
    --controls temperature,promo --trend --now 2026-01-01-0000)
# short runs where the diagnostics are not the point
QUICK=(--draws 150 --warmup 150 --no-diagnostics-gate)

jqok() {
	jq -e "$1" "${2:-m.json}" >/dev/null || { echo "false: $1"; jq -c "$1" "${2:-m.json}"; false; }
}

synth() {	# SEED: data d.csv and truth t.json
	mmm-synth --seed "$1" --truth t.json -o d.csv
}

@test "recovery: the 90% ROI intervals cover the truth (seeds 1 and 2), the gate passes with the defaults" {
	covered=0
	for s in 1 2; do
		synth $s
		run_split mmm-train "${BARGS[@]}" --seed $s d.csv -o m$s.json
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		jqok '.mmm.diagnostics | .rhat_max <= 1.01 and .ess_min >= 400 and .divergences == 0' m$s.json
		jqok '.gates["max-rhat"].pass and .gates["min-ess"].pass' m$s.json
		c=$(jq -r --slurpfile t t.json '[.mmm.channels | to_entries[] | .key as $k |
		    ($t[0].channels[] | select(.name == $k) | .roi) as $r |
		    .value.posterior.roi | select(.p5 <= $r and $r <= .p95)] | length' m$s.json)
		covered=$((covered + c))
		# the same as the 10-seed record of tests/data/bayes_recovery.sh
		want=$(awk -v s=$s '$1 == s { c += $7 } END { print c }' "$T/bayes_recovery.txt")
		[ "$c" -eq "$want" ]
	done
	[ "$covered" -ge 8 ]
	# the record: at least 80% of 50 channels over 10 seeds
	awk '/^coverage/ { exit !($2 >= 40 && $4 == 50) }' "$T/bayes_recovery.txt"
}

@test "too short a run fails the diagnostics gate: exit 1, no model written" {
	synth 1
	run_split mmm-train "${BARGS[@]}" --draws 20 --warmup 20 d.csv -o m.json
	[ "$status" -eq 1 ]
	[ ! -e m.json ]
	[[ "$stderr" == *"gate min-ess failed: smallest bulk ESS is "* ]]
	# a looser gate, or none, writes it
	mmm-train "${BARGS[@]}" --draws 20 --warmup 20 --no-diagnostics-gate d.csv -o m.json
	jqok '.gates == {} and .mmm.diagnostics.ess_min < 400'
	mmm-train "${BARGS[@]}" --draws 20 --warmup 20 --max-rhat 100 --min-ess 1 d.csv -o m2.json
	jqok '.gates["min-ess"].threshold == 1 and .gates["max-rhat"].threshold == 100' m2.json
}

@test "same bytes for --threads 1 and 2; another seed, other draws" {
	synth 1
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --threads 1 d.csv -o a.json
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --threads 2 d.csv -o b.json
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --threads 3 --chains 3 d.csv -o c.json
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --threads 1 --chains 3 d.csv -o d.json
	cmp a.json b.json
	cmp c.json d.json
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --seed 2 d.csv -o e.json
	! cmp -s a.json e.json
}

@test "the model file: method, summaries, diagnostics and draws in the documented shape" {
	synth 1
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --keep-draws 120 d.csv -o m.json
	jqok '.kind == "mmm" and .mmm.method == "bayes" and (.mmm | has("search") | not)'
	jqok '.mmm.bayes | .chains == 4 and .draws == 150 and .warmup == 150 and .seed == 1 and .target_accept == 0.8'
	jqok '.mmm.bayes.priors.channels.tv_spend | .theta.dist == "beta" and .theta_lo == 0.3 and .theta_hi == 0.8 and .beta.dist == "halfnormal"'
	# summaries: ordered quantiles, ROI = contribution / spend at the mean of the draws
	jqok '[.mmm.channels[].posterior[] | .p5 <= .p50 and .p50 <= .p95 and .sd >= 0] | all'
	jqok '[.mmm.channels[].posterior | keys] | all(. == ["alpha","carry","coef","contribution","gamma","gamma_fraction","roi","theta"])'
	jqok '[.mmm.channels[] | (.posterior.contribution.mean / .spend - .posterior.roi.mean) | fabs] | max < 1e-9'
	jqok '.mmm.bayes.posterior | (.baseline | keys) == ["cos1","cos2","promo","sin1","sin2","temperature","trend"] and .sigma.mean > 0'
	# the point estimate: posterior means
	jqok '[.mmm.channels[] | (.coef - .posterior.coef.mean) | fabs] | max < 1e-6'
	jqok '[.mmm.channels[] | (.adstock.theta - .posterior.theta.mean) | fabs] | max < 1e-12'
	jqok '[.mmm.channels[] | .carry - 1 / (1 - .adstock.theta) | fabs] | max < 1e-12'
	# diagnostics per parameter
	jqok '.mmm.diagnostics.params | has("tv_spend.theta") and has("tv_spend.roi") and has("trend") and has("intercept") and has("sigma")'
	jqok '.mmm.diagnostics | .rhat_max == ([.params[].rhat] | max) and .ess_min == ([.params[].ess] | min)'
	# draws: exactly the documented keys and lengths
	jqok '.mmm.draws | .n == 120 and (.sigma | length) == 120 and (.intercept | length) == 120'
	jqok '.mmm.draws.baseline | keys == ["cos1","cos2","promo","sin1","sin2","temperature","trend"] and all(.[]; length == 120)'
	jqok '.mmm.draws.channels | keys == ["display_spend","radio_spend","search_spend","social_spend","tv_spend"]'
	jqok '[.mmm.draws.channels[] | keys == ["alpha","carry","coef","gamma","theta"] and all(.[]; length == 120)] | all'
	# gamma in spend units: the same meaning as the point's saturation.gamma
	jqok '[.mmm.channels | to_entries[] | .key as $k | .value.saturation.gamma as $g | $g > 0] | all'
	jqok '[.mmm.draws.channels[] | [.carry, .theta] | transpose[] | (.[0] - 1 / (1 - .[1])) | fabs] | max < 1e-12'
	mmm-train --check-model m.json
}

@test "--keep-draws: 0 keeps none, more than the draws keeps them all" {
	synth 1
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --chains 2 --keep-draws 100000 d.csv -o m.json
	jqok '.mmm.draws.n == 300 and (.mmm.draws.sigma | length) == 300'
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --chains 2 --keep-draws 0 d.csv -o z.json
	jqok '.mmm.draws.n == 0 and .mmm.draws.sigma == []' z.json
}

@test "mmm-predict applies a bayes model: predictions and contributions" {
	synth 1
	mmm-train "${BARGS[@]}" "${QUICK[@]}" d.csv -o m.json
	run_split mmm-predict --model m.json d.csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 209 ]
}

@test "--roi-prior: a tight prior holds the channel's ROI, the others keep theirs" {
	synth 1
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --roi-prior 'tv_spend=lognormal:1:0.02' d.csv -o m.json
	jqok '.mmm.channels.tv_spend.posterior.roi | .p5 > 2.5 and .p95 < 2.95'
	jqok '.mmm.bayes.priors.channels.tv_spend.roi == {"dist":"lognormal","mu":1,"sigma":0.02}'
	jqok '.mmm.bayes.priors.channels.search_spend.beta.dist == "halfnormal"'
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --roi-prior '*=lognormal:0:1' d.csv -o all.json
	jqok '[.mmm.bayes.priors.channels[].roi.dist] | all(. == "lognormal") and length == 5' all.json
}

@test "other saturation kinds and no adstock sample too" {
	synth 1
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --saturation tv_spend=logistic,search_spend=michaelis,social_spend=none \
	    --adstock display_spend=none d.csv -o m.json
	jqok '.mmm.draws.channels.tv_spend | keys == ["carry","coef","lambda","theta"]'
	jqok '.mmm.draws.channels.search_spend | keys == ["carry","coef","k","theta","vmax"]'
	jqok '.mmm.draws.channels.social_spend | keys == ["carry","coef","theta"]'
	jqok '.mmm.draws.channels.display_spend | keys == ["alpha","carry","coef","gamma"] and all(.carry[]; . == 1)'
	jqok '.mmm.channels.tv_spend.saturation.kind == "logistic" and .mmm.channels.display_spend.adstock.kind == "none"'
	mmm-predict --model m.json d.csv > /dev/null
}

@test "usage errors: exit 64 naming the option" {
	synth 1
	for k in weibull_pdf weibull_cdf; do
		run_split mmm-train "${BARGS[@]}" --adstock tv_spend=$k d.csv
		[ "$status" -eq 64 ]
		[[ "$stderr" == *"channel \"tv_spend\": adstock $k is not sampled: its window rounds SCALE to a whole lag, so the likelihood is a step function of SCALE that NUTS cannot follow (use --method ridge, or adstock delayed)"* ]]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	done
	run_split mmm-train "${BARGS[@]}" --bounds tv_spend.alpha=1:2 d.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'--bounds sets theta only'* ]]
	run_split mmm-train "${BARGS[@]}" --roi-prior tv_spend=normal:1:1 d.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'"tv_spend=normal:1:1" is not CHANNEL=lognormal:MU:SIGMA'* ]]
	run_split mmm-train "${BARGS[@]}" --roi-prior nope=lognormal:1:1 d.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'"nope" is not a media channel'* ]]
	run_split mmm-train "${BARGS[@]}" --pareto f.jsonl d.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'go with --method ridge'* ]]
	for opt in "--valid-frac 0.7" "--stability 2" "--stability 2 --windows 2"; do
		run_split mmm-train "${BARGS[@]}" $opt d.csv
		[ "$status" -eq 64 ] && [[ "$stderr" == *'--valid-frac, --stability, --windows and --dry-run go with --method ridge'* ]] ||
		    { echo "$opt: $status $stderr"; false; }
	done
	run_split mmm-train --model mmm --target revenue --media '*_spend' --chains 2 d.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'go with --method bayes'* ]]
	run_split mmm-train "${BARGS[@]}" --method gibbs d.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'--method: "gibbs" is not ridge or bayes'* ]]
	for bad in "--draws 4" "--chains 0" "--target-accept 1" "--max-rhat 0.9" "--min-ess -1" "--warmup x"; do
		run mmm-train "${BARGS[@]}" $bad d.csv
		[ "$status" -eq 64 ] || { echo "$bad: $status"; false; }
	done
	[ ! -e m.json ]
}

@test "bad input: exit 65 with one line" {
	printf 'date,revenue,tv_spend\n2024-01-01,1,0\n2024-01-08,2,1\n2024-01-15,x,1\n' > bad.csv
	run_split mmm-train --model mmm --method bayes --target revenue --media tv_spend bad.csv
	[ "$status" -eq 65 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "every option of --help is in the man page and both completions" {
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-train --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -q -- "Fl ${o#-}" "$root/man/mmm-train.1" || { echo "man lacks $o"; false; }
		grep -q -- "$o" "$root/completions/mmm.bash" || { echo "bash lacks $o"; false; }
		grep -q -- "$o" "$root/completions/_mmm" || { echo "zsh lacks $o"; false; }
	done
}

@test "--lift: a lift test in the likelihood narrows the channel's ROI around the truth" {
	mmm-synth --seed 2 --truth t.json --components c.csv -o d.csv
	# social's true contribution over 12 weeks, measured to 10%
	awk -F, 'NR >= 50 && NR < 62 { s += $6 } NR == 50 { d0 = $1 } NR == 61 { d1 = $1 }
	    END { printf "channel,start,end,lift,lift_sd\nsocial_spend,%s,%s,%.2f,%.2f\n", d0, d1, s, s / 10 }' c.csv > lift.csv
	mmm-train "${BARGS[@]}" d.csv -o n.json
	mmm-train "${BARGS[@]}" --lift lift.csv d.csv -o l.json
	r=$(jq '.channels[] | select(.name == "social_spend") | .roi' t.json)
	jqok ".mmm.channels.social_spend.posterior.roi | .p5 <= $r and $r <= .p95" l.json
	wn=$(jq '.mmm.channels.social_spend.posterior.roi | .p95 - .p5' n.json)
	jqok ".mmm.channels.social_spend.posterior.roi | .p95 - .p5 < $wn / 3" l.json
	jqok '.mmm.calibration[0] | .channel == "social_spend" and .periods == 12 and .ape < 0.15' l.json
	# without lift_sd the likelihood has no weight to give it
	printf 'channel,start,end,lift\nsocial_spend,2021-12-06,2022-02-21,70000\n' > nosd.csv
	run_split mmm-train "${BARGS[@]}" --lift nosd.csv d.csv -o x.json
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'line 2: --method bayes needs lift_sd'* ]]
	[ ! -e x.json ]
}

@test "--progress counts the iterations of every chain on stderr; the model is the same" {
	synth 1
	run_split mmm-train "${BARGS[@]}" "${QUICK[@]}" --progress d.csv -o p.json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"1200 iterations"* ]]
	mmm-train "${BARGS[@]}" "${QUICK[@]}" -q d.csv -o q.json
	cmp p.json q.json
}

@test "PyMC-Marketing's example data: the 90% ROI intervals cover the true ROI of both channels" {
	d=$DATA/pymc-marketing-mmm-example
	mmm-train --model mmm --method bayes --target y --date date_week --media x1,x2 \
	    --controls event_1,event_2 --trend --now 2026-01-01-0000 "$d/mmm_example.csv" -o m.json
	# true ROI: the true contributions over the spend
	paste -d, <(cut -d, -f11,12 "$d/mmm_example_true_decomposition.csv") <(cut -d, -f3,4 "$d/mmm_example.csv") |
	    awk -F, 'NR > 1 { a += $1; b += $2; c += $3; e += $4 } END { print a / c, b / e }' > roi.txt
	read -r r1 r2 < roi.txt
	jqok ".mmm.channels.x1.posterior.roi | .p5 <= $r1 and $r1 <= .p95"
	jqok ".mmm.channels.x2.posterior.roi | .p5 <= $r2 and $r2 <= .p95"
	jqok '.mmm.diagnostics | .rhat_max <= 1.01 and .ess_min >= 400'
}

@test "mmm-predict --interval from the draws: each draw's carryover continues exactly, one draw gives its own normal" {
	synth 1
	head -161 d.csv > tr.csv
	{ head -1 d.csv; tail -48 d.csv; } > te.csv
	mmm-train "${BARGS[@]}" tr.csv -o m.json
	# the 48 weeks after training: continued from each draw's saved state,
	# or replayed from the first training week: the same numbers
	mmm-predict --model m.json --interval 0.9 te.csv | tail -48 > cont.csv
	mmm-predict --model m.json --interval 0.9 d.csv | tail -48 > replay.csv
	cmp cont.csv replay.csv
	# held out, the 90% predictive intervals cover most weeks
	paste -d, <(tail -48 te.csv | cut -d, -f2) cont.csv |
	    awk -F, '$1 >= $4 && $1 <= $5 { c++ } END { exit !(c >= 40) }'
	# on the training weeks, about 90% of them
	mmm-predict --model m.json --interval 0.9 --keep revenue tr.csv |
	    awk -F, 'NR > 1 { n++; if ($1 >= $3 && $1 <= $4) c++ } END { print c / n; exit !(c / n > 0.8 && c / n < 0.98) }'
	# a single kept draw: the interval is its normal, prediction -+ z sigma
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --keep-draws 1 tr.csv -o one.json
	s=$(jq '.mmm.draws.sigma[0]' one.json)
	mmm-predict --model one.json --interval 0.9 te.csv | awk -F, -v s="$s" 'NR > 1 {
	    r = ($4 - $3) / (2 * 1.6448536269514722) / s - 1; if (r < 0) r = -r; if (r > m) m = r }
	    END { exit !(m < 1e-9) }'
	# the per-draw end state: draw 0's geometric adstock of tv over the training rows
	th=$(jq '.mmm.draws.channels.tv_spend.theta[0]' m.json)
	want=$(awk -F, -v th="$th" 'NR > 1 { a = $3 + th * a } END { printf "%.12e", a }' tr.csv)
	jqok ".mmm.draws_state.tv_spend[0] - $want | fabs < 1e-9 * $want"
	jqok '.mmm.draws_state | keys == ["display_spend","radio_spend","search_spend","social_spend","tv_spend"] and all(.[]; length == 500)'
	# a ridge mmm model still has none: empty columns and a warning
	mmm-train --model mmm --target revenue --media '*_spend' --iterations 100 --trials 1 tr.csv -o r.json
	run_split mmm-predict --model r.json --interval 0.9 te.csv
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"has no interval"* ]]
	[[ "$(printf '%s\n' "$output" | sed -n 2p)" == *",," ]]
}

@test "delayed adstock samples theta and peak: summaries, priors, draws, diagnostics, the point" {
	synth 1
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --keep-draws 100 --adstock tv_spend=delayed,radio_spend=delayed \
	    --bounds tv_spend.peak=0.5:2.5 d.csv -o m.json
	jqok '.mmm.channels.tv_spend.adstock | .kind == "delayed" and .len == 12 and .normalize == true'
	jqok '.mmm.channels.search_spend.adstock.kind == "geometric"'
	# the point: the posterior means of theta and peak
	jqok '[.mmm.channels.tv_spend, .mmm.channels.radio_spend | (.adstock.theta - .posterior.theta.mean | fabs),
	    (.adstock.peak - .posterior.peak.mean | fabs)] | max < 1e-12'
	jqok '.mmm.channels.tv_spend.posterior | (keys | index("peak")) and .peak.p5 >= 0.5 and .peak.p95 <= 2.5 and .peak.p5 < .peak.p95'
	jqok '.mmm.channels.radio_spend.posterior.peak | .p5 >= 0 and .p95 <= 3'
	jqok '.mmm.channels.search_spend.posterior | has("peak") | not'
	# the normalised window only moves spend: carry 1
	jqok '[.mmm.draws.channels.tv_spend.carry[]] | all(. == 1)'
	jqok '.mmm.bayes.priors.channels.tv_spend | .peak == {"dist":"beta","a":1.5,"b":1.5} and .peak_lo == 0.5 and .peak_hi == 2.5
	    and .theta.dist == "beta" and .theta_lo == 0.3 and .theta_hi == 0.8'
	jqok '.mmm.draws.channels.tv_spend | keys == ["alpha","carry","coef","gamma","peak","theta"] and all(.[]; length == 100)'
	jqok '.mmm.draws.channels.search_spend | has("peak") | not'
	jqok '.mmm.diagnostics.params | has("tv_spend.peak") and has("tv_spend.theta") and (has("search_spend.peak") | not)'
	# the per-draw end state is geometric adstock's only (delayed carries the last inputs, the same for every draw)
	jqok '.mmm.draws_state | has("search_spend") and (has("tv_spend") | not)'
	mmm-train --check-model m.json
}

@test "delayed adstock: mmm-predict replays the training rows to the model's fit, intervals continue across the boundary" {
	synth 1
	head -161 d.csv > tr.csv
	{ head -1 d.csv; tail -48 d.csv; } > te.csv
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --adstock delayed tr.csv -o m.json
	mmm-predict --model m.json --metrics met.json tr.csv > p.csv
	[ "$(wc -l < p.csv)" -eq 161 ]
	jq -e --slurpfile m m.json '(.metrics.r2 - $m[0].metrics.train.r2 | fabs) < 1e-12 and (.metrics.r2 - $m[0].mmm.fit.r2 | fabs) < 1e-12 and .rows_scored == 160' met.json
	# the intervals: each draw's window continued from the saved inputs equals the replay
	mmm-predict --model m.json --interval 0.9 te.csv | tail -48 > cont.csv
	mmm-predict --model m.json --interval 0.9 d.csv | tail -48 > replay.csv
	cmp cont.csv replay.csv
	# a single kept draw: its own delayed window of tv, by hand, is the
	# difference of the interval's centre with and without tv's spend
	mmm-train "${BARGS[@]}" "${QUICK[@]}" --keep-draws 1 --adstock delayed tr.csv -o one.json
	jq -r '.mmm.draws.channels.tv_spend | [.theta[0], .peak[0], .coef[0], .alpha[0], .gamma[0]] | @tsv' one.json > d0.tsv
	awk -F, -v OFS=, 'NR > 1 { $3 = 0 } 1' tr.csv > tr0.csv
	paste -d, <(tail -n +2 tr.csv | cut -d, -f3) <(mmm-predict --model one.json --interval 0.5 tr.csv | tail -n +2) \
	    <(mmm-predict --model one.json --interval 0.5 tr0.csv | tail -n +2) | awk -F, '
	    BEGIN { getline l < "d0.tsv"; split(l, v, "\t"); th = v[1]; pk = v[2]; co = v[3]; al = v[4]; ga = v[5]
	        for (l = 0; l < 12; l++) { w[l] = exp((l - pk) ^ 2 * log(th)); s += w[l] }
	        for (l = 0; l < 12; l++) w[l] /= s }
	    { t = NR - 1; x[t] = $1; a = 0; for (l = 0; l < 12 && l <= t; l++) a += w[l] * x[t - l]
	      want = a > 0 ? co * a ^ al / (a ^ al + ga ^ al) : 0
	      got = ($4 + $5) / 2 - ($8 + $9) / 2; d = got - want; if (d < 0) d = -d
	      if (d > m) m = d; if (want > top) top = want }
	    END { print m, top; exit !(top > 0 && m < 1e-6 * top) }'
}

@test "delayed adstock with the defaults passes the diagnostics gate on mmm-synth data, 90% ROI intervals cover the truth" {
	synth 1
	run_split mmm-train "${BARGS[@]}" --adstock delayed d.csv -o m.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jqok '.gates["max-rhat"].pass and .gates["min-ess"].pass and .mmm.diagnostics.divergences == 0'
	c=$(jq -r --slurpfile t t.json '[.mmm.channels | to_entries[] | .key as $k |
	    ($t[0].channels[] | select(.name == $k) | .roi) as $r |
	    .value.posterior.roi | select(.p5 <= $r and $r <= .p95)] | length' m.json)
	[ "$c" -ge 4 ]
}
