/*
 * numfmt_ref.h: num_format as it was before the faster digit output (Ryu
 * with one two-digit removal, digits through a scratch buffer), kept
 * verbatim as the reference that test_numfmt.c compares the new one with,
 * byte for byte.  Do not edit: it is the old behaviour.
 */
#ifndef MMM_NUMFMT_REF_H
#define MMM_NUMFMT_REF_H

#include <stdint.h>
#include <string.h>

#include "num_tables.h"

typedef unsigned __int128 ref_u128;

#define REF_MANT_BITS	52
#define REF_EXP_BIAS	1023
#define REF_MANT_MASK	((UINT64_C(1) << REF_MANT_BITS) - 1)

static uint64_t
ref_bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

static const char ref_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "68697071727374757677787980818283848586878889909192939495969798"
    "99";

/* ceil(log2(5^e)) (1 for e == 0), 0 <= e <= 3528 */
static int32_t
ref_pow5bits(int32_t e)
{
	return (int32_t)(((uint32_t)e * 1217359) >> 19) + 1;
}

/* floor(log10(2^e)), 0 <= e <= 1650 */
static int32_t
ref_log10pow2(int32_t e)
{
	return (int32_t)(((uint32_t)e * 78913) >> 18);
}

/* floor(log10(5^e)), 0 <= e <= 2620 */
static int32_t
ref_log10pow5(int32_t e)
{
	return (int32_t)(((uint32_t)e * 732923) >> 20);
}

/* (m * mul) >> j, m < 2^55, mul < 2^125, 64 <= j < 128 */
static uint64_t
ref_mulshift(uint64_t m, const uint64_t *mul, int32_t j)
{
	ref_u128 lo = (ref_u128)m * mul[1];
	ref_u128 hi = (ref_u128)m * mul[0];

	return (uint64_t)(((lo >> 64) + hi) >> (j - 64));
}

/* 5^p divides v (v != 0) */
static int
ref_pow5_divides(uint64_t v, int32_t p)
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
ref_pow2_divides(uint64_t v, int32_t p)
{
	return p < 64 && (v & ((UINT64_C(1) << p) - 1)) == 0;
}

/*
 * Ryu: the shortest digits (and their decimal exponent) that read back as
 * the positive double with the given fields; of several, the closest, of
 * two equally close, the even one.
 */
static uint64_t
ref_ryu(uint64_t mant, int32_t bexp, int32_t *exp10)
{
	uint64_t m2, mv, mp, mm, vr, vp, vm, out;
	int32_t e2, e10, q, removed = 0;
	int even, mmshift, vm_tz = 0, vr_tz = 0, last = 0;

	if (bexp == 0) {
		m2 = mant;
		e2 = 1 - REF_EXP_BIAS - REF_MANT_BITS - 2;
	} else {
		m2 = mant | UINT64_C(1) << REF_MANT_BITS;
		e2 = bexp - REF_EXP_BIAS - REF_MANT_BITS - 2;
		/* Integers below 2^53: the digits are the integer itself. */
		if (e2 >= -REF_MANT_BITS - 2 && e2 <= -2 &&
		    (m2 & ((UINT64_C(1) << (-e2 - 2)) - 1)) == 0) {
			out = m2 >> (-e2 - 2);
			for (e10 = 0; out % 10 == 0; e10++)
				out /= 10;
			*exp10 = e10;
			return out;
		}
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
		q = ref_log10pow2(e2) - (e2 > 3);
		e10 = q;
		int32_t j = -e2 + q + NUM_RYU_BITS + ref_pow5bits(q) - 1;
		const uint64_t *mul = num_ryu_pow5_inv[q];

		vr = ref_mulshift(mv, mul, j);
		vp = ref_mulshift(mp, mul, j);
		vm = ref_mulshift(mm, mul, j);
		/* Exact iff 5^q divides; impossible from 5^24 > 2^55 on. */
		if (q < 24) {
			vr_tz = ref_pow5_divides(mv, q);
			if (even)
				vm_tz = ref_pow5_divides(mm, q);
			else
				vp -= ref_pow5_divides(mp, q);
		}
	} else {
		q = ref_log10pow5(-e2) - (-e2 > 1);
		e10 = q + e2;
		int32_t i = -e2 - q;
		int32_t j = q - (ref_pow5bits(i) - NUM_RYU_BITS);
		const uint64_t *mul = num_ryu_pow5[i];

		vr = ref_mulshift(mv, mul, j);
		vp = ref_mulshift(mp, mul, j);
		vm = ref_mulshift(mm, mul, j);
		/* Exact iff 2^q divides. */
		vr_tz = ref_pow2_divides(mv, q);
		if (even)
			vm_tz = ref_pow2_divides(mm, q);
		else
			vp -= ref_pow2_divides(mp, q);
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

		if (vp / 100 > vm / 100) {
			roundup = vr % 100 >= 50;
			vr /= 100;
			vp /= 100;
			vm /= 100;
			removed += 2;
		}
		while (vp / 10 > vm / 10) {
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

/* Write the decimal digits of v (v < 10^20) ending just before end;
 * return the count. */
static int
ref_put_digits(uint64_t v, char *end)
{
	char *p = end;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		p -= 2;
		memcpy(p, ref_digit_pairs + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, ref_digit_pairs + 2 * v, 2);
	} else
		*--p = (char)('0' + v);
	return (int)(end - p);
}

static size_t
ref_num_format(double x, char *buf)
{
	uint64_t bits = ref_bits(x), digits;
	uint64_t mant = bits & REF_MANT_MASK;
	int32_t bexp = (int32_t)((bits >> REF_MANT_BITS) & 0x7ff), exp10, decpt, e;
	char tmp[24], *d, *p = buf;
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
	digits = ref_ryu(mant, bexp, &exp10);
	n = ref_put_digits(digits, tmp + sizeof(tmp));
	d = tmp + sizeof(tmp) - n;
	decpt = exp10 + n;		/* x = 0.d * 10^decpt */
	if (decpt < -3 || decpt > 16) {
		/* d.ddde+XX, as Python for exponents < -4 or >= 16 */
		*p++ = d[0];
		if (n > 1) {
			*p++ = '.';
			memcpy(p, d + 1, (size_t)n - 1);
			p += n - 1;
		}
		e = decpt - 1;
		*p++ = 'e';
		*p++ = e < 0 ? '-' : '+';
		if (e < 0)
			e = -e;
		if (e >= 100) {
			*p++ = (char)('0' + e / 100);
			e %= 100;
		}
		memcpy(p, ref_digit_pairs + 2 * e, 2);
		p += 2;
	} else if (decpt <= 0) {
		*p++ = '0';
		*p++ = '.';
		memset(p, '0', (size_t)-decpt);
		p += -decpt;
		memcpy(p, d, (size_t)n);
		p += n;
	} else if (decpt >= n) {
		/* integral: no ".0" */
		memcpy(p, d, (size_t)n);
		p += n;
		memset(p, '0', (size_t)(decpt - n));
		p += decpt - n;
	} else {
		memcpy(p, d, (size_t)decpt);
		p += decpt;
		*p++ = '.';
		memcpy(p, d + decpt, (size_t)(n - decpt));
		p += n - decpt;
	}
	*p = '\0';
	return (size_t)(p - buf);
}

#endif
