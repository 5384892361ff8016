/* test_split: holdout and TimeSeriesSplit boundaries against scikit-learn,
 * the --test parser, the plan's checks, and the row store. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "date.h"
#include "err.h"
#include "out.h"
#include "split.h"
#include "tap.h"

/*
 * Reference: scikit-learn 1.2.1 (Debian 12, /usr/bin/python3),
 *   TimeSeriesSplit(n_splits=k, gap=gap, test_size=ts or None,
 *                   max_train_size=mt or None).split(np.arange(n))
 * each fold as "train[0],train[-1]+1,test[0],test[-1]+1".
 */
static const struct {
	size_t n, k, gap, ts, mt;
	const char *folds;
} tss[] = {
	{ 208, 5, 0, 0, 0, "0,38,38,72 0,72,72,106 0,106,106,140 0,140,140,174 0,174,174,208" },
	{ 208, 5, 4, 0, 0, "0,34,38,72 0,68,72,106 0,102,106,140 0,136,140,174 0,170,174,208" },
	{ 208, 5, 2, 26, 52, "24,76,78,104 50,102,104,130 76,128,130,156 102,154,156,182 128,180,182,208" },
	{ 156, 5, 0, 0, 0, "0,26,26,52 0,52,52,78 0,78,78,104 0,104,104,130 0,130,130,156" },
	{ 156, 5, 3, 20, 0, "0,53,56,76 0,73,76,96 0,93,96,116 0,113,116,136 0,133,136,156" },
	{ 20, 3, 1, 4, 0, "0,7,8,12 0,11,12,16 0,15,16,20" },
	{ 10, 4, 0, 0, 0, "0,2,2,4 0,4,4,6 0,6,6,8 0,8,8,10" },
	{ 7, 6, 0, 0, 0, "0,1,1,2 0,2,2,3 0,3,3,4 0,4,4,5 0,5,5,6 0,6,6,7" },
	{ 12, 2, 0, 5, 3, "0,2,2,7 4,7,7,12" },
	{ 100, 7, 5, 0, 30, "0,11,16,28 0,23,28,40 5,35,40,52 17,47,52,64 29,59,64,76 41,71,76,88 53,83,88,100" },
};

/* scikit-learn 1.2.1 raises ValueError for these (n, k, gap, ts) and
 * accepts the last two. */
static const struct {
	size_t n, k, gap, ts;
	int ok;
} tss_err[] = {
	{ 5, 5, 0, 0, 0 },	/* Cannot have number of folds=6 greater ... */
	{ 10, 3, 2, 3, 0 },	/* Too many splits=3 ... test_size=3 and gap=2 */
	{ 12, 5, 2, 0, 0 },	/* Too many splits=5 ... test_size=2 and gap=2 */
	{ 13, 5, 2, 0, 1 },
	{ 15, 5, 2, 0, 1 },
};

/* Reference: len(test) of train_test_split(np.arange(n), test_size=f,
 * shuffle=False) in scikit-learn 1.2.1; -1 where it raises (empty train). */
static const size_t frac_n[] = { 3, 10, 30, 100, 156, 208, 1000 };
static const struct {
	double f;
	long ntest[7];
} frac[] = {
	{ 0.01, { 1, 1, 1, 1, 2, 3, 10 } },
	{ 0.07, { 1, 1, 3, 8, 11, 15, 70 } },
	{ 0.1, { 1, 1, 3, 10, 16, 21, 100 } },
	{ 0.14, { 1, 2, 5, 15, 22, 30, 140 } },
	{ 0.2, { 1, 2, 6, 20, 32, 42, 200 } },
	{ 0.25, { 1, 3, 8, 25, 39, 52, 250 } },
	{ 0.29, { 1, 3, 9, 29, 46, 61, 290 } },
	{ 0.3, { 1, 3, 9, 30, 47, 63, 300 } },
	{ 0.33, { 1, 4, 10, 33, 52, 69, 330 } },
	{ 0.57, { 2, 6, 18, 57, 89, 119, 570 } },
	{ 0.7, { -1, 7, 21, 70, 110, 146, 700 } },
	{ 0.99, { -1, -1, -1, 99, 155, 206, 990 } },
};

