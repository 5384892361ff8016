/* sha256.h: SHA-256 (FIPS 180-4), incremental, for the input digest that
 * model files record. */
#ifndef MMM_SHA256_H
#define MMM_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
	/* the compression of n whole blocks, chosen by sha256_init */
	void (*blocks)(uint32_t *h, const unsigned char *p, size_t n);
} sha256;

void sha256_init(sha256 *s);
void sha256_update(sha256 *s, const void *p, size_t n);
/* The digest as 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_hex(sha256 *s, char hex[65]);
/* Hashes begun after this use the CPU's SHA instructions when on and the
 * CPU has them (the default), else the portable code; returns 1 when they
 * will be used.  For tests and benchmarks; not thread-safe. */
int sha256_hw(int on);

#endif
