#!/usr/bin/env bats
# mmm-allocate: allocation over response curves, bounds and infeasibility,
# target ROAS, S-curves, Monte Carlo scenarios and intervals, context
# rules, curves, model files.
load common

ROBYN=robyn-simulated-weekly/dt_simulated_weekly.csv

# One marketing-mix model for the suite (about 0.1 s to train).
setup_file() {
	mmm-train --model mmm --target revenue --date DATE \
	    --media tv_S,ooh_S,print_S,facebook_S,search_S \
	    --controls competitor_sales_B,newsletter --trend \
	    --now 2026-01-01-0000 "$DATA/$ROBYN" -o "$BATS_FILE_TMPDIR/m.json"
}

# jqok EXPR FILE: the jq expression is true of the JSON file.
jqok() {
	jq -e "$1" "${2:-a.json}" >/dev/null || { echo "false: $1"; jq -c "$1" "${2:-a.json}"; false; }
}

# Two Hill curves with alpha 1 (closed form) and a third.
two() {
	cat > r.csv <<-EOF
	channel,beta,theta,alpha,gamma,current
	tv,1000,0.3,1,500,400
	search,800,0,1,200,300
	EOF
}

# --- help, version, usage -------------------------------------------------

@test "--help prints usage on stdout and exits 0" {
	run_split mmm-allocate --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: mmm-allocate"* ]]
	[ -z "$stderr" ]
}

@test "every option of --help is in the man page and the completions" {
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-allocate --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -q -- "Fl -${o#--}" "$root/man/mmm-allocate.1" || { echo "man lacks $o"; false; }
		grep -q -- "$o" "$root/completions/mmm.bash" || { echo "bash completion lacks $o"; false; }
		grep -q -- "$o" "$root/completions/_mmm" || { echo "zsh completion lacks $o"; false; }
	done
}

@test "--version names the tool" {
	run mmm-allocate --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mmm-allocate (mmm) "* ]]
}

