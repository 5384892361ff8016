#!/usr/bin/env bats
# mmm-train --model mmm: calibration on lift tests (--lift, Robyn's
# MAPE.LIFT), the holidays term (--holidays, --country) and the zero-effect
# penalty of DECOMP.RSSD (--[no-]rssd-zero-penalty).
load common

ROBYN=robyn-simulated-weekly/dt_simulated_weekly.csv
HOL=robyn-simulated-weekly/dt_prophet_holidays.csv
RARGS=(--model mmm --target revenue --date DATE --media tv_S,ooh_S,print_S,facebook_S,search_S
    --controls competitor_sales_B,newsletter --trend --now 2026-01-01-0000)
SARGS=(--model mmm --target revenue --media '*_spend' --controls temperature,promo --trend
    --now 2026-01-01-0000)

jqok() {
	jq -e "$1" "${2:-m.json}" >/dev/null || { echo "false: $1"; jq -c "$1" "${2:-m.json}"; false; }
}

# lifts COMPONENTS CHANNEL...: lift tests whose lifts are the true
# contributions (mmm-synth --components) of each channel over three
# 12-week windows.
lifts() {
	local f=$1
	shift
	awk -F, -v chans="$*" '
	NR == 1 { for (j = 1; j <= NF; j++) col[$j] = j; next }
	{ date[NR - 1] = $1; for (c in col) v[c, NR - 1] = $col[c] }
	END {
		print "channel,start,end,lift"
		n = split(chans, ch, " ")
		for (k = 1; k <= n; k++)
			for (w = 0; w < 3; w++) {
				s = 30 + 60 * w; e = s + 11; t = 0
				for (i = s; i <= e; i++) t += v[ch[k] "_contribution", i]
				printf "%s_spend,%s,%s,%.10g\n", ch[k], date[s], date[e] , t
			}
	}' "$f"
}

# --- --lift -----------------------------------------------------------------

@test "--lift with the true effects: calibrated ROI of those channels nearer the truth, MAPE.LIFT small" {
	# seed 2: uncalibrated, social and radio are off by 165% and 65%
	mmm-synth --seed 2 --truth t.json --components c.csv -o d.csv
	lifts c.csv social radio > lift.csv
	[ "$(wc -l < lift.csv)" -eq 7 ]
	mmm-train "${SARGS[@]}" d.csv -o u.json
	run_split mmm-train "${SARGS[@]}" --lift lift.csv d.csv -o m.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	for ch in social_spend radio_spend; do
		truth=$(jq --arg c $ch '.channels[] | select(.name == $c) | .roi' t.json)
		eu=$(jq --arg c $ch ".mmm.channels[\$c].roi - $truth | fabs / $truth" u.json)
		ec=$(jq --arg c $ch ".mmm.channels[\$c].roi - $truth | fabs / $truth" m.json)
		echo "$ch: ROI error uncalibrated $eu, calibrated $ec"
		awk -v u="$eu" -v c="$ec" 'BEGIN { exit !(c < u && c < 0.05) }'
	done
	jqok '.mmm.fit.mape_lift < 0.03'
	jqok '.mmm.calibration | length == 6'
	jqok '.mmm.calibration[0] | .channel == "social_spend" and .periods == 12 and .lift_sd == null'
	# each line: |predicted - lift| / |lift|, and their mean is MAPE.LIFT
	jqok '[.mmm.calibration[] | (.ape - ((.predicted - .lift) | fabs) / (.lift | fabs)) | fabs] | max < 1e-15'
	jqok '([.mmm.calibration[].ape] | add / length) - .mmm.fit.mape_lift | fabs < 1e-12'
	jqok '.mmm.search | .lift_weight == 1 and .lift_quantile == 0.1 and .rssd_zero_penalty'
	jqok '(.mmm | has("calibration") | not) and (.mmm.fit | has("mape_lift") | not)' u.json
}

