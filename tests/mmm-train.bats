#!/usr/bin/env bats
# mmm-train: linear models, the model file, quality gates, the registry.
load common

PYMC=pymc-marketing-mmm-example/mmm_example.csv

# near JQPATH VALUE [TOL]: the model in m.json holds VALUE at JQPATH to TOL
# (relative, default 1e-8).
near() {
	jq -e --argjson v "$2" --argjson t "${3:-1e-8}" \
	    "($1) as \$x | ((\$x - \$v) | if . < 0 then -. else . end) <=
	    \$t * (\$v | if . < 0 then -. else . end)" m.json >/dev/null ||
	    { echo "$1 = $(jq "$1" m.json), want $2"; false; }
}

small() {	# 6 dated rows, y = 1 + 2a + 3b + noise
	printf 'date,y,a,b,k,a2\n'
	printf '2024-01-01,6.1,1,1,5,2\n'
	printf '2024-01-02,8.9,2,1,5,4\n'
	printf '2024-01-03,13.2,3,2,5,6\n'
	printf '2024-01-04,13.8,2,3,5,4\n'
	printf '2024-01-05,20.1,5,3,5,10\n'
	printf '2024-01-06,19.0,4,3.5,5,8\n'
}

# --- help, version, usage -------------------------------------------------

@test "--help prints usage on stdout and exits 0" {
	run_split mmm-train --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: mmm-train"* ]]
	[ -z "$stderr" ]
}

@test "every option of --help is in the man page" {
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-train --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -q -- "Fl -${o#--}" "$root/man/mmm-train.1" || { echo "man lacks $o"; false; }
		grep -q -- "$o" "$root/completions/mmm.bash" || { echo "bash completion lacks $o"; false; }
		grep -q -- "$o" "$root/completions/_mmm" || { echo "zsh completion lacks $o"; false; }
	done
}

@test "--version names the tool" {
	run mmm-train --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mmm-train (mmm) "* ]]
}

@test "usage errors exit 64 with one line" {
	small > in.csv
	run_split mmm-train --model xgb --target y in.csv
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-train: --model: "xgb" is not one of ols, ridge, bayes, mmm (see mmm-train --help)' ]
	run mmm-train --target y in.csv;			[ "$status" -eq 64 ]
	run mmm-train --model ols in.csv;			[ "$status" -eq 64 ]
	run mmm-train --model ols --target y --positive a in.csv;	[ "$status" -eq 64 ]
	run mmm-train --model ridge --target y --max-p 0.05 in.csv;	[ "$status" -eq 64 ]
	run mmm-train --model ols --target y --max-cv-std 0.1 in.csv;	[ "$status" -eq 64 ]
	run mmm-train --model ols --target y --registry r in.csv;	[ "$status" -eq 64 ]
	run mmm-train --model ols --target y --level 2 in.csv;		[ "$status" -eq 64 ]
	run mmm-train --model ols --target y --gates strict in.csv;	[ "$status" -eq 64 ]
	run mmm-train --model ols --target y --registry r --name n --now 2024-01-01 in.csv
	[ "$status" -eq 64 ]
	run mmm-train --model ols --target y in.csv in.csv;	[ "$status" -eq 64 ]
}

# --- reference agreement --------------------------------------------------