@test "usage errors exit 64 with one line" {
	two
	run_split mmm-allocate --budget 10
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-allocate: give one of --model FILE and --response FILE (see mmm-allocate --help)' ]
	run mmm-allocate -r r.csv --budget -1;			[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --mode target-roas;		[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --target 2;			[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --mode fastest;		[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --rule 'temperature>85:tv*1.2'; [ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --window 4;			[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --interval 1;			[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --simulate '+20%' --scenarios x.csv; [ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --simulate 'lots';		[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv extra;				[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv -m x.json;			[ "$status" -eq 64 ]
}

@test "the man page's EXAMPLES run" {
	cp "$BATS_FILE_TMPDIR/m.json" model.json
	printf 'date,temperature\n2026-07-06,80\n2026-07-13,91\n' > forecast.csv
	n=$(man_examples "$BATS_TEST_DIRNAME/../man/mmm-allocate.1")
	[ "$n" -ge 3 ]
	for i in $(seq 1 "$n"); do
		run_example ex-$i.sh
		[ "$status" -eq 0 ] || { echo "example $i: $output"; false; }
	done
}

# --- the optimiser ----------------------------------------------------------

@test "two Hill curves: the closed-form equal-marginal answer, the budget spent exactly" {
	two
	run_split mmm-allocate -r r.csv --budget 700 -o a.json
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	# (c1 x1 + g1) / s1 = (c2 x2 + g2) / s2, s = sqrt(b c g), x1 + x2 = 700
	x1=$(awk 'BEGIN { c1 = 1 / 0.7; s1 = sqrt(1000 * c1 * 500); s2 = sqrt(800 * 200);
	    printf "%.17g", ((700 + 200) / s2 - 500 / s1) / (c1 / s1 + 1 / s2) }')
	jqok ".channels[0].recommended - $x1 | fabs < 1e-9 * $x1"
	jqok '[.channels[].recommended] | add == 700'
	jqok '.mode == "max-response" and .feasible and .reason == null and .budget == 700'
	jqok '[.channels[].channel] == ["tv","search"]'
	jqok '.kkt.ok and .kkt.global and (.kkt.max_violation < 1e-12)'
	jqok '.channels[0].mroas - .channels[1].mroas | fabs < 1e-12'
	jqok '.channels[0] | keys == (["binding","change_pct","channel","contribution","contribution_current","current","max","min","mroas","recommended","roas"])'
	jqok '.totals | (.response - .response_current) / .response_current * 100 - .lift_pct | fabs < 1e-9'
}

@test "default budget is the current spend, default bounds 0.5x and 2x current" {
	two
	mmm-allocate -r r.csv > a.json
	jqok '.budget == 700 and .totals.current_spend == 700'
	jqok '.channels[0].min == 200 and .channels[0].max == 800'
	mmm-allocate -r r.csv --unbounded > a.json
	jqok '.channels[0].min == 0 and .channels[0].max == null'
}

@test "--min and --max, absolute and % of current; the binding bound is reported" {
	two
	mmm-allocate -r r.csv --budget 700 --max tv=100% --min search=310 > a.json
	jqok '.channels[0].max == 400 and .channels[1].min == 310'
	jqok '(.channels[0].recommended - 390 | fabs) < 1e-9 and .channels[0].binding == null and .channels[1].binding == "min"'
	mmm-allocate -r r.csv --budget 700 --max tv=380 > a.json
	jqok '.channels[0].recommended == 380 and .channels[0].binding == "max"'
	jqok '.channels[1].recommended - 320 | fabs < 1e-9'
}

@test "--fix keeps current spend; all fixed spends the current plan" {
	two
	mmm-allocate -r r.csv --budget 800 --fix tv > a.json
	jqok '.channels[0].recommended == 400 and .channels[1].recommended == 400'
	mmm-allocate -r r.csv --fix tv,search > a.json
	jqok '[.channels[].recommended] == [400,300] and .totals.lift_pct == 0'
}

@test "min = max pins a channel; one channel takes the whole budget" {
	two
	mmm-allocate -r r.csv --budget 700 --min tv=250 --max tv=250 > a.json
	jqok '[.channels[].recommended] | (.[0] == 250) and (.[1] - 450 | fabs) < 1e-9'
	head -2 r.csv > one.csv
	mmm-allocate -r one.csv --budget 500 > a.json
	jqok '.channels[0].recommended == 500 and .kkt.ok'
}

@test "straight curves: the corner, steepest first" {
	cat > r.csv <<-EOF
	channel,beta,theta,alpha,gamma,current,min,max
	a,2e12,0,1,1e12,3,1,5
	b,3e12,0,1,1e12,3,1,5
	c,1e12,0,1,1e12,3,1,5
	EOF
	mmm-allocate -r r.csv --budget 9 > a.json
	jqok '[.channels[].recommended] | (.[0] - 3 | fabs) < 1e-6 and (.[1] == 5) and (.[2] == 1)'
	jqok '[.channels[].binding] == [null, "max", "min"]'
}

@test "an S-curve where a local method from the current spend stops short" {
	# From (140, 10) the S-curve's marginal response is almost 0 and
	# scipy's SLSQP stays with the concave channel (response 93.9); the
	# global optimum funds the S-curve past its kink.
	cat > r.csv <<-EOF
	channel,beta,theta,alpha,gamma,current
	concave,100,0,1,10,140
	scurve,1000,0,4,100,10
	EOF
	mmm-allocate -r r.csv --unbounded > a.json
	jqok '.channels[1].recommended > 140 and .totals.response > 848.9 and .kkt.ok'
	jqok '.totals.recommended_spend == 150'
}

@test "budget below the minimums: exit 64 naming them" {
	two
	run_split mmm-allocate -r r.csv --budget 300
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-allocate: r.csv: the minimums sum to 350, above the budget 300' ]
	[ -z "$output" ]
}

@test "min above max, an unknown channel: exit 64 naming it" {
	two
	run_split mmm-allocate -r r.csv --min tv=900
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"channel tv: minimum 900 is above maximum 800" ]]
	run_split mmm-allocate -r r.csv --max radio=5
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'"radio" is not a channel of r.csv' ]]
	run_split mmm-allocate -r r.csv --fix radio
	[ "$status" -eq 64 ]
	run_split mmm-allocate -r r.csv --min tv=abc
	[ "$status" -eq 64 ]
}

@test "maximums below the budget: the plan spends them, feasible, and says so" {
	two
	run_split mmm-allocate -r r.csv --budget 5000 -o a.json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"the maximums sum to 1400, below the budget 5000"* ]]
	jqok '.feasible and (.reason | test("maximums sum to 1400")) and .totals.recommended_spend == 1400'
	jqok '[.channels[].binding] == ["max","max"]'
	run_split mmm-allocate -q -r r.csv --budget 5000
	[ -z "$stderr" ]
}

@test "--periods: the budget is for N periods" {
	two
	mmm-allocate -r r.csv --budget 2800 --periods 4 > a.json
	jqok '.budget == 700 and .periods == 4 and .budget_total == 2800'
}

# --- target ROAS ------------------------------------------------------------

@test "target-roas: every funded channel's marginal ROAS is the target" {
	two
	mmm-allocate -r r.csv --unbounded --mode target-roas --target 0.5 > a.json
	jqok '.mode == "target-roas" and .target == 0.5 and .feasible'
	jqok '[.channels[].mroas - 0.5 | fabs] | max < 1e-9'
	jqok '.budget == .totals.recommended_spend'
}

@test "target-roas --average: the plan returns the target per unit" {
	two
	mmm-allocate -r r.csv --unbounded --mode target-roas --target 1.2 --average > a.json
	jqok '.totals.roas - 1.2 | fabs < 1e-9'
	run_split mmm-allocate -r r.csv --mode target-roas --target 100 --average -o a.json
	[ "$status" -eq 0 ]
	jqok '.feasible == false and (.reason | test("below the target"))'
}

# --- bad input ----------------------------------------------------------------

@test "a bad response row: exit 65 naming file, line and column" {
	printf 'channel,beta,theta,alpha,gamma,current\ntv,1000,0.3,1,500,400\nsearch,800,x,1,200,300\n' > r.csv
	run_split mmm-allocate -r r.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-allocate: r.csv:3: column "theta": "x" is not a number' ]
	printf 'channel,beta,theta,alpha,gamma,current\ntv,1000,1,1,500,400\n' > r.csv
	run_split mmm-allocate -r r.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == 'mmm-allocate: r.csv:2: column "theta": 1 is out of range'* ]]
	printf 'channel,beta,theta,alpha,gamma,current\ntv,-5,0,1,500,400\n' > r.csv
	run mmm-allocate -r r.csv;	[ "$status" -eq 65 ]
	printf 'channel,beta,theta,alpha,gamma,current\ntv,5,0,1,500,400\ntv,5,0,1,500,400\n' > r.csv
	run_split mmm-allocate -r r.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'"tv" is a repeated channel' ]]
	printf 'channel,beta,theta,alpha\ntv,5,0,1\n' > r.csv
	run_split mmm-allocate -r r.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'no column "gamma"'* ]]
	printf 'channel,beta,theta,alpha,gamma,current\n' > r.csv
	run mmm-allocate -r r.csv;	[ "$status" -eq 65 ]
}