@test "--lift: predicted lift is the channel's coefficient times its transformed spend over the window" {
	mmm-synth --seed 3 --components c.csv -o d.csv
	lifts c.csv tv > lift.csv
	mmm-train "${SARGS[@]}" --iterations 200 --trials 2 --lift lift.csv d.csv -o m.json
	# the same sum from mmm-predict's per-row contributions of tv
	mmm-predict --model m.json --contributions d.csv > p.csv
	want=$(awk -F, 'NR == 1 { for (j = 1; j <= NF; j++) if ($j == "tv_spend") c = j; next }
	    NR - 1 >= 30 && NR - 1 <= 41 { s += $c } END { printf "%.12e", s }' p.csv)
	jqok ".mmm.calibration[0].predicted - $want | fabs < 1e-9 * $want"
}

@test "--lift: the front is non-dominated in three objectives and the rules choose within the calibration constraint" {
	mmm-synth --seed 2 --components c.csv -o d.csv
	lifts c.csv social > lift.csv
	for rule in nrmse rssd pareto knee; do
		mmm-train "${SARGS[@]}" --iterations 400 --trials 3 --lift lift.csv --select $rule \
		    --pareto f-$rule.jsonl d.csv -o m-$rule.json
		[ "$(grep -c '"chosen":true' f-$rule.jsonl)" -eq 1 ]
		jq -s -e 'map(select(.chosen)) | .[0].calibrated' f-$rule.jsonl
	done
	f=f-nrmse.jsonl
	jq -s -e 'all(has("mape_lift") and has("calibrated"))' $f
	# sorted by NRMSE; no member dominated by another
	jq -s -e '[range(1; length) as $i | .[$i].nrmse >= .[$i-1].nrmse] | all' $f
	jq -s -e '. as $f | [$f[] as $a | $f[] as $b | select($a.candidate != $b.candidate)
	    | ($b.nrmse <= $a.nrmse and $b.decomp_rssd <= $a.decomp_rssd and $b.mape_lift <= $a.mape_lift)] | any | not' $f
	# the calibrated members are those within the cut the model reports
	cut=$(jq .mmm.search.lift_cut m-nrmse.json)
	jq -s -e --argjson c "$cut" 'all(.calibrated == (.mape_lift <= $c))' $f
	# nrmse: least NRMSE among the calibrated; rssd: least DECOMP.RSSD
	jq -s -e 'map(select(.calibrated)) | min_by(.nrmse).chosen' f-nrmse.jsonl
	jq -s -e 'map(select(.calibrated)) | min_by(.decomp_rssd).chosen' f-rssd.jsonl
	# pareto: closest to the origin, each objective scaled over the calibrated
	jq -s -e 'map(select(.calibrated)) as $c
	    | [$c[].nrmse] as $n | [$c[].decomp_rssd] as $r | [$c[].mape_lift] as $l
	    | def s($v; $a): if ($a | max) > ($a | min) then ($v - ($a | min)) / (($a | max) - ($a | min)) else 0 end;
	      $c | min_by(s(.nrmse; $n) * s(.nrmse; $n) + s(.decomp_rssd; $r) * s(.decomp_rssd; $r)
	      + s(.mape_lift; $l) * s(.mape_lift; $l)) | .chosen' f-pareto.jsonl
}

@test "--lift: same seed, same bytes for 1 and 2 threads" {
	mmm-synth --seed 2 --components c.csv -o d.csv
	lifts c.csv social radio > lift.csv
	mmm-train "${SARGS[@]}" --lift lift.csv --threads 1 --pareto a.jsonl d.csv -o a.json
	mmm-train "${SARGS[@]}" --lift lift.csv --threads 2 --pareto b.jsonl d.csv -o b.json
	cmp a.json b.json
	cmp a.jsonl b.jsonl
}

@test "--lift-weight 0 and --lift-quantile 1: the search ignores the tests, the model still reports them" {
	mmm-synth --seed 2 --components c.csv -o d.csv
	lifts c.csv social > lift.csv
	mmm-train "${SARGS[@]}" --iterations 300 --trials 2 d.csv -o u.json
	mmm-train "${SARGS[@]}" --iterations 300 --trials 2 --lift lift.csv --lift-weight 0 \
	    --lift-quantile 1 d.csv -o m.json
	# the same candidates (no lift term), and every candidate calibrated:
	# the least NRMSE of all, as without --lift
	[ "$(jq -c '.mmm.search.hyperparameters' m.json)" = "$(jq -c '.mmm.search.hyperparameters' u.json)" ]
	jqok '.mmm.fit.mape_lift > 0 and (.mmm.calibration | length) == 3'
}

