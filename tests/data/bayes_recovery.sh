#!/bin/sh
# bayes_recovery.sh: the recovery check of mmm-train --method bayes over 10
# seeds of mmm-synth (4 years weekly, 5 channels, defaults): does each
# channel's 90% interval of ROI cover the true ROI?  Writes one line per
# seed and channel, then the coverage; the output is committed as
# bayes_recovery.txt (tests/mmm-train-bayes.bats runs 2 of the seeds).
# Run from the repository: sh tests/data/bayes_recovery.sh > tests/data/bayes_recovery.txt
set -eu
bin=${MMM_BIN:-bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "seed channel true_roi p5 p50 p95 covered rhat_max ess_min divergences"
for seed in 1 2 3 4 5 6 7 8 9 10; do
	"$bin/mmm-synth" --seed "$seed" --truth "$tmp/t.json" > "$tmp/d.csv"
	"$bin/mmm-train" --model mmm --method bayes --target revenue \
	    --media '*_spend' --controls temperature,promo --trend \
	    --seed "$seed" "$tmp/d.csv" -o "$tmp/m.json"
	jq -r --argjson seed "$seed" --slurpfile t "$tmp/t.json" '
	    .mmm.diagnostics as $d |
	    .mmm.channels | to_entries[] | .key as $k |
	    ($t[0].channels[] | select(.name == $k) | .roi) as $r |
	    .value.posterior.roi |
	    "\($seed) \($k) \($r) \(.p5) \(.p50) \(.p95) \(if .p5 <= $r and $r <= .p95 then 1 else 0 end) \($d.rhat_max) \($d.ess_min) \($d.divergences)"' "$tmp/m.json"
done > "$tmp/out"
cat "$tmp/out"
awk '{ n++; c += $7 } END { printf "coverage %d of %d channels (%.0f%%)\n", c, n, 100 * c / n }' "$tmp/out"