static void
test_folds(void)
{
	char err[256], got[1024];

	for (size_t t = 0; t < sizeof tss / sizeof *tss; t++) {
		size_t size = 0, len = 0;
		split_layout l;
		int rc = split_folds_check(tss[t].n, tss[t].k, tss[t].gap,
		    tss[t].ts, &size, err, sizeof err);
		got[0] = '\0';
		for (size_t i = 0; rc == 0 && i < tss[t].k; i++) {
			split_fold(tss[t].n, tss[t].k, tss[t].gap, size,
			    tss[t].mt, i, &l);
			len += (size_t)snprintf(got + len, sizeof got - len,
			    "%s%zu,%zu,%zu,%zu", i ? " " : "",
			    l.lo[SPLIT_TRAIN], l.hi[SPLIT_TRAIN],
			    l.lo[SPLIT_TEST], l.hi[SPLIT_TEST]);
		}
		if (!TAP_OK(rc == 0 && strcmp(got, tss[t].folds) == 0,
		    "TimeSeriesSplit n=%zu k=%zu gap=%zu ts=%zu mt=%zu",
		    tss[t].n, tss[t].k, tss[t].gap, tss[t].ts, tss[t].mt))
			TAP_DIAG("got %s", rc ? err : got);
	}
	for (size_t t = 0; t < sizeof tss_err / sizeof *tss_err; t++) {
		size_t size;
		int rc = split_folds_check(tss_err[t].n, tss_err[t].k,
		    tss_err[t].gap, tss_err[t].ts, &size, err, sizeof err);
		TAP_OK((rc == 0) == tss_err[t].ok, "TimeSeriesSplit n=%zu k=%zu "
		    "gap=%zu ts=%zu %s", tss_err[t].n, tss_err[t].k,
		    tss_err[t].gap, tss_err[t].ts,
		    tss_err[t].ok ? "accepted" : "refused");
	}
	size_t size;
	split_folds_check(12, 5, 2, 0, &size, err, sizeof err);
	TAP_OK(strcmp(err, "5 folds of 2 validation periods (12 // 6) and a "
	    "gap of 2 need more than 2 + 5 x 2 = 12 periods, found 12") == 0,
	    "too many folds: the message says how many periods: %s", err);
}

static void
test_fraction(void)
{
	char err[256];
	int bad = 0;

	for (size_t f = 0; f < sizeof frac / sizeof *frac; f++)
		for (size_t j = 0; j < 7; j++) {
			size_t n = frac_n[j], c = split_frac_count(frac[f].f, n);
			split_layout l;
			int rc = split_holdout(n, n - c, 0, &l, err, sizeof err);
			long want = frac[f].ntest[j];
			if (want < 0 ? rc == 0 : rc != 0 || (long)c != want ||
			    l.hi[SPLIT_TRAIN] != n - c ||
			    l.lo[SPLIT_TEST] != n - c || l.hi[SPLIT_TEST] != n) {
				TAP_DIAG("f=%g n=%zu: %zu, want %ld", frac[f].f, n,
				    c, want);
				bad++;
			}
		}
	TAP_OK(bad == 0, "train_test_split(shuffle=False) test sizes, "
	    "%zu cases", sizeof frac / sizeof *frac * 7);
}

static void
test_holdout(void)
{
	char err[256];
	split_layout l;

	TAP_OK(split_holdout(10, 7, 2, &l, err, sizeof err) == 0 &&
	    l.lo[SPLIT_TRAIN] == 0 && l.hi[SPLIT_TRAIN] == 5 &&
	    l.lo[SPLIT_GAP] == 5 && l.hi[SPLIT_GAP] == 7 &&
	    l.lo[SPLIT_TEST] == 7 && l.hi[SPLIT_TEST] == 10 &&
	    l.hi[SPLIT_BEFORE] == 0 && l.lo[SPLIT_AFTER] == 10,
	    "holdout 10 periods, test 3, gap 2: train [0,5) gap [5,7) test "
	    "[7,10)");
	TAP_OK(split_holdout(10, 2, 2, &l, err, sizeof err) < 0,
	    "no train period left: refused (%s)", err);
	TAP_OK(split_holdout(10, 3, 2, &l, err, sizeof err) == 0 &&
	    l.hi[SPLIT_TRAIN] == 1, "one train period is enough");
	TAP_OK(split_holdout(10, 10, 0, &l, err, sizeof err) < 0,
	    "empty test set: refused");
}