@test "--lift: bad files exit 65 naming file, line and column; a missing file 66" {
	mmm-synth --seed 1 -o d.csv
	printf 'channel,start,end,lift\nsocial_spend,2021-02-01,2021-03-01,100\nfax_spend,2021-02-01,2021-03-01,5\n' > l1.csv
	run_split mmm-train "${SARGS[@]}" --lift l1.csv d.csv -o m.json
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: l1.csv:3: column "channel": "fax_spend" is not one of the media' ]
	[ ! -e m.json ]
	printf 'channel,start,end,lift\ntv_spend,2020-12-01,2021-03-01,100\n' > l2.csv
	run_split mmm-train "${SARGS[@]}" --lift l2.csv d.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: l2.csv:2: column "start": "2020-12-01" is outside the training dates 2021-01-04..2024-12-29' ]
	printf 'channel,start,end,lift\ntv_spend,2021-03-01,2021-02-01,100\n' > l3.csv
	run_split mmm-train "${SARGS[@]}" --lift l3.csv d.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'l3.csv:2: column "end": "2021-02-01" is before the start' ]]
	printf 'channel,start,end,lift,lift_sd\ntv_spend,2021-02-01,2021-03-01,1e3,-2\n' > l4.csv
	run_split mmm-train "${SARGS[@]}" --lift l4.csv d.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'l4.csv:2: column "lift_sd": "-2" is not a positive number' ]]
	printf 'channel,start,end,lift\ntv_spend,2021-02-01,2021-03-01,lots\n' > l5.csv
	run_split mmm-train "${SARGS[@]}" --lift l5.csv d.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'l5.csv:2: column "lift": "lots" is not a finite non-zero number' ]]
	printf 'channel,begin,end,lift\n' > l6.csv
	run_split mmm-train "${SARGS[@]}" --lift l6.csv d.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'l6.csv:1: no column "start"'* ]]
	run_split mmm-train "${SARGS[@]}" --lift nonexistent.csv d.csv
	[ "$status" -eq 66 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "--lift and friends: usage errors" {
	run_split mmm-train --model ridge --target revenue --lift l.csv "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"go with --model mmm"* ]]
	run_split mmm-train "${RARGS[@]}" --lift-quantile 2 "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --lift-weight -1 "$DATA/$ROBYN";	[ "$status" -eq 64 ]
}

# --- --rssd-zero-penalty -------------------------------------------------------

@test "DECOMP.RSSD zero penalty: times 1 + the share of channels with no effect (here 1 of 6)" {
	mmm-synth --seed 1 -o d.csv
	# a sixth channel that moves against revenue: its coefficient is 0
	awk -F, -v OFS=, 'NR == 1 { print $0, "junk_spend"; next } { print $0, 400000 - $2 }' d.csv > j.csv
	b="lambda=0.01:0.01"
	for c in tv search social display radio junk; do
		b="$b,${c}_spend.theta=0.2:0.2,${c}_spend.alpha=1:1,${c}_spend.gamma=0.5:0.5"
	done
	mmm-train "${SARGS[@]}" --bounds "$b" --iterations 4 --trials 1 j.csv -o on.json
	mmm-train "${SARGS[@]}" --bounds "$b" --iterations 4 --trials 1 --no-rssd-zero-penalty j.csv -o off.json
	mmm-train "${SARGS[@]}" --bounds "$b" --iterations 4 --trials 1 --no-rssd-zero-penalty \
	    --rssd-zero-penalty j.csv -o on2.json
	jqok '.mmm.channels.junk_spend.coef == 0 and ([.mmm.channels[].coef | select(. == 0)] | length) == 1' on.json
	# without: the distance of the shares, by hand from the model's shares
	jqok '.mmm.fit.decomp_rssd - ([.mmm.channels[] | (.effect_share - .spend_share) | . * .] | add | sqrt) | fabs < 1e-14' off.json
	off=$(jq .mmm.fit.decomp_rssd off.json)
	jqok ".mmm.fit.decomp_rssd - $off * 7 / 6 | fabs < 1e-14" on.json
	jqok '.mmm.search.rssd_zero_penalty' on.json
	jqok '.mmm.search.rssd_zero_penalty | not' off.json
	cmp on.json on2.json
}

@test "the zero penalty leaves the default selection (nrmse) alone on the Robyn data" {
	mmm-train "${RARGS[@]}" "$DATA/$ROBYN" -o on.json
	mmm-train "${RARGS[@]}" --no-rssd-zero-penalty "$DATA/$ROBYN" -o off.json
	[ "$(jq .mmm.search.chosen on.json)" = "$(jq .mmm.search.chosen off.json)" ]
	[ "$(jq .mmm.fit.nrmse on.json)" = "$(jq .mmm.fit.nrmse off.json)" ]
}

# --- --holidays --------------------------------------------------------------

@test "--holidays --country DE on the Robyn data: a term counting holidays per week, kept in the model" {
	run_split mmm-train "${RARGS[@]}" --holidays "$DATA/$HOL" --country DE "$DATA/$ROBYN" -o m.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jqok '.features == ["tv_S","ooh_S","print_S","facebook_S","search_S","trend","sin1","cos1","sin2","cos2","holidays","competitor_sales_B","newsletter"]'
	jqok '.mmm.baseline.holidays | .country == "DE" and .period == 7 and .from == "2015-11-23" and .to == "2021-11-16"'
	sha=$(sha256sum "$DATA/$HOL" | cut -d' ' -f1)
	jqok ".mmm.baseline.holidays.sha256 == \"$sha\""
	# the days kept: DE's distinct days from the first date to two years on
	want=$(awk -F'"' '$6 == "DE" && $2 >= "2015-11-23" && $2 <= "2021-11-16" { print $2 }' "$DATA/$HOL" | sort -u | jq -R . | jq -s -c .)
	[ "$(jq -c .mmm.baseline.holidays.days m.json)" = "$want" ]
	# the term's total: the distinct DE days within the training weeks
	tot=$(awk -F'"' '$6 == "DE" && $2 >= "2015-11-23" && $2 <= "2019-11-17" { print $2 }' "$DATA/$HOL" | sort -u | wc -l)
	jqok ".profile.holidays.mean * 208 - $tot | fabs < 1e-9"
	jqok '.profile.holidays | .min == 0 and .max >= 2'
	# the holidays help: NRMSE below the fit without them (0.0773)
	jqok '.mmm.fit.nrmse < 0.075'
}

@test "--holidays: mmm-predict rebuilds the term without the file; beyond the kept days an error" {
	mmm-train "${RARGS[@]}" --iterations 300 --trials 2 --holidays "$DATA/$HOL" --country DE "$DATA/$ROBYN" -o m.json
	mmm-predict --model m.json --contributions --metrics met.json "$DATA/$ROBYN" > p.csv
	jq -e --slurpfile m m.json '(.metrics.r2 - $m[0].metrics.train.r2 | fabs) < 1e-12' met.json
	coef=$(jq .coefficients.holidays m.json)
	# the week of 2015-12-21 holds Christmas (25th, 26th); of 2015-12-28 New Year
	awk -F, -v c="$coef" 'NR == 1 { for (j = 1; j <= NF; j++) if ($j == "holidays") h = j; next }
	    $1 == "2015-12-21" { a = $h / c } $1 == "2015-12-28" { b = $h / c } $1 == "2015-11-30" { z = $h / c }
	    END { d1 = a - 2; d2 = b - 1; exit !(d1 * d1 < 1e-20 && d2 * d2 < 1e-20 && z == 0) }' p.csv
	# rows after the data: up to the last kept day, then an error naming the date
	awk -F, -v OFS=, 'NR == 1 { print; next } NR <= 3 { $1 = (NR == 2 ? "2021-11-01" : "2021-11-08"); print }' \
	    "$DATA/$ROBYN" > late.csv
	mmm-predict --model m.json late.csv > /dev/null
	awk -F, -v OFS=, 'NR == 1 { print; next } NR <= 3 { $1 = (NR == 2 ? "2021-11-08" : "2021-11-15"); print }' \
	    "$DATA/$ROBYN" > later.csv
	run_split mmm-predict --model m.json later.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = "mmm-predict: later.csv:3: date 2021-11-15: the model keeps holidays up to 2021-11-16 only (retrain it with a newer holidays file)" ]
}

