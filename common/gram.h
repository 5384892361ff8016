/* gram.h: the Gram matrix A'A of a tall column-major matrix, by row blocks
 * of a size fixed by the rows alone, spread over threads and summed in
 * block order: the bytes do not depend on the number of threads.  BLAS is
 * called from several threads at once; it must itself run on one thread
 * (see model_blas_single in model.h), whose sums are in a fixed order. */
#ifndef MMM_GRAM_H
#define MMM_GRAM_H

#include <stddef.h>

/* The upper triangle of A'A into g (k x k, column-major, as cblas_dsyrk
 * writes it; the lower triangle is left alone), A n x k at a with leading
 * dimension lda >= n; threads <= 1: the caller's thread only. */
void gram_upper(const double *a, size_t n, size_t lda, size_t k,
    int threads, double *g);

/* A matrix that is never stored whole: fill writes its rows [r0, r0 + m)
 * into a (m x kc, column-major, leading dimension m).  It is called from
 * several threads at once, on distinct rows. */
typedef struct gram_src {
	size_t n, kc;
	void (*fill)(const void *ctx, size_t r0, size_t m, double *a);
	const void *ctx;
} gram_src;

/* op on every block of the source, the same blocks as gram_upper's, a
 * part at a time: block b's rows are filled into a (m x kc, writable) and
 * passed to op in row order, the first part with r0 = b * rows, on one
 * thread. */
typedef void gram_block_fn(void *ctx, size_t b, size_t r0, size_t m,
    double *a);
/* Blocks in the fixed layout for n rows; rows per block into *rows. */
size_t gram_nblocks(size_t n, size_t *rows);
void gram_each_block(const gram_src *s, int threads, gram_block_fn *op,
    void *ctx);

/* op on the same parts of rows [0, n), with a scratch buffer a (not
 * filled) of kc doubles per row of the part: row passes over other arrays
 * in the fixed layout. */
void gram_each_rows(size_t n, size_t kc, int threads, gram_block_fn *op,
    void *ctx);

/* The upper triangle of B'B (kc x kc) into g, B the source with its first
 * kt columns multiplied on the right by the inverse of the kt x kt upper
 * triangular tri (column-major; NULL: not).  Without tri the bytes equal
 * those of gram_upper on the stored matrix. */
void gram_upper_src(const gram_src *s, const double *tri, size_t kt,
    int threads, double *g);

#endif
