#!/bin/bash
# run.sh: mmm benchmarks against their Python peers and the libcsv / wc floors; prints one table.
#
# Run from anywhere (it moves to the repo root); `make bench` builds bin/ first.
# Environment:
#   BENCH_DIR      generated data and kept reports (default /tmp/mmm-bench)
#   BENCH_ROWS     data sizes (default "1000000 10000000")
#   BENCH_QUICK=1  smoke run: 100000 rows only, fewer peer start-up runs
#   BENCH_REPEAT   best of N for each whole-process timing (default 1)
#   BENCH_VALIDATE the mmm-validate under test (default bin/mmm-validate)
# Exit status: 0, or 1 when a benchmarked program failed (the table is still printed).
set -euo pipefail
shopt -s inherit_errexit
export LC_ALL=C

cd "$(dirname "$0")/.."

BENCH_DIR=${BENCH_DIR:-/tmp/mmm-bench}
if [[ ${BENCH_QUICK:-0} == 1 ]]; then
	ROWS_LIST=100000
	PEER_RUNS=5
else
	ROWS_LIST=${BENCH_ROWS:-1000000 10000000}
	PEER_RUNS=10
fi
REPEAT=${BENCH_REPEAT:-1}
STARTUP_RUNS=50
VALIDATE=${BENCH_VALIDATE:-bin/mmm-validate}
PY=/usr/bin/python3