@test "--holidays on daily data: an indicator of the day" {
	mmm-synth --freq daily --periods 400 --seed 4 -o d.csv
	printf 'ds,holiday,country,year\n2021-01-06,Epiphany,DE,2021\n2021-04-05,Easter Monday,DE,2021\n2021-04-05,Other,DE,2021\n2021-04-05,Easter Monday,AT,2021\n2021-12-25,Christmas,AT,2021\n' > h.csv
	mmm-train --model mmm --target revenue --media '*_spend' --controls temperature --iterations 100 \
	    --trials 1 --holidays h.csv --country DE d.csv -o m.json
	jqok '.mmm.baseline.holidays | .period == 1 and .days == ["2021-01-06","2021-04-05"]'
	# two days of 400, each once (a day with two holidays counts once)
	jqok '.profile.holidays | .max == 1 and .min == 0 and (.mean * 400 - 2 | fabs) < 1e-12'
}

@test "--holidays: usage and data errors" {
	run_split mmm-train "${RARGS[@]}" --holidays "$DATA/$HOL" "$DATA/$ROBYN"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--holidays and --country go together"* ]]
	run_split mmm-train "${RARGS[@]}" --country DE "$DATA/$ROBYN";	[ "$status" -eq 64 ]
	run_split mmm-train "${RARGS[@]}" --holidays "$DATA/$HOL" --country XX "$DATA/$ROBYN"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'dt_prophet_holidays.csv: no holidays of country "XX"' ]]
	printf 'ds,holiday,country\n2020-01-01,New Year,DE\n2020-13-01,Bad,DE\n' > bad.csv
	run_split mmm-train "${RARGS[@]}" --holidays bad.csv --country DE "$DATA/$ROBYN"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: bad.csv:3: column "ds": "2020-13-01" is not a date' ]
	printf 'day,holiday,country\n' > nods.csv
	run_split mmm-train "${RARGS[@]}" --holidays nods.csv --country DE "$DATA/$ROBYN"
	[ "$status" -eq 65 ]
	run_split mmm-train "${RARGS[@]}" --holidays missing.csv --country DE "$DATA/$ROBYN"
	[ "$status" -eq 66 ]
	awk -F, -v OFS=, 'NR == 1 { $12 = "holidays" } 1' "$DATA/$ROBYN" > named.csv
	run_split mmm-train --model mmm --target revenue --date DATE --media tv_S --controls holidays \
	    --holidays "$DATA/$HOL" --country DE named.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'the control "holidays" has the name of its term'* ]]
}