@test "a file that cannot be opened: 66; not a model: 65; output to /dev/full: 74" {
	run mmm-allocate -r nope.csv;		[ "$status" -eq 66 ]
	run mmm-allocate -m nope.json;		[ "$status" -eq 66 ]
	echo '{"format":"mmm-model"}' > bad.json
	run mmm-allocate -m bad.json;		[ "$status" -eq 65 ]
	two
	run mmm-allocate -r r.csv -o /dev/full;	[ "$status" -eq 74 ]
	mmm-train --model ols --target revenue --features tv_S,ooh_S "$DATA/$ROBYN" > ols.json
	run_split mmm-allocate -m ols.json
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"not a marketing-mix model"* ]]
}

@test "the response file from standard input" {
	two
	mmm-allocate -r - --budget 700 < r.csv > a.json
	jqok '[.channels[].recommended] | add == 700'
}

# --- model files --------------------------------------------------------------

@test "a model's channels: current is recent spend, KKT holds, contributions are the curves" {
	M=$BATS_FILE_TMPDIR/m.json
	mmm-allocate -m "$M" > a.json
	jqok '[.channels[].channel] == ["tv_S","ooh_S","print_S","facebook_S","search_S"]'
	jqok '.kkt.ok and .feasible'
	jq -e --slurpfile m "$M" '[.channels[] | .current - $m[0].mmm.channels[.channel].recent_spend | fabs] | max < 1e-9' a.json
	jq -e --slurpfile m "$M" '.channels[0].contribution_current as $c | $c - ($m[0].mmm.channels.tv_S | .coef * ((.carry * .recent_spend) as $u | pow($u; .saturation.alpha) / (pow($u; .saturation.alpha) + pow(.saturation.gamma; .saturation.alpha)))) | fabs < 1e-9 * $c' a.json
	jqok '.budget as $b | .totals.recommended_spend - $b | fabs < 1e-9 * $b'
	jqok '.totals.response >= .totals.response_current'
}

