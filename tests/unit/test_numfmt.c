/*
 * test_numfmt.c: num_format byte for byte against its previous version
 * (numfmt_ref.h, kept verbatim), on random bit patterns, decimal-looking
 * values (k/100, k/1000, prices, predictions), integers, powers of two and
 * ten, subnormals and the extremes.  The previous version is itself checked
 * against Python's repr and strtod by test_num.c.
 *
 *	test_numfmt	(MMM_LONG=1: ten times as many values)
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "numfmt_ref.h"
#include "rng.h"
#include "tap.h"

/* One family: values checked, mismatches, the first shown. */
struct fam {
	long n, bad;
	char first[200];
};

static double
of_bits(uint64_t b)
{
	double x;

	memcpy(&x, &b, sizeof x);
	return x;
}

/* The new and the old agree on x: same bytes, same length, and the new
 * writes nothing past NUM_BUFSIZE. */
static void
check(struct fam *f, double x)
{
	char got[NUM_BUFSIZE + 8], want[NUM_BUFSIZE + 8];
	size_t a, b;

	f->n++;
	memset(got, 'X', sizeof got);
	a = num_format(x, got);
	b = ref_num_format(x, want);
	if (a != b || strcmp(got, want) != 0 || got[NUM_BUFSIZE] != 'X') {
		if (!f->bad++)
			snprintf(f->first, sizeof f->first, "%a: \"%s\" (%zu), "
			    "was \"%s\" (%zu)", x, got, a, want, b);
	}
}

/* x and -x */
static void
check_pm(struct fam *f, double x)
{
	check(f, x);
	check(f, -x);
}

static void
report(const struct fam *f, const char *what)
{
	if (!TAP_OK(f->bad == 0 && f->n > 0, "%s: %ld values", what, f->n))
		TAP_DIAG("%ld differ; first %s", f->bad, f->first);
}

int
main(void)
{
	const char *l = getenv("MMM_LONG");
	long n = l && strcmp(l, "1") == 0 ? 20000000 : 2000000;
	uint64_t s = 0x6e756d666d74;	/* fixed seed */
	struct fam f;

	memset(&f, 0, sizeof f);
	for (long i = 0; i < n; i++) {
		double x = of_bits(rng_next(&s));
		if (isfinite(x))
			check(&f, x);
	}
	report(&f, "random bit patterns");

	/* Values read from text with few digits, as CSV columns hold. */
	memset(&f, 0, sizeof f);
	for (long k = 0; k < n / 4; k++) {
		check(&f, (double)k / 100);
		check(&f, (double)k / 1000);
		check(&f, (double)(rng_next(&s) % 100000000) / 100);
		check(&f, (double)(rng_next(&s) % 1000000) * 1e-7);
	}
	report(&f, "decimal-looking values k/100, k/1000, prices");

	/* Computed values: what a prediction or an interval bound is. */
	memset(&f, 0, sizeof f);
	for (long i = 0; i < n / 2; i++) {
		double u = (double)(rng_next(&s) >> 11) * 0x1p-53;
		check_pm(&f, u * 20000);
		check_pm(&f, u * pow(10, (double)(rng_next(&s) % 40) - 20));
	}
	report(&f, "computed values over 40 decades");

	/* Integers: the fast path and both sides of 2^53 and 10^16. */
	memset(&f, 0, sizeof f);
	for (long i = 0; i < n / 4; i++) {
		check_pm(&f, (double)i);
		check_pm(&f, (double)(rng_next(&s) >> (11 + rng_next(&s) % 50)));
	}
	for (long i = 0; i < n / 8; i++)	/* 2^52 .. 2^55 */
		check(&f, 0x1p52 + (double)(rng_next(&s) % (UINT64_C(7) << 52)));
	for (long i = -1000; i <= 1000; i++) {
		check(&f, 1e16 + (double)i * 2);
		check(&f, 0x1p53 + (double)i * 2);
	}
	report(&f, "integers");

	/* Powers of two and ten, their neighbours, subnormals, extremes. */
	memset(&f, 0, sizeof f);
	for (int e = -1074; e <= 1023; e++) {
		double x = ldexp(1, e);
		check_pm(&f, x);
		check_pm(&f, nextafter(x, 0));
		check_pm(&f, nextafter(x, INFINITY));
	}
	for (int e = -323; e <= 308; e++) {
		char t[32];
		snprintf(t, sizeof t, "1e%d", e);
		double x = strtod(t, NULL);
		check_pm(&f, x);
		check_pm(&f, nextafter(x, 0));
		check_pm(&f, nextafter(x, INFINITY));
	}
	for (uint64_t b = 1; b < 100000; b++)
		check_pm(&f, of_bits(b));	/* the smallest subnormals */
	for (uint64_t b = 0; b < 100000; b++)
		check_pm(&f, of_bits(UINT64_C(0x000fffffffffffff) - b));
	static const double edge[] = { 0.0, DBL_MAX, DBL_MIN, DBL_EPSILON,
		DBL_TRUE_MIN, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1e-5, 1e-4,
		0.0001234, 9.999999999999999e15, 1e15, 123456789012345680.0,
		5e-324, 9007199254740993.0 };
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
		check_pm(&f, edge[i]);
	report(&f, "powers of 2 and 10, subnormals, DBL_MAX/MIN, -0");

	{
		char buf[NUM_BUFSIZE];
		size_t a = num_format(INFINITY, buf), b = num_format(-INFINITY,
		    buf), c = num_format(NAN, buf);
		TAP_OK(a == 0 && b == 0 && c == 0 && buf[0] == '\0',
		    "non-finite: \"\" and 0");
	}
	return tap_done();
}
