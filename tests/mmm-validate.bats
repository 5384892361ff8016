#!/usr/bin/env bats
# mmm-validate: the data-quality gate.
load common

ROBYN=robyn-simulated-weekly/dt_simulated_weekly.csv
PYMC=pymc-marketing-mmm-example/mmm_example.csv
GEO=meridian-simulated/geo_all_channels.csv

small() {	# a clean 5-row daily table
	printf 'date,geo,tv_spend,clicks,impressions,sales\n'
	printf '2024-01-01,A,10,5,100,50\n'
	printf '2024-01-02,A,12,6,110,55\n'
	printf '2024-01-03,A,11,4,90,40\n'
	printf '2024-01-04,B,8,3,80,30\n'
	printf '2024-01-05,B,9,2,70,31\n'
}

# --- help, version, usage -------------------------------------------------

@test "--help prints usage on stdout and exits 0" {
	run_split mmm-validate --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: mmm-validate"* ]]
	[ -z "$stderr" ]
}

@test "every option of --help is in the man page and the completions" {
	root=$BATS_TEST_DIRNAME/..
	for o in $(mmm-validate --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -q -- "$o" "$root/man/mmm-validate.1" || grep -q -- "Fl -${o#--}" "$root/man/mmm-validate.1" || { echo "man lacks $o"; false; }
		grep -q -- "$o" "$root/completions/mmm.bash" || { echo "bash completion lacks $o"; false; }
		grep -q -- "$o" "$root/completions/_mmm" || { echo "zsh completion lacks $o"; false; }
	done
}

@test "--version names the tool" {
	run mmm-validate --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mmm-validate (mmm) "* ]]
}

@test "unknown option: usage error 64, one line" {
	run_split mmm-validate --bogus
	[ "$status" -eq 64 ]
	[ "$stderr" = 'mmm-validate: option "--bogus" is unknown or lacks its value (see mmm-validate --help)' ]
}

@test "bad option values are usage errors 64" {
	small > in.csv
	run mmm-validate --freq hourly in.csv;		[ "$status" -eq 64 ]
	run mmm-validate --max-missing 2 in.csv;	[ "$status" -eq 64 ]
	run mmm-validate --max-missing abc in.csv;	[ "$status" -eq 64 ]
	run mmm-validate --range tv_spend=5 in.csv;	[ "$status" -eq 64 ]
	run mmm-validate --range tv_spend=9:1 in.csv;	[ "$status" -eq 64 ]
	run mmm-validate --rule tv_spend in.csv;	[ "$status" -eq 64 ]
	run mmm-validate --today 2024-13-01 in.csv;	[ "$status" -eq 64 ]
	run mmm-validate in.csv in.csv;			[ "$status" -eq 64 ]
}

@test "--drop-invalid without --rejects is a usage error: no row may be lost" {
	small > in.csv
	run_split mmm-validate --drop-invalid in.csv
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--rejects"* ]]
}

# --- good input ------------------------------------------------------------

@test "clean data: rows pass unchanged, exit 0, report says pass" {
	small > in.csv
	run_split mmm-validate --date date --by geo --freq daily --report r.json in.csv
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat in.csv)" ]
	[ -z "$stderr" ]
	[ "$(jq -c '[.rows_in,.rows_out,.rows_rejected,.pass]' r.json)" = "[5,5,0,true]" ]
	[ "$(jq -c '.date_range' r.json)" = '["2024-01-01","2024-01-05"]' ]
}

@test "standard input and - read the same as a file" {
	small > in.csv
	mmm-validate --report a.json in.csv > a.csv
	mmm-validate --report b.json < in.csv > b.csv
	mmm-validate --report c.json - < in.csv > c.csv
	cmp a.csv b.csv && cmp a.csv c.csv
	[ "$(jq -r .input b.json)" = "<stdin>" ]
}