@test "--window: current spend from the model's last N periods; --current overrides" {
	M=$BATS_FILE_TMPDIR/m.json
	mmm-allocate -m "$M" --window 4 > a.json
	want=$(awk -F, 'NR > 1 { v[NR] = $3 } END { printf "%.12g", (v[NR] + v[NR-1] + v[NR-2] + v[NR-3]) / 4 }' "$DATA/$ROBYN")
	jqok ".channels[0].current - $want | fabs < 1e-9 * $want"
	mmm-allocate -m "$M" --current tv_S=5000 > a.json
	jqok '.channels[0].current == 5000 and .channels[0].max == 10000'
}

@test "the model's coefficient covariance is symmetric, positive on the diagonal" {
	jqok '.mmm.coef_cov | .channels == ["tv_S","ooh_S","print_S","facebook_S","search_S"]' "$BATS_FILE_TMPDIR/m.json"
	jqok '.mmm.coef_cov.matrix as $m | [range(5) as $i | range(5) as $j | ($m[$i][$j] - $m[$j][$i]) | fabs / ($m[$i][$i] * $m[$j][$j] | sqrt)] | max < 1e-9' "$BATS_FILE_TMPDIR/m.json"
	jqok '[range(5) as $i | .mmm.coef_cov.matrix[$i][$i] > 0] | all' "$BATS_FILE_TMPDIR/m.json"
	jqok '.mmm.channels.tv_S.recent | length == 104' "$BATS_FILE_TMPDIR/m.json"
}

@test "coef_cov equals numpy's ridge sandwich on the rebuilt design to 1e-9" {
	# tests/data/gen_coef_cov_ref.py (numpy) on this suite's model and the
	# Robyn data wrote coef_cov_ref.txt; it also checks that the same
	# ridge gives the model's coefficients.
	jq -r '.mmm.coef_cov.matrix[] | map(tostring) | join(" ")' "$BATS_FILE_TMPDIR/m.json" > got.txt
	paste -d' ' got.txt "$T/coef_cov_ref.txt" | awk '{
		for (i = 1; i <= 5; i++) {
			d = $i - $(i + 5); if (d < 0) d = -d
			s = $(i + 5); if (s < 0) s = -s
			if (d > 1e-9 * 3e10) { print "row " NR " col " i ": " $i " vs " $(i + 5); bad = 1 }
		}
	} END { exit bad }'
}

# --- Monte Carlo ----------------------------------------------------------------

@test "--interval: brackets the response, reproducible per seed" {
	M=$BATS_FILE_TMPDIR/m.json
	mmm-allocate -m "$M" --interval 0.9 > a.json
	jqok '.uncertainty == "coef_cov" and .totals.level == 0.9'
	jqok '.totals | .lower < .response and .response < .upper'
	mmm-allocate -m "$M" --interval 0.9 > b.json
	cmp a.json b.json
	mmm-allocate -m "$M" --interval 0.9 --seed 2 > c.json
	! cmp -s a.json c.json
	mmm-allocate -m "$M" --interval 0.5 > d.json
	jq -e --slurpfile a a.json '.totals.upper - .totals.lower < ($a[0].totals.upper - $a[0].totals.lower)' d.json
}

@test "posterior draws (mmm.draws) are used before the covariance" {
	# Two draws per channel: half and one and a half times coef.
	jq '.mmm.draws = {n: 2, channels: (.mmm.channels | map_values({coef: [.coef * 0.5, .coef * 1.5]}))}' \
	    "$BATS_FILE_TMPDIR/m.json" > d.json
	mmm-allocate -m d.json --interval 0.8 --simulate '+10%' --draws 4000 > a.json
	jqok '.uncertainty == "draws"'
	jqok '.totals | (.lower - 0.5 * .response | fabs) < 1e-6 * .response and (.upper - 1.5 * .response | fabs) < 1e-6 * .response'
	jqok '.scenarios[0] | (.revenue_mean / .revenue_p95 * 1.5 - 1 | fabs) < 0.05'
	jq '.mmm.draws = {n: 2, channels: {tv_S: {coef: [1, "x"]}}}' "$BATS_FILE_TMPDIR/m.json" > bad.json
	run_split mmm-allocate -m bad.json --interval 0.9
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'"mmm.draws.channels.tv_S.coef" holds a non-number' ]]
}

