/*
 * test_num.c: num_parse and num_format against glibc strtod/printf and a
 * recorded Python repr reference.  One TAP point per family of values; the
 * first failure of a family is shown as a diagnostic.
 *
 *	test_num [tests/data/num_repr_ref.txt]	(MMM_LONG=1: 10^8 round trips)
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "num.h"
#include "tap.h"

#define REF_DEFAULT	"tests/data/num_repr_ref.txt"

/* One family of checks: counts, and the first failure's story. */
struct fam {
	long	 n, bad;
	char	 first[1200];
};

static void
fail(struct fam *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct fam *f, const char *fmt, ...)
{
	va_list ap;

	if (f->bad++ == 0) {
		va_start(ap, fmt);
		vsnprintf(f->first, sizeof(f->first), fmt, ap);
		va_end(ap);
	}
}

static int
report(const struct fam *f, const char *name)
{
	int ok = TAP_OK(f->bad == 0, "%s (%ld values)", name, f->n);

	if (!ok)
		TAP_DIAG("%ld failed; first: %s", f->bad, f->first);
	return ok;
}

/* Uniform in [0, n). */
static long
rnd(uint64_t *s, long n)
{
	return (long)(rng_next(s) % (uint64_t)n);
}

static uint64_t
bits_of(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof(b));
	return b;
}

static double
of_bits(uint64_t b)
{
	double x;

	memcpy(&x, &b, sizeof(x));
	return x;
}

static int
same(double a, double b)
{
	return bits_of(a) == bits_of(b) || (isnan(a) && isnan(b));
}

/* The reference: strtod, accepting trailing blanks as num_parse does. */
static int
ref_parse(const char *s, double *x)
{
	char *end;

	errno = 0;
	*x = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ' || *end == '\t')
		end++;
	return *end == '\0' ? 0 : -1;
}

/* num_parse on a copy of exactly strlen(s) bytes, so that a read past the
 * end is caught by the address sanitizer. */
static int
parse_exact(const char *s, double *x)
{
	size_t len = strlen(s);
	char *c = malloc(len ? len : 1);
	int r;

	if (c == NULL)
		abort();
	memcpy(c, s, len);
	r = num_parse(c, len, x);
	free(c);
	return r;
}

/*
 * Significant digits of a decimal string (no leading or trailing zeros)
 * and the decimal exponent of the first; "" for zero.
 */
static void
norm(const char *s, char *dig, long *e10)
{
	long pt = 0, lead = 0;
	int seen_pt = 0, started = 0, n = 0;

	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s == '.') {
			seen_pt = 1;
			continue;
		}
		if (*s < '0' || *s > '9')
			continue;
		if (!started && *s == '0') {
			lead += seen_pt;
			continue;
		}
		started = 1;
		pt += !seen_pt;
		dig[n++] = *s;
	}
	while (n > 0 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	*e10 = (*s ? strtol(s + 1, NULL, 10) : 0) + (started ? pt - lead : 0) -
	    1;
}

/* A decimal D * 10^E reads back (by strtod) as x. */
static int
reads_as(unsigned long long dd, long e, double x)
{
	char b[64];
	double y;

	snprintf(b, sizeof(b), "%llue%ld", dd, e);
	y = strtod(b, NULL);
	return same(x, y);
}

/*
 * The digits of s are shortest and closest for x, judged by glibc alone:
 * no decimal of one digit fewer reads back as x, and when the correctly
 * rounded decimal of the same length reads back, s is that one.
 */