@test "report columns: types, counts, exact statistics" {
	small > in.csv
	mmm-validate --report r.json in.csv > /dev/null
	[ "$(jq -c '[.columns[]|.type]' r.json)" = '["date","text","numeric","numeric","numeric","numeric"]' ]
	# sales 50,55,40,30,31 (numpy: mean 41.2, sd ddof=1 11.166915420114902,
	# median 40, scipy MAD 10).  The sd streams (Welford), numpy makes two
	# passes: they agree to an ulp or two, not always to the last bit.
	[ "$(jq -c '.columns[5]|[.count,.missing,.min,.max,.mean,.median,.mad]' r.json)" = '[5,0,30,55,41.2,40,10]' ]
	[ "$(jq '(.columns[5].sd - 11.166915420114902) | fabs < 1e-13' r.json)" = true ]
}

@test "missing values: empty, NA, NaN, null in any case count as missing, never zero" {
	printf 'x,y\n1,a\n,b\nNA,c\nnan,d\nNULL,e\nna,f\n3,g\n' > in.csv
	run mmm-validate --max-missing 1 --report r.json in.csv
	[ "$status" -eq 0 ]
	[ "$(jq -c '.columns[0]|[.type,.count,.missing,.mean,.min]' r.json)" = '["numeric",2,5,2,1]' ]
}

@test "CRLF line ends and a UTF-8 BOM are read; output has LF" {
	printf '\xef\xbb\xbfdate,x\r\n2024-01-01,1\r\n2024-01-02,2\r\n' > in.csv
	run_split mmm-validate --report r.json in.csv
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'date,x\n2024-01-01,1\n2024-01-02,2')" ]
	[ "$(jq -r '.columns[0].name' r.json)" = "date" ]
}

@test "quoted fields with commas, quotes and newlines pass through intact" {
	printf 'date,note,x\n2024-01-01,"a, b",1\n2024-01-02,"say ""hi""",2\n2024-01-03,"two\nlines",3\n2024-01-04,"plain",4\n' > in.csv
	run_split mmm-validate --report r.json in.csv
	[ "$status" -eq 0 ]
	expected=$(printf 'date,note,x\n2024-01-01,"a, b",1\n2024-01-02,"say ""hi""",2\n2024-01-03,"two\nlines",3\n2024-01-04,plain,4')
	[ "$output" = "$expected" ]
	# Reading its own output gives the same output.
	mmm-validate < "$TMP/.out" > again.csv
	cmp "$TMP/.out" again.csv
	[ "$(jq .rows_in r.json)" = 4 ]
}

@test "blank lines are skipped and line numbers stay exact" {
	printf 'x,y\n1,2\n\n3,4\n\n5\n' > in.csv
	run_split mmm-validate in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"in.csv:6: expected 2 fields"* ]]
}

@test "header only: zero rows, exit 0" {
	printf 'date,x\n' > in.csv
	run_split mmm-validate --report r.json in.csv
	[ "$status" -eq 0 ]
	[ "$output" = "date,x" ]
	[ "$(jq -c '[.rows_in,.pass]' r.json)" = '[0,true]' ]
}

@test "a 1 MB field passes through" {
	{ printf 'id,blob\n1,'; head -c 1000000 /dev/zero | tr '\0' 'a'; printf '\n2,b\n'; } > in.csv
	run mmm-validate --report r.json in.csv
	[ "$status" -eq 0 ]
	mmm-validate in.csv | cmp - in.csv
}

@test "non-UTF-8 bytes pass through unchanged" {
	printf 'name,x\ncaf\xe9,1\n\xff\xfe,2\n' > in.csv
	mmm-validate in.csv > out.csv
	cmp in.csv out.csv
}

# --- row-level checks --------------------------------------------------------

@test "non-numeric value in a --numeric column: exit 65 naming file, line, column, value" {
	printf 'date,x\n2024-01-01,1\n2024-01-02,abc\n' > in.csv
	run_split mmm-validate --numeric x in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-validate: in.csv:3: column "x": "abc" is not a number' ]
}

@test "ragged row: exit 65 with file and line" {
	printf 'a,b,c\n1,2,3\n4,5\n' > in.csv
	run_split mmm-validate in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = "mmm-validate: in.csv:3: expected 3 fields as in the header, found 2" ]
}

