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

#endif
