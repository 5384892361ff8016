/* hashset.c: open addressing with linear probing on 128-bit hashes. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hashset.h"

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
load(const unsigned char *p, size_t n)
{
	uint64_t x = 0;

	memcpy(&x, p, n < 8 ? n : 8);
	return x;
}

hkey
hash_more(hkey h, const void *data, size_t n)
{
	const unsigned char *p = data;

	/* The length goes in first so ("ab","c") and ("a","bc") differ. */
	h.a = mix(h.a ^ (n + 0x9e3779b97f4a7c15ULL));
	h.b = mix(h.b + n * 0xc2b2ae3d27d4eb4fULL);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = load(p + i, n - i);
		h.a = mix(h.a ^ w) * 0x9e3779b97f4a7c15ULL;
		h.b = mix(h.b + w * 0xff51afd7ed558ccdULL) ^ (h.b >> 29);
	}
	return h;
}

hkey
hash_bytes(const void *p, size_t n)
{
	hkey h = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL };

	return hash_more(h, p, n);
}

void
hs_init(hashset *s)
{
	memset(s, 0, sizeof *s);
}

void
hs_free(hashset *s)
{
	free(s->k);
	free(s->v);
	hs_init(s);
}

static size_t
slot(const hashset *s, hkey k)
{
	size_t mask = s->cap - 1, i = (size_t)(k.a ^ (k.b >> 7)) & mask;

	/* A zero key marks an empty slot; real keys are never {0, 0} here. */
	while ((s->k[i].a | s->k[i].b) && (s->k[i].a != k.a || s->k[i].b != k.b))
		i = (i + 1) & mask;
	return i;
}

static void
grow(hashset *s)
{
	hashset t;

	t.cap = s->cap ? 2 * s->cap : 1024;
	t.n = s->n;
	t.k = ecalloc(t.cap, sizeof *t.k);
	t.v = ecalloc(t.cap, sizeof *t.v);
	for (size_t i = 0; i < s->cap; i++)
		if (s->k[i].a | s->k[i].b) {
			size_t j = slot(&t, s->k[i]);
			t.k[j] = s->k[i];
			t.v[j] = s->v[i];
		}
	free(s->k);
	free(s->v);
	*s = t;
}

int
hs_put(hashset *s, hkey k, uint64_t v, uint64_t *old)
{
	if ((k.a | k.b) == 0)
		k.a = 1;
	if (2 * (s->n + 1) > s->cap)
		grow(s);
	size_t i = slot(s, k);
	if (s->k[i].a | s->k[i].b) {
		if (old)
			*old = s->v[i];
		return 0;
	}
	s->k[i] = k;
	s->v[i] = v;
	s->n++;
	return 1;
}

int
hs_get(const hashset *s, hkey k, uint64_t *v)
{
	if (s->cap == 0)
		return 0;
	if ((k.a | k.b) == 0)
		k.a = 1;
	size_t i = slot(s, k);
	if (!(s->k[i].a | s->k[i].b))
		return 0;
	*v = s->v[i];
	return 1;
}