@test "a --require column missing from the header: exit 65 naming it" {
	small > in.csv
	run_split mmm-validate --require sales,revenue in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-validate: in.csv:1: no column "revenue" in the header' ]
}

@test "unreadable and absent files: exit 66" {
	small > in.csv
	chmod 000 in.csv
	if [ "$(id -u)" -ne 0 ]; then
		run_split mmm-validate in.csv
		[ "$status" -eq 66 ]
	fi
	run_split mmm-validate nonexistent.csv
	[ "$status" -eq 66 ]
	[[ "$stderr" == "mmm-validate: nonexistent.csv: cannot open: No such file or directory" ]]
	run_split mmm-validate .
	[ "$status" -eq 66 ]
}

@test "a required value missing fails the check with its line" {
	printf 'date,sales\n2024-01-01,1\n2024-01-02,\n' > in.csv
	run_split mmm-validate --require sales --max-missing 1 in.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'in.csv:3: check require failed: column "sales": 1 row'* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
}

@test "--rule between columns and with a number" {
	small > in.csv
	printf '2024-01-03,B,1,500,90,20\n' >> in.csv
	run_split mmm-validate --rule 'clicks<=impressions' --rule 'sales>25' in.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'in.csv:7: check rule failed: rule "clicks<=impressions": 1 row'* ]]
	[[ "$stderr" == *'in.csv:7: check rule failed: rule "sales>25": 1 row'* ]]
}

@test "--rule on a column the input lacks: exit 65" {
	small > in.csv
	run_split mmm-validate --rule 'clicks<=views' in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'"views"'* ]]
}

@test "--range and default --nonneg (case-insensitive *spend*)" {
	printf 'date,TV_Spend,temp\n2024-01-01,5,20\n2024-01-02,-1,20\n2024-01-03,5,99\n' > in.csv
	run_split mmm-validate --range temp=-40:50 --report r.json in.csv
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.checks[]|select(.pass==false)|[.check,.column,.rows,.first_line]]' r.json)" = '[["range","temp",1,4],["nonneg","TV_Spend",1,3]]' ]
}

@test "--drop-invalid: bad rows go to --rejects with _reason; counts add up; nothing lost" {
	printf 'date,x,y\n2024-01-01,1,2\n2024-01-02,abc,2\n2024-01-03,-5,9\n2024-01-03,7,8\n2024-01-04,2,1\n2024-01-04,2,1\n2024-01-04,3,1\n' > in.csv
	run_split mmm-validate --numeric x --nonneg x --rule 'y<8' --drop-invalid --rejects rej.csv --report r.json in.csv
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.rows_in,.rows_out,.rows_rejected]' r.json)" = "[7,2,5]" ]
	[ "$(head -1 rej.csv)" = "date,x,y,_reason" ]
	[ "$(wc -l < rej.csv)" -eq 6 ]
	grep -q '^2024-01-02,abc,2,"column ""x"": ""abc"" is not a number"$' rej.csv
	grep -q '^2024-01-03,-5,9,"column ""x"": -5 is negative; rule y<8 broken: y=9"$' rej.csv
	grep -q '^2024-01-03,7,8,rule y<8 broken: y=8$' rej.csv
	grep -q '^2024-01-04,2,1,duplicate of line 6$' rej.csv
	grep -q '^2024-01-04,3,1,duplicate key date (first at line 6)$' rej.csv
	# Every input row is in the output or the rejects, byte for byte.
	{ tail -n +2 "$TMP/.out"; tail -n +2 rej.csv | sed -E 's/,("([^"]|"")*"|[^,]*)$//'; } | sort > both
	tail -n +2 in.csv | sort > all
	cmp both all
}

@test "--max-rejected gates the rejected fraction" {
	printf 'x\n1\n-1\n2\n' > in.csv
	run mmm-validate --nonneg x --drop-invalid --rejects rej.csv --max-rejected 0.2 in.csv
	[ "$status" -eq 1 ]
	run mmm-validate --nonneg x --drop-invalid --rejects rej.csv --max-rejected 0.5 in.csv
	[ "$status" -eq 0 ]
}