[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: BENCH_REPEAT must be a positive integer" >&2; exit 64; }
for r in $ROWS_LIST; do
	[[ $r =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: bad size in BENCH_ROWS: $r" >&2; exit 64; }
done

mkdir -p "$BENCH_DIR"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mmm-bench-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

rows_tsv=$scratch/rows.tsv
: >"$rows_tsv"
notes=()
failed=0

say() { printf 'bench: %s\n' "$*" >&2; }
note() { notes+=("$*"); }
ctx=setup
fail() { notes+=("FAILED: $ctx: $*"); failed=1; }

# row CASE ROWS OURS_S PEER_S OURS_KB PEER_KB FLOOR_S WC_S (blank = not measured)
row() {
	local IFS=$'\t'
	printf '%s\n' "$*" >>"$rows_tsv"
}

# timed OK_STATUSES CMD...: run CMD REPEAT times with stdout to ${T_OUT:-/dev/null};
# sets T_S (best wall seconds), T_KB (peak RSS in KiB), T_RC (last exit status).
# Wall time is taken with $EPOCHREALTIME around /usr/bin/time (µs resolution; %e has
# only 10 ms), so it includes time(1)'s own fork and exec, ≈ 1 ms, as for every row.
# Returns 1, after noting why, when an exit status is not in OK_STATUSES.
timed() {
	local ok=" $1 " tf=$scratch/time.out ef=$scratch/time.err
	local i t0 t1 us best=-1 kb=0 last
	shift
	for ((i = 0; i < REPEAT; i++)); do
		T_RC=0
		t0=$EPOCHREALTIME
		/usr/bin/time -f '%e %M' -o "$tf" "$@" >"${T_OUT:-/dev/null}" 2>"$ef" || T_RC=$?
		t1=$EPOCHREALTIME
		if [[ $ok != *" $T_RC "* ]]; then
			fail "$(basename "$1") exited $T_RC: $(head -c 300 "$ef" | head -n 2 | tr '\n' ' ')"
			return 1
		fi
		us=$((10#${t1/./} - 10#${t0/./}))
		((best < 0 || us < best)) && best=$us
		last=$(tail -n 1 "$tf")	# time(1) puts "Command exited with ..." first
		((${last#* } > kb)) && kb=${last#* }
	done
	T_S=$(printf '%d.%06d' $((best / 1000000)) $((best % 1000000)))
	T_KB=$kb
}

# median_startup OUTVAR RUNS OK_STATUSES CMD...: median wall seconds of RUNS runs,
# output discarded; hyperfine when present, else a plain loop.
# shellcheck disable=SC2034 # out is a nameref to the caller's variable
median_startup() {
	local -n out=$1
	local runs=$2 ok=" $3 " rc=0 cmd j=$scratch/hf.json
	shift 3
	"$@" >/dev/null 2>"$scratch/startup.err" || rc=$?
	if [[ $ok != *" $rc "* ]]; then
		fail "$(basename "$1") exited $rc: $(head -c 300 "$scratch/startup.err" | head -n 2 | tr '\n' ' ')"
		out=
		return 1
	fi
	if command -v hyperfine >/dev/null; then
		printf -v cmd '%q ' "$@"
		if ! hyperfine -N -i --warmup 3 --runs "$runs" --style none \
		    --export-json "$j" "$cmd" >"$scratch/hf.out" 2>&1; then
			fail "hyperfine: $(head -n 3 "$scratch/hf.out" | tr '\n' ' ')"
			out=
			return 1
		fi
		out=$(grep -o '"median": *[-0-9.eE+]*' "$j" | head -n 1 | sed 's/.*: *//')
	else
		local i t0 t1 times=()
		for ((i = 0; i < runs; i++)); do
			t0=$EPOCHREALTIME
			"$@" >/dev/null 2>&1 || true
			t1=$EPOCHREALTIME
			times+=($((10#${t1/./} - 10#${t0/./})))
		done
		out=$(printf '%s\n' "${times[@]}" | sort -n |
		    awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f", m / 1e6 }')
	fi
}

# --- build the helpers -------------------------------------------------------------
CFLAGS_BENCH=(-O2 -std=c11 -D_DEFAULT_SOURCE)
say "building helpers in $scratch"
cc "${CFLAGS_BENCH[@]}" -o "$scratch/gen_daily" bench/gen_daily.c -lm
cc "${CFLAGS_BENCH[@]}" -o "$scratch/csv_floor" bench/csv_floor.c -lcsv

have_pandas=0
if [[ -x $PY ]] && "$PY" -c 'import pandas' 2>/dev/null; then
	have_pandas=1
else
	note "peer: $PY cannot import pandas; peer columns left blank"
fi
have_ours=0
if [[ -x $VALIDATE ]]; then
	have_ours=1
else
	note "ours: $VALIDATE not built; ours columns left blank"
fi

# --- number conversion (in-process, bench/bench_num.c) -------------------------------
if [[ -f bench/bench_num.c ]]; then
	ctx=num
	say "num: building and running bench/bench_num.c"
	if cc "${CFLAGS_BENCH[@]}" -Icommon -o "$scratch/bench_num" bench/bench_num.c common/num.c -lm \
	    2>"$scratch/num.err"; then
		if "$scratch/bench_num" >"$scratch/num.out" 2>>"$scratch/num.err"; then
			# header line, then: case <TAB> n <TAB> ours_s <TAB> ref_s <TAB> ratio
			while IFS=$'\t' read -r c n o r _; do
				[[ -n $c ]] && row "$c" "$n" "$o" "$r" "" "" "" ""
			done < <(tail -n +2 "$scratch/num.out")
			note "num-*: in-process, rows = numbers converted; peer = glibc strtod (parse) or snprintf(\"%.17g\") (print)"
		else
			fail "bench_num: $(head -n 2 "$scratch/num.err" | tr '\n' ' ')"
		fi
	else
		fail "bench_num did not build: $(grep -m 2 -i error "$scratch/num.err" | tr '\n' ' ')"
	fi
else
	note "num-*: skipped, bench/bench_num.c does not exist yet"
fi

# --- data --------------------------------------------------------------------------
gen_hash=$(sha256sum bench/gen_daily.c | cut -c 1-12)

# data_file ROWS: path of the generated table, generating it unless already there.
data_file() {
	local f=$BENCH_DIR/daily-$1-$gen_hash.csv old
	if [[ ! -s $f ]]; then
		for old in "$BENCH_DIR"/daily-"$1"-*.csv; do
			[[ -e $old && $old != "$f" ]] && rm -f -- "$old"	# from an older generator
		done
		say "generating $1 rows into $f"
		"$scratch/gen_daily" "$1" "$f.tmp.$$"
		mv -- "$f.tmp.$$" "$f"
	fi
	printf '%s\n' "$f"
}

# --- validate ----------------------------------------------------------------------
validate_args=(--no-unique --date date --by geo --freq daily --today 2030-01-01
	--max-age 100000
	--numeric 'tv_spend,search_spend,social_spend,impressions,clicks,conversions,temperature,price,promo,sales'
	--range temperature=-60:60 --rule 'clicks<=impressions' --target sales)

first_file=
for rows in $ROWS_LIST; do
	ctx="validate $rows"
	f=$(data_file "$rows")
	[[ -n $first_file ]] || first_file=$f
	keep=$BENCH_DIR/reports-$rows
	mkdir -p "$keep"
	cat -- "$f" >/dev/null	# page cache: every program reads a warm file
	o_s='' o_kb='' p_s='' p_kb='' fl_s='' wc_s=''

	say "validate $rows: wc -l, csv_floor"
	if timed 0 wc -l "$f"; then wc_s=$T_S; fi
	if T_OUT=$scratch/floor.out timed 0 "$scratch/csv_floor" "$f"; then
		fl_s=$T_S
		want="$((rows + 1)) records $((12 * (rows + 1))) fields"
		[[ $(cat "$scratch/floor.out") == "$want" ]] ||
		    fail "csv_floor on $rows rows: got '$(cat "$scratch/floor.out")', want '$want'"
	fi
	if ((have_ours)); then
		say "validate $rows: $VALIDATE"
		if timed "0 1" "$VALIDATE" "${validate_args[@]}" \
		    --report "$keep/ours-report.json" --profile-out "$keep/ours-profile.json" "$f"; then
			o_s=$T_S o_kb=$T_KB
			((T_RC == 0)) || note "validate $rows: mmm-validate exit 1 (a check failed, see $keep/ours-report.json)"
		fi
	fi
	if ((have_pandas)); then
		say "validate $rows: pandas peer"
		if timed "0 1" "$PY" bench/validate_peer.py "$f" "$keep/peer-report.json" "$keep/peer-profile.json"; then
			p_s=$T_S p_kb=$T_KB
			((T_RC == 0)) || note "validate $rows: peer exit 1 (a check failed, see $keep/peer-report.json)"
		fi
	fi
	row validate "$rows" "$o_s" "$p_s" "$o_kb" "$p_kb" "$fl_s" "$wc_s"
done

# wide_file ROWS DAILY: the path of the 20-column file of ROWS rows, made from the
# 12-column DAILY file when missing.
wide_file() {
	local w=$BENCH_DIR/wide-$1-$gen_hash.csv
	if [[ ! -s $w ]]; then
		say "making the 20-column file of $1 rows"
		# 8 more numeric columns derived from the 12 (2 decimals each)
		awk -F, 'BEGIN { OFS = "," }
		    NR == 1 { print $0, "radio_spend,ooh_spend,print_spend,email_sends,price_index,competitor_sales,rain_mm,sessions"; next }
		    { printf "%s,%.2f,%.2f,%.2f,%d,%.3f,%.2f,%.1f,%d\n", $0, $3 * 0.31, $4 * 0.77,
		      $5 * 0.13, $6 / 7, $10 / 3, $12 * 1.7, ($9 < 5 ? 0 : $9 / 4), $7 * 3 }' \
		    "$2" >"$w.tmp.$$"
		mv -- "$w.tmp.$$" "$w"
	fi
	printf '%s\n' "$w"
}

# --- features: 10 new columns on 1M x 20 (the first size only) ----------------------
features_args=(--by geo --lag sales:1,7 --rolling sales:mean:7,std:7 --diff sales:1
	--adstock tv_spend:geometric:0.5 --adstock search_spend:geometric:0.3
	--saturation tv_spend_adstock:hill:2:abs:1000 --time dow,month)
if [[ -n $first_file && -x bin/mmm-features ]]; then
	rows=${ROWS_LIST%% *}
	ctx="features $rows"
	wide=$(wide_file "$rows" "$first_file")
	cat -- "$wide" >/dev/null
	o_s='' o_kb='' p_s='' p_kb='' fl_s='' wc_s=''
	if timed 0 wc -l "$wide"; then wc_s=$T_S; fi
	if T_OUT=$scratch/floor.out timed 0 "$scratch/csv_floor" "$wide"; then fl_s=$T_S; fi
	say "features $rows: bin/mmm-features"
	if timed 0 bin/mmm-features "${features_args[@]}" "$wide"; then o_s=$T_S o_kb=$T_KB; fi
	if ((have_pandas)); then
		say "features $rows: pandas peer"
		if timed 0 "$PY" bench/features_peer.py "$wide" /dev/null; then p_s=$T_S p_kb=$T_KB; fi
	fi
	row features "$rows" "$o_s" "$p_s" "$o_kb" "$p_kb" "$fl_s" "$wc_s"
	note "features: 10 new columns (lags, windows, diff, 2 adstocks, Hill, dow, month) on 20 columns; both write CSV (to /dev/null)"
fi

# --- fits (in-process, bench/bench_fit.c against bench/fit_peer.py) ------------------
# Generated data, 1M rows (BENCH_QUICK: 100k; BENCH_FIT_ROWS overrides) x 20 and x 10
# features; best of BENCH_FIT_REPEAT (default 3) per case on both sides.
if [[ -f bench/bench_fit.c && -f build/opt/libmmm.a ]]; then
	ctx=fit
	if [[ ${BENCH_QUICK:-0} == 1 ]]; then fit_rows=100000; else fit_rows=${BENCH_FIT_ROWS:-1000000}; fi
	fit_rep=${BENCH_FIT_REPEAT:-3}
	if [[ ! $fit_rows =~ ^[1-9][0-9]*$ || ! $fit_rep =~ ^[1-9][0-9]*$ ]]; then
		fail "BENCH_FIT_ROWS and BENCH_FIT_REPEAT must be positive integers"
	elif say "fit: building bench/bench_fit.c" &&
	    ! cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Icommon -o "$scratch/bench_fit" \
	    bench/bench_fit.c build/opt/libmmm.a -lcsv -ljansson -lgsl -lopenblas -lm 2>"$scratch/fit.err"; then
		fail "bench_fit did not build: $(grep -m 2 -i error "$scratch/fit.err" | tr '\n' ' ')"
	else
		have_fitpeer=0
		if [[ -x $PY ]] && "$PY" -c 'import numpy, statsmodels.api, sklearn.linear_model' 2>/dev/null; then
			have_fitpeer=1
		else
			note "fit-*: $PY cannot import numpy, statsmodels and scikit-learn; peer columns left blank"
		fi
		fit_data=$scratch/fit-$fit_rows.f64
		fit_coef=$BENCH_DIR/fit-$fit_rows-ours-coef.tsv
		fit_agree=$BENCH_DIR/fit-$fit_rows-agree.txt
		dump_args=()
		((have_fitpeer)) && dump_args=(--dump "$fit_data" --coef "$fit_coef")
		say "fit $fit_rows: bench_fit (best of $fit_rep)"
		if "$scratch/bench_fit" --rows "$fit_rows" --repeat "$fit_rep" "${dump_args[@]}" \
		    >"$scratch/fit.out" 2>>"$scratch/fit.err"; then
			declare -A fit_peer=()
			if ((have_fitpeer)); then
				say "fit $fit_rows: fit_peer.py (statsmodels, scikit-learn; best of $fit_rep)"
				fit_rc=0
				"$PY" bench/fit_peer.py --rows "$fit_rows" --data "$fit_data" --coef "$fit_coef" \
				    --repeat "$fit_rep" >"$scratch/fitpeer.out" 2>"$fit_agree" || fit_rc=$?
				# case <TAB> peer_s
				while IFS=$'\t' read -r c ps; do
					[[ -n $c ]] && fit_peer[$c]=$ps
				done <"$scratch/fitpeer.out"
				if ((fit_rc == 0 || fit_rc == 2)); then
					note "fit-* agreement with the peers: $(grep "^agree: [yN]" "$fit_agree" | sed "s/^agree: //") (details: $fit_agree)"
					((fit_rc == 0)) || fail "fit_peer.py: our coefficients differ from the peers' (see $fit_agree)"
				else
					fail "fit_peer.py exited $fit_rc: $(grep -v '^agree:' "$fit_agree" | tail -n 2 | tr '\n' ' ')"
				fi
			fi
			# header line, then: case <TAB> rows <TAB> ours_s
			while IFS=$'\t' read -r c n o; do
				[[ -n $c ]] && row "$c" "$n" "$o" "${fit_peer[$c]:-}" "" "" "" ""
			done < <(tail -n +2 "$scratch/fit.out")
			note "fit-*: in-process fit time on generated data, $fit_rows rows x 20 features (x 10: -p10), best of $fit_rep; ours = common/ of build/opt/libmmm.a, peer = bench/fit_peer.py on the same doubles; ours: OpenBLAS on one thread, ols_fit on the online CPUs (as mmm-train); peer: OpenBLAS threads"
			note "fit-ols-inproc: ours ols_fit (coef, se, t, p, CI, R2, adj R2, F, llf, AIC, BIC, DW, JB, cond and VIF: it always computes VIF); peer sm.OLS(y, add_constant(X)).fit() + those statistics without VIF"
			note "fit-ols-vif-inproc: ours the same ols_fit time; peer adds variance_inflation_factor for every feature (one OLS each)"
			note "fit-bayes-inproc: bayesridge_fit vs BayesianRidge() (sklearn defaults); fit-ridge-inproc: ridge_fit vs Ridge(alpha=1.0)"
		else
			fail "bench_fit: $(tail -n 2 "$scratch/fit.err" | tr '\n' ' ')"
		fi
		rm -f -- "$fit_data"
	fi
else
	note "fit-*: skipped, bench/bench_fit.c or build/opt/libmmm.a missing (make builds it)"
fi

# --- predict: a linear model over the 20-column file, every size ---------------------
if [[ -n ${wide:-} && -s ${wide:-} && -x bin/mmm-train && -x bin/mmm-predict ]]; then
	ctx="predict train"
	pfeat=tv_spend,search_spend,social_spend,impressions,clicks,conversions,temperature,price,promo,radio_spend,ooh_spend,print_spend,email_sends,price_index,competitor_sales,rain_mm
	pmodel=$scratch/pmodel.json
	head -n 100001 -- "$wide" >"$scratch/ptrain.csv"
	if ! bin/mmm-train --model ols --target sales --features "$pfeat" \
	    -o "$pmodel" "$scratch/ptrain.csv" 2>"$scratch/ptrain.err"; then
		fail "mmm-train for the predict case: $(head -c 200 "$scratch/ptrain.err")"
		pmodel=
	fi
	for rows in $ROWS_LIST; do
		[[ -n $pmodel ]] || break
		ctx="predict $rows"
		pwide=$wide
		if [[ $rows != "${ROWS_LIST%% *}" ]]; then
			pwide=$(wide_file "$rows" "$(data_file "$rows")")
		fi
		cat -- "$pwide" >/dev/null
		fl_s='' wc_s=''
		if timed 0 wc -l "$pwide"; then wc_s=$T_S; fi
		if T_OUT=$scratch/floor.out timed 0 "$scratch/csv_floor" "$pwide"; then fl_s=$T_S; fi
		for iv in "" 0.9; do
			o_s='' o_kb='' p_s='' p_kb=''
			args=() pcase=predict
			[[ -z $iv ]] || { args=(--interval "$iv"); pcase=predict-interval; }
			say "$ctx: bin/mmm-predict ${args[*]}"
			if timed 0 bin/mmm-predict --model "$pmodel" "${args[@]}" "$pwide"; then
				o_s=$T_S o_kb=$T_KB
			fi
			if ((have_pandas)); then
				say "$ctx: pandas peer ${args[*]}"
				if timed 0 "$PY" bench/predict_peer.py "$pmodel" "$pwide" /dev/null \
				    "${args[@]}"; then p_s=$T_S p_kb=$T_KB; fi
			fi
			row "$pcase" "$rows" "$o_s" "$p_s" "$o_kb" "$p_kb" "$fl_s" "$wc_s"
			# the one-thread loop beside the default pipeline: its gain
			o_s='' o_kb=''
			say "$ctx: bin/mmm-predict --threads 1 ${args[*]}"
			if timed 0 bin/mmm-predict --threads 1 --model "$pmodel" "${args[@]}" "$pwide"; then
				o_s=$T_S o_kb=$T_KB
			fi
			row "$pcase-t1" "$rows" "$o_s" "" "$o_kb" "" "$fl_s" "$wc_s"
		done
	done
	if [[ -n $pmodel ]]; then
		head -n 2 -- "$wide" >"$scratch/pone.csv"
		median_startup o_s "$STARTUP_RUNS" 0 bin/mmm-predict --model "$pmodel" \
		    --interval 0.9 "$scratch/pone.csv"
		row startup-predict-1row 1 "$o_s" "" "" "" "" ""
		note "predict: an OLS model on 16 features (trained on the first 100k rows) applied to every row of the 20-column file, CSV (date, prediction[, lower, upper]) to /dev/null; peer = predict_peer.py (pandas read_csv, X @ coef + intercept, statsmodels' interval in numpy, to_csv); startup-predict-1row: median of $STARTUP_RUNS runs on one row, with an interval; predict*-t1: --threads 1 (read, predict, write in turn), beside the default (a reading thread beside the predicting one)"
	fi
fi

# --- mmm search: Robyn-scale (10,080 candidates, 208 weeks x 5 channels + 7 baseline) ---
robyn=../shared/data/robyn-simulated-weekly/dt_simulated_weekly.csv
if [[ -x bin/mmm-train && -s $robyn ]]; then
	ctx="mmm-search"
	margs=(--model mmm --target revenue --date DATE --media tv_S,ooh_S,print_S,facebook_S,search_S
	    --controls competitor_sales_B,newsletter --trend --now 2026-01-01-0000 "$robyn")
	mm_ok=1
	for th in 1 2; do
		say "mmm-search: bin/mmm-train --model mmm --threads $th"
		# One search, as the peer does (the default adds the stability
		# report: its own row below).
		if T_OUT=$scratch/mmm-$th.json timed 0 bin/mmm-train "${margs[@]}" --stability 0 --threads "$th"; then
			eval "mm_s$th=\$T_S mm_kb$th=\$T_KB"
		else
			mm_ok=0
		fi
	done
	if ((mm_ok)); then
		if cmp -s "$scratch/mmm-1.json" "$scratch/mmm-2.json"; then
			note "mmm-search: the model files of 1 and 2 threads are identical"
		else
			fail "mmm-search: the model files of 1 and 2 threads differ"
		fi
		peer_s=
		if [[ -x $PY ]] && "$PY" -c 'import numpy, scipy.optimize, scipy.signal' 2>/dev/null; then
			say "mmm-search: bench/mmm_peer.py (numpy + scipy nnls, 10080 candidates)"
			if T_OUT=$scratch/mmmpeer.out timed 0 "$PY" bench/mmm_peer.py "$robyn" 10080; then
				peer_s=$T_S
				note "mmm-search peer: $(cut -f2 "$scratch/mmmpeer.out") us a candidate in its loop"
			fi
		else
			note "mmm-search: $PY cannot import numpy and scipy; peer column left blank"
		fi
		row mmm-search-1thread 208 "$mm_s1" "$peer_s" "$mm_kb1" "" "" ""
		row mmm-search-2threads 208 "$mm_s2" "$peer_s" "$mm_kb2" "" "" ""
		note "mmm-search-*: whole process, Robyn's demo data, geometric + Hill on 5 channels, trend + 2 Fourier pairs + 2 controls; peer = the same work per candidate (random candidates) in numpy/scipy"
		# What the default stability report (3 seeds, 2 windows) costs:
		# four more searches.
		say "mmm-stability: bin/mmm-train --model mmm --stability 3 --windows 2 --threads 2"
		if timed 0 bin/mmm-train "${margs[@]}" --threads 2 --stability 3 --windows 2; then
			row mmm-stability-3x2 208 "$T_S" "" "$T_KB" "" "" ""
			note "mmm-stability-3x2: the search above plus refits with 2 more seeds and on 2 windows of 167 weeks, allocation shares; no peer offers it"
		fi
	fi
fi

# --- mmm bayes: 4 chains x (1000 warm-up + 1000 draws), Robyn-scale data ---
if [[ -x bin/mmm-train && -s $robyn ]]; then
	ctx="mmm-bayes"
	bargs=(--model mmm --method bayes --target revenue --date DATE
	    --media tv_S,ooh_S,print_S,facebook_S,search_S
	    --controls competitor_sales_B,newsletter --trend --now 2026-01-01-0000 "$robyn")
	say "mmm-bayes: bin/mmm-train --model mmm --method bayes --threads 2"
	# exit 0: the R-hat and ESS gates passed
	if T_OUT=$scratch/bayes.json timed 0 bin/mmm-train "${bargs[@]}" --threads 2 -o "$scratch/bayes-2.json"; then
		row mmm-bayes-2threads 208 "$T_S" "" "$T_KB" "" "" ""
		d=$(jq -r '.mmm.diagnostics | "R-hat max \(.rhat_max * 1000 | round / 1000), bulk ESS min \(.ess_min | round), divergences \(.divergences), \(.leapfrogs) gradients"' "$scratch/bayes-2.json" 2>/dev/null)
		note "mmm-bayes-2threads: whole process, NUTS, 4 chains x (1000 warm-up + 1000 draws) on Robyn's demo data (208 weeks, 5 channels, geometric + Hill, trend + 2 Fourier pairs + 2 controls); gates passed: $d; goal under 5 s"
		# one thread: its CPU time is the work, whatever else the
		# shared machine runs (load average beside it)
		if /usr/bin/time -f '%e %U' -o "$scratch/bayes-1.time" bin/mmm-train "${bargs[@]}" \
		    --threads 1 -o "$scratch/bayes-1.json" 2>/dev/null &&
		    cmp -s "$scratch/bayes-1.json" "$scratch/bayes-2.json"; then
			read -r w1 u1 < <(tail -n 1 "$scratch/bayes-1.time")
			note "mmm-bayes: the model files of 1 and 2 threads are identical; 1 thread: $w1 s wall, $u1 s CPU (load average $(cut -d' ' -f1 /proc/loadavg))"
		else
			fail "mmm-bayes: the model files of 1 and 2 threads differ"
		fi
	fi
	# No peer runs here (PyMC, Meridian and Robyn are not Debian packages);
	# what their users and authors report for comparable fits:
	note "mmm-bayes peers (published, not run here): Meridian sample_posterior ~10 min on a Colab T4 GPU, over an hour on an AWS g4dn T4 (google/meridian#1746); Robyn 2000 iterations x 5 trials ~15 min per trial for 1 year x 12 channels, weibull (facebookexperimental/Robyn#172); PyMC-Marketing 2-20x faster than Meridian by PyMC Labs' own benchmark (pymc-labs.com, 'PyMC-Marketing vs. Meridian', 2025-09-08)"
fi

# --- train: mmm-train as a whole process on the 20-column file (the first size only) --
if [[ -n ${wide:-} && -s ${wide:-} && -x bin/mmm-train ]]; then
	rows=${ROWS_LIST%% *}
	ctx="train $rows"
	# the numeric columns but sessions (3 x clicks) and competitor_sales
	# (1.7 x sales: it would make the fit exact)
	tfeat=tv_spend,search_spend,social_spend,impressions,clicks,conversions,temperature,price,promo,radio_spend,ooh_spend,print_spend,email_sends,price_index,rain_mm
	have_trainpeer=0
	if [[ -x $PY ]] && "$PY" -c 'import pandas, statsmodels.api, sklearn.linear_model' 2>/dev/null; then
		have_trainpeer=1
	else
		note "train-*: $PY cannot import pandas, statsmodels and scikit-learn; peer columns left blank"
	fi
	fl_s='' wc_s=''
	if timed 0 wc -l "$wide"; then wc_s=$T_S; fi
	if T_OUT=$scratch/floor.out timed 0 "$scratch/csv_floor" "$wide"; then fl_s=$T_S; fi
	for kind in ols bayes; do
		o_s='' o_kb='' p_s='' p_kb=''
		say "train $rows: bin/mmm-train --model $kind"
		if timed 0 bin/mmm-train --model "$kind" --target sales --features "$tfeat" \
		    -o "$scratch/train-$kind.json" "$wide"; then o_s=$T_S o_kb=$T_KB; fi
		if ((have_trainpeer)); then
			say "train $rows: train_peer.py --model $kind"
			if timed 0 "$PY" bench/train_peer.py --model "$kind" --target sales \
			    --features "$tfeat" "$wide" "$scratch/train-$kind-peer.json"; then
				p_s=$T_S p_kb=$T_KB
			fi
		fi
		row "train-$kind" "$rows" "$o_s" "$p_s" "$o_kb" "$p_kb" "$fl_s" "$wc_s"
	done
	# One thread: the reading in two parts off, for its gain.
	o_s='' o_kb=''
	say "train $rows: bin/mmm-train --model ols --threads 1"
	if timed 0 bin/mmm-train --model ols --threads 1 --target sales --features "$tfeat" \
	    -o "$scratch/train-ols-1.json" "$wide"; then o_s=$T_S o_kb=$T_KB; fi
	row "train-ols-1thread" "$rows" "$o_s" "" "$o_kb" "" "$fl_s" "$wc_s"
	note "train-ols, train-bayes: mmm-train on 15 features (default threads: a regular file is read in two parts at once; train-ols-1thread: --threads 1) of the 20-column file (model file written: statistics, covariance, metrics, profile, sha256); peer = bench/train_peer.py (pandas read_csv of the used columns + statsmodels OLS and its summary statistics, or scikit-learn BayesianRidge, training metrics, JSON)"
fi

# --- mmm-allocate (helper "alloc"; the scipy peer columns are helper "allocref"'s) ---
# Whole-process time of: 20 channels max-response (10 concave Hill, 10
# S-shaped) from a response CSV; and 1000 Monte Carlo draws x 3 scenarios
# (+ the current plan) of the Robyn-data model.  Goals: under 5 ms and 50 ms.
if [[ -x bin/mmm-allocate ]]; then
	ctx=allocate
	acsv=$scratch/alloc20.csv
	awk 'BEGIN {
		s = 12345; print "channel,beta,theta,alpha,gamma,current"
		for (i = 0; i < 20; i++) {
			for (j = 0; j < 5; j++) { s = (s * 1103515245 + 12345) % 2147483648; u[j] = s / 2147483648 }
			printf "ch%d,%.6g,%.4g,%.4g,%.6g,%.6g\n", i, 1000 + 4000 * u[0], 0.7 * u[1],
			    i % 2 ? 1.5 + 2 * u[2] : 0.5 + 0.5 * u[2], 100 + 1900 * u[3], 50 + 1450 * u[4]
		}
	}' >"$acsv"
	say "allocate: 20 channels max-response, budget 3000"
	o_s='' o_kb=''
	median_startup o_s "$STARTUP_RUNS" 0 bin/mmm-allocate --response "$acsv" --budget 3000 --unbounded || true
	if timed 0 bin/mmm-allocate --response "$acsv" --budget 3000 --unbounded; then o_kb=$T_KB; fi
	row alloc-20ch-max-response 20 "$o_s" "" "$o_kb" "" "" ""
	amodel=$scratch/mmm-1.json
	if [[ ! -s $amodel && -x bin/mmm-train && -s $robyn ]]; then
		bin/mmm-train --model mmm --target revenue --date DATE \
		    --media tv_S,ooh_S,print_S,facebook_S,search_S \
		    --controls competitor_sales_B,newsletter --trend \
		    --now 2026-01-01-0000 -o "$amodel" "$robyn" 2>/dev/null || true
	fi
	if [[ -s $amodel ]]; then
		say "allocate: 1000 draws x 3 scenarios"
		o_s='' o_kb=''
		median_startup o_s "$STARTUP_RUNS" 0 bin/mmm-allocate --model "$amodel" \
		    --simulate '+20%,-20%,+50%' --draws 1000 -q || true
		if timed 0 bin/mmm-allocate --model "$amodel" --simulate '+20%,-20%,+50%' \
		    --draws 1000 -q; then o_kb=$T_KB; fi
		row alloc-sim-1000x3 1000 "$o_s" "" "$o_kb" "" "" ""
	fi
	note "alloc-*: whole process, median of $STARTUP_RUNS runs: 20 channels max-response from a response CSV (10 concave, 10 S-shaped Hill curves; goal < 5 ms); 1000 Monte Carlo draws of the ridge coefficient covariance x 3 scenarios + the current plan with the max-response plan of the Robyn-data model (goal < 50 ms)"
fi

# --- allocate: the scipy peer beside alloc's rows (helper allocref) -----------------
# Fills the peer column of alloc-20ch-max-response and alloc-sim-1000x3 with
# bench/alloc_peer.py on the same inputs (median of PEER_RUNS whole-process
# runs): scipy SLSQP from current on $acsv, budget 3000, unbounded; numpy
# draws from the model's coef_cov, the current plan and the 3 scenarios
# (ours also solves the allocation in that run: the peer does less).
# set_peer CASE SECONDS: the peer column of the row CASE.
set_peer() {
	awk -F '\t' -v OFS='\t' -v c="$1" -v s="$2" '$1 == c { $4 = s } 1' "$rows_tsv" >"$rows_tsv.new" &&
	    mv -- "$rows_tsv.new" "$rows_tsv"
}
if [[ -s ${acsv:-} && -x bin/mmm-allocate ]]; then
	ctx=alloc-peer
	if [[ -x $PY ]] && "$PY" -c 'import numpy, scipy.optimize' 2>/dev/null; then
		say "allocate: scipy peer, 20 channels ($PEER_RUNS runs)"
		p_s=''
		if median_startup p_s "$PEER_RUNS" 0 "$PY" bench/alloc_peer.py response "$acsv" 3000 /dev/null; then
			set_peer alloc-20ch-max-response "$p_s"
		fi
		if bin/mmm-allocate --response "$acsv" --budget 3000 --unbounded >"$scratch/alloc-ours.json" 2>/dev/null &&
		    "$PY" bench/alloc_peer.py response "$acsv" 3000 "$scratch/alloc-peer.json"; then
			note "alloc-20ch-max-response: response ours $(jq .totals.response "$scratch/alloc-ours.json"), scipy SLSQP from current $(jq .totals.response "$scratch/alloc-peer.json")"
		fi
		if [[ -s ${amodel:-} ]]; then
			say "allocate: numpy peer, 1000 draws x 3 scenarios ($PEER_RUNS runs)"
			p_s=''
			if median_startup p_s "$PEER_RUNS" 0 "$PY" bench/alloc_peer.py simulate "$amodel" \
			    '+20%,-20%,+50%' 1000 1 /dev/null; then
				set_peer alloc-sim-1000x3 "$p_s"
			fi
		fi
		note "alloc-* peer: bench/alloc_peer.py, median of $PEER_RUNS whole-process runs (python3 + numpy/scipy start-up included); the sim peer only simulates, ours also allocates"
	else
		note "alloc-*: $PY cannot import numpy and scipy; peer columns left blank"
	fi
fi

# --- start-up ----------------------------------------------------------------------
small=$BENCH_DIR/daily-10-$gen_hash.csv
if [[ ! -s $small ]]; then
	[[ -n $first_file ]] || first_file=$(data_file 100000)
	head -n 11 -- "$first_file" >"$small.tmp.$$"
	mv -- "$small.tmp.$$" "$small"
fi
say "start-up: $STARTUP_RUNS runs each (peer: $PEER_RUNS)"
ctx=startup-help
o_s='' o_kb='' p_s='' p_kb=''
if ((have_ours)); then
	median_startup o_s "$STARTUP_RUNS" 0 "$VALIDATE" --help || true
	if timed 0 "$VALIDATE" --help; then o_kb=$T_KB; fi
fi
if ((have_pandas)); then
	median_startup p_s "$PEER_RUNS" 0 "$PY" -c 'import pandas' || true
	if timed 0 "$PY" -c 'import pandas'; then p_kb=$T_KB; fi
fi
row startup-help "" "$o_s" "$p_s" "$o_kb" "$p_kb" "" ""

ctx=startup-10rows
o_s='' o_kb='' p_s='' p_kb=''
if ((have_ours)); then
	median_startup o_s "$STARTUP_RUNS" "0 1" "$VALIDATE" "${validate_args[@]}" \
	    --report "$scratch/r10.json" --profile-out "$scratch/p10.json" "$small" || true
	if timed "0 1" "$VALIDATE" "${validate_args[@]}" \
	    --report "$scratch/r10.json" --profile-out "$scratch/p10.json" "$small"; then o_kb=$T_KB; fi
fi
if ((have_pandas)); then
	median_startup p_s "$PEER_RUNS" "0 1" "$PY" bench/validate_peer.py "$small" \
	    "$scratch/r10p.json" "$scratch/p10p.json" || true
	if timed "0 1" "$PY" bench/validate_peer.py "$small" "$scratch/r10p.json" "$scratch/p10p.json"; then
		p_kb=$T_KB
	fi
fi
row startup-10rows 10 "$o_s" "$p_s" "$o_kb" "$p_kb" "" ""
note "startup-*: median wall of $STARTUP_RUNS runs (peer $PEER_RUNS); peer = python3 -c 'import pandas' (help), validate_peer.py (10rows)"
note "times in seconds, whole process (wall); RSS = peak resident set; floor = bare libcsv pass (bench/csv_floor.c), wc = wc -l, same file"
((REPEAT == 1)) || note "whole-process timings are the best of $REPEAT runs"

# --- the table ---------------------------------------------------------------------
awk -F '\t' '
function sig(x,   e, d) {	# three significant digits, at least one decimal, no exponent
	if (x == "") return ""
	x += 0
	if (x <= 0) return sprintf("%.3f", x)
	e = log(x) / log(10)
	d = int(e)
	if (d > e) d--	# floor
	d = 2 - d
	if (d < 1) d = 1
	if (d > 7) d = 7
	return sprintf("%.*f", d, x)
}
function ratio(a, b) {
	if (a == "" || b == "" || b + 0 <= 0 || a + 0 <= 0) return ""
	return sprintf(a / b < 10 ? "%.2f" : "%.1f", a / b)
}
function mb(kb) { return kb == "" ? "" : sprintf("%.1f", kb / 1024) }
{
	n++
	cell[n, 1] = $1; cell[n, 2] = $2
	cell[n, 3] = sig($3); cell[n, 4] = sig($4); cell[n, 5] = ratio($4, $3)
	cell[n, 6] = mb($5); cell[n, 7] = mb($6)
	cell[n, 8] = sig($7); cell[n, 9] = ratio($3, $7)
	cell[n, 10] = sig($8); cell[n, 11] = ratio($3, $8)
}
END {
	split("case rows ours_s peer_s peer/ours ours_rss_MB peer_rss_MB floor_s ours/floor wc_s ours/wc", h, " ")
	for (c = 1; c <= 11; c++) {
		cell[0, c] = h[c]
		for (r = 0; r <= n; r++)
			if (length(cell[r, c]) > w[c]) w[c] = length(cell[r, c])
	}
	for (r = 0; r <= n; r++) {
		line = sprintf("%-*s", w[1], cell[r, 1])
		for (c = 2; c <= 11; c++)
			line = line sprintf("  %*s", w[c], cell[r, c])
		sub(/ +$/, "", line)
		print line
	}
}' "$rows_tsv"

if ((${#notes[@]})); then
	echo
	printf 'note: %s\n' "${notes[@]}"
fi
exit "$failed"