@test "--simulate: current and three scenarios; the Monte Carlo error shrinks with draws" {
	M=$BATS_FILE_TMPDIR/m.json
	mmm-allocate -m "$M" --simulate '+20%,-20%,+50%' --aov 40 > a.json
	jqok '[.scenarios[].name] == ["current","+20%","-20%","+50%"]'
	jqok '.scenarios[0].spend as $s | [.scenarios[1:][].spend / $s] | (.[0] - 1.2 | fabs) < 1e-12 and (.[1] - 0.8 | fabs) < 1e-12 and (.[2] - 1.5 | fabs) < 1e-12'
	jqok '[.scenarios[] | .revenue_p5 < .revenue_mean and .revenue_mean < .revenue_p95] | all'
	jqok '[.scenarios[] | .conversions - .revenue_mean / 40 | fabs] | max < 1e-6'
	jqok '.scenarios[0].mroas == null and ([.scenarios[1:][].mroas > 0] | all)'
	mmm-allocate -m "$M" --simulate '+20%' --draws 16000 > b.json
	jq -e --slurpfile a a.json '.scenarios[0].revenue_se / $a[0].scenarios[0].revenue_se | . > 0.2 and . < 0.3' b.json
}

@test "Monte Carlo of straight curves with Gaussian coefficients: the closed form" {
	# Hill with alpha 1 and gamma 1e12 times the spends is straight to
	# 1e-12: response N(3*100 + 2*50, 30^2 + 10^2); p5 = mean - 1.6449 sd.
	cat > r.csv <<-EOF
	channel,beta,theta,alpha,gamma,current,beta_sd
	a,3e12,0,1,1e12,100,0.3e12
	b,2e12,0,1,1e12,50,0.2e12
	EOF
	mmm-allocate -r r.csv --fix a,b --simulate '+0%' --draws 100000 > a.json
	jqok '.uncertainty == "beta_sd"'
	jqok '.scenarios[0] | (.revenue_mean - 400 | fabs) < 4 * 31.623 / 316.23'
	jqok '.scenarios[0] | (.revenue_p5 - (400 - 1.6448536 * 31.6228) | fabs) < 1'
	jqok '.scenarios[0] | (.revenue_p95 - (400 + 1.6448536 * 31.6228) | fabs) < 1'
}

@test "Monte Carlo of a saturation-none model's covariance: the closed form" {
	# Straight curves: tv_S alone (the others at 0) responds coef carry x
	# with coef ~ N(coef, var): mean coef carry x, sd sqrt(var) carry x
	# (coef is 6 sds above 0: clipping has probability 1e-9).
	mmm-train --model mmm --target revenue --date DATE \
	    --media tv_S,ooh_S,print_S,facebook_S,search_S \
	    --controls competitor_sales_B,newsletter --trend --saturation none \
	    --now 2026-01-01-0000 "$DATA/$ROBYN" -o n.json
	mmm-allocate -m n.json --current tv_S=1000,ooh_S=0,print_S=0,facebook_S=0,search_S=0 \
	    --fix tv_S,ooh_S,print_S,facebook_S,search_S --simulate '+0%' --draws 100000 > a.json
	m=$(jq '.mmm.channels.tv_S | .coef * .carry * 1000' n.json)
	sd=$(jq '(.mmm.coef_cov.matrix[0][0] | sqrt) * .mmm.channels.tv_S.carry * 1000' n.json)
	jqok "(.mmm.channels.tv_S.coef / (.mmm.coef_cov.matrix[0][0] | sqrt)) > 5.5" n.json
	jqok ".scenarios[0] | (.revenue_mean - $m | fabs) < 4 * $sd / 316.23"
	jqok ".scenarios[0] | (.revenue_p5 - ($m - 1.6448536 * $sd) | fabs) < 0.03 * $sd"
	jqok ".scenarios[0] | (.revenue_p95 - ($m + 1.6448536 * $sd) | fabs) < 0.03 * $sd"
}