@test "a bad date in the date column: exit 65, or rejected" {
	printf 'date,x\n2024-01-01,1\n2024-02-30,2\n' > in.csv
	run_split mmm-validate in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'in.csv:3: column "date": "2024-02-30" is not a date'* ]]
	run mmm-validate --drop-invalid --rejects rej.csv in.csv
	[ "$status" -eq 0 ]
	[ "$(wc -l < rej.csv)" -eq 2 ]
}

# --- uniqueness ------------------------------------------------------------

@test "duplicate keys (date + --by) and exact duplicate rows" {
	small > in.csv
	printf '2024-01-03,A,11,4,90,41\n2024-01-05,B,9,2,70,31\n' >> in.csv
	run_split mmm-validate --by geo --report r.json in.csv
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.checks[]|select(.check=="unique_key" or .check=="duplicate_rows")|[.check,.pass,.rows,.first_line]]' r.json)" = '[["unique_key",false,1,7],["duplicate_rows",false,1,8]]' ]
	run mmm-validate --by geo --max-duplicates 1 --key geo,sales in.csv
	[ "$status" -eq 0 ]
	run mmm-validate --by geo --no-unique in.csv
	[ "$status" -eq 0 ]
}

# --- order, gaps, age ------------------------------------------------------

@test "daily gaps and order per group; missing periods counted" {
	printf 'date,geo,x\n2024-01-01,A,1\n2024-01-04,A,1\n2024-01-03,A,1\n2024-01-01,B,1\n2024-01-02,B,1\n' > in.csv
	run_split mmm-validate --by geo --freq daily --report r.json in.csv
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.checks[]|select(.check|startswith("date"))|[.check,.pass,.rows]]' r.json)" = '[["date",true,null],["date_order",false,1],["date_gaps",false,1]]' ]
	[ "$(jq -r '.checks[]|select(.check=="date_gaps")|.detail' r.json)" = "2 missing daily periods" ]
}

@test "weekly frequency on the Robyn data: no gaps, in order" {
	run mmm-validate --date DATE --freq weekly --allow-missing events --outlier-cols revenue --report r.json "$DATA/$ROBYN"
	[ "$status" -eq 0 ]
	[ "$(jq -c '.date_range' r.json)" = '["2015-11-23","2019-11-11"]' ]
}

@test "--max-age against --today" {
	small > in.csv
	run mmm-validate --today 2024-01-13 --max-age 7 in.csv
	[ "$status" -eq 1 ]
	run mmm-validate --today 2024-01-13 --max-age 7 --report r.json in.csv
	[ "$(jq -c '.checks[]|select(.check=="max_age")|[.value,.detail]' r.json)" = '[8,"latest date 2024-01-05"]' ]
	run mmm-validate --today 2024-01-12 --max-age 7 in.csv
	[ "$status" -eq 0 ]
}

# --- outliers and leakage --------------------------------------------------

@test "robust z outliers: median/MAD, MAD 0 falls back to mean absolute deviation" {
	# x: median 3.5, MAD 1.5 (numpy, scipy): 100 is an outlier, 9 is not
	# (z 2.47); z: MAD 0, mean abs. deviation 0.6: 5 is (z 6.65), 1 is not
	printf 'x,z\n1,0\n2,0\n3,0\n4,0\n5,0\n3,0\n9,0\n100,1\n2,5\n4,0\n' > in.csv
	run mmm-validate --no-unique --report r.json in.csv
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.columns[]|[.median,.mad,.outliers]]' r.json)" = '[[3.5,1.5,1],[0,0,1]]' ]
	run mmm-validate --no-unique --max-outliers 0.2 in.csv
	[ "$status" -eq 0 ]
	run mmm-validate --no-unique --outlier-z 100 in.csv
	[ "$status" -eq 0 ]
}