@test "--lift with --valid-frac: tests inside the training rows calibrate; one after them is a usage error" {
	printf 'channel,start,end,lift\nfacebook_S,2016-05-02,2016-05-29,400000\n' > lift.csv
	mmm-train "${RARGS[@]}" -q --lift lift.csv --valid-frac 0.7 "$DATA/$ROBYN" -o m.json
	jqok '.mmm.calibration[0] | .periods == 4 and .ape < 0.05'
	jqok '.mmm.fit.mape_lift == .mmm.calibration[0].ape'
	jqok '.mmm.validation.train.rows == 145 and (.mmm.validation.test.nrmse | . > 0)'
	printf 'channel,start,end,lift\nfacebook_S,2019-01-07,2019-02-03,400000\n' > late.csv
	run_split mmm-train "${RARGS[@]}" -q --lift late.csv --valid-frac 0.7 "$DATA/$ROBYN" -o n.json
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--lift: line 2: the test ends 2019-02-03, after the training rows of --valid-frac"* ]]
	[ ! -e n.json ]
}

@test "--lift with --stability --windows: each window keeps the tests inside it" {
	printf 'channel,start,end,lift\nfacebook_S,2016-05-02,2016-05-29,400000\n' > lift.csv
	mmm-train "${RARGS[@]}" -q --lift lift.csv --stability 2 --windows 2 "$DATA/$ROBYN" -o m.json
	jqok '.mmm.stability.fits | length == 4'
	jqok '[.mmm.stability.fits[].roi.facebook_S] | all(. > 0)'
}
