/* gen_daily: write a deterministic daily MMM-like table (geos × days) for the benchmarks.
 * Usage: gen_daily ROWS OUTFILE.  Build: cc -O2 -std=c11 gen_daily.c -lm */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_2000 10957		/* 2000-01-01 as days since 1970-01-01 */
#define ROWS_PER_GEO 10000
#define TWO_PI 6.283185307179586

static uint64_t rng = 0x6d6d6d2d62656e63ULL;	/* fixed seed: "mmm-benc" */

/* splitmix64: small, fast, and good enough for synthetic data. */
static uint64_t
next64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
unif(void)
{
	return (double)(next64() >> 11) * 0x1.0p-53;
}

/* Standard normal (Box–Muller, one value per call: simple and deterministic). */
static double
gauss(void)
{
	double u = 1.0 - unif();	/* (0, 1] */

	return sqrt(-2.0 * log(u)) * cos(TWO_PI * unif());
}

/* Output through one big buffer: faster than printf per field. */
static char obuf[1 << 20];
static size_t olen;
static FILE *out;

static void
flush(void)
{
	if (olen && fwrite(obuf, 1, olen, out) != olen) {
		perror("gen_daily: write");
		exit(74);
	}
	olen = 0;
}

static void
put_str(const char *s, size_t n)
{
	memcpy(obuf + olen, s, n);
	olen += n;
}

static void
put_uint(uint64_t v)
{
	char t[24];
	size_t n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		obuf[olen++] = t[--n];
}

