#!/usr/bin/env bats
# mmm-synth: marketing-mix data with known truth.
load common

# relnear A B TOL: |A - B| <= TOL max(|A|, |B|, 1e-300)
relnear() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		m = a < 0 ? -a : a; n = b < 0 ? -b : b; if (n > m) m = n
		exit !(d <= t * m || d == 0) }' ||
	    { echo "$1 and $2 differ by more than $3"; false; }
}

# column NAME FILE: the index (1-based) of column NAME in FILE's header.
column() {
	head -1 "$2" | tr , '\n' | grep -nx -- "$1" | cut -d: -f1
}

# --- help, version, usage -------------------------------------------------

@test "--help prints usage on stdout and exits 0" {
	run_split mmm-synth --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: mmm-synth"* ]]
	[ -z "$stderr" ]
	run mmm-synth -h
	[ "$status" -eq 0 ]
}

@test "every option of --help is in the man page and the completions" {
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-synth --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -q -- "Fl -${o#--}" "$root/man/mmm-synth.1" || { echo "man lacks $o"; false; }
		grep -q -- "$o" "$root/completions/mmm.bash" || { echo "bash completion lacks $o"; false; }
		grep -q -- "$o" "$root/completions/_mmm" || { echo "zsh completion lacks $o"; false; }
	done
	grep -q 'mmm-synth' "$root/README.md"
	grep -q 'mmm-synth' "$root/man/mmm.7"
}

@test "--version names the tool" {
	run mmm-synth --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mmm-synth (mmm) "* ]]
}

