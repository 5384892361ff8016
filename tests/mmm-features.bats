#!/usr/bin/env bats
# mmm-features: feature engineering with a spec.
load common

ROBYN=robyn-simulated-weekly/dt_simulated_weekly.csv

panel() {	# two groups, daily
	printf 'date,geo,x,c\n'
	printf '2024-01-01,A,1,r\n2024-01-02,A,2,b\n2024-01-03,A,4,r\n2024-01-04,A,8,g\n'
	printf '2024-01-01,B,10,r\n2024-01-02,B,20,b\n'
}

col() {	# col NAME FILE: the column's values, one per line
	awk -F, -v n="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==n) c=i; next} {print $c}' "$2"
}

@test "--help prints usage; every option is in the man page and completions" {
	run mmm-features --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: mmm-features"* ]]
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-features --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -q -- "Fl -${o#--}" "$root/man/mmm-features.1" || { echo "man lacks $o"; false; }
		grep -q -- "$o" "$root/completions/mmm.bash" || { echo "bash lacks $o"; false; }
		grep -q -- "$o" "$root/completions/_mmm" || { echo "zsh lacks $o"; false; }
	done
}

@test "input columns pass through byte for byte, new columns appended" {
	panel > in.csv
	mmm-features --by geo --lag x:1 in.csv > out.csv
	[ "$(head -1 out.csv)" = "date,geo,x,c,x_lag1" ]
	diff <(cut -d, -f1-4 out.csv) in.csv
}

@test "lags, diffs, percent changes per group, never across groups" {
	panel > in.csv
	mmm-features --by geo --lag x:1,2 --diff x:1 --pct-change x:1 in.csv > out.csv
	[ "$(col x_lag1 out.csv | tr '\n' ' ')" = " 1 2 4  10 " ]
	[ "$(col x_lag2 out.csv | tr '\n' ' ')" = "  1 2   " ]
	[ "$(col x_diff1 out.csv | tr '\n' ' ')" = " 1 2 4  10 " ]
	[ "$(col x_pct1 out.csv | tr '\n' ' ')" = " 1 1 1  1 " ]
}

@test "trailing windows include the current row and never look ahead" {
	panel > in.csv
	mmm-features --by geo --rolling x:mean:2,std:3,min:2,max:2,sum:2 in.csv > out.csv
	[ "$(col x_roll_mean2 out.csv | tr '\n' ' ')" = " 1.5 3 6  15 " ]
	# pandas: Series([1,2,4,8]).rolling(3).std() -> NaN NaN 1.5275252316519465 3.0550504633038935
	[ "$(col x_roll_std3 out.csv | tr '\n' ' ')" = "  1.5275252316519465 3.055050463303893   " ]
	[ "$(col x_roll_min2 out.csv | tr '\n' ' ')" = " 1 2 4  10 " ]
	[ "$(col x_roll_sum2 out.csv | tr '\n' ' ')" = " 3 6 12  30 " ]
}

@test "no feature of rows before t changes when row t changes (no look-ahead)" {
	mmm-features --date DATE --lag revenue:1,4 --diff revenue:2 --rolling revenue:mean:4,std:8 --adstock revenue:geometric:0.7 --adstock tv_S:weibull_cdf:2:0.5:10 --adstock print_S:delayed:0.5:2 "$DATA/$ROBYN" > a.csv
	# row 101 (line 102) gets a different revenue and spends
	awk -F, 'BEGIN{OFS=","} NR==102{$2=$2*3; $3=$3+999; $5=$5+5} {print}' "$DATA/$ROBYN" > b.in
	mmm-features --date DATE --lag revenue:1,4 --diff revenue:2 --rolling revenue:mean:4,std:8 --adstock revenue:geometric:0.7 --adstock tv_S:weibull_cdf:2:0.5:10 --adstock print_S:delayed:0.5:2 b.in > b.csv
	diff <(head -101 a.csv | cut -d, -f13-) <(head -101 b.csv | cut -d, -f13-)
	! diff -q <(sed -n 102p a.csv) <(sed -n 102p b.csv) > /dev/null
}