@test "--scenarios FILE: per channel changes" {
	two
	printf 'scenario,channel,change\ntv up,tv,+50\ntv up,search,-10%%\nsearch off,search,-100\n' > s.csv
	mmm-allocate -r r.csv --scenarios s.csv > a.json
	jqok '[.scenarios[].name] == ["current","tv up","search off"]'
	jqok '.scenarios[1].spend == 600 + 270 and .scenarios[2].spend == 400'
	printf 'scenario,channel,change\nx,radio,5\n' > s.csv
	run_split mmm-allocate -r r.csv --scenarios s.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'s.csv:2: column "channel": "radio" is not a channel'* ]]
}

# --- context rules ----------------------------------------------------------------

@test "rules change exactly the periods and channels they name" {
	two
	printf 'date,temperature,rain\n2026-07-06,80,0\n2026-07-13,91,2\n2026-07-20,86,\n2026-07-27,85,5\n' > f.csv
	mmm-allocate -r r.csv --budget 700 --context f.csv --rule 'temperature>85:search*1.2' > a.json
	jqok '[.periods[].date] == ["2026-07-06","2026-07-13","2026-07-20","2026-07-27"]'
	jq -e '[.channels[].recommended] as $b | [.periods[] | [.channels[].recommended]] as $p |
	    $p[0] == $b and $p[3] == $b and
	    ($p[1][0] == $b[0]) and ($p[2][0] == $b[0]) and
	    (($p[1][1] - 1.2 * $b[1]) | fabs) < 1e-9 and (($p[2][1] - 1.2 * $b[1]) | fabs) < 1e-9' a.json
	jqok '[.periods[].rules | length] == [0,1,1,0]'
	# Two rules on one channel multiply; a missing value holds no rule.
	mmm-allocate -r r.csv --budget 700 --context f.csv --rule 'temperature>=85:tv*2' --rule 'rain!=0:tv*0.5' > a.json
	jq -e '[.channels[].recommended] as $b | [.periods[] | .channels[0].recommended / $b[0]] == [1, 1, 2, 1]' a.json
}

@test "a bounds rule re-solves the matching periods within the scaled bounds" {
	two
	printf 'date,temperature\n2026-07-06,80\n2026-07-13,91\n' > f.csv
	mmm-allocate -r r.csv --budget 700 --context f.csv --rule 'temperature>85:tv.max*0.4' > a.json
	jqok '.periods[0].channels[0].recommended == .channels[0].recommended'
	jqok '.periods[1].channels[0].recommended == 320 and .periods[1].budget == 700'
}

@test "bad rules and contexts: 64 for the rule, 65 for the data" {
	two
	printf 'date,temperature\n2026-07-06,80\n2026-07-13,hot\n' > f.csv
	run mmm-allocate -r r.csv --context f.csv --rule 'temperature>85';		[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --context f.csv --rule 'temperature~85:tv*2';	[ "$status" -eq 64 ]
	run mmm-allocate -r r.csv --context f.csv --rule 'temperature>85:radio*2';	[ "$status" -eq 64 ]
	run_split mmm-allocate -r r.csv --context f.csv --rule 'wind>5:tv*2'
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'has no numeric column "wind"' ]]
	run_split mmm-allocate -r r.csv --context f.csv --rule 'temperature>85:tv*2'
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-allocate: f.csv:3: column "temperature": "hot" is not a number' ]
	run mmm-allocate -r r.csv --context nope.csv;	[ "$status" -eq 66 ]
}

# --- curves ---------------------------------------------------------------------

@test "--curves: points per channel up to max-x times current" {
	two
	mmm-allocate -r r.csv --curves c.csv --points 5 --max-x 2 > /dev/null
	[ "$(head -1 c.csv)" = "channel,spend,response,marginal" ]
	[ "$(wc -l < c.csv)" -eq 11 ]
	[ "$(sed -n 2p c.csv)" = "tv,0,0,2.857142857142857" ]
	[ "$(sed -n 6p c.csv | cut -d, -f1,2)" = "tv,800" ]
}
