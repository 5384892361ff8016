#!/usr/bin/env bats
# mmm-allocate against recorded references: 200 random --response problems
# (2-30 channels, concave and S-shaped Hill curves, tight and loose bounds)
# solved by scipy's SLSQP from the start and by a global search, and the
# Monte Carlo of Gaussian coefficients (independent, and correlated through
# a model's coef_cov) against its closed form.  The numbers come from
# tests/data/gen_alloc_ref.py (see its header; tests/data/alloc_ref/
# FINDINGS.md says what the tool misses); no Python here.
load common

REF=$BATS_TEST_DIRNAME/data/alloc_ref

# Run the tool once on every problem; the tests read the table it leaves:
# one line per problem, "ID RC FEASIBLE RESPONSE SPENT KKT_OK" then
# "CHANNEL RECOMMENDED MIN MAX" per channel, blank-separated (or "ID RC exit
# MESSAGE" when the tool failed).
setup_file() {
	local dir=$BATS_FILE_TMPDIR id budget rc
	awk -F, -v dir="$dir" 'NR > 1 {
		f = dir "/p" $1 ".csv"
		if (!(f in seen)) { seen[f] = 1; print "channel,beta,theta,alpha,gamma,current,min,max" > f }
		print $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $9 > f
	    }' "$REF/problems.csv"
	: >"$dir/rc"
	while IFS=, read -r id budget _; do
		rc=0
		mmm-allocate --response "$dir/p$id.csv" --budget "$budget" \
		    >"$dir/o$id.json" 2>"$dir/e$id.txt" || rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "$id 0" >>"$dir/rc"
		else
			echo "$id $rc $(head -c 200 "$dir/e$id.txt" | tr '\n' ' ')" >>"$dir/rc"
			rm -f "$dir/o$id.json"
		fi
	done < <(tail -n +2 "$REF/budgets.csv")
	# one jq for all the answers: "o12.json FEASIBLE ..." per file
	jq -r '[input_filename, .feasible, .totals.response,
	    .totals.recommended_spend, .kkt.ok,
	    (.channels[] | .channel, .recommended, .min, .max)]
	    | map(tostring) | join(" ")' "$dir"/o*.json >"$dir/answers" || true
	awk 'FNR == NR { sub(/.*\/o/, "", $1); sub(/\.json$/, "", $1); a[$1] = $0; next }
	    { id = $1; rc = $2
	      if (rc != 0) { print id, rc, "exit", $0; next }
	      if (!(id in a)) { print id, "jq", "no answer read"; next }
	      line = a[id]; sub(/^[^ ]* /, "", line); print id, rc, line }' \
	    "$dir/answers" "$dir/rc" >"$dir/results"
}