@test "bad option values are usage errors: exit 64, one line" {
	run_split mmm-synth --periods -3
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-synth: --periods: "-3" is not a whole number from 1 to 10000000 (see mmm-synth --help)' ]
	[ -z "$output" ]
	run_split mmm-synth --channels 0
	[ "$status" -eq 64 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	run_split mmm-synth --freq monthly
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-synth: --freq: "monthly" is not weekly or daily (see mmm-synth --help)' ]
	run mmm-synth --periods 0;		[ "$status" -eq 64 ]
	run mmm-synth --periods 1.5;		[ "$status" -eq 64 ]
	run mmm-synth --periods x;		[ "$status" -eq 64 ]
	run mmm-synth --channels -1;		[ "$status" -eq 64 ]
	run mmm-synth --channels 1001;		[ "$status" -eq 64 ]
	run mmm-synth --noise -0.1;		[ "$status" -eq 64 ]
	run mmm-synth --noise 1.5;		[ "$status" -eq 64 ]
	run mmm-synth --noise nan;		[ "$status" -eq 64 ]
	run mmm-synth --seed -1;		[ "$status" -eq 64 ]
	run mmm-synth --start 2021-02-30;	[ "$status" -eq 64 ]
	run mmm-synth --start 2021-01-04T10:00;	[ "$status" -eq 64 ]
	run mmm-synth --start yesterday;	[ "$status" -eq 64 ]
	run_split mmm-synth --start 9999-06-01 --periods 100
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-synth: --periods 100 from --start 9999-06-01 go past 9999-12-31 (see mmm-synth --help)' ]
	run mmm-synth --start 9999-12-31 --periods 2 --freq daily;	[ "$status" -eq 64 ]
	run mmm-synth --start 9999-12-31 --periods 1;	[ "$status" -eq 0 ]
	run mmm-synth --bogus;			[ "$status" -eq 64 ]
	run mmm-synth --periods;		[ "$status" -eq 64 ]
	run mmm-synth extra;			[ "$status" -eq 64 ]
	run mmm-synth -o a.csv --truth a.csv;	[ "$status" -eq 64 ]
	run mmm-synth --truth -;		[ "$status" -eq 64 ]
	[ ! -e a.csv ]
}

@test "an output that cannot be created exits 73 and leaves nothing" {
	run_split mmm-synth -o nodir/d.csv
	[ "$status" -eq 73 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	run mmm-synth --truth nodir/t.json -o d.csv
	[ "$status" -eq 73 ]
	run mmm-synth --components nodir/c.csv -o d.csv
	[ "$status" -eq 73 ]
	[ ! -e d.csv ]
	[ -z "$(ls)" ]
}

# --- shape --------------------------------------------------------------------

@test "defaults: 208 weekly rows of 5 channels from 2021-01-04" {
	mmm-synth > d.csv
	[ "$(head -1 d.csv)" = date,revenue,tv_spend,search_spend,social_spend,display_spend,radio_spend,temperature,promo ]
	[ "$(wc -l < d.csv)" -eq 209 ]
	[ "$(sed -n 2p d.csv | cut -d, -f1)" = 2021-01-04 ]
	[ "$(tail -1 d.csv | cut -d, -f1)" = 2024-12-23 ]
	# every row has 9 fields, every value is a number
	awk -F, 'NR > 1 { if (NF != 9) exit 1
	    for (i = 2; i <= NF; i++) if ($i !~ /^-?[0-9.]+(e[-+][0-9]+)?$/) exit 1 }' d.csv
}

@test "channel names follow the fixed list, then ch11, ch12" {
	mmm-synth --channels 12 --periods 4 > d.csv
	[ "$(head -1 d.csv)" = date,revenue,tv_spend,search_spend,social_spend,display_spend,radio_spend,ooh_spend,print_spend,video_spend,email_spend,affiliate_spend,ch11_spend,ch12_spend,temperature,promo ]
	[ "$(wc -l < d.csv)" -eq 5 ]
	mmm-synth --channels 1 --periods 1 > d.csv
	[ "$(head -1 d.csv)" = date,revenue,tv_spend,temperature,promo ]
	[ "$(wc -l < d.csv)" -eq 2 ]
}

@test "dates are consecutive: 7 days weekly, 1 day daily, from --start" {
	mmm-synth --periods 60 --start 2023-12-04 > w.csv
	mmm-synth --periods 400 --freq daily --start 2024-02-27 > d.csv
	[ "$(sed -n 2p w.csv | cut -d, -f1)" = 2023-12-04 ]
	[ "$(sed -n 2p d.csv | cut -d, -f1)" = 2024-02-27 ]
	[ "$(sed -n 4p d.csv | cut -d, -f1)" = 2024-02-29 ]
	for f in w.csv:7 d.csv:1; do
		cut -d, -f1 "${f%:*}" | tail -n +2 | while read -r d; do
			date -u -d "$d" +%s
		done | awk -v step="${f#*:}" 'NR > 1 && $1 - p != step * 86400 { exit 1 } { p = $1 }'
	done
}

@test "-o writes the file; the same data as standard output" {
	mmm-synth --seed 3 > a.csv
	mmm-synth --seed 3 -o b.csv
	mmm-synth --seed 3 --output c.csv
	cmp a.csv b.csv
	cmp a.csv c.csv
	[ -z "$(ls | grep tmp)" ]
}

# --- determinism --------------------------------------------------------------

@test "the same seed gives byte-identical files; another seed differs" {
	mmm-synth --seed 7 --truth t1.json --components c1.csv > d1.csv
	mmm-synth --seed 7 --truth t2.json --components c2.csv > d2.csv
	cmp d1.csv d2.csv
	cmp t1.json t2.json
	cmp c1.csv c2.csv
	mmm-synth --seed 8 --truth t3.json > d3.csv
	! cmp -s d1.csv d3.csv
	! cmp -s t1.json t3.json
	mmm-synth > e1.csv
	mmm-synth --seed 1 > e2.csv
	cmp e1.csv e2.csv
}

@test "the noise level moves only the noise and revenue" {
	mmm-synth --noise 0 > a.csv
	mmm-synth --noise 0.2 > b.csv
	! cmp -s a.csv b.csv
	cmp <(cut -d, -f1,3- a.csv) <(cut -d, -f1,3- b.csv)
}

# --- spend ---------------------------------------------------------------------

@test "spend is non-negative, in cents, bursty, on different scales" {
	mmm-synth --channels 10 > d.csv
	awk -F, 'NR > 1 { for (i = 3; i <= 12; i++)
	    if ($i !~ /^[0-9]+(\.[0-9][0-9]?)?$/) exit 1 }' d.csv
	# tv, radio, ooh, print run in flights: many zero weeks, runs of
	# weeks on and off; always-on search has few.
	for c in tv_spend radio_spend ooh_spend print_spend; do
		i=$(column $c d.csv)
		z=$(awk -F, -v i="$i" 'NR > 1 && $i == 0' d.csv | wc -l)
		[ "$z" -ge 20 ] && [ "$z" -le 180 ] || { echo "$c: $z zero weeks"; false; }
		# bursts: on/off switches are far fewer than the periods
		sw=$(awk -F, -v i="$i" 'NR > 2 && (($i == 0) != (p == 0)) { n++ }
		    NR > 1 { p = $i } END { print n + 0 }' d.csv)
		[ "$sw" -ge 4 ] && [ "$sw" -le 100 ] || { echo "$c: $sw switches"; false; }
	done
	i=$(column search_spend d.csv)
	z=$(awk -F, -v i="$i" 'NR > 1 && $i == 0' d.csv | wc -l)
	[ "$z" -le 40 ]
	# scales: tv in thousands a week, email in tens
	tv=$(awk -F, 'NR > 1 { s += $3 } END { print s / (NR - 1) }' d.csv)
	em=$(awk -F, -v i="$(column email_spend d.csv)" 'NR > 1 { s += $i } END { print s / (NR - 1) }' d.csv)
	awk -v a="$tv" -v b="$em" 'BEGIN { exit !(a > 1000 && b > 5 && b < 200) }'
}

@test "temperature is seasonal: colder in January than in July; promo is 0/1 on a few periods" {
	mmm-synth > d.csv
	awk -F, 'NR > 1 { m = substr($1, 6, 2)
	    if (m == "01") { j += $8; nj++ } if (m == "07") { l += $8; nl++ } }
	    END { exit !(j / nj + 5 < l / nl) }' d.csv
	awk -F, 'NR > 1 { if ($9 != 0 && $9 != 1) exit 1; s += $9 }
	    END { exit !(s >= 1 && s < 0.3 * (NR - 1)) }' d.csv
}