@test "leakage: a column proportional to the target and a near-copy are flagged" {
	printf 'sales,twice,noise,copy\n10,20,1,10.1\n20,40,5,19.9\n15,30,2,15\n40,80,1,40.2\n33,66,9,33\n' > in.csv
	run_split mmm-validate --target sales --report r.json in.csv
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.checks[]|select(.check=="leakage")|[.column,.pass]]' r.json)" = '[["twice",false],["noise",true],["copy",false]]' ]
	[ "$(jq -r '.checks[]|select(.check=="leakage" and .column=="twice")|.detail' r.json)" = 'equals the target "sales" times 2' ]
}

# --- profile and drift -----------------------------------------------------

@test "--profile-out then --against: same data passes, drift fails" {
	small > in.csv
	mmm-validate --profile-out p.json in.csv > /dev/null
	[ "$(jq -r '.format' p.json)" = "mmm-profile" ]
	[ "$(jq -c '.columns[1].categories' p.json)" = '{"A":3,"B":2}' ]
	run mmm-validate --against p.json in.csv
	[ "$status" -eq 0 ]
	# sales mean moves by more than 2 sds; a new geo appears
	sed -e 's/,50$/,500/;s/,55$/,550/;s/,40$/,400/' -e 's/^2024-01-05,B/2024-01-05,C/' in.csv > drift.csv
	run_split mmm-validate --against p.json --report r.json drift.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'check drift_mean failed: column "sales"'* ]]
	[[ "$stderr" == *'check drift_category failed: column "geo"'* ]]
	cut -d, -f1-5 in.csv > fewer.csv
	run_split mmm-validate --against p.json fewer.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'drift_schema failed: column "sales"'* ]]
}

@test "--against a missing or foreign file: 66 / 65" {
	small > in.csv
	run mmm-validate --against nope.json in.csv
	[ "$status" -eq 66 ]
	echo '{"format":"other"}' > x.json
	run mmm-validate --against x.json in.csv
	[ "$status" -eq 65 ]
	echo 'not json' > y.json
	run mmm-validate --against y.json in.csv
	[ "$status" -eq 65 ]
}

# --- files and pipes -------------------------------------------------------

@test "-o is written only when every check passes; an old file stays untouched" {
	small > in.csv
	echo old > out.csv
	run mmm-validate --today 2030-01-01 --max-age 1 -o out.csv in.csv
	[ "$status" -eq 1 ]
	[ "$(cat out.csv)" = "old" ]
	run mmm-validate -o out.csv in.csv
	[ "$status" -eq 0 ]
	cmp out.csv in.csv
	[ -z "$(ls | grep tmp)" ]
}

@test "closed pipe: | head -1 exits 0 with no message" {
	{ echo date,x; for i in $(seq 1 200000); do echo "2024-01-01,$i"; done; } > big.csv
	mmm-validate --no-unique big.csv 2> err | head -1 > first
	[ "${PIPESTATUS[0]}" -eq 0 ]
	[ ! -s err ]
	[ "$(cat first)" = "date,x" ]
}

@test "write error on stdout: exit 74; cannot create report: exit 73" {
	small > in.csv
	run_split mmm-validate in.csv > /dev/full
	run bash -c 'mmm-validate in.csv > /dev/full'
	[ "$status" -eq 74 ]
	run mmm-validate --report /nonexistent-dir/r.json in.csv
	[ "$status" -eq 73 ]
}

@test "malformed quoting: exit 65 with the line" {
	printf 'a,b\n1,2\n3,x"y\n' > in.csv
	run_split mmm-validate in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == "mmm-validate: in.csv:3: malformed CSV"* ]]
	printf 'a,b\n1,"open\n' > in2.csv
	run_split mmm-validate in2.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"in2.csv:2: unterminated quoted field"* ]]
}

@test "empty input and duplicate header names: exit 65" {
	: > in.csv
	run_split mmm-validate in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"empty input"* ]]
	printf 'a,b,a\n1,2,3\n' > dup.csv
	run_split mmm-validate dup.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'dup.csv:1: duplicate column name "a"'* ]]
}

