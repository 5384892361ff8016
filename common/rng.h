/* rng.h: the one deterministic generator for every seeded step (samplers,
 * Monte Carlo, forests, tests, benchmarks): splitmix64 (Steele, Lea and
 * Flood 2014), whose state is a single caller-owned word, so streams are
 * reproducible per --seed and safe to run side by side in threads. */
#ifndef MMM_RNG_H
#define MMM_RNG_H

#include <stdint.h>

/* The next 64 random bits; advances *s. */
static inline uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, 1), on the 2^-53 grid. */
static inline double
rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1p-53;
}

#endif