# check WHAT: run the awk check WHAT over every problem; prints one line per
# failing problem (id, the numbers compared) and fails when there is any.
check() {
	run awk -v what="$1" -v rel=1e-6 -f - "$REF/budgets.csv" "$REF/problems.csv" \
	    "$BATS_FILE_TMPDIR/results" <<'EOF'
function abs(v) { return v < 0 ? -v : v }
function hill(x, p, c,   a) {	# beta * hill(x / (1 - theta)), gamma in spend units
	a = x / (1 - th[p, c])
	return a <= 0 ? 0 : be[p, c] / (1 + (ga[p, c] / a) ^ al[p, c])
}
FILENAME ~ /budgets/ && FNR > 1 {
	split($0, f, ","); B[f[1]] = f[2]; nch[f[1]] = f[3]
	slsqp[f[1]] = f[6]; glob[f[1]] = f[7]; loc[f[1]] = f[10]; np++
	next
}
FILENAME ~ /problems/ && FNR > 1 {
	split($0, f, ","); c = ++k[f[1]]
	name[f[1], c] = f[2]; be[f[1], c] = f[3]; th[f[1], c] = f[4]
	al[f[1], c] = f[5]; ga[f[1], c] = f[6]; lo[f[1], c] = f[8]; hi[f[1], c] = f[9]
	next
}
FILENAME ~ /results/ {
	p = $1; seen++
	if ($2 != 0 || $3 != "true") {
		if (what == "runs") print "problem " p ": " $0
		else print "problem " p ": did not run (see the exit 0 test)"
		bad++
		next
	}
	obj = 0; spent = 0; ok = 1; msg = ""
	n = (NF - 6) / 4
	if (n != nch[p]) { print "problem " p ": " n " channels out, " nch[p] " in"; bad++; next }
	for (c = 1; c <= n; c++) {
		i = 6 + 4 * (c - 1)
		x = $(i + 2) + 0
		obj += hill(x, p, c); spent += x
		if ($(i + 1) != name[p, c]) { ok = 0; msg = msg " channel " c " is " $(i + 1) " not " name[p, c] }
		if ($(i + 3) + 0 != lo[p, c] || $(i + 4) + 0 != hi[p, c])
			{ ok = 0; msg = msg " " name[p, c] " bounds out " $(i + 3) ".." $(i + 4) " in " lo[p, c] ".." hi[p, c] }
		if (x < lo[p, c] - 1e-12 * abs(lo[p, c]) || x > hi[p, c] + 1e-12 * hi[p, c])
			{ ok = 0; msg = msg " " name[p, c] "=" $(i + 2) " outside " lo[p, c] ".." hi[p, c] }
	}
	if (what == "bounds" && !ok) { print "problem " p ":" msg; bad++ }
	if (what == "budget" && (abs(spent - B[p]) > 1e-9 * B[p] || abs($5 - B[p]) > 1e-9 * B[p])) {
		printf "problem %s: budget %s, channels sum to %.17g, totals.recommended_spend %s\n", p, B[p], spent, $5
		bad++
	}
	if (what == "response" && abs($4 - obj) > 1e-9 * abs(obj)) {
		printf "problem %s: totals.response %s, recomputed from the allocation %.17g\n", p, $4, obj
		bad++
	}
	if (what == "kkt" && $6 != "true") { print "problem " p ": kkt.ok is " $6; bad++ }
	if (what == "slsqp" && obj < slsqp[p] - rel * abs(slsqp[p])) {
		printf "problem %s: objective %.17g below SLSQP's %.17g (rel %.3g)\n", p, obj, slsqp[p], (slsqp[p] - obj) / slsqp[p]
		bad++
	}
	if (what == "global" && obj < glob[p] - rel * abs(glob[p])) {
		printf "problem %s: objective %.17g below the global %.17g (rel %.3g)\n", p, obj, glob[p], (glob[p] - obj) / glob[p]
		bad++
	}
	if (what == "local" && loc[p] == 1) {
		nloc++
		if (!(obj > slsqp[p] + 1e-9 * abs(slsqp[p]))) {
			printf "problem %s: objective %.17g not above SLSQP's local optimum %.17g (global %.17g)\n", p, obj, slsqp[p], glob[p]
			bad++
		}
	}
}
END {
	if (seen != np) { print "results for " seen " of " np " problems"; bad++ }
	if (what == "local") print nloc " local-optimum cases"
	exit bad > 0
}
EOF
	echo "$output"
	[ "$status" -eq 0 ]
}

# The references hang together: global >= SLSQP (to 1e-9: SLSQP's answer
# may miss the budget by ~1e-12 and read a hair higher), global <= the dual
# bound, and enough local-optimum cases to mean something.
@test "reference data: 200 problems, 2-30 channels, both curve kinds and bound kinds" {
	run awk -F, 'NR > 1 { n++; if ($3 < 2 || $3 > 30) bad++; kind[$4 "/" $5]++
	    if ($7 + 0 < $6 * (1 - 1e-9)) { print "problem " $1 ": global below slsqp"; bad++ }
	    if ($7 + 0 > $8 * (1 + 1e-9)) { print "problem " $1 ": global above the dual bound"; bad++ }
	    loc += $10 }
	    END { print n, length(kind), loc; exit !(n == 200 && length(kind) == 6 && loc >= 5 && !bad) }' \
	    "$REF/budgets.csv"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "every problem: exit 0 and feasible" {
	check runs
}

@test "every problem: channels in input order, bounds echoed and respected" {
	check bounds
}

@test "every problem: spends the budget to 1e-9 relative" {
	check budget
}

@test "every problem: totals.response is the response of the allocation (1e-9)" {
	check response
}

