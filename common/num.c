/*
 * num.c: exact, fast conversion between decimal text and double.
 *
 * Parsing: Clinger's fast path, then Eisel-Lemire (Lemire, "Number Parsing
 * at a Gigabyte per Second", 2021) on up to 19 significant digits; strtod(3)
 * decides the rare rest.  Printing: Ryu (Adams, PLDI 2018) for the shortest
 * digits, laid out as Python's repr.  Tables: num_tables.h.
 */
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "num_tables.h"

typedef unsigned __int128 u128;

#define MANT_BITS	52
#define EXP_BIAS	1023
#define SIGN_BIT	(UINT64_C(1) << 63)
#define INF_BITS	UINT64_C(0x7ff0000000000000)
#define MANT_MASK	((UINT64_C(1) << MANT_BITS) - 1)

static double
bits_to_double(uint64_t b)
{
	double d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

static uint64_t
double_to_bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

/* ---------------------------------------------------------------- parse */

/* Decimal digits that always fit a uint64_t. */
#define MAX_DIGITS	19
/* Exponent text saturates here: far past any finite or nonzero result. */
#define EXP_CAP		INT64_C(1000000000)
/* Significant digits handed to strtod; enough to decide every halfway case
 * of binary64 (those have at most 767), the rest is kept as a sticky digit. */
#define SLOW_DIGITS	800

/* The text, split up by scan(). */
struct dec {
	uint64_t	 w;	/* first MAX_DIGITS significant digits */
	int64_t		 q;	/* value is w * 10^q, plus dropped digits */
	int64_t		 e;	/* the exponent as written, saturated */
	int		 trunc;	/* a nonzero digit was dropped */
	int		 neg;
	const char	*m, *mend;	/* mantissa text: digits and '.' */
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The exponent whose 'e' or 'E' is at p, saturated; returns the end of it,
 * or NULL when it has no digits.
 */
static inline const char *
scan_exp(const char *p, const char *end, int64_t *ep)
{
	int64_t e = 0;
	unsigned c;
	int neg = 0;

	p++;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end || (unsigned)(*p - '0') >= 10)
		return NULL;
	for (; p < end && (c = (unsigned char)*p - '0') < 10; p++)
		if (e < EXP_CAP)
			e = e * 10 + c;
	*ep = neg ? -e : e;
	return p;
}

/* Check the syntax and split the text up; -1 if it is not a number. */
static int
scan(const char *p, const char *end, struct dec *d)
{
	uint64_t w = 0;
	int64_t q = 0;
	int nd = 0, any = 0;
	unsigned c;

	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	d->neg = 0;
	if (p < end && (*p == '-' || *p == '+'))
		d->neg = *p++ == '-';
	d->m = p;
	d->trunc = 0;
	/* Leading zeros carry no digits. */
	while (p < end && *p == '0') {
		p++;
		any = 1;
	}
	for (; p < end && (c = (unsigned char)*p - '0') < 10; p++) {
		any = 1;
		if (nd < MAX_DIGITS) {
			w = w * 10 + c;
			nd++;
		} else {
			q++;
			d->trunc |= c != 0;
		}
	}
	if (p < end && *p == '.') {
		p++;
		if (w == 0)
			for (; p < end && *p == '0'; p++) {
				q--;
				any = 1;
			}
		for (; p < end && (c = (unsigned char)*p - '0') < 10; p++) {
			any = 1;
			if (nd < MAX_DIGITS) {
				w = w * 10 + c;
				nd++;
				q--;
			} else
				d->trunc |= c != 0;
		}
	}
	if (!any)
		return -1;
	d->mend = p;
	d->e = 0;
	if (p < end && (*p == 'e' || *p == 'E') &&
	    (p = scan_exp(p, end, &d->e)) == NULL)
		return -1;
	if (p != end)
		return -1;
	d->w = w;
	d->q = q + d->e;
	return 0;
}

/*
 * Eisel-Lemire: the IEEE bits (no sign) of w * 10^q correctly rounded, for
 * w != 0.  Returns -1 in the rare case where 128 bits of 5^q cannot decide.
 */
static int
eisel_lemire(uint64_t w, int64_t q, uint64_t *bits)
{
	const uint64_t *t;
	uint64_t hi, lo, m;
	int64_t e2;
	int lz, up;
	u128 p;

	if (q < NUM_EL_MIN_Q) {		/* below 2^-1075: zero */
		*bits = 0;
		return 0;
	}
	if (q > NUM_EL_MAX_Q) {		/* at least 1e309 */
		*bits = INF_BITS;
		return 0;
	}
	lz = __builtin_clzll(w);
	w <<= lz;
	t = num_el_pow5[q - NUM_EL_MIN_Q];
	p = (u128)w * t[0];
	hi = (uint64_t)(p >> 64);
	lo = (uint64_t)p;
	/* The bits below the rounding bit are all ones: the truncated low
	 * half of 5^q may carry into them. */
	if ((hi & 0x1ff) == 0x1ff) {
		uint64_t h2 = (uint64_t)(((u128)w * t[1]) >> 64);

		lo += h2;
		hi += lo < h2;
		if (lo == UINT64_MAX && (q < -27 || q > 55))
			return -1;
	}
	up = (int)(hi >> 63);
	m = hi >> (up + 64 - MANT_BITS - 3);	/* 53 bits + rounding bit */
	/* The biased binary exponent; (217706 * q) >> 16 is floor(q *
	 * log2(10)) over the table's range (gcc shifts negatives
	 * arithmetically). */
	e2 = ((217706 * q) >> 16) + 63 + up - lz + EXP_BIAS;
	if (e2 <= 0) {
		/* Subnormal or zero; no exact ties this far down. */
		if (1 - e2 >= 64) {
			*bits = 0;
			return 0;
		}
		m >>= 1 - e2;
		m += m & 1;
		m >>= 1;
		/* Rounding up may reach the smallest normal. */
		*bits = (m >> MANT_BITS) << MANT_BITS | (m & MANT_MASK);
		return 0;
	}
	/* Exactly halfway with an even result: do not round up. */
	if (lo <= 1 && q >= -4 && q <= 23 && (m & 3) == 1 &&
	    m << (up + 64 - MANT_BITS - 3) == hi)
		m &= ~(uint64_t)1;
	m += m & 1;
	m >>= 1;
	if (m >> (MANT_BITS + 1)) {
		m = UINT64_C(1) << MANT_BITS;
		e2++;
	}
	if (e2 >= 0x7ff) {
		*bits = INF_BITS;
		return 0;
	}
	*bits = (uint64_t)e2 << MANT_BITS | (m & MANT_MASK);
	return 0;
}

/*
 * strtod on an equivalent, bounded string "[-]DDDe[-]X": at most
 * SLOW_DIGITS significant digits, then a sticky '1' for any nonzero digit
 * dropped.  No copy of unbounded size, no decimal point (so no locale
 * trouble), and errno is left alone.
 */
static double
slow_parse(const struct dec *d)
{
	char buf[SLOW_DIGITS + 48], *b = buf;
	const char *p;
	int64_t pt = 0;		/* value is 0.DDD * 10^(pt + e) */
	int n = 0, seen_pt = 0, started = 0, sticky = 0, saved = errno;
	double x;

	if (d->neg)
		*b++ = '-';
	for (p = d->m; p < d->mend; p++) {
		if (*p == '.') {
			seen_pt = 1;
			continue;
		}
		if (!started) {
			if (*p == '0') {
				pt -= seen_pt;
				continue;
			}
			started = 1;
		}
		pt += !seen_pt;
		if (n < SLOW_DIGITS) {
			*b++ = *p;
			n++;
		} else
			sticky |= *p != '0';
	}
	if (sticky) {
		*b++ = '1';
		n++;
	}
	snprintf(b, sizeof(buf) - (size_t)(b - buf), "e%lld",
	    (long long)(pt + d->e - n));
	x = strtod(buf, NULL);
	errno = saved;
	return x;
}

/* Exact powers of ten for Clinger's fast path. */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * w * 10^q (w != 0, exact) as a double with the given sign; -1 when
 * Eisel-Lemire cannot decide.
 */
static inline int
convert(uint64_t w, int64_t q, int neg, double *out)
{
	uint64_t bits;

#if FLT_EVAL_METHOD == 0
	/* Clinger: w and 10^|q| are exact doubles, so one correctly rounded
	 * operation gives the answer. */
	if (w <= UINT64_C(1) << 53 && q >= -22 && q <= 22) {
		double x = (double)(int64_t)w;

		x = q < 0 ? x / pow10_exact[-q] : x * pow10_exact[q];
		*out = neg ? -x : x;
		return 0;
	}
#endif
	if (eisel_lemire(w, q, &bits) < 0)
		return -1;
	*out = bits_to_double(bits | (neg ? SIGN_BIT : 0));
	return 0;
}

/* Any length of digits, and the rare undecided cases. */
static int
parse_general(const char *s, size_t len, double *out)
{
	struct dec d;
	uint64_t bits, bits1;

	if (scan(s, s + len, &d) < 0)
		return -1;
	if (d.w == 0) {
		*out = d.neg ? -0.0 : 0.0;
		return 0;
	}
	if (!d.trunc) {
		if (convert(d.w, d.q, d.neg, out) < 0)
			*out = slow_parse(&d);
		return 0;
	}
	/* Digits were dropped: the value lies in (w, w+1) * 10^q; if both
	 * ends round alike, so does the value. */
	if (eisel_lemire(d.w, d.q, &bits) < 0 ||
	    eisel_lemire(d.w + 1, d.q, &bits1) < 0 || bits1 != bits)
		*out = slow_parse(&d);
	else
		*out = bits_to_double(bits | (d.neg ? SIGN_BIT : 0));
	return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Long runs of digits go eight at a time (SWAR). */
#define SWAR_DIGITS	1
#define BYTES(b)	(UINT64_C(0x0101010101010101) * (b))

/* The 8 bytes at p are all ASCII digits: their value, else -1. */
static inline int64_t
eight_digits(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	if ((((v & BYTES(0xf0)) ^ BYTES(0x30)) |
	    (((v + BYTES(0x06)) & BYTES(0xf0)) ^ BYTES(0x30))) != 0)
		return -1;
	v -= BYTES(0x30);
	v = (v * 10 + (v >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
	v = (v * 100 + (v >> 16)) & UINT64_C(0x0000ffff0000ffff);
	return (int64_t)((v * 10000 + (v >> 32)) & UINT64_C(0xffffffff));
}
#endif

/* Accumulate the digits at p into *w (wrapping when there are too many:
 * the caller counts them); return the end of the run. */
static inline const char *
digits(const char *p, const char *end, uint64_t *w)
{
	uint64_t x = *w;
	unsigned c;
#ifdef SWAR_DIGITS
	int64_t v;

	while (end - p >= 8 && (v = eight_digits(p)) >= 0) {
		x = x * 100000000 + (uint64_t)v;
		p += 8;
	}
#endif
	for (; p < end && (c = (unsigned char)*p - '0') < 10; p++)
		x = x * 10 + c;
	*w = x;
	return p;
}

int
num_parse(const char *s, size_t len, double *out)
{
	const char *p = s, *end = s + len, *m, *d0;
	uint64_t w = 0;
	int64_t e = 0;
	size_t nd, nf = 0;
	int neg;

	if (len == 0)
		return -1;
	if (is_blank(*p) || is_blank(end[-1])) {
		while (p < end && is_blank(*p))
			p++;
		while (end > p && is_blank(end[-1]))
			end--;
		if (p == end)
			return -1;
	}
	neg = *p == '-';
	p += neg | (*p == '+');
	/* The usual shape, at most 19 significant digits; parse_general
	 * does the rest. */
	m = p;
	p = digits(p, end, &w);
	nd = (size_t)(p - m);
	if (p < end && *p == '.') {
		d0 = ++p;
		p = digits(p, end, &w);
		nf = (size_t)(p - d0);
		nd += nf;
	}
	if (nd == 0)
		return parse_general(s, len, out);
	if (nd > MAX_DIGITS) {
		/* Leading zeros left w alone: only the digits after count. */
		for (d0 = m; d0 < p && (*d0 == '0' || *d0 == '.'); d0++)
			nd -= *d0 == '0';
		if (nd > MAX_DIGITS)
			return parse_general(s, len, out);
	}
	if (p < end && (*p == 'e' || *p == 'E') &&
	    (p = scan_exp(p, end, &e)) == NULL)
		return -1;
	if (p != end)
		return -1;
	if (w == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (convert(w, e - (int64_t)nf, neg, out) < 0)
		return parse_general(s, len, out);
	return 0;
}

/* --------------------------------------------------------------- format */

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "68697071727374757677787980818283848586878889909192939495969798"
    "99";

/* ceil(log2(5^e)) (1 for e == 0), 0 <= e <= 3528 */
static int32_t
pow5bits(int32_t e)
{
	return (int32_t)(((uint32_t)e * 1217359) >> 19) + 1;
}

/* floor(log10(2^e)), 0 <= e <= 1650 */
static int32_t
log10pow2(int32_t e)
{
	return (int32_t)(((uint32_t)e * 78913) >> 18);
}

/* floor(log10(5^e)), 0 <= e <= 2620 */
static int32_t
log10pow5(int32_t e)
{
	return (int32_t)(((uint32_t)e * 732923) >> 20);
}

/* (m * mul) >> j, m < 2^55, mul < 2^125, 64 <= j < 128 */
static uint64_t
mulshift(uint64_t m, const uint64_t *mul, int32_t j)
{
	u128 lo = (u128)m * mul[1];
	u128 hi = (u128)m * mul[0];

	return (uint64_t)(((lo >> 64) + hi) >> (j - 64));
}

/* 5^p divides v (v != 0) */
static int
pow5_divides(uint64_t v, int32_t p)
{
	int32_t n = 0;

	while (v % 5 == 0) {
		v /= 5;
		n++;
	}
	return n >= p;
}

/* 2^p divides v (v != 0) */
static int
pow2_divides(uint64_t v, int32_t p)
{
	return p < 64 && (v & ((UINT64_C(1) << p) - 1)) == 0;
}

/*
 * Ryu: the shortest digits (and their decimal exponent) that read back as
 * the positive double with the given fields; of several, the closest, of
 * two equally close, the even one.  Integers below 2^53 do not come here
 * (num_format prints them as they are).
 */
static uint64_t
ryu(uint64_t mant, int32_t bexp, int32_t *exp10)
{
	uint64_t m2, mv, mp, mm, vr, vp, vm, out;
	int32_t e2, e10, q, removed = 0;
	int even, mmshift, vm_tz = 0, vr_tz = 0, last = 0;

	if (bexp == 0) {
		m2 = mant;
		e2 = 1 - EXP_BIAS - MANT_BITS - 2;
	} else {
		m2 = mant | UINT64_C(1) << MANT_BITS;
		e2 = bexp - EXP_BIAS - MANT_BITS - 2;
	}
	/* The value is mv * 2^e2; the numbers that read back as it lie
	 * between the halfway points mm * 2^e2 and mp * 2^e2, inclusive when
	 * the mantissa is even (round half to even).  Below a power of two the
	 * lower neighbour is twice as close. */
	even = (m2 & 1) == 0;
	mmshift = mant != 0 || bexp <= 1;
	mv = 4 * m2;
	mp = mv + 2;
	mm = mv - 1 - (uint64_t)mmshift;
	/* Scale all three by 10^-e10, keeping a couple of digits more than
	 * the result needs, and note which quotients are exact. */
	if (e2 >= 0) {
		q = log10pow2(e2) - (e2 > 3);
		e10 = q;
		int32_t j = -e2 + q + NUM_RYU_BITS + pow5bits(q) - 1;
		const uint64_t *mul = num_ryu_pow5_inv[q];

		vr = mulshift(mv, mul, j);
		vp = mulshift(mp, mul, j);
		vm = mulshift(mm, mul, j);
		/* Exact iff 5^q divides; impossible from 5^24 > 2^55 on. */
		if (q < 24) {
			vr_tz = pow5_divides(mv, q);
			if (even)
				vm_tz = pow5_divides(mm, q);
			else
				vp -= pow5_divides(mp, q);
		}
	} else {
		q = log10pow5(-e2) - (-e2 > 1);
		e10 = q + e2;
		int32_t i = -e2 - q;
		int32_t j = q - (pow5bits(i) - NUM_RYU_BITS);
		const uint64_t *mul = num_ryu_pow5[i];

		vr = mulshift(mv, mul, j);
		vp = mulshift(mp, mul, j);
		vm = mulshift(mm, mul, j);
		/* Exact iff 2^q divides. */
		vr_tz = pow2_divides(mv, q);
		if (even)
			vm_tz = pow2_divides(mm, q);
		else
			vp -= pow2_divides(mp, q);
	}
	/* An excluded upper bound has been stepped off; now drop digits while
	 * a shorter number still lies in (vm, vp]. */
	if (vm_tz || vr_tz) {
		/* Rare: exact bounds or an exact tie need bookkeeping. */
		while (vp / 10 > vm / 10) {
			vm_tz &= vm % 10 == 0;
			vr_tz &= last == 0;
			last = (int)(vr % 10);
			vr /= 10;
			vp /= 10;
			vm /= 10;
			removed++;
		}
		/* The lower bound is allowed and has more zeros to give. */
		if (vm_tz)
			while (vm % 10 == 0) {
				vr_tz &= last == 0;
				last = (int)(vr % 10);
				vr /= 10;
				vp /= 10;
				vm /= 10;
				removed++;
			}
		if (vr_tz && last == 5 && vr % 2 == 0)
			last = 4;	/* exact tie: keep the even digit */
		out = vr + ((vr == vm && (!even || !vm_tz)) || last >= 5);
	} else {
		int roundup = 0;

		/* Two digits at a time while both can go: short outputs
		 * (prices, rates) drop a dozen.  Only the last digit dropped
		 * decides the rounding, as one at a time. */
		while (vp / 100 > vm / 100) {
			roundup = vr % 100 >= 50;
			vr /= 100;
			vp /= 100;
			vm /= 100;
			removed += 2;
		}
		if (vp / 10 > vm / 10) {
			roundup = vr % 10 >= 5;
			vr /= 10;
			vp /= 10;
			vm /= 10;
			removed++;
		}
		out = vr + (vr == vm || roundup);
	}
	*exp10 = e10 + removed;
	return out;
}

/* 10^i, i < 20 */
static const uint64_t pow10_u64[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000),
	UINT64_C(10000), UINT64_C(100000), UINT64_C(1000000),
	UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000),
	UINT64_C(1000000000000), UINT64_C(10000000000000),
	UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000),
	UINT64_C(1000000000000000000), UINT64_C(10000000000000000000),
};

/* The number of decimal digits of v (0 < v): log10 from the bit length,
 * then one comparison. */
static int
decimal_len(uint64_t v)
{
	int t = ((64 - __builtin_clzll(v)) * 1233) >> 12;

	return t + (v >= pow10_u64[t]);
}

/* Write the n decimal digits of v (v < 10^20) ending just before end, two
 * at a time from a table; below 10^8 in 32-bit arithmetic, which divides
 * faster. */
static void
put_digits(uint64_t v, char *end)
{
	char *p = end;

	/* Eight digits at a time while more are left (twice at most). */
	while (v >= 100000000) {
		uint64_t hi = v / 100000000;
		uint32_t lo = (uint32_t)(v - hi * 100000000);
		uint32_t c = lo % 10000, d = lo / 10000;

		memcpy(p - 2, digit_pairs + 2 * (c % 100), 2);
		memcpy(p - 4, digit_pairs + 2 * (c / 100), 2);
		memcpy(p - 6, digit_pairs + 2 * (d % 100), 2);
		memcpy(p - 8, digit_pairs + 2 * (d / 100), 2);
		p -= 8;
		v = hi;
	}
	uint32_t w = (uint32_t)v;
	while (w >= 100) {
		uint32_t r = w % 100;
		w /= 100;
		p -= 2;
		memcpy(p, digit_pairs + 2 * r, 2);
	}
	if (w >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * w, 2);
	} else
		*--p = (char)('0' + w);
}

/* Write the digits of v at p + 1 .. p + n, then move the first k one place
 * left and put the decimal point after them: "d.ddd" or "ddd.dd".  Fewer
 * than 8 digits move in a loop; the common business value has one to six
 * before its point. */
static char *
put_point(uint64_t v, int n, int k, char *p)
{
	put_digits(v, p + 1 + n);
	for (int i = 0; i < k; i++)
		p[i] = p[i + 1];
	p[k] = '.';
	return p + n + 1;
}

size_t
num_format(double x, char *buf)
{
	uint64_t bits = double_to_bits(x), digits;
	uint64_t mant = bits & MANT_MASK;
	int32_t bexp = (int32_t)((bits >> MANT_BITS) & 0x7ff), exp10, decpt, e;
	char *p = buf;
	int n;

	if (bexp == 0x7ff) {
		buf[0] = '\0';
		return 0;
	}
	if (bits >> 63)
		*p++ = '-';
	if (bexp == 0 && mant == 0) {
		*p++ = '0';
		*p = '\0';
		return (size_t)(p - buf);
	}
	/* Integers below 2^53 (counts, days, whole amounts): the shortest
	 * digits are the integer itself, below 10^16 printed plain. */
	int32_t sh = EXP_BIAS + MANT_BITS - bexp;
	if (bexp != 0 && sh >= 0 && sh <= MANT_BITS &&
	    (mant & ((UINT64_C(1) << sh) - 1)) == 0) {
		digits = (mant | UINT64_C(1) << MANT_BITS) >> sh;
		n = decimal_len(digits);
		put_digits(digits, p + n);
		p += n;
		*p = '\0';
		return (size_t)(p - buf);
	}
	digits = ryu(mant, bexp, &exp10);
	n = decimal_len(digits);
	decpt = exp10 + n;		/* x = 0.d * 10^decpt */
	if (decpt < -3 || decpt > 16) {
		/* d.ddde+XX, as Python for exponents < -4 or >= 16 */
		if (n > 1)
			p = put_point(digits, n, 1, p);
		else
			*p++ = (char)('0' + digits);
		e = decpt - 1;
		*p++ = 'e';
		*p++ = e < 0 ? '-' : '+';
		if (e < 0)
			e = -e;
		if (e >= 100) {
			*p++ = (char)('0' + e / 100);
			e %= 100;
		}
		memcpy(p, digit_pairs + 2 * e, 2);
		p += 2;
	} else if (decpt <= 0) {
		/* 0.000ddd: at most three zeros after the point */
		memcpy(p, "0.000", 5);
		p += 2 - decpt;
		put_digits(digits, p + n);
		p += n;
	} else if (decpt >= n) {
		/* integral: no ".0" */
		put_digits(digits, p + n);
		p += n;
		memset(p, '0', (size_t)(decpt - n));
		p += decpt - n;
	} else {
		p = put_point(digits, n, decpt, p);
	}
	*p = '\0';
	return (size_t)(p - buf);
}