@test "calendar terms: dow (Monday 0), month, quarter, season, ISO week, day of year, weekend, trend" {
	printf 'date,x\n2023-12-31,1\n2024-01-01,1\n2024-02-29,1\n2024-06-15,1\n2024-12-30,1\n' > in.csv
	mmm-features --freq daily --time dow,month,quarter,season,weekofyear,dayofyear,weekend,trend in.csv > out.csv
	# pandas: dayofweek, month, quarter, isocalendar().week, dayofyear
	[ "$(sed -n 2p out.csv)" = "2023-12-31,1,6,12,4,1,52,365,1,0" ]
	[ "$(sed -n 3p out.csv)" = "2024-01-01,1,0,1,1,1,1,1,0,1" ]
	[ "$(sed -n 4p out.csv)" = "2024-02-29,1,3,2,1,1,9,60,0,60" ]
	[ "$(sed -n 5p out.csv)" = "2024-06-15,1,5,6,2,3,24,167,1,167" ]
	[ "$(sed -n 6p out.csv)" = "2024-12-30,1,0,12,4,1,1,365,0,365" ]
}

@test "Fourier terms as Prophet's fourier_series computes them, to the last bit" {
	printf 'date,x\n2024-01-01,1\n' > in.csv
	mmm-features --fourier yearly:2 in.csv > out.csv
	[ "$(head -1 out.csv)" = "date,x,fourier_yearly_sin1,fourier_yearly_cos1,fourier_yearly_sin2,fourier_yearly_cos2" ]
	# Prophet: x_T = t * pi * 2; c = x_T * k / period; t = 19723 days.
	# Python: [f(x_T*k/365.25) for k in (1,2) for f in (math.sin, math.cos)]
	# (glibc's libm, as ours; numpy's AVX-512 sin/cos may differ by an ulp).
	[ "$(sed -n 2p out.csv | cut -d, -f3-)" = "-0.008601105865689837,0.9999630098048063,-0.017201575418209967,0.9998520419557744" ]
}

@test "weekly Fourier terms on weekly data are refused" {
	run_split mmm-features --date DATE --fourier yearly:1,weekly:1 "$DATA/$ROBYN"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"--fourier weekly on weekly data"* ]]
	run mmm-features --date DATE --fourier yearly:3 "$DATA/$ROBYN"
	[ "$status" -eq 0 ]
}

@test "holidays: a window around each, a week marked when it holds one, --country" {
	printf 'ds,holiday,country\n2024-01-03,X,DE\n2024-01-20,Y,FR\n' > h.csv
	printf 'date,x\n2024-01-01,1\n2024-01-02,1\n2024-01-03,1\n2024-01-04,1\n2024-01-05,1\n' > d.csv
	mmm-features --holidays h.csv --country DE --holiday-window -1:1 d.csv > out.csv
	[ "$(col holiday out.csv | tr '\n' ' ')" = "0 1 1 1 0 " ]
	printf 'date,x\n2024-01-01,1\n2024-01-08,1\n2024-01-15,1\n' > w.csv
	mmm-features --holidays h.csv w.csv > out.csv
	[ "$(col holiday out.csv | tr '\n' ' ')" = "1 0 1 " ]
	# a country without rows is an error, not a column of zeros
	run mmm-features --holidays h.csv --country XX w.csv
	[ "$status" -eq 65 ]
	[[ "$output" == *'h.csv: no holidays of country "XX"'* ]]
}

@test "Prophet's holiday table from the shared data (country DE, weekly Robyn dates)" {
	run mmm-features --date DATE --holidays "$DATA/robyn-simulated-weekly/dt_prophet_holidays.csv" --country DE "$DATA/$ROBYN"
	[ "$status" -eq 0 ]
	# weeks of 2015-12-21 (Christmas) and 2015-12-28 (New Year 2016-01-01) are marked
	[ "$(printf '%s\n' "$output" | grep -E '^2015-12-(21|28)' | awk -F, '{print $NF}' | tr '\n' ' ')" = "1 1 " ]
}

@test "left join on the date; a duplicate right key is an error" {
	printf 'date,temp,note\n2024-01-01,5,"a, b"\n2024-01-03,7,\n' > w.csv
	printf 'date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n' > d.csv
	mmm-features --join w.csv --on date --lag temp:1 d.csv > out.csv
	[ "$(cat out.csv)" = "$(printf 'date,x,temp,note,temp_lag1\n2024-01-01,1,5,"a, b",\n2024-01-02,2,,,5\n2024-01-03,3,7,,')" ]
	printf '2024-01-03,8,x\n' >> w.csv
	run_split mmm-features --join w.csv --on date d.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"w.csv:4: duplicate join key"* ]]
}