static int
check_shortest(double x, const char *s, char *why, size_t whylen)
{
	char d1[40], d2[40], b[64];
	long e1, e2;
	int n;

	norm(s, d1, &e1);
	n = (int)strlen(d1);
	if (n == 0)
		return 0;
	snprintf(b, sizeof(b), "%.*e", n - 1, fabs(x));
	if (same(strtod(b, NULL), fabs(x))) {
		norm(b, d2, &e2);
		if (strcmp(d1, d2) != 0 || e1 != e2) {
			snprintf(why, whylen, "not the closest: %s, %s", s, b);
			return -1;
		}
	}
	if (n >= 2) {
		unsigned long long dd = 0;
		char *c;

		/* The nearest (n-1)-digit decimal D * 10^e2 ("d.dddde+XX"),
		 * and both its neighbours. */
		snprintf(b, sizeof(b), "%.*e", n - 2, fabs(x));
		for (c = b; *c != 'e'; c++)
			if (*c != '.')
				dd = dd * 10 + (unsigned long long)(*c - '0');
		e2 = strtol(c + 1, NULL, 10) - (n - 2);
		for (unsigned long long k = dd - 1; k <= dd + 1; k++)
			if (k > 0 && reads_as(k, e2, fabs(x))) {
				snprintf(why, whylen,
				    "not shortest: %s, %llue%ld", s, k, e2);
				return -1;
			}
	}
	return 0;
}

/* format -> parse bit-exact, num_parse == strtod on the text, and
 * (when deep) shortest and closest. */
static void
round_trip(struct fam *f, double x, int deep)
{
	char buf[NUM_BUFSIZE + 8], why[200];
	double y = 0, z = 0;
	size_t len;

	f->n++;
	memset(buf, 'X', sizeof(buf));
	len = num_format(x, buf);
	if (len == 0 || len >= NUM_BUFSIZE || buf[len] != '\0' ||
	    strlen(buf) != len) {
		fail(f, "%a: bad length %zu", x, len);
		return;
	}
	if (num_parse(buf, len, &y) != 0 || !same(x, y)) {
		fail(f, "%a (%.17g) -> \"%s\" -> %a", x, x, buf, y);
		return;
	}
	if (ref_parse(buf, &z) != 0 || !same(z, y)) {
		fail(f, "\"%s\": num_parse %a, strtod %a", buf, y, z);
		return;
	}
	if (deep && check_shortest(x, buf, why, sizeof(why)) != 0)
		fail(f, "%a: %s", x, why);
}

/* x, -x and both neighbours of x */
static void
round_trip_pm(struct fam *f, double x)
{
	double up = nextafter(x, INFINITY);

	round_trip(f, x, 1);
	round_trip(f, -x, 1);
	if (isfinite(up))
		round_trip(f, up, 1);
	round_trip(f, nextafter(x, -INFINITY), 1);
}

