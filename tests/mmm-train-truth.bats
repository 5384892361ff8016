#!/usr/bin/env bats
# mmm-train --model mmm against published truth: PyMC-Marketing's example data
# (../shared/data/pymc-marketing-mmm-example: geometric adstock alpha 0.4 and
# 0.2, logistic saturation lam 4 and 3, betas 3000 and 2000 in y units; the
# README derives the true ROAS 4967.8 and 2274.9 per unit of spend).
load common

PYMC=pymc-marketing-mmm-example/mmm_example.csv
PARGS=(--model mmm --target y --date date_week --media x1,x2
    --controls event_1,event_2 --trend --fourier yearly:2 -q --now 2026-01-01-0000)
ROI1=4967.8
ROI2=2274.9

# relerr ROI TRUTH: |roi / truth - 1|
relerr() { jq -n "($1) / $2 - 1 | fabs"; }

@test "PyMC-Marketing example, logistic saturation: ROI of both channels within 5% of truth, seeds 1-5" {
	for s in 1 2 3 4 5; do
		mmm-train "${PARGS[@]}" --saturation logistic --seed $s "$DATA/$PYMC" -o m.json
		e1=$(relerr "$(jq .mmm.channels.x1.roi m.json)" $ROI1)
		e2=$(relerr "$(jq .mmm.channels.x2.roi m.json)" $ROI2)
		echo "seed $s: x1 $e1, x2 $e2"
		jq -e -n "$e1 < 0.05 and $e2 < 0.05" >/dev/null
		# the decay it learns is near the truth too (0.4, 0.2)
		jq -e '(.mmm.channels.x1.adstock.theta - 0.4 | fabs) < 0.05 and (.mmm.channels.x2.adstock.theta - 0.2 | fabs) < 0.05' m.json >/dev/null
		jq -e '.mmm.fit.r2 > 0.94' m.json >/dev/null
	done
}

@test "PyMC-Marketing example, true contributions: the channels' totals within 5% of the truth file" {
	mmm-train "${PARGS[@]}" --saturation logistic "$DATA/$PYMC" -o m.json
	# totals of contrib_x1 and contrib_x2 in mmm_example_true_decomposition.csv
	t1=$(awk -F, 'NR > 1 { s += $11 } END { printf "%.6f", s }' "$DATA/pymc-marketing-mmm-example/mmm_example_true_decomposition.csv")
	t2=$(awk -F, 'NR > 1 { s += $12 } END { printf "%.6f", s }' "$DATA/pymc-marketing-mmm-example/mmm_example_true_decomposition.csv")
	# the README's totals: 274,848.3 and 65,906.0
	jq -e -n "($t1 - 274848.3 | fabs) < 0.1 and ($t2 - 65906.0 | fabs) < 0.1" >/dev/null
	jq -e ".mmm.channels.x1.contribution / $t1 - 1 | fabs < 0.05" m.json >/dev/null
	jq -e ".mmm.channels.x2.contribution / $t2 - 1 | fabs < 0.05" m.json >/dev/null
}

@test "PyMC-Marketing example, default Hill saturation: the misspecified curve costs x1's ROI (recorded: -27%)" {
	# Recorded so a change in the search or the Hill bounds shows up here: with
	# the wrong saturation family the burst channel x2 stays within 3% while
	# x1 (half its weeks at low spend) is under-credited by about a quarter.
	mmm-train "${PARGS[@]}" "$DATA/$PYMC" -o m.json
	jq -e ".mmm.channels.x1.roi / $ROI1 - 1 | . > -0.32 and . < -0.22" m.json >/dev/null
	jq -e ".mmm.channels.x2.roi / $ROI2 - 1 | fabs < 0.05" m.json >/dev/null
}