# --- the real datasets (reference values: pandas + scipy, see
# tests/data/xcheck_validate.py) -------------------------------------------

@test "Robyn weekly: 208 rows, events 99% missing, outliers in flighted spends" {
	run_split mmm-validate --date DATE --freq weekly --report r.json "$DATA/$ROBYN"
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.rows_in,.rows_out,.rows_rejected]' r.json)" = "[208,208,0]" ]
	[ "$(jq -c '.columns[]|select(.name=="events")|[.type,.count,.missing]' r.json)" = '["text",2,206]' ]
	[ "$(jq -c '[.columns[]|select(.outliers>0)|[.name,.outliers]]' r.json)" = '[["tv_S",7],["ooh_S",9],["print_S",5],["facebook_I",1],["facebook_S",3],["newsletter",1]]' ]
	[ "$(jq -c '.columns[1]|[.mean,.median,.mad]' r.json)" = '[1822142.772435897,1874514.166666665,595722.5000000001]' ]
	# Every record comes out byte for byte (the quoted header is re-quoted only where needed).
	diff <(tail -n +2 "$TMP/.out") <(tail -n +2 "$DATA/$ROBYN" | tr -d '\r' | sed 's/"\([^",]*\)"/\1/g')
}

@test "PyMC-Marketing example: 179 rows pass with exact statistics" {
	run mmm-validate --date date_week --freq weekly --require y,x1,x2 --target y --report r.json "$DATA/$PYMC"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.rows_in,.pass]' r.json)" = "[179,true]" ]
	[ "$(jq -c '.columns[1]|[.mean,.median,.mad,.min,.max]' r.json)" = '[5284.947575897942,5163.385726287928,721.7604485405136,3192.87959337464,8312.407544391639]' ]
}

@test "Meridian geo panel: 40 geos x 156 weeks, keys unique, no gaps" {
	run mmm-validate --date time --by geo --freq weekly --outlier-cols conversions --report r.json "$DATA/$GEO"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.rows_in,.rows_out,.pass]' r.json)" = "[6240,6240,true]" ]
	[ "$(jq -c '.checks[]|select(.check=="unique_key")|[.column,.value]' r.json)" = '["time,geo",0]' ]
	[ "$(jq -c '[.columns[]|select(.name=="Promo")|.outliers]' r.json)" = '[1776]' ]
}

# --- regressions found in review -------------------------------------------

@test "-o - on a failed check still streams every row" {
	{ echo date,x; for i in $(seq 1 30000); do echo "2024-01-01,$i"; done; } > in.csv
	run_split mmm-validate -o - --key x --today 2030-01-01 --max-age 1 in.csv
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 30001 ]
}

@test "default --nonneg: exact names ignore case too; negatives after a text value are caught" {
	printf 'date,Revenue,tv_spend\n2024-01-01,5,1\n2024-01-02,-5,x\n2024-01-03,5,-1\n' > in.csv
	run mmm-validate --report r.json in.csv
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.checks[]|select(.check=="nonneg")|[.column,.rows,.first_line]]' r.json)" = '[["Revenue",1,3],["tv_spend",1,4]]' ]
}

@test "--max-rejected without --drop-invalid is a usage error" {
	printf 'x\n1\n' > in.csv
	run mmm-validate --max-rejected 0.1 in.csv
	[ "$status" -eq 64 ]
}

@test "--profile-out is written only when every check passes" {
	printf 'x\n1\n-1\n' > in.csv
	run mmm-validate --nonneg x --profile-out p.json in.csv
	[ "$status" -eq 1 ]
	[ ! -e p.json ]
}

@test "outlier detail names the scale used, including the MAD-is-0 fallback" {
	printf 'z\n0\n0\n0\n0\n0\n0\n0\n1\n5\n0\n' > in.csv
	mmm-validate --no-unique --report r.json in.csv > /dev/null || true
	[ "$(jq -r '.checks[]|select(.check=="outliers")|.detail' r.json)" = "|x - median| / 1.2533 mean absolute deviation (MAD is 0) > 5" ]
}