static void
test_parse(void)
{
	split_conf c;
	static const char *bad[] = { "0", "1.0", "1", "-0.5", "abc", "",
		"2024-13-01", "2024-02-30", "0.0", "1e1", "26x", "2024-01-01 00:00",
		"99999999999" };

	memset(&c, 0, sizeof c);
	TAP_OK(split_parse_test("0.2", &c) == 0 && c.test_kind ==
	    SPLIT_FRACTION && c.test_frac == 0.2, "--test 0.2 is a fraction");
	TAP_OK(split_parse_test("26", &c) == 0 && c.test_kind == SPLIT_COUNT &&
	    c.test_count == 26, "--test 26 is a number of periods");
	TAP_OK(split_parse_test("2024-01-01", &c) == 0 && c.test_kind ==
	    SPLIT_CUTOFF && c.cutoff == date_days(2024, 1, 1),
	    "--test 2024-01-01 is a cutoff");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset(&c, 0, sizeof c);
		int rc = split_parse_test(bad[i], &c);
		/* "1" is one period, the only one of these that is valid. */
		if (strcmp(bad[i], "1") == 0)
			TAP_OK(rc == 0 && c.test_kind == SPLIT_COUNT &&
			    c.test_count == 1, "--test 1 is one period");
		else
			TAP_OK(rc < 0, "--test \"%s\" is refused", bad[i]);
	}
}

/* A panel: 3 groups x 12 weekly dates, rows ordered by group, one group
 * missing the first 2 weeks. */
static size_t
panel(long *day, uint32_t *group)
{
	size_t n = 0;
	long d0 = date_days(2024, 1, 1);

	for (uint32_t g = 0; g < 3; g++)
		for (long w = g == 2 ? 2 : 0; w < 12; w++) {
			day[n] = d0 + 7 * w;
			group[n++] = g;
		}
	return n;
}

static void
test_plan(void)
{
	long day[64];
	uint32_t group[64];
	size_t n = panel(day, group);
	split_periods p;
	split_plan pl;
	split_conf c;
	char err[256];

	split_periods_build(&p, day, n);
	TAP_OK(p.n == 12 && p.rows[0] == 2 && p.rows[2] == 3 && p.rows[11] == 3,
	    "periods: 12 distinct dates, rows per date");
	TAP_OK(split_period_index(&p, day[5]) == 5 &&
	    split_period_index(&p, day[0] - 1) == 0 &&
	    split_period_index(&p, day[11] + 1) == 12 &&
	    split_period_index(&p, day[3] + 1) == 4,
	    "period index: exact, before the first, after the last, between");

	memset(&c, 0, sizeof c);
	c.test_kind = SPLIT_FRACTION;
	c.test_frac = 0.25;
	c.gap = 1;
	TAP_OK(split_plan_make(&pl, &c, &p, n, err, sizeof err) == 0 &&
	    split_plan_verify(&pl, day, group, 3) &&
	    pl.tally[0].rows[SPLIT_TRAIN] == 2 * 8 + 6 &&
	    pl.tally[0].rows[SPLIT_GAP] == 3 &&
	    pl.tally[0].rows[SPLIT_TEST] == 9 &&
	    pl.tally[0].groups[SPLIT_TRAIN] == 3, "holdout of a panel: "
	    "ceil(0.25 x 12) = 3 test dates, 1 gap date, every check passes");

	/* Break the plan behind the checks' back: each must notice. */
	pl.c.gap = 2;
	TAP_OK(!split_plan_verify(&pl, day, group, 3) &&
	    !pl.pass[0][SPLIT_CHECK_ORDER] && pl.pass[0][SPLIT_CHECK_COMPLETE],
	    "a wrong gap fails the order check: %s",
	    pl.detail[0][SPLIT_CHECK_ORDER]);
	pl.c.gap = 1;
	pl.layout[0].hi[SPLIT_TRAIN]--;	/* period 7 in no set */
	TAP_OK(!split_plan_verify(&pl, day, group, 3) &&
	    !pl.pass[0][SPLIT_CHECK_COMPLETE] &&
	    !pl.pass[0][SPLIT_CHECK_DISJOINT],
	    "a period in no set fails the complete and disjoint checks: %s",
	    pl.detail[0][SPLIT_CHECK_COMPLETE]);
	char msg[256];
	TAP_OK(split_plan_failure(&pl, msg, sizeof msg) &&
	    strncmp(msg, "check ", 6) == 0, "the first failure: %s", msg);
	split_plan_free(&pl);

	c.test_kind = SPLIT_CUTOFF;
	c.cutoff = day[0] + 7 * 12;
	TAP_OK(split_plan_make(&pl, &c, &p, n, err, sizeof err) < 0,
	    "a cutoff after the last date: %s", err);
	split_plan_free(&pl);
	c.cutoff = day[0] + 7 * 9 - 3;	/* between two dates */
	TAP_OK(split_plan_make(&pl, &c, &p, n, err, sizeof err) == 0 &&
	    pl.size == 3 && pl.layout[0].hi[SPLIT_TRAIN] == 8,
	    "a cutoff between dates: test = the dates after it");
	split_plan_free(&pl);

	memset(&c, 0, sizeof c);
	c.folds = 3;
	TAP_OK(split_plan_make(&pl, &c, &p, n, err, sizeof err) == 0 &&
	    split_plan_verify(&pl, day, NULL, 0) && pl.size == 3 &&
	    pl.tally[0].rows[SPLIT_TRAIN] == 7 &&
	    pl.tally[0].rows[SPLIT_TEST] == 9 &&
	    pl.tally[0].rows[SPLIT_AFTER] == 18, "3 folds of a panel: "
	    "12 // 4 = 3 dates each, every check passes");
	split_plan_free(&pl);
	split_periods_free(&p);
}