static void
test_round_trips(long n)
{
	struct fam f;
	uint64_t s = 0x6d6d6d2d6e756d31;	/* fixed seed */
	long deep_every = n > 1000000 ? 10 : 1;
	char b[32];

	/* 1. Random bit patterns. */
	memset(&f, 0, sizeof(f));
	for (long i = 0; i < n; ) {
		double x = of_bits(rng_next(&s));

		if (!isfinite(x))
			continue;
		round_trip(&f, x, i % deep_every == 0);
		i++;
	}
	report(&f, "round trip: random 64-bit patterns");

	/* 2. Boundaries, powers of two and ten, integers, prices. */
	memset(&f, 0, sizeof(f));
	round_trip(&f, 0.0, 1);
	round_trip(&f, -0.0, 1);
	round_trip_pm(&f, DBL_MIN);
	round_trip_pm(&f, DBL_MAX);
	round_trip_pm(&f, DBL_TRUE_MIN);
	round_trip_pm(&f, 0.3);
	round_trip_pm(&f, 2.0 / 3.0);
	for (int e = -1074; e <= 1023; e++)
		round_trip_pm(&f, ldexp(1.0, e));
	for (int e = -323; e <= 308; e++) {
		snprintf(b, sizeof(b), "1e%d", e);
		round_trip_pm(&f, strtod(b, NULL));
	}
	for (long k = -2000; k <= 2000; k++) {
		round_trip(&f, 9007199254740992.0 + (double)k, 1);
		round_trip(&f, 18014398509481984.0 + 2.0 * (double)k, 1);
	}
	for (long k = 0; k <= 100000; k++) {
		round_trip(&f, (double)k, 1);
		round_trip(&f, (double)k / 100, 1);
	}
	report(&f, "round trip: boundaries, powers of 2 and 10, integers");

	/* 3. Subnormals. */
	memset(&f, 0, sizeof(f));
	for (uint64_t k = 1; k <= 10000; k++)
		round_trip(&f, of_bits(k), 1);
	for (long i = 0; i < 100000; i++)
		round_trip(&f,
		    of_bits(rng_next(&s) & ((UINT64_C(1) << 52) - 1)), 1);
	report(&f, "round trip: subnormals");

	/* 4. Values as our tools print them: moderate magnitudes. */
	memset(&f, 0, sizeof(f));
	for (long i = 0; i < 200000; i++) {
		double x = (double)(rng_next(&s) >> 11) * 0x1p-53;

		round_trip(&f, x * pow(10, (double)(rnd(&s, 61) - 30)), 1);
	}
	report(&f, "round trip: random doubles of moderate magnitude");

	/* 5. What CSV columns and predictions hold: k/1000, prices, values
	 * computed over 40 decades, integers up to 2^55 and around 10^16. */
	memset(&f, 0, sizeof(f));
	long m = n > 1000000 ? n / 20 : n / 4;
	for (long k = 0; k < m; k++) {
		int deep = k % 16 == 0;
		double u = (double)(rng_next(&s) >> 11) * 0x1p-53;

		round_trip(&f, (double)k / 1000, deep);
		round_trip(&f, (double)(rng_next(&s) % 100000000) / 100, deep);
		round_trip(&f, (double)(rng_next(&s) % 1000000) * 1e-7, deep);
		round_trip(&f, u * 20000, deep);
		round_trip(&f, -u * pow(10, (double)rnd(&s, 40) - 20), deep);
		round_trip(&f, (double)(rng_next(&s) >> (11 + rnd(&s, 50))),
		    deep);
		round_trip(&f, 0x1p52 + (double)(rng_next(&s) %
		    (UINT64_C(7) << 52)), deep);
	}
	for (long i = -1000; i <= 1000; i++)
		round_trip(&f, 1e16 + (double)i * 2, 1);
	report(&f, "round trip: CSV-like and computed values, integers");
}

/* Compare num_parse with strtod on one string. */
static void
parse_vs_strtod(struct fam *f, const char *s)
{
	double x = 12345, y;

	f->n++;
	if (ref_parse(s, &y) != 0) {
		fail(f, "\"%.200s\": strtod rejects it (bad test)", s);
		return;
	}
	if (parse_exact(s, &x) != 0)
		fail(f, "\"%.200s\": rejected, strtod gives %a", s, y);
	else if (!same(x, y))
		fail(f, "\"%.200s\": %a, strtod %a", s, x, y);
}

/* The exact decimal expansion of a long double, trailing zeros removed:
 * "d.ddd" in m, exponent in *e. */
static void
exact_decimal(long double v, char *m, size_t mlen, int *e)
{
	char *p;

	snprintf(m, mlen, "%.800Le", v);
	p = strchr(m, 'e');
	*e = atoi(p + 1);
	*p = '\0';
	while (p > m + 1 && p[-1] == '0')
		*--p = '\0';
	if (p[-1] == '.')
		*--p = '\0';
}

/* The halfway point itself, just above and just below it. */
static void
parse_halfway(struct fam *f, long double mid)
{
	char m[900], s[1000];
	size_t n;
	int e;

	exact_decimal(mid, m, sizeof(m), &e);
	snprintf(s, sizeof(s), "%se%d", m, e);
	parse_vs_strtod(f, s);
	snprintf(s, sizeof(s), "%s%s0001e%d", m, strchr(m, '.') ? "" : ".", e);
	parse_vs_strtod(f, s);
	/* below: last digit one less, then nines */
	n = strlen(m);
	if (m[n - 1] != '0' && m[n - 1] != '.') {
		m[n - 1]--;
		snprintf(s, sizeof(s), "%s%s9999e%d", m,
		    strchr(m, '.') ? "" : ".", e);
		parse_vs_strtod(f, s);
	}
}