# statsmodels 0.13.5: sm.OLS(y, sm.add_constant(X)).fit() on
# x1, x2, event_1, event_2, dayofyear, t (every numeric column but y).
@test "OLS on mmm_example equals statsmodels to 1e-8" {
	mmm-train --model ols --target y "$DATA/$PYMC" > m.json
	[ "$(jq -c .features m.json)" = '["x1","x2","event_1","event_2","dayofyear","t"]' ]
	near .coefficients.intercept 3850.207472968167
	near .coefficients.x1 2059.2031680447953
	near .coefficients.x2 1836.1112063598646
	near .coefficients.event_1 1972.7047157793872
	near .coefficients.event_2 1935.2052951682986
	near .coefficients.dayofyear 0.6835673078033023
	near .coefficients.t 3.9826291403107703
	near .statistics.coefficients.x1.se 212.07185445770097
	near .statistics.coefficients.dayofyear.se 0.4954107892774714
	near .statistics.coefficients.x1.p 4.791833695544135e-18
	near .statistics.coefficients.dayofyear.p 0.1694395686451537
	near .statistics.coefficients.t.p 5.464222550437343e-05
	near .statistics.r2 0.6510568485106835
	near .statistics.r2_adj 0.6388844129936142
	near .statistics.f 53.48616122038343
	near .statistics.aic 2835.450039793293
	near .statistics.bic 2857.761740434178
	near .statistics.durbin_watson 0.674523023236191
	near .statistics.jarque_bera.statistic 0.9566421725407336
	near .statistics.jarque_bera.p 0.619823148324826
	# sklearn.metrics on statsmodels' fitted values
	near .metrics.train.r2 0.6510568485106835
	near .metrics.train.mape 0.10168025222019744
	near .metrics.train.rmse 640.4729125529668
	near .metrics.train.mae 506.69906298326055
	near .metrics.train.lift 0.6510568485106836
	[ "$(jq -r .covariance.names[0] m.json)" = intercept ]
	near '.covariance.matrix[1][1]' 44974.4714531283
}

@test "the model file records format, data, sha256, profile and options" {
	mmm-train --model ols --target y --date date_week --now 2024-05-06-0730 "$DATA/$PYMC" > m.json
	[ "$(jq -r '[.format, .format_version, .kind, .version, .created, .target] | @tsv' m.json)" = \
	    "$(printf 'mmm-model\t1\tols\t2024-05-06-0730\t2024-05-06T07:30:00Z\ty')" ]
	[ "$(jq -r .data.sha256 m.json)" = "$(sha256sum < "$DATA/$PYMC" | cut -d' ' -f1)" ]
	[ "$(jq -c .data.date_range m.json)" = '["2018-04-02","2021-08-30"]' ]
	[ "$(jq .data.rows m.json)" = 179 ]
	[ "$(jq .profile.x1.missing m.json)" = 0 ]
	near .profile.x1.mean 0.3090815783028674 1e-12
	[ "$(jq -c .options.intercept m.json)" = true ]
	# the same input on stdin: the same digest
	mmm-train --model ols --target y < "$DATA/$PYMC" > m2.json
	[ "$(jq -r .data.sha256 m2.json)" = "$(jq -r .data.sha256 m.json)" ]
	[ "$(jq -r .data.input m2.json)" = '<stdin>' ]
	run mmm-train --check-model m.json
	[ "$status" -eq 0 ]
	[ "$output" = "m.json: ok: ols model of y on 6 features" ]
}

# scikit-learn 1.2.1: Ridge(alpha=1000).fit(X, y).
@test "ridge --lambda 1000 equals scikit-learn Ridge to 1e-8" {
	mmm-train --model ridge --lambda 1000 --target y "$DATA/$PYMC" > m.json
	near .coefficients.intercept 4829.159181638474
	near .coefficients.x1 23.025229025566684
	near .coefficients.x2 41.75024768963228
	near .coefficients.event_1 1.6725689924767864
	near .coefficients.event_2 1.0360647008293808
	near .coefficients.dayofyear 1.2094799510040506
	near .coefficients.t 2.4837188156278525
}

# RidgeCV(alphas=np.logspace(-4, 4, 50) * s[0]**2) with s the singular
# values of the centred X.
@test "ridge --lambda auto equals scikit-learn RidgeCV on the same grid" {
	mmm-train --model ridge --target y "$DATA/$PYMC" > m.json
	near .statistics.lambda 179.52690287756363
	near .coefficients.intercept 4775.493314980203
	near .coefficients.x1 121.00378680448743
	near .coefficients.x2 211.32900673503224
	near .coefficients.dayofyear 1.149442330496413
	[ "$(jq '.statistics.lambda_path.loo_mse | length' m.json)" = 50 ]
}

