/*
 * bench_num.c: num_parse against strtod, num_format against
 * snprintf("%.17g"), 10^7 calls per case over a pool of prepared inputs.
 *
 *	cc -std=c11 -O2 -D_DEFAULT_SOURCE -Icommon common/num.c \
 *	    bench/bench_num.c -lm -o bench_num && ./bench_num [calls]
 *
 * Prints "case n ours_s ref_s ratio" (tab-separated), ratio = ref_s /
 * ours_s: how many times faster ours is.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "num.h"

#define POOL	(1 << 16)	/* distinct inputs per case, cycled */
#define SLOT	32		/* longest input string, with its NUL */

/* The inputs packed NUL-separated, as in a line buffer. */
struct strpool {
	char		 text[POOL * SLOT];
	uint32_t	 off[POOL];
	uint32_t	 len[POOL];
	uint32_t	 used;
};

static double
random_double(uint64_t *s)
{
	double x;

	do {
		uint64_t b = rng_next(s);

		memcpy(&x, &b, sizeof(x));
	} while (!isfinite(x));
	return x;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
put(struct strpool *p, size_t i, const char *s)
{
	size_t n = strlen(s);

	if (i == 0)
		p->used = 0;
	if (n >= SLOT)
		n = SLOT - 1;
	memcpy(p->text + p->used, s, n);
	p->text[p->used + n] = '\0';
	p->off[i] = p->used;
	p->len[i] = (uint32_t)n;
	p->used += (uint32_t)n + 1;
}

static uint64_t
bits(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof(b));
	return b;
}

/* Both parsers over the pool, n calls each; the results are folded into
 * *sink so that none of the work can be left out. */
static void
bench_parse(const char *name, const struct strpool *p, long n, uint64_t *sink)
{
	double t0, t1, t2, x = 0;
	uint64_t acc = 0;

	t0 = now();
	for (long i = 0; i < n; i++) {
		size_t k = (size_t)i & (POOL - 1);

		if (num_parse(p->text + p->off[k], p->len[k], &x) == 0)
			acc ^= bits(x);
	}
	t1 = now();
	for (long i = 0; i < n; i++)
		acc ^= bits(strtod(p->text + p->off[(size_t)i & (POOL - 1)],
		    NULL));
	t2 = now();
	*sink ^= acc;
	printf("%s\t%ld\t%.3f\t%.3f\t%.2f\n", name, n, t1 - t0, t2 - t1,
	    (t2 - t1) / (t1 - t0));
}

static void
bench_format(const char *name, const double *v, long n, uint64_t *sink)
{
	char buf[NUM_BUFSIZE];
	double t0, t1, t2;
	uint64_t acc = 0;

	t0 = now();
	for (long i = 0; i < n; i++)
		acc += num_format(v[i & (POOL - 1)], buf) +
		    (unsigned char)buf[0];
	t1 = now();
	for (long i = 0; i < n; i++)
		acc += (uint64_t)snprintf(buf, sizeof(buf), "%.17g",
		    v[i & (POOL - 1)]) + (unsigned char)buf[0];
	t2 = now();
	*sink ^= acc;
	printf("%s\t%ld\t%.3f\t%.3f\t%.2f\n", name, n, t1 - t0, t2 - t1,
	    (t2 - t1) / (t1 - t0));
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000;
	struct strpool *p = malloc(sizeof(*p));
	double *v = malloc(POOL * sizeof(*v));
	uint64_t s = 0x62656e63686e756d, sink = 0;
	char b[64];

	if (p == NULL || v == NULL || n <= 0)
		return 1;
	printf("case\tn\tours_s\tref_s\tratio\n");

	/* Typical CSV cells, row by row: spend, rate, count, reach, price.
	 * Parsing goes along the row as a reader does. */
	for (size_t i = 0; i < POOL; i++) {
		switch (i % 5) {
		case 0:
			snprintf(b, sizeof(b), "%.2f", rng_unit(&s) * 10000);
			break;
		case 1:
			snprintf(b, sizeof(b), "%.4f", rng_unit(&s) * 0.2);
			break;
		case 2:
			snprintf(b, sizeof(b), "%ld",
			    (long)(rng_next(&s) % 2001) - 1000);
			break;
		case 3:
			snprintf(b, sizeof(b), "%de%d",
			    1 + (int)(rng_next(&s) % 9),
			    (int)(rng_next(&s) % 9));
			break;
		default:
			snprintf(b, sizeof(b), "%.2f", rng_unit(&s) * 100);
			break;
		}
		put(p, i, b);
	}
	bench_parse("parse_csv", p, n, &sink);
	/* The same cells in random order: a worst case for branch
	 * prediction, as no column keeps its shape from call to call. */
	for (size_t i = POOL - 1; i > 0; i--) {
		size_t j = (size_t)(rng_next(&s) % (i + 1));
		uint32_t t;

		t = p->off[i], p->off[i] = p->off[j], p->off[j] = t;
		t = p->len[i], p->len[i] = p->len[j], p->len[j] = t;
	}
	bench_parse("parse_csv_shuffled", p, n, &sink);

	/* What our tools print: shortest forms of random doubles. */
	for (size_t i = 0; i < POOL; i++) {
		num_format(random_double(&s), b);
		put(p, i, b);
	}
	bench_parse("parse_shortest_random", p, n, &sink);

	/* 17-digit forms of doubles of moderate size. */
	for (size_t i = 0; i < POOL; i++) {
		snprintf(b, sizeof(b), "%.17g", rng_unit(&s) *
		    pow(10, (double)(rng_next(&s) % 21) - 10));
		put(p, i, b);
	}
	bench_parse("parse_17g_moderate", p, n, &sink);

	/* Long exponent text. */
	for (size_t i = 0; i < POOL; i++) {
		snprintf(b, sizeof(b), "%d.%de%s%018d",
		    (int)(rng_next(&s) % 9) + 1, (int)(rng_next(&s) % 1000),
		    rng_next(&s) % 2 ? "-" : "", (int)(rng_next(&s) % 300));
		put(p, i, b);
	}
	bench_parse("parse_long_exponent", p, n, &sink);

	/* Subnormals. */
	for (size_t i = 0; i < POOL; i++) {
		uint64_t u = rng_next(&s) & ((UINT64_C(1) << 52) - 1);
		double x;

		memcpy(&x, &u, sizeof(x));
		num_format(x, b);
		put(p, i, b);
	}
	bench_parse("parse_subnormal", p, n, &sink);

	for (size_t i = 0; i < POOL; i++)
		v[i] = random_double(&s);
	bench_format("format_random", v, n, &sink);

	for (size_t i = 0; i < POOL; i++)
		v[i] = round(rng_unit(&s) * 1000000) / 100;
	bench_format("format_prices", v, n, &sink);

	fflush(stdout);
	fprintf(stderr, "checksum %016llx\n", (unsigned long long)sink);
	free(p);
	free(v);
	return 0;
}