static const char *const hard[] = {
	"9007199254740993", "9007199254740992", "9007199254740994",
	"9007199254740995", "9007199254740993.0000000000001",
	"9007199254740992.9999999999999", "18014398509481986",
	"18014398509481990", "4503599627370496.5", "4503599627370497.5",
	"9007199254740993e3", "9007199254740993e-3", "1e23", "8.5e22",
	"0.1000000000000000055511151231257827",
	"0.1000000000000000055511151231257826",
	"0.1000000000000000055511151231257828",
	"2.2250738585072011e-308", "2.2250738585072012e-308",
	"2.2250738585072014e-308",
	"2.225073858507201136057409796709131975934e-308",
	"4.9406564584124654e-324", "2.4703282292062327e-324",
	"2.4703282292062328e-324", "2.47032822920623272088e-324",
	"2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
	"1e-400", "1e400", "-1e400", "-0", "+0", "0e99999999999999999999",
	"1e0000000000000000000005", "1e99999999999999999999",
	"1e-99999999999999999999", "-1e-99999999999999999999",
	"1.7976931348623157e308", "1.7976931348623158e308",
	"1.7976931348623159e308", "1.797693134862315807937289714053e308",
	"1.797693134862315708145274237317043567981e308",
	"179769313486231580793728971405303415079934132710037826936173778980444"
	"968292764750946649017977587207096330286416692887910946555547851940402"
	"630657488671505820681908902000708383676273854845817711531764475730270"
	"069855571366959622842914819860834936475292719074168444365510704342711"
	"559699508093042880177904174497791.9999999999999999999999999999",
	"12345678901234567890", "123456789012345678901234567890",
	"1234567890123456789012345678901234567890e-30",
	"00000000000000000000000000000000000000001.5",
	"0.000000000000000000000000000000000000000015",
	"1.50000000000000000000000000000000000000000000",
	"1500000000000000000000000000000000000000000000e-45",
	"0.0000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000000000000000000000000000000000000000001e100",
	"10000000000000000000000000000000000000000000000000000000001e-58",
	"9999999999999999999", "10000000000000000000", "18446744073709551615",
	"18446744073709551616", "99999999999999999999e-20",
	"7.2057594037927933e16", "3.0540412499999998e-11",
	"1.00000000000000011102230246251565404236316680908203125",
	"1.00000000000000011102230246251565404236316680908203124",
	"1.00000000000000011102230246251565404236316680908203126",
	"1.00000000000000033306690738754696212708950042724609375",
	"5e-324", "3e-324", "2e-324", "1e-323", "7e-324", "8e-324",
	"4.4501477170144023e-308", "1.5", ".5", "5.", "+.5e+1", "-5.E-1",
	" 1.5", "\t-2.5 ", "  3e5\t\t", "0.0", "-0.0e-0", "1234.56",
	"0.0731", "-12", "3e5", "123456789e-22", "123456789e22",
	"9007199254740993e22", "9007199254740993e23", "900719925474099e-22",
	"4503599627370497e-22", "1e22", "1e-22", "1e-23", "9e22",
	"1.2345e-320", "6.2e-322", "-00000000000000000000000000",
	"00000000000000000000000000.0000000000000e10",
	"0.000000000000000000000000000000000000000000000000000000000000001234",
	"000000000000000000000000000000000000001234.5e-10",
};