@test "ridge --positive keeps those coefficients >= 0" {
	small > in.csv
	mmm-train --model ridge --lambda 100 --features a,b --positive '*' --target y in.csv > m.json
	jq -e '.coefficients.a >= 0 and .coefficients.b >= 0' m.json
	[ "$(jq -c .options.positive m.json)" = '["a","b"]' ]
}

# BayesianRidge().fit(X, y), scikit-learn 1.2.1.
@test "bayes equals scikit-learn BayesianRidge to 1e-6" {
	mmm-train --model bayes --target y "$DATA/$PYMC" > m.json
	near .coefficients.intercept 5063.390511149478 1e-6
	near .coefficients.x1 0.02609173194505001 1e-6
	near .coefficients.x2 0.049492556055692395 1e-6
	near .coefficients.event_1 0.0018380859990015945 1e-6
	near .coefficients.dayofyear 0.7938372230209287 1e-6
	near .coefficients.t 0.8605401063002972 1e-6
	near .statistics.alpha 8.61322200100476e-07 1e-6
	near .statistics.lambda 0.748316025827102 1e-6
	[ "$(jq '.covariance.matrix | length' m.json)" = 6 ]
}

# TimeSeriesSplit(4) over the 179 weeks, statsmodels OLS per fold on
# x1, x2, t, r2_score and MAPE on the validation rows; lift against the
# train rows' mean.
@test "--cv 4: fold metrics equal the same folds computed by hand" {
	mmm-train --model ols --target y --features x1,x2,t --date date_week --cv 4 "$DATA/$PYMC" > m.json
	[ "$(jq -c '[.metrics.cv.per_fold[] | [.train_rows, .valid_rows]]' m.json)" = '[[39,35],[74,35],[109,35],[144,35]]' ]
	near '.metrics.cv.per_fold[0].r2' 0.27864697697062535
	near '.metrics.cv.per_fold[1].r2' 0.5488253062385685
	near '.metrics.cv.per_fold[2].r2' 0.1986348499193772
	near '.metrics.cv.per_fold[3].r2' 0.23583149801531267
	near '.metrics.cv.per_fold[0].mape' 0.13707192068640328
	near '.metrics.cv.per_fold[3].mape' 0.14609855369685182
	near '.metrics.cv.per_fold[0].lift' 0.41804934687829554
	near '.metrics.cv.per_fold[2].lift' 0.19959331289446436
	near .metrics.cv.mean.r2 0.3154846577859709
	[ "$(jq -c '.metrics.cv.per_fold[0].valid_range' m.json)" = '["2018-12-31","2019-08-26"]' ]
}

# event_1 and event_2 are 0 over the first fold's 39 train weeks.
@test "--cv: a column constant in an early fold fails ols with what to do; ridge and bayes fit" {
	run_split mmm-train --model ols --target y --date date_week --cv 4 "$DATA/$PYMC"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *': --cv fold 1: column event_1 is constant in its 39 train rows (fewer folds give the early folds more rows; ridge and bayes fit such folds)' ]]
	for m in ridge bayes; do
		mmm-train --model $m --target y --date date_week --cv 4 "$DATA/$PYMC" > m.json
		jq -e '.metrics.cv.folds == 4 and all(.metrics.cv.per_fold[]; .r2 | type == "number")' m.json
	done
}

@test "--cv without dates is an error naming the column" {
	small | cut -d, -f2- > nodate.csv
	run_split mmm-train --model ols --target y --features a,b --cv 2 nodate.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'--cv needs dates: no column "date"'* ]]
}

# --- held-out rows (--valid) ------------------------------------------------

# The first 140 weeks of mmm_example to fit on, the other 39 held out.
halves() {
	head -n 141 "$DATA/$PYMC" > tr.csv
	{ head -n 1 "$DATA/$PYMC"; tail -n +142 "$DATA/$PYMC"; } > va.csv
}