@test "revenue is positive even with large noise" {
	for s in 1 2 3; do
		mmm-synth --seed $s --noise 1 --periods 500 > d.csv
		awk -F, 'NR > 1 && $2 <= 0 { exit 1 }' d.csv
	done
}

# --- truth ------------------------------------------------------------------

@test "the truth file: fields, ranges, ROI = contribution / spend" {
	mmm-synth --truth t.json > d.csv
	jq -e '.generator == "mmm-synth" and .seed == 1 and .periods == 208
	    and .freq == "weekly" and .start == "2021-01-04" and .noise == 0.05
	    and (.channels | length) == 5 and (.fourier | length) == 2
	    and .fourier[0].order == 1 and (.controls | has("temperature"))
	    and (.controls | has("promo")) and .media_share >= 0.15
	    and .media_share <= 0.45 and .noise_sd > 0' t.json
	jq -e 'all(.channels[]; .adstock.kind == "geometric"
	    and .saturation.kind == "hill" and .adstock.theta >= 0
	    and .adstock.theta < 1 and .saturation.alpha >= 0.8
	    and .saturation.alpha <= 2.5 and .saturation.gamma >= 0.3
	    and .saturation.gamma <= 0.9 and .saturation.inflexion > 0
	    and .beta > 0 and .roi >= 0.5 - 1e-9 and .roi <= 5 + 1e-9)' t.json
	for i in 0 1 2 3 4; do
		relnear "$(jq ".channels[$i].roi" t.json)" \
		    "$(jq ".channels[$i].contribution / .channels[$i].spend" t.json)" 1e-15
	done
	# ROIs differ: effect shares are not the spend shares
	jq -e '[.channels[].roi] | max / min > 1.2' t.json
	relnear "$(jq '[.channels[].spend_share] | add' t.json)" 1 1e-12
	relnear "$(jq '[.channels[].effect_share] | add' t.json)" 1 1e-12
	# spend totals and the last 13 weeks' means are the data's
	for c in tv_spend search_spend radio_spend; do
		i=$(column $c d.csv)
		relnear "$(awk -F, -v i="$i" 'NR > 1 { s += $i } END { printf "%.17g", s }' d.csv)" \
		    "$(jq ".channels[] | select(.name == \"$c\") | .spend" t.json)" 1e-12
		relnear "$(tail -13 d.csv | awk -F, -v i="$i" '{ s += $i } END { printf "%.17g", s / 13 }')" \
		    "$(jq ".channels[] | select(.name == \"$c\") | .mean_spend_last13" t.json)" 1e-12
	done
	relnear "$(awk -F, 'NR > 1 { s += $2 } END { printf "%.17g", s / (NR - 1) }' d.csv)" \
	    "$(jq .revenue_mean t.json)" 1e-12
}

@test "with --noise 0 the components add up to revenue (1e-9)" {
	mmm-synth --noise 0 --channels 7 --components c.csv > d.csv
	[ "$(head -1 c.csv)" = date,baseline,tv_contribution,search_contribution,social_contribution,display_contribution,radio_contribution,ooh_contribution,print_contribution,noise,revenue ]
	[ "$(wc -l < c.csv)" -eq 209 ]
	awk -F, 'NR > 1 { if ($10 != 0) exit 1
	    s = 0; for (i = 2; i <= 9; i++) s += $i
	    d = s - $11; if (d < 0) d = -d
	    if (d > 1e-9 * $11) exit 1 }' c.csv
	# the same dates and revenue as the data
	cmp <(cut -d, -f1,2 d.csv | tail -n +2) <(cut -d, -f1,11 c.csv | tail -n +2)
}