static const char *const bad[] = {
	"", " ", "\t \t", "+", "-", ".", "+.", "-.e5", "e5", "E5", "1e", "1e+",
	"1e-", "1E", "--1", "+-1", "-+1", "1.2.3", "1..2", "0x10", "0X1p3",
	"0x1.8p1", "inf", "INF", "-inf", "Infinity", "+infinity", "nan", "NaN",
	"-nan", "nan(123)", "1 2", "1,5", "1.5x", "1e5.5", "1e5e5", "1f",
	"1d", "12a", "a12", "1_000", "\n1", "1\n", "1e 5", "- 1", "1-",
	"1e+-5", "..5", "5..", "0..", "1.5e5 x", "\xd9\xa1",
	"12345678901234567890123e", "12345678901234567890123x",
	"1.2345678901234567890123e+", "00000000000000000000000x",
	"-.00000000000000000000000e", "1234567890.1234567890123.4",
};

static void
test_parse(void)
{
	struct fam f;
	uint64_t s = 0x7061727365313233;
	char b[2000];

	/* Hard cases. */
	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++)
		parse_vs_strtod(&f, hard[i]);
	report(&f, "parse: hard cases vs strtod");

	/* Exact halfway points between neighbours, and either side. */
	memset(&f, 0, sizeof(f));
	parse_halfway(&f, (long double)DBL_MAX + ldexpl(1, 970));
	parse_halfway(&f, ldexpl(1, -1075));
	parse_halfway(&f, ldexpl(3, -1075));
	parse_halfway(&f, (long double)DBL_MIN - ldexpl(1, -1075));
	parse_halfway(&f, (long double)DBL_MIN + ldexpl(1, -1075));
	for (long i = 0; i < 3000; i++) {
		double x;

		do
			x = fabs(of_bits(rng_next(&s)));
		while (!isfinite(x) || x == DBL_MAX);
		if (i % 3 == 0)		/* subnormal */
			x = of_bits(bits_of(x) & ((UINT64_C(1) << 52) - 1));
		parse_halfway(&f,
		    ((long double)x + nextafter(x, INFINITY)) / 2);
	}
	/* Ties of at most 19 digits: m * 2^k with m odd of 54 bits and a
	 * multiple of 5^q, for 10^q with -4 <= q <= 23. */
	for (long i = 0; i < 3000; i++) {
		int q = (int)rnd(&s, 28) - 4, k;
		uint64_t p5 = 1, m;

		for (int j = 0; j < (q < 0 ? -q : q); j++)
			p5 *= 5;
		if (p5 > (UINT64_C(1) << 53))
			continue;
		do
			m = (rng_next(&s) % ((UINT64_C(1) << 54) / p5)) * p5;
		while (m < (UINT64_C(1) << 53) || (m & 1) == 0);
		k = q < 0 ? (int)rnd(&s, 6) + q : (int)rnd(&s, 12) + q;
		parse_halfway(&f, ldexpl((long double)m, k));
	}
	report(&f, "parse: exact halfway points and neighbours vs strtod");

	/* Long digit strings. */
	memset(&f, 0, sizeof(f));
	for (long i = 0; i < 2000; i++) {
		int n = 0, len = 700 + (int)rnd(&s, 101);
		int pt = (int)rnd(&s, len), zeros = (int)rnd(&s, 4);

		if (i % 2)
			b[n++] = '-';
		for (int j = 0; j < len; j++) {
			if (j == pt)
				b[n++] = '.';
			/* runs of zeros and nines make near-ties */
			b[n++] = zeros == 0 ? (char)('0' + rnd(&s, 10)) :
			    j > 20 && j < len - 1 ? (zeros == 1 ? '0' : '9') :
			    (char)('0' + rnd(&s, 10));
		}
		n += snprintf(b + n, sizeof(b) - (size_t)n, "e%ld",
		    rnd(&s, 1400) - 1100);
		parse_vs_strtod(&f, b);
	}
	{
		/* 10^5 digits: beyond what the slow path keeps */
		char *big = malloc(100010);

		if (big == NULL)
			abort();
		memset(big, '0', 100000);
		big[0] = '2';
		big[1] = '.';
		memcpy(big + 2, "4703282292062327208828439643", 28);
		big[99998] = '1';
		strcpy(big + 99999, "e-324");
		parse_vs_strtod(&f, big);
		big[99998] = '0';
		parse_vs_strtod(&f, big);
		memset(big + 2, '9', 99996);
		strcpy(big + 99999, "e308");
		big[0] = '1';
		parse_vs_strtod(&f, big);
		free(big);
	}
	/* Exact halfway points padded past 800 digits: only a last nonzero
	 * digit far out says "above halfway". */
	{
		static const int pad[] = { 10, 790, 1500 };
		long double mids[] = {
			ldexpl(1, -1075), 1 + ldexpl(1, -53),
			(long double)DBL_MAX + ldexpl(1, 970),
			(long double)DBL_MIN + ldexpl(1, -1075),
		};
		char *big = malloc(4000), m[900];
		int e;

		if (big == NULL)
			abort();
		for (size_t i = 0; i < sizeof(mids) / sizeof(mids[0]); i++) {
			const char *pt;

			exact_decimal(mids[i], m, sizeof(m), &e);
			pt = strchr(m, '.') ? "" : ".";
			for (size_t j = 0; j < 3; j++) {
				snprintf(big, 4000, "%s%s%0*d1e%d", m, pt,
				    pad[j], 0, e);
				parse_vs_strtod(&f, big);
				snprintf(big, 4000, "%s%s%0*de%d", m, pt,
				    pad[j], 0, e);
				parse_vs_strtod(&f, big);
			}
		}
		free(big);
	}
	report(&f, "parse: 700-2300 digit strings vs strtod");

	/* Random decimal strings of 1-25 digits. */
	memset(&f, 0, sizeof(f));
	for (long i = 0; i < 100000; i++) {
		int n = 0, nd = 1 + (int)rnd(&s, 25);
		int pt = (int)rnd(&s, nd + 2) - 1;
		long form = rnd(&s, 8);

		if (form == 0)
			b[n++] = ' ';
		if (rnd(&s, 3) == 0)
			b[n++] = rnd(&s, 2) ? '-' : '+';
		if (form == 1)
			for (long z = rnd(&s, 30); z > 0; z--)
				b[n++] = '0';
		for (int j = 0; j < nd; j++) {
			if (j == pt)
				b[n++] = '.';
			b[n++] = (char)('0' + rnd(&s, 10));
		}
		if (pt == nd)
			b[n++] = '.';
		if (form == 2)
			for (long z = rnd(&s, 30); z > 0; z--)
				b[n++] = '0';
		if (form != 3)
			n += snprintf(b + n, sizeof(b) - (size_t)n, "%s%ld",
			    rnd(&s, 2) ? "e" : "E", rnd(&s, 700) - 350);
		if (form == 4)
			b[n++] = '\t';
		b[n] = '\0';
		parse_vs_strtod(&f, b);
	}
	report(&f, "parse: random 1-25 digit decimals vs strtod");

	/* Rejects: -1 and *out untouched. */
	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double x = 42.5;

		f.n++;
		if (parse_exact(bad[i], &x) != -1 ||
		    bits_of(x) != bits_of(42.5))
			fail(&f, "\"%s\" accepted as %a", bad[i], x);
	}
	{
		/* an embedded NUL is garbage too */
		double x = 42.5;

		f.n++;
		if (num_parse("1.5\0", 4, &x) != -1 || x != 42.5)
			fail(&f, "\"1.5\\0\" accepted");
	}
	report(&f, "parse: rejects");

	/* Only s[0..len) counts. */
	memset(&f, 0, sizeof(f));
	{
		static const struct {
			const char *s;
			size_t len;
			int r;
			double x;
		} pre[] = {
			{ "12345", 3, 0, 123 }, { "1.5", 2, 0, 1 },
			{ "1e5x", 3, 0, 1e5 }, { "1e5", 2, -1, 0 },
			{ "-7 ", 2, 0, -7 }, { "0.25e-1", 4, 0, 0.25 },
			{ "9", 0, -1, 0 }, { "1e99999", 4, 0, 1e99 },
		};

		for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
			char *c = malloc(pre[i].len + 1);
			double x = 42.5;
			int r;

			if (c == NULL)
				abort();
			memcpy(c, pre[i].s, pre[i].len);
			r = num_parse(c, pre[i].len, &x);
			f.n++;
			if (r != pre[i].r || (r == 0 && x != pre[i].x))
				fail(&f, "\"%s\" len %zu: %d %a", pre[i].s,
				    pre[i].len, r, x);
			free(c);
		}
	}
	report(&f, "parse: reads only s[0..len)");
}