# tests/data/gen_train_ref.py: statsmodels OLS on x1, x2, t over the first
# 140 rows, its predictions of the other 39; r2_score,
# mean_absolute_percentage_error, mean_absolute_error (scikit-learn), sMAPE,
# RMSE, NRMSE and the lift against the 140 rows' mean by numpy.
@test "--valid: metrics on the held-out rows equal statsmodels + scikit-learn to 1e-8" {
	halves
	mmm-train --model ols --target y --features x1,x2,t --valid va.csv tr.csv > m.json
	near .metrics.valid.r2 0.37557756463176384
	near .metrics.valid.mape 0.13111181168030128
	near .metrics.valid.smape 0.11756925567438707
	near .metrics.valid.rmse 767.9046078189727
	near .metrics.valid.nrmse 0.18030133308885835
	near .metrics.valid.mae 601.0120734459023
	near .metrics.valid.lift 0.375862938947359
	[ "$(jq -c '.data.valid | [.input, .rows, .rows_read]' m.json)" = '["va.csv",39,39]' ]
	[ "$(jq -r .data.valid.sha256 m.json)" = "$(sha256sum va.csv | cut -d' ' -f1)" ]
	# the train metrics do not change
	mmm-train --model ols --target y --features x1,x2,t tr.csv > t.json
	[ "$(jq -c .metrics.train m.json)" = "$(jq -c .metrics.train t.json)" ]
	jq -e '.metrics.valid == null and .data.valid == null' t.json
	run mmm-train --check-model m.json
	[ "$status" -eq 0 ]
}

# BayesianRidge().fit on the 140 rows, every numeric column but y.
@test "--valid with bayes equals scikit-learn to 1e-6" {
	halves
	mmm-train --model bayes --target y --valid va.csv tr.csv > m.json
	near .metrics.valid.r2 -0.10262409795918437 1e-6
	near .metrics.valid.mape 0.1681213971273419 1e-6
	near .metrics.valid.rmse 1020.426583606996 1e-6
	near .metrics.valid.lift -0.1021201753268588 1e-6
}

# BayesianRidge().predict(X, return_std=True) on the first 3 held-out rows:
# mmm-predict's interval at 0.9 is mean -+ z sd, z = 1.6448536269514722.
@test "bayes through mmm-predict: predictive mean and sd equal scikit-learn to 1e-6" {
	halves
	mmm-train --model bayes --target y -o m.json tr.csv
	head -n 4 va.csv > v3.csv
	mmm-predict --model m.json --interval 0.9 v3.csv > p.csv
	printf '%s\n' '5675.4903868904485 1157.0354257743795' \
	    '5685.850750023048 1158.9316808960173' \
	    '5696.447087423233 1160.8622195989599' > ref.txt
	tail -n +2 p.csv | tr ',' ' ' | paste -d' ' - ref.txt | awk '
	    function rel(a, b) { d = (a - b) / b; return d < 0 ? -d : d }
	    { sd = ($3 - $2) / (2 * 1.6448536269514722)
	      if (rel($1, $4) > 1e-6 || rel(sd, $5) > 1e-6) {
		print "row " NR ": mean " $1 " sd " sd ", want " $4 " " $5; bad = 1 } }
	    END { exit bad + (NR != 3) }'
}

@test "gates check the held-out metrics: \"r2 (valid)\", also with --cv" {
	halves
	run_split mmm-train --model ols --target y --features x1,x2,t --valid va.csv \
	    --min-r2 0.5 -o m.json tr.csv
	[ "$status" -eq 1 ]
	[ "$stderr" = 'mmm-train: gate min-r2 failed: r2 (valid) is 0.375578, below 0.5 by 0.124422' ]
	[ ! -e m.json ]
	# the train R^2 (0.629) would pass; --valid wins over --cv
	mmm-train --model ols --target y --features x1,x2,t --valid va.csv --date date_week \
	    --cv 3 --min-r2 0.3 --max-mape 0.15 --min-lift 0.3 -o m.json tr.csv
	[ "$(jq -c '[.gates[] | .on]' m.json)" = '["r2 (valid)","mape (valid)","lift (valid)"]' ]
	jq -e '.metrics.cv.folds == 3 and .metrics.valid.r2 < .metrics.train.r2' m.json
	run_split mmm-train --model ols --target y --features x1,x2,t --valid va.csv --date date_week \
	    --cv 3 --gates default -o m.json tr.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'gate min-r2 failed: r2 (valid) is 0.375578'* ]]
}

