/* hashset.h: a set of 128-bit key hashes with a 64-bit value each — seen keys
 * for uniqueness checks, group lookup for --by.  Two independent 64-bit hashes
 * make a false match among 10^9 keys less likely than 10^-20. */
#ifndef MMM_HASHSET_H
#define MMM_HASHSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct hkey {
	uint64_t a, b;
} hkey;

typedef struct hashset {
	hkey *k;
	uint64_t *v;
	size_t n, cap;		/* cap: a power of two */
} hashset;

/* Hash bytes; feed several fields with hash_more to key a tuple. */
hkey hash_bytes(const void *p, size_t n);
hkey hash_more(hkey h, const void *p, size_t n);

void hs_init(hashset *s);
void hs_free(hashset *s);
/* Insert key with value v if absent: return 1.  If present return 0 and set
 * *old to its value. */
int hs_put(hashset *s, hkey k, uint64_t v, uint64_t *old);

/* 1 and the key's value in *v when present, else 0. */
int hs_get(const hashset *s, hkey k, uint64_t *v);

#endif