/* Python repr, in our layout: integral values without ".0". */
static void
test_reference(const char *path)
{
	struct fam f;
	char line[256], want[64], got[NUM_BUFSIZE];
	FILE *fp = fopen(path, "r");
	unsigned long long b;

	memset(&f, 0, sizeof(f));
	if (fp == NULL) {
		TAP_OK(0, "shortest digits vs Python repr (%s)", path);
		TAP_DIAG("cannot open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n;

		if (sscanf(line, "%llx\t%63s", &b, want) != 2) {
			fail(&f, "bad line: %s", line);
			continue;
		}
		n = strlen(want);
		if (n > 2 && strcmp(want + n - 2, ".0") == 0)
			want[n - 2] = '\0';
		f.n++;
		num_format(of_bits(b), got);
		if (strcmp(got, want) != 0)
			fail(&f, "%016llx: \"%s\", want \"%s\"", b, got, want);
	}
	fclose(fp);
	if (f.n < 1000)
		fail(&f, "only %ld lines in %s", f.n, path);
	report(&f, "shortest digits vs Python repr reference");
}

static void
test_layout(void)
{
	static const struct {
		double x;
		const char *s;
	} ex[] = {
		{ 3.0, "3" }, { -0.0, "-0" }, { 0.0, "0" }, { 1e16, "1e+16" },
		{ 1e22, "1e+22" },
		{ 123456789012345680.0, "1.2345678901234568e+17" },
		{ 0.0001, "0.0001" }, { 1e-05, "1e-05" },
		{ 1.5e-07, "1.5e-07" },
		{ 1e15, "1000000000000000" }, { 0.1, "0.1" },
		{ 5e-324, "5e-324" },
		{ 1.7976931348623157e+308, "1.7976931348623157e+308" },
		{ 1e23, "1e+23" }, { 0.3, "0.3" },
		{ 2.0 / 3.0, "0.6666666666666666" },
		{ 9007199254740992.0, "9007199254740992" },
		{ 0x1p1023, "8.98846567431158e+307" },
		{ DBL_MIN, "2.2250738585072014e-308" },
		{ -1234.5, "-1234.5" }, { 1e100, "1e+100" },
		{ 1.5e300, "1.5e+300" }, { 12345678.9, "12345678.9" },
	};
	char buf[NUM_BUFSIZE];

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		size_t n = num_format(ex[i].x, buf);

		if (!TAP_OK(strcmp(buf, ex[i].s) == 0 && n == strlen(ex[i].s),
		    "format %s", ex[i].s))
			TAP_DIAG("got \"%s\" (%zu)", buf, n);
	}
	{
		size_t a, b2, c;

		memset(buf, 'X', sizeof(buf));
		a = num_format(INFINITY, buf);
		b2 = num_format(-INFINITY, buf);
		c = num_format(NAN, buf);
		TAP_OK(a == 0 && b2 == 0 && c == 0 && buf[0] == '\0',
		    "format non-finite: \"\" and 0");
	}
}

int
main(int argc, char **argv)
{
	const char *l = getenv("MMM_LONG");
	long n = l != NULL && strcmp(l, "1") == 0 ? 100000000 : 1000000;

	test_round_trips(n);
	test_parse();
	test_reference(argc > 1 ? argv[1] : REF_DEFAULT);
	test_layout();
	return tap_done();
}