@test "--valid: a missing column, value or file, and a value that is not a number" {
	halves
	cut -d, -f1-3,5- va.csv > nox2.csv
	run_split mmm-train --model ols --target y --features x1,x2,t --valid nox2.csv tr.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: nox2.csv: column "x2" is not in the header' ]
	cut -d, -f1,3- va.csv > noy.csv
	run_split mmm-train --model ols --target y --features x1,x2,t --valid noy.csv tr.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: noy.csv: column "y" is not in the header' ]
	sed '3s/^\([^,]*\),[^,]*,/\1,,/' va.csv > miss.csv
	run_split mmm-train --model ols --target y --features x1,x2,t --valid miss.csv tr.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: miss.csv:3: column "y": missing value (--drop-missing drops such rows)' ]
	mmm-train --model ols --target y --features x1,x2,t --drop-missing --valid miss.csv tr.csv > m.json
	[ "$(jq -c '.data.valid | [.rows, .rows_read]' m.json)" = '[38,39]' ]
	sed '4s/^\([^,]*\),[^,]*,/\1,abc,/' va.csv > text.csv
	run_split mmm-train --model ols --target y --features x1,x2,t --valid text.csv tr.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: text.csv:4: column "y": "abc" is not a finite number' ]
	head -n 1 va.csv > empty.csv
	run_split mmm-train --model ols --target y --features x1,x2,t --valid empty.csv tr.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: empty.csv: no data rows' ]
	run mmm-train --model ols --target y --features x1,x2,t --valid nonexistent.csv tr.csv
	[ "$status" -eq 66 ]
	run_split mmm-train --model ols --target y --features x1,x2,t --valid - < tr.csv
	[ "$status" -eq 64 ]
	# the held-out rows may come from standard input
	mmm-train --model ols --target y --features x1,x2,t --valid - tr.csv < va.csv > m.json
	[ "$(jq -r .data.valid.input m.json)" = '<stdin>' ]
	near .metrics.valid.r2 0.37557756463176384
}

@test "--check-model refuses a metrics.valid that is not metrics" {
	halves
	mmm-train --model ols --target y --features x1,x2,t --valid va.csv tr.csv > m.json
	jq '.metrics.valid = 3' m.json > b.json
	run_split mmm-train --check-model b.json
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: b.json: not a usable model file: "metrics.valid" is not an object or null' ]
	jq '.metrics.valid.r2 = "high"' m.json > b.json
	run_split mmm-train --check-model b.json
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'"metrics.valid.r2" is not a number' ]]
	jq 'del(.metrics.valid)' m.json > old.json
	run mmm-train --check-model old.json
	[ "$status" -eq 0 ]
}

# --- gates and the registry -----------------------------------------------

@test "gates pass: the registry saves the version and current moves to it" {
	mmm-train --model ols --target y --gates default --max-p-cols x1,x2 \
	    --registry reg --name sales --now 2024-05-06-0730 "$DATA/$PYMC"
	[ -f reg/sales-2024-05-06-0730.json ]
	[ "$(readlink reg/sales-current.json)" = sales-2024-05-06-0730.json ]
	jq -e '.gates | length == 4 and all(.[]; .pass)' reg/sales-current.json
	mmm-train --model ols --target y --registry reg --name sales --now 2024-05-07-0730 "$DATA/$PYMC"
	[ "$(readlink reg/sales-current.json)" = sales-2024-05-07-0730.json ]
	# rollback: re-point the link
	ln -sfn sales-2024-05-06-0730.json reg/sales-current.json
	[ "$(jq -r .version reg/sales-current.json)" = 2024-05-06-0730 ]
	run mmm-train --check-model reg/sales-current.json
	[ "$status" -eq 0 ]
}