@test "adstock and saturation: hand-computed values" {
	printf 'date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,4\n2024-01-04,8\n' > in.csv
	mmm-features --adstock x:geometric:0.5 --saturation x_adstock:hill:1:abs:2 --saturation x:logistic:1 --saturation x:michaelis:10:2 in.csv > out.csv
	# geometric: 1, 2+.5=2.5, 4+1.25=5.25, 8+2.625=10.625
	[ "$(col x_adstock out.csv | tr '\n' ' ')" = "1 2.5 5.25 10.625 " ]
	# hill a=1 g=2: y/(y+2)
	[ "$(col x_adstock_hill out.csv | sed -n 1p)" = "0.3333333333333333" ]
	# michaelis: 10 x / (2 + x): 10/3, 5, 20/3, 8
	[ "$(col x_michaelis out.csv | tr '\n' ' ')" = "3.3333333333333335 5 6.666666666666667 8 " ]
	# logistic(1) = (1-e^-1)/(1+e^-1) = tanh(1/2)
	[ "$(col x_logistic out.csv | sed -n 1p)" = "0.46211715726000974" ]
}

@test "hill GAMMA as a fraction of the input's range is fitted, saved, reused" {
	printf 'date,x\n2024-01-01,0\n2024-01-02,10\n2024-01-03,4\n' > in.csv
	mmm-features --saturation x:hill:1:0.5 --spec-out s.json in.csv > out.csv
	# gamma = 0 + 0.5 (10 - 0) = 5: 0, 10/15, 4/9
	[ "$(col x_hill out.csv | tr '\n' ' ')" = "0 0.6666666666666666 0.4444444444444444 " ]
	[ "$(jq '.steps[0].fitted.gamma' s.json)" = "5" ]
}

@test "one-hot: categories learned, sorted; unseen ones are all zeros with one warning" {
	panel > in.csv
	mmm-features --by geo --onehot c --spec-out s.json in.csv > out.csv
	[ "$(head -1 out.csv)" = "date,geo,x,c,c_b,c_g,c_r" ]
	[ "$(sed -n 2p out.csv)" = "2024-01-01,A,1,r,0,0,1" ]
	printf 'date,geo,x,c\n2024-01-05,A,1,zz\n2024-01-06,A,1,zz\n' > new.csv
	run_split mmm-features --spec s.json new.csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "2024-01-05,A,1,zz,0,0,0" ]
	[ "$(printf '%s\n' "$stderr" | grep -c 'was not seen')" -eq 1 ]
}

@test "scaling as scikit-learn's scalers (population sd)" {
	printf 'date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n2024-01-04,6\n' > in.csv
	mmm-features --scale x:standard --scale x:minmax --scale x:maxabs in.csv > out.csv
	# scikit-learn 1.2: StandardScaler (mean 3, sd sqrt(3.5)); MinMaxScaler
	# computes x * scale_ + min_, hence 0.4000000000000001 as here
	[ "$(col x_standard out.csv | tr '\n' ' ')" = "-1.0690449676496976 -0.5345224838248488 0 1.6035674514745464 " ]
	[ "$(col x_minmax out.csv | tr "\n" " ")" = "0 0.2 0.4000000000000001 1.0000000000000002 " ]
	[ "$(col x_maxabs out.csv | tr '\n' ' ')" = "0.16666666666666666 0.3333333333333333 0.5 1 " ]
}

@test "spec round trip: train with --spec-out, then test with --spec, equals the full series" {
	head -157 "$DATA/$ROBYN" > train.csv
	{ head -1 "$DATA/$ROBYN"; tail -52 "$DATA/$ROBYN"; } > test.csv
	steps="--date DATE --lag tv_S:1,4 --rolling revenue:mean:4,std:8 --adstock tv_S:geometric:0.6 --adstock ooh_S:weibull_pdf:2:0.5:20 --adstock print_S:delayed:0.5:2 --saturation tv_S_adstock:hill:2:0.5 --scale competitor_sales_B:standard --time trend,weekofyear --fourier yearly:2 --interact tv_S*newsletter"
	mmm-features $steps --spec-out spec.json train.csv > a1.csv
	mmm-features --spec spec.json test.csv > a2.csv
	mmm-features --spec spec.json "$DATA/$ROBYN" > full.csv
	diff <(cat a1.csv; tail -n +2 a2.csv) full.csv
	# Without fitted steps the options alone give the same on the full series.
	steps="--date DATE --lag tv_S:1,4 --rolling revenue:mean:4 --adstock tv_S:geometric:0.6 --adstock print_S:delayed:0.5:2"
	mmm-features $steps --spec-out s2.json train.csv > b1.csv
	mmm-features --spec s2.json test.csv > b2.csv
	mmm-features $steps "$DATA/$ROBYN" | diff <(cat b1.csv; tail -n +2 b2.csv) -
}