static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");

	if (!f || fputs(s, f) < 0 || fclose(f) != 0)
		die("cannot write %s", path);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = ecalloc(1, 1 << 16);

	if (!f)
		die("cannot read %s", path);
	if (fread(s, 1, (1 << 16) - 1, f) == 0 && ferror(f))
		die("cannot read %s", path);
	fclose(f);
	return s;
}

static void
test_rows(void)
{
	char in[] = "/tmp/mmm-test-split-XXXXXX", a[64], b[64], err[256];
	int fd = mkstemp(in), status;
	csv_record rec;
	split_rows rows = { 0 };

	if (fd < 0)
		die("mkstemp:");
	close(fd);
	/* Raw records, quoted ones (libcsv path), an empty field, a long
	 * field whose length takes several bytes. */
	char *big = emalloc(20000);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	char *text = emalloc(21000);
	snprintf(text, 21000, "d,a,b\n2024-01-01,1,x\n2024-01-02,\"a,b\",\"say "
	    "\"\"hi\"\"\"\n2024-01-03,\"\",\"two\nlines\"\n2024-01-04,%s,\"na\"\n"
	    "2024-01-05,,\n", big);
	put(in, text);
	snprintf(a, sizeof a, "%s.a", in);
	snprintf(b, sizeof b, "%s.b", in);
	csv_reader *r = csv_open(in, 0, err, sizeof err, &status);
	out *oa = out_open(a), *ob = out_open(b);
	while (r && csv_next(r, &rec, err, sizeof err, &status) > 0) {
		csv_write_record(oa, &rec);
		split_rows_add(&rows, &rec, 0, 0);
	}
	for (size_t i = 0; i < rows.n; i++)
		split_rows_write(ob, &rows, i);
	out_commit(oa);
	out_commit(ob);
	char *sa = slurp(a), *sb = slurp(b);
	TAP_OK(rows.n == 5 && strcmp(sa, sb) == 0, "the row store writes "
	    "each row as csv_write_record (raw, quoted, empty, 20 kB fields)");
	free(sa);
	free(sb);
	free(big);
	free(text);
	csv_close(r);
	split_rows_free(&rows);
	unlink(in);
	unlink(a);
	unlink(b);
}

int
main(void)
{
	argv0 = "test_split";
	test_folds();
	test_fraction();
	test_holdout();
	test_parse();
	test_plan();
	test_rows();
	return tap_done();
}