@test "a gate fails: exit 1, one line per gate, neither -o nor the registry changes" {
	mmm-train --model ols --target y --registry reg --name sales --now 2024-05-06-0730 "$DATA/$PYMC"
	echo old > m.json
	run_split mmm-train --model ols --target y --gates default -o m.json \
	    --registry reg --name sales --now 2024-05-08-0730 "$DATA/$PYMC"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = 'mmm-train: gate max-p failed: largest p-value (dayofyear) is 0.16944, above 0.05 by 0.11944' ]
	[ "$(cat m.json)" = old ]
	[ "$(ls reg)" = "$(printf 'sales-2024-05-06-0730.json\nsales-current.json')" ]
	[ "$(readlink reg/sales-current.json)" = sales-2024-05-06-0730.json ]
	run_split mmm-train --model ols --target y --features x1,x2,t --date date_week \
	    --cv 4 --gates default -o m.json "$DATA/$PYMC"
	[ "$status" -eq 1 ]
	[ "$(echo "$stderr" | wc -l)" -eq 2 ]
	[[ "$stderr" == *'gate min-r2 failed: r2 (cv mean) is 0.315485, below 0.45 by 0.134515'* ]]
	[[ "$stderr" == *'gate max-cv-std failed'* ]]
	[ "$(cat m.json)" = old ]
}

@test "each gate option can fail on its own" {
	small > in.csv
	run mmm-train --model ols --target y --features a,b --min-r2 0.9999 -o m.json in.csv
	[ "$status" -eq 1 ]
	run mmm-train --model ols --target y --features a,b --max-mape 0.0001 -o m.json in.csv
	[ "$status" -eq 1 ]
	run mmm-train --model ols --target y --features a,b --min-lift 0.9999 -o m.json in.csv
	[ "$status" -eq 1 ]
	run mmm-train --model ols --target y --features a,b --max-p 1e-9 -o m.json in.csv
	[ "$status" -eq 1 ]
	[ ! -e m.json ]
	run mmm-train --model ols --target y --features a,b --min-r2 0.5 --normal-residuals -o m.json in.csv
	[ "$status" -eq 0 ]
	jq -e '.gates["min-r2"].pass and .gates["normal-residuals"].pass' m.json
}

# --- bad input ------------------------------------------------------------

@test "a constant column: one line, exit 65" {
	small > in.csv
	run_split mmm-train --model ols --target y --features a,k in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: in.csv: column k is constant' ]
}

@test "collinear columns: one line naming them, exit 65" {
	small > in.csv
	run_split mmm-train --model ols --target y --features a,b,a2 in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: in.csv: columns a and a2 are collinear' ]
}

@test "more features than rows: one line, exit 65" {
	printf 'y,a,b,c\n1,1,2,7\n2,3,1,2\n' > wide.csv
	run_split mmm-train --model ols --target y wide.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: wide.csv: 2 rows are too few for 4 coefficients' ]
}

@test "NaN in a used column: an error naming row and column, or dropped" {
	small | sed '4s/,3,2,/,NaN,2,/' > in.csv
	run_split mmm-train --model ols --target y --features a,b in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: in.csv:4: column "a": missing value (--drop-missing drops such rows)' ]
	mmm-train --model ols --target y --features a,b --drop-missing in.csv > m.json
	[ "$(jq -c '[.data.rows, .data.rows_read]' m.json)" = '[5,6]' ]
	near .profile.a.missing 0.16666666666666666 1e-15
	# unused columns may have gaps
	small | sed '4s/,5,6$/,,6/' > gap.csv
	mmm-train --model ols --target y --features a,b gap.csv > /dev/null
}

@test "a value that is not a number: an error naming row, column and value" {
	small | sed '3s/,2,1,/,two,1,/' > in.csv
	run_split mmm-train --model ols --target y --features a,b in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: in.csv:3: column "a": "two" is not a finite number' ]
}