@test "every problem: KKT conditions verified (kkt.ok)" {
	check kkt
}

@test "every problem: never below scipy SLSQP from the same start by 1e-6 relative" {
	check slsqp
}

@test "every problem: at least the recorded global optimum less 1e-6 relative" {
	check global
}

@test "where SLSQP stops at a local optimum: strictly better" {
	check local
}

# --- Monte Carlo against a closed form -------------------------------------
# mc_response.csv: three Hill curves with beta_sd = 10% of beta;
# mc_model.json: the same curves as a model file whose coefficients have a
# strongly correlated covariance (mmm.coef_cov).  The curves are fixed and
# the coefficients Gaussian, so each plan's response is Gaussian with the
# mean and sd of mc_expected.csv / mc_model_expected.csv.  Tolerances: 5
# Monte Carlo standard errors at N draws, sd / sqrt(N) for the mean and
# sqrt(0.05 * 0.95) / phi(z_0.95) sd / sqrt(N) = 2.11 sd / sqrt(N) for p5 and
# p95 (the quantile's asymptotic error).

# mc_check EXPECTED N: the scenarios of $output (spend, mean, p5, p95)
# against EXPECTED at N draws.
mc_check() {
	local n=$2
	jq -r '.scenarios[] | [.name, .spend, .revenue_mean, .revenue_p5,
	    .revenue_p95] | @tsv' <<<"$output" >got.tsv
	run awk -F '\t' -v n="$n" '
	    function abs(v) { return v < 0 ? -v : v }
	    FILENAME ~ /expected/ { if (FNR > 1) { split($0, f, ","); sp[f[1]] = f[2]
		mu[f[1]] = f[3]; sd[f[1]] = f[4]; p5[f[1]] = f[5]; p95[f[1]] = f[6] }; next }
	    { if (!($1 in mu)) { print "unexpected scenario " $1; bad++; next }
	      se = sd[$1] / sqrt(n); got[$1] = 1
	      if (abs($2 - sp[$1]) > 1e-9 * sp[$1]) { print $1 ": spend " $2 " not " sp[$1]; bad++ }
	      if (abs($3 - mu[$1]) > 5 * se) { print $1 ": mean " $3 " not " mu[$1] " +- " 5 * se; bad++ }
	      if (abs($4 - p5[$1]) > 5 * 2.11 * se) { print $1 ": p5 " $4 " not " p5[$1] " +- " 5 * 2.11 * se; bad++ }
	      if (abs($5 - p95[$1]) > 5 * 2.11 * se) { print $1 ": p95 " $5 " not " p95[$1] " +- " 5 * 2.11 * se; bad++ } }
	    END { for (k in mu) if (!(k in got)) { print "missing scenario " k; bad++ }
		exit bad > 0 }' "$1" got.tsv
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "Monte Carlo (beta_sd): mean, p5, p95 of current, +20%, -20%, +50% match the closed form" {
	run_split mmm-allocate --response "$REF/mc_response.csv" \
	    --simulate '+20%,-20%,+50%' --draws 20000 --seed 7
	[ "$status" -eq 0 ]
	mc_check "$REF/mc_expected.csv" 20000
}

@test "Monte Carlo (correlated coef_cov): mean, p5, p95 match the closed form" {
	run_split mmm-allocate --model "$REF/mc_model.json" \
	    --simulate '+20%,-20%,+50%' --draws 20000 --seed 7
	[ "$status" -eq 0 ]
	[ "$(jq -r .uncertainty <<<"$output")" = coef_cov ]
	mc_check "$REF/mc_model_expected.csv" 20000
}

@test "Monte Carlo: the same seed gives the same scenarios, another seed others" {
	mmm-allocate --response "$REF/mc_response.csv" --simulate '+20%' --draws 500 --seed 3 >a.json
	mmm-allocate --response "$REF/mc_response.csv" --simulate '+20%' --draws 500 --seed 3 >b.json
	mmm-allocate --response "$REF/mc_response.csv" --simulate '+20%' --draws 500 --seed 4 >c.json
	cmp a.json b.json
	[ "$(jq -c .scenarios a.json)" != "$(jq -c .scenarios c.json)" ]
}