/* Write x rounded to `dec` decimals (dec ≥ 1), by hand in integer arithmetic. */
static void
put_fixed(double x, int dec)
{
	static const double scale[] = { 1, 10, 100, 1000 };
	static const uint64_t iscale[] = { 1, 10, 100, 1000 };
	long long v = llround(x * scale[dec]);
	uint64_t a, frac;
	int i;

	if (v < 0) {
		obuf[olen++] = '-';
		a = (uint64_t)(-v);
	} else
		a = (uint64_t)v;
	put_uint(a / iscale[dec]);
	obuf[olen++] = '.';
	frac = a % iscale[dec];
	for (i = dec - 1; i >= 0; i--) {
		obuf[olen + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	olen += (size_t)dec;
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void
put_date(long z)
{
	long era, doe, yoe, y, doy, mp, d, m;
	char t[10];

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	t[0] = (char)('0' + y / 1000 % 10);
	t[1] = (char)('0' + y / 100 % 10);
	t[2] = (char)('0' + y / 10 % 10);
	t[3] = (char)('0' + y % 10);
	t[4] = '-';
	t[5] = (char)('0' + m / 10);
	t[6] = (char)('0' + m % 10);
	t[7] = '-';
	t[8] = (char)('0' + d / 10);
	t[9] = (char)('0' + d % 10);
	put_str(t, sizeof t);
}

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

int
main(int argc, char **argv)
{
	static const char header[] = "date,geo,tv_spend,search_spend,social_spend,"
	    "impressions,clicks,conversions,temperature,price,promo,sales\n";
	long long rows, geos, per, g, n, day;
	char *end;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_daily ROWS OUTFILE\n");
		return 64;
	}
	errno = 0;
	rows = strtoll(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || rows < 0) {
		fprintf(stderr, "gen_daily: bad ROWS: %s\n", argv[1]);
		return 64;
	}
	if (!(out = fopen(argv[2], "wb"))) {
		fprintf(stderr, "gen_daily: %s: %s\n", argv[2], strerror(errno));
		return 73;
	}
	geos = rows / ROWS_PER_GEO > 1 ? rows / ROWS_PER_GEO : 1;
	per = (rows + geos - 1) / geos;	/* the last geo takes what is left */
	if (geos > 9999) {
		fprintf(stderr, "gen_daily: too many rows for 4-digit geo names\n");
		return 64;
	}
	put_str(header, sizeof header - 1);

	for (g = 0, n = 0; n < rows; g++) {
		/* Per-geo size, climate and price level. */
		double s = 0.6 + unif();
		double toff = 8.0 * (2.0 * unif() - 1.0);
		double pbase = 10.0 + 6.0 * unif();
		double atv = 0, asearch = 0, asocial = 0;
		int tv_on = 0;
		char name[5];

		/* G0001 …: names count from 1. */
		name[0] = 'G';
		name[1] = (char)('0' + (g + 1) / 1000 % 10);
		name[2] = (char)('0' + (g + 1) / 100 % 10);
		name[3] = (char)('0' + (g + 1) / 10 % 10);
		name[4] = (char)('0' + (g + 1) % 10);

		for (day = 0; day < per && n < rows; day++, n++) {
			double season = sin(TWO_PI * ((double)day - 110.0) / 365.25);
			double tv, search, social, temp, price, sales, ctr, cvr;
			uint64_t impr, clicks, conv;
			int promo;

			/* TV runs in weekly flights; search is always on; social pauses. */
			if (day % 7 == 0)
				tv_on = unif() < 0.6;
			tv = tv_on ? s * (600.0 + 800.0 * unif()) : 0.0;
			search = unif() < 0.03 ? 0.0 :
			    s * (250.0 + 250.0 * unif() + 80.0 * season);
			social = unif() < 0.15 ? 0.0 : s * (100.0 + 250.0 * unif());
			tv = round(tv * 100) / 100;
			search = round(search * 100) / 100;
			social = round(social * 100) / 100;

			impr = (uint64_t)llround(40.0 * tv + 150.0 * social + 10.0 * search +
			    2500.0 * s + 1000.0 * unif());
			ctr = 0.004 + 0.012 * unif();
			clicks = (uint64_t)((double)impr * ctr);
			cvr = 0.02 + 0.08 * unif();
			conv = (uint64_t)((double)clicks * cvr);

			temp = clamp(12.0 + toff + 13.0 * season + 3.0 * gauss(), -20.0, 40.0);
			temp = round(temp * 10) / 10;
			promo = unif() < 0.08;
			price = pbase * (promo ? 0.85 : 1.0) + 0.1 * gauss();
			if (price < 0.5)
				price = 0.5;

			/* Geometric adstock, then a Hill-like saturation per channel. */
			atv = tv + 0.6 * atv;
			asearch = search + 0.2 * asearch;
			asocial = social + 0.4 * asocial;
			sales = s * (3000.0 + 15.0 * temp) +
			    4000.0 * s * atv / (atv + 1500.0 * s) +
			    2500.0 * s * asearch / (asearch + 400.0 * s) +
			    1500.0 * s * asocial / (asocial + 400.0 * s) +
			    900.0 * s * promo - 300.0 * s * (price - pbase) +
			    400.0 * s * gauss();
			if (sales < 0)
				sales = 0;

			if (olen > sizeof obuf - 512)
				flush();
			put_date(DAYS_2000 + (long)day);
			obuf[olen++] = ',';
			put_str(name, 5);
			obuf[olen++] = ',';
			put_fixed(tv, 2);
			obuf[olen++] = ',';
			put_fixed(search, 2);
			obuf[olen++] = ',';
			put_fixed(social, 2);
			obuf[olen++] = ',';
			put_uint(impr);
			obuf[olen++] = ',';
			put_uint(clicks);
			obuf[olen++] = ',';
			put_uint(conv);
			obuf[olen++] = ',';
			put_fixed(temp, 1);
			obuf[olen++] = ',';
			put_fixed(price, 2);
			obuf[olen++] = ',';
			obuf[olen++] = promo ? '1' : '0';
			obuf[olen++] = ',';
			put_fixed(sales, 2);
			obuf[olen++] = '\n';
		}
	}
	flush();
	if (fclose(out) == EOF) {
		fprintf(stderr, "gen_daily: %s: %s\n", argv[2], strerror(errno));
		return 74;
	}
	return 0;
}