@test "column lists take globs; a glob matching nothing is an error" {
	printf 'tv_spend,radio_spend,y\n1,2,3\n4,x,6\n' > in.csv
	run_split mmm-validate --numeric '*_spend' in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'column "radio_spend": "x" is not a number'* ]]
	run_split mmm-validate --numeric '*_cost' in.csv
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'no column matches "*_cost"'* ]]
}

@test "outputs that are links or devices are written in place, never replaced" {
	small > in.csv
	ln -s target.csv link.csv
	echo old > target.csv
	run mmm-validate -o link.csv in.csv
	[ "$status" -eq 0 ]
	[ -L link.csv ]
	cmp target.csv in.csv
	run mmm-validate --report /dev/null in.csv
	[ "$status" -eq 0 ]
	[ -c /dev/null ]
}

@test "a one-column record with an empty field survives a round trip" {
	printf 'x\n""\n1\n' > in.csv
	mmm-validate --max-missing 1 in.csv > a.csv
	mmm-validate --max-missing 1 --report r.json a.csv > /dev/null
	[ "$(jq .rows_in r.json)" = 2 ]
}

@test "a value with a newline is shown on one line in an error" {
	printf 'date,x\n2024-01-01,"1\n2"\n' > in.csv
	run_split mmm-validate --numeric x in.csv
	[ "$status" -eq 65 ]
	[ "$stderr" = 'mmm-validate: in.csv:2: column "x": "1\n2" is not a number' ]
}

@test "nothing lost on random dirty input: rows_in = out + rejected, every row back byte for byte" {
	for seed in 1 2 3; do
		awk -v seed=$seed 'BEGIN {
			srand(seed); print "date,geo,spend,clicks,impressions,note"
			for (i = 0; i < 1000; i++) {
				d = sprintf("2024-%02d-%02d", 1 + int(rand() * 12), 1 + int(rand() * 28))
				r = rand()
				s = r < 0.05 ? "abc" : r < 0.1 ? "-" int(rand() * 9) : r < 0.15 ? "" : sprintf("%.2f", rand() * 100)
				c = int(rand() * 50); m = int(rand() * 60)
				n = rand() < 0.1 ? "\"a, \"\"quoted\"\" note\"" : "x" int(rand() * 5)
				if (rand() < 0.03) d = "2024-02-30"
				print d ",G" int(rand() * 3) "," s "," c "," m "," n
			}
		}' > in.csv
		run_split mmm-validate --by geo --numeric spend --require spend --rule 'clicks<=impressions' --drop-invalid --rejects rej.csv --report r.json in.csv
		[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
		[ "$(jq '.rows_in == .rows_out + .rows_rejected' r.json)" = true ]
		[ "$(jq .rows_in r.json)" -eq 1000 ]
		# Read both outputs back and compare every record with the input's,
		# through mmm-validate itself (it re-quotes only where needed), with
		# the date column renamed so that bad dates are only text there.
		canon() { sed '1s/^date,/day,/' | mmm-validate --no-unique --max-missing 1 --max-outliers 1 2>/dev/null | tail -n +2; }
		canon < "$TMP/.out" > got
		canon < rej.csv | sed -E 's/,("([^"]|"")*"|[^,"]*)$//' >> got
		canon < in.csv > want
		[ "$(wc -l < want)" -eq 1000 ]
		diff <(sort got) <(sort want)
	done
}

@test "the examples of the man page run on the bundled data" {
	cp "$DATA/$ROBYN" robyn_weekly.csv
	cp "$DATA/$PYMC" pymc_example.csv
	n=$(man_examples "$BATS_TEST_DIRNAME/../man/mmm-validate.1")
	[ "$n" -ge 5 ]
	for ex in ex-*; do
		run_example "$ex"
		# a gate may fail (1), never a usage or input error
		[ "$status" -le 2 ] || { echo "$ex: exit $status: $output"; false; }
	done
	[ -s report.json ] && [ -s profile.json ] && [ -s clean.csv ]
}