@test "standard input works with fitted steps (read twice)" {
	panel > in.csv
	mmm-features --by geo --scale x:standard in.csv > a.csv
	mmm-features --by geo --scale x:standard < in.csv > b.csv
	cmp a.csv b.csv
}

@test "--dropna sends rows short of history to --rejects; counts add up" {
	panel > in.csv
	run mmm-features --by geo --lag x:2 --dropna --rejects rej.csv --report r.json in.csv
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.rows_in,.rows_out,.rows_rejected]' r.json)" = "[6,2,4]" ]
	[ "$(sed -n 2p rej.csv)" = "2024-01-01,A,1,r,x_lag2: too little history in its group" ]
}

@test "bad input: unknown column, malformed specs, non-numbers, unsorted, bad dates" {
	panel > in.csv
	run_split mmm-features --lag nope:1 in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'no column "nope"'* ]]
	run mmm-features --lag x in.csv;			[ "$status" -eq 64 ]
	run mmm-features --lag x:0 in.csv;			[ "$status" -eq 64 ]
	run mmm-features --rolling x:median:3 in.csv;		[ "$status" -eq 64 ]
	run mmm-features --adstock x:geometric:1.5 in.csv;	[ "$status" -eq 64 ]
	run mmm-features --adstock x:boxcar:3 in.csv;		[ "$status" -eq 64 ]
	run mmm-features --saturation x:hill:2:1.5 in.csv;	[ "$status" -eq 64 ]
	run mmm-features --scale x:robust in.csv;		[ "$status" -eq 64 ]
	run mmm-features --time hour in.csv;			[ "$status" -eq 64 ]
	run mmm-features in.csv;				[ "$status" -eq 64 ]
	run_split mmm-features --by geo --lag c:1 in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'in.csv:2: column "c": "r" is not a number'* ]]
	# geo B then A again: not sorted by group
	{ panel; printf '2024-01-05,A,1,r\n'; } > uns.csv
	run_split mmm-features --by geo --lag x:1 uns.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'uns.csv:8: input is not sorted by geo: group "A" appears again'* ]]
	run_split mmm-features --lag x:1 in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"in.csv:6: dates are not increasing"* ]]
	printf 'date,x\n2024-01-01,1\n2024-13-01,2\n' > bad.csv
	run_split mmm-features --lag x:1 bad.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'bad.csv:3: column "date": "2024-13-01" is not a date'* ]]
	run mmm-features --lag x:1 missing.csv;			[ "$status" -eq 66 ]
}

@test "adstock over a missing value is an error naming the row" {
	printf 'date,x\n2024-01-01,1\n2024-01-02,\n' > in.csv
	run_split mmm-features --adstock x:geometric:0.5 in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"in.csv:3: --adstock x:geometric:0.5"* ]]
}

@test "--spec with step options, or a foreign spec, is refused" {
	panel > in.csv
	echo '{"format":"x"}' > bad.json
	run mmm-features --spec bad.json --lag x:1 in.csv;	[ "$status" -eq 64 ]
	run mmm-features --spec bad.json in.csv;		[ "$status" -eq 65 ]
	run mmm-features --spec none.json in.csv;		[ "$status" -eq 66 ]
}

@test "--sort sorts by group (first appearance), then date, through scratch files" {
	printf 'date,geo,x\n2024-01-02,B,20\n2024-01-01,A,1\n2024-01-01,B,10\n2024-01-02,A,2\n' > u.csv
	run mmm-features --by geo --lag x:1 u.csv
	[ "$status" -eq 65 ]
	run mmm-features --by geo --lag x:1 --sort u.csv
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'date,geo,x,x_lag1\n2024-01-01,B,10,\n2024-01-02,B,20,10\n2024-01-01,A,1,\n2024-01-02,A,2,1')" ]
	# standard input, with a fitted step (the sorted copy is read twice)
	run bash -c 'mmm-features --by geo --scale x:minmax --sort < u.csv'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "2024-01-01,B,10,0.47368421052631576" ]
	# a bad date is reported at its input line
	printf '2024-99-01,A,3\n' >> u.csv
	run_split mmm-features --by geo --lag x:1 --sort u.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'u.csv:6: column "date": "2024-99-01" is not a date'* ]]
}