@test "empty input and a header alone: one line, exit 65" {
	: > empty.csv
	run_split mmm-train --model ols --target y empty.csv
	[ "$status" -eq 65 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	echo 'y,a' > hdr.csv
	run_split mmm-train --model ols --target y hdr.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: hdr.csv: no data rows' ]
}

@test "a missing target or feature column: exit 65; a missing file: 66" {
	small > in.csv
	run_split mmm-train --model ols --target sales in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: in.csv: target column "sales" is not in the header' ]
	run mmm-train --model ols --target y --features zz in.csv
	[ "$status" -eq 65 ]
	run mmm-train --model ols --target y nonexistent.csv
	[ "$status" -eq 66 ]
}

@test "a truncated or tampered model file is refused with one line, exit 65" {
	mmm-train --model ols --target y "$DATA/$PYMC" > m.json
	head -c 300 m.json > trunc.json
	run_split mmm-train --check-model trunc.json
	[ "$status" -eq 65 ]
	[[ "$stderr" == 'mmm-train: trunc.json:'*'not a usable model file: '* ]]
	jq '.format_version = 2' m.json > v2.json
	run_split mmm-train --check-model v2.json
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-train: v2.json: not a usable model file: format_version 2 is unknown (this mmm reads 1)' ]
	jq '.kind = "xgboost"' m.json > k.json
	run_split mmm-train --check-model k.json
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'kind "xgboost" is unknown'* ]]
	jq 'del(.coefficients.x2)' m.json > c.json
	run_split mmm-train --check-model c.json
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'no numeric coefficient for feature "x2"'* ]]
	run mmm-train --check-model nonexistent.json
	[ "$status" -eq 66 ]
}

@test "-o writes atomically; a write error is exit 74" {
	small > in.csv
	mmm-train --model ols --target y --features a,b -o m.json in.csv
	jq -e '.kind == "ols"' m.json
	[ "$(ls)" = "$(printf 'in.csv\nm.json')" ]
	run mmm-train --model ols --target y --features a,b -o /dev/full in.csv
	[ "$status" -eq 74 ]
}

@test "weights: WLS as statsmodels with unit weights equals OLS" {
	small | sed '1s/$/,w/; 2,$s/$/,1/' > in.csv
	mmm-train --model ols --target y --features a,b --weights w in.csv > m.json
	mmm-train --model ols --target y --features a,b in.csv > o.json
	[ "$(jq -c .coefficients m.json)" = "$(jq -c .coefficients o.json)" ]
	[ "$(jq -c .features m.json)" = '["a","b"]' ]
}

@test "--no-intercept drops the constant" {
	small > in.csv
	mmm-train --model ols --target y --features a,b --no-intercept in.csv > m.json
	jq -e '.coefficients | has("intercept") | not' m.json
	run mmm-train --check-model m.json
	[ "$status" -eq 0 ]
}

# 300k rows: 5 Gram blocks, so that threads share them.
@test "--threads 1, 2 and 3 give byte-identical model files" {
	awk 'BEGIN { srand(7); print "date,y,a,b,c"
	    for (i = 0; i < 300000; i++) { a = rand(); b = rand() * 10; c = a + rand()
		printf "2024-01-01,%.6f,%.6f,%.6f,%.6f\n", 1 + 2 * a - b / 3 + c + rand(), a, b, c } }' > big.csv
	for m in ols ridge bayes; do
		for t in 1 2 3; do
			mmm-train --model $m --target y --threads $t --now 2024-01-01-0000 big.csv > $m-$t.json
		done
		cmp $m-1.json $m-2.json
		cmp $m-1.json $m-3.json
	done
	jq -e '.coefficients.a > 1.9 and .coefficients.a < 2.1' ols-1.json
	run mmm-train --model ols --target y --threads 0 big.csv
	[ "$status" -eq 64 ]
}

@test "the man page examples run" {
	n=$(man_examples "$BATS_TEST_DIRNAME/../man/mmm-train.1")
	[ "$n" -ge 1 ]
	cp "$DATA/$PYMC" train.csv
	cp "$DATA/robyn-simulated-weekly/dt_simulated_weekly.csv" .
	cp "$DATA/robyn-simulated-weekly/dt_prophet_holidays.csv" .
	for i in $(seq 1 "$n"); do
		run_example ex-$i.*
		[ "$status" -eq 0 ] || { cat ex-$i.*; echo "$output"; false; }
	done
}