@test "with noise the components still add up; noise is the difference" {
	mmm-synth --seed 4 --components c.csv > d.csv
	awk -F, 'NR > 1 { s = 0; for (i = 2; i <= 8; i++) s += $i
	    d = s - $9; if (d < 0) d = -d
	    if (d > 1e-9 * $9) exit 1; if ($8 != 0) nz++ }
	    END { exit !(nz > 0) }' c.csv
}

@test "the truth's contribution is the column sum of the components" {
	mmm-synth --seed 2 --truth t.json --components c.csv > d.csv
	for c in tv search social display radio; do
		i=$(column ${c}_contribution c.csv)
		relnear "$(awk -F, -v i="$i" 'NR > 1 { s += $i } END { printf "%.17g", s }' c.csv)" \
		    "$(jq ".channels[] | select(.name == \"${c}_spend\") | .contribution" t.json)" 1e-12
	done
	media=$(awk -F, 'NR > 1 { for (i = 3; i <= 7; i++) m += $i; r += $9 }
	    END { printf "%.17g", m / r }' c.csv)
	relnear "$media" "$(jq .media_share t.json)" 1e-12
}

# recompute FILE.csv TRUTH CHANNEL: the contribution of CHANNEL from its
# spend column: y_t = x_t + theta y_{t-1}, beta y^alpha / (y^alpha + K^alpha).
recompute() {
	read -r th al k be < <(jq -r ".channels[] | select(.name == \"$3_spend\") |
	    \"\(.adstock.theta) \(.saturation.alpha) \(.saturation.inflexion) \(.beta)\"" "$2")
	awk -F, -v i="$(column "$3_spend" "$1")" -v th="$th" -v al="$al" -v k="$k" -v be="$be" \
	    'NR > 1 { y = $i + th * y; h = y > 0 ? y ^ al / (y ^ al + k ^ al) : 0
	    printf "%.17g\n", be * h }' "$1"
}

@test "each channel's contribution recomputed from its spend matches (1e-9)" {
	for f in weekly daily; do
		mmm-synth --seed 5 --freq $f --periods 300 --channels 10 --truth t.json --components c.csv > d.csv
		for c in tv search social email affiliate; do
			recompute d.csv t.json $c > want
			i=$(column ${c}_contribution c.csv)
			tail -n +2 c.csv | cut -d, -f"$i" | paste -d, - want |
			    awk -F, '{ d = $1 - $2; if (d < 0) d = -d
			    m = $2 < 0 ? -$2 : $2
			    if (d > 1e-9 * m + 1e-300) { print NR ": " $0; exit 1 } }'
		done
	done
}

@test "the inflexion is gamma of the way across the adstocked range" {
	mmm-synth --seed 6 --truth t.json > d.csv
	read -r th g k < <(jq -r '.channels[0] | "\(.adstock.theta) \(.saturation.gamma) \(.saturation.inflexion)"' t.json)
	got=$(awk -F, -v th="$th" -v g="$g" 'NR > 1 { y = $3 + th * y
	    if (NR == 2 || y < lo) lo = y; if (NR == 2 || y > hi) hi = y }
	    END { printf "%.17g", (1 - g) * lo + g * hi }' d.csv)
	relnear "$got" "$k" 1e-12
}

@test "daily data: carryover per week as weekly data, spend a seventh" {
	mmm-synth --freq daily --periods 730 --truth t.json > d.csv
	[ "$(wc -l < d.csv)" -eq 731 ]
	jq -e '.freq == "daily" and .fourier_period == 365.25' t.json
	# tv's daily theta^7 lies in the weekly range 0.3-0.8
	jq -e '.channels[0].adstock.theta | pow(.; 7) | . >= 0.3 and . <= 0.8' t.json
	awk -F, 'NR > 1 { s += $3 } END { m = s / (NR - 1); exit !(m > 100 && m < 10000) }' d.csv
}

@test "one period and one channel work" {
	mmm-synth --periods 1 --channels 1 --truth t.json --components c.csv > d.csv
	[ "$(wc -l < d.csv)" -eq 2 ]
	jq -e '.channels[0].spend > 0 and .channels[0].roi > 0' t.json
}

@test "the man page examples run" {
	n=$(man_examples "$BATS_TEST_DIRNAME/../man/mmm-synth.1")
	[ "$n" -ge 1 ]
	for i in $(seq 1 "$n"); do
		run_example ex-$i.*
		[ "$status" -eq 0 ] || { cat ex-$i.*; echo "$output"; false; }
	done
}