@test "with --spec, --join FILE replaces the spec's join file (the new period's data)" {
	printf 'date,temp\n2024-01-01,5\n2024-01-02,6\n' > w1.csv
	printf 'date,temp\n2024-01-03,9\n' > w2.csv
	printf 'date,x\n2024-01-01,1\n2024-01-02,2\n' > a.csv
	printf 'date,x\n2024-01-03,3\n' > b.csv
	mmm-features --join w1.csv --on date --lag temp:1 --spec-out s.json a.csv > /dev/null
	run mmm-features --spec s.json --join w2.csv b.csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "2024-01-03,3,9,6" ]
	run mmm-features --spec s.json --join w2.csv --join w1.csv b.csv
	[ "$status" -eq 64 ]
	run mmm-features --spec s.json --lag x:1 b.csv
	[ "$status" -eq 64 ]
}

@test "specs with every saturation kind load back" {
	printf 'date,x\n2024-01-01,1\n2024-01-02,2\n' > a.csv
	printf 'date,x\n2024-01-03,4\n' > b.csv
	mmm-features --saturation x:logistic:0.5 --saturation x:michaelis:10:2 --saturation x:hill:2:abs:3 --spec-out s.json a.csv > /dev/null
	run mmm-features --spec s.json b.csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "2024-01-03,4,0.7615941559557649,6.666666666666667,0.64" ]
}

@test "one-hot of a column an earlier step made" {
	printf 'date,x\n2024-01-31,1\n2024-02-01,2\n' > in.csv
	run mmm-features --time month --onehot month in.csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | head -1)" = "date,x,month,month_1,month_2" ]
	[ "$(printf '%s\n' "$output" | sed -n 3p)" = "2024-02-01,2,2,0,1" ]
}

@test "joined missing values are missing; joined text read as a number is an error" {
	printf 'date,temp,note\n2024-01-01,NA,a\n2024-01-02,7,b\n' > w.csv
	printf 'date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n' > d.csv
	run mmm-features --join w.csv --on date --interact x*temp d.csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -d, -f5 | tr '\n' ' ')" = "x_x_temp  14  " ]
	run_split mmm-features --join w.csv --on date --lag note:1 d.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'column "note": "a" is not a number'* ]]
}

@test "the frequency comes from the smallest step when a pass fits" {
	# weekly data whose first step is two weeks
	printf 'date,x\n2024-01-01,1\n2024-01-15,2\n2024-01-22,3\n' > in.csv
	run mmm-features --time trend in.csv
	[ "$(printf '%s\n' "$output" | cut -d, -f3 | tr '\n' ' ')" = "trend 0 2 3 " ]
}

@test "--spec with options the spec fixes is a usage error" {
	panel > in.csv
	mmm-features --by geo --lag x:1 --spec-out s.json in.csv > /dev/null
	run mmm-features --spec s.json --by geo in.csv;		[ "$status" -eq 64 ]
	run mmm-features --spec s.json --date date in.csv;	[ "$status" -eq 64 ]
}

@test "a re-saved spec keeps the groups the new rows lack; a restart warns once" {
	panel > in.csv
	mmm-features --by geo --lag x:1 --spec-out s1.json in.csv > /dev/null
	printf 'date,geo,x,c\n2024-01-05,A,16,r\n' > next.csv
	mmm-features --spec s1.json --spec-out s2.json next.csv > /dev/null
	[ "$(jq -c '[.groups[]|.key[0]]' s2.json)" = '["A","B"]' ]
	[ "$(jq -c '.groups[0].history[0]' s2.json)" = '[16]' ]
	run_split mmm-features --spec s1.json in.csv
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | grep -c 'start afresh')" -eq 1 ]
}

@test "the examples of the man page run on the bundled data" {
	cp "$DATA/$ROBYN" robyn_weekly.csv
	cp "$BATS_TEST_DIRNAME/../examples/data/holidays_de.csv" .
	n=$(man_examples "$BATS_TEST_DIRNAME/../man/mmm-features.1")
	[ "$n" -ge 6 ]
	for ex in ex-*; do
		run_example "$ex"
		[ "$status" -eq 0 ] || { echo "$ex: exit $status: $output"; false; }
	done
	[ "$(jq .rows_rejected report.json)" = 4 ]
	[ "$(($(wc -l < train_f.csv) + $(wc -l < test_f.csv) - 2))" -eq 208 ]
}
