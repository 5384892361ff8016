/* mcdiag.h: convergence diagnostics of Markov chains — rank-normalised
 * split R-hat and bulk effective sample size, as Vehtari, Gelman, Simpson,
 * Carpenter and Buerkner (2021, "Rank-normalization, folding, and
 * localization", Bayesian Analysis 16(2)) define them and ArviZ computes them
 * (rhat method "rank", ess method "bulk"; the autocorrelations summed by
 * Geyer's initial monotone sequence over all chains). */
#ifndef MMM_MCDIAG_H
#define MMM_MCDIAG_H

#include <stddef.h>

/* x holds m chains of n draws each, chain after chain (x[c * n + i]).
 * mc_rhat needs n >= 4, mc_ess_bulk n >= 8 (2 and 4 draws a half-chain),
 * and finite draws; NaN otherwise. */

/* max(split R-hat of the rank-normalised draws, split R-hat of the
 * rank-normalised folded draws |x - median|). */
double mc_rhat(const double *x, size_t m, size_t n);
/* Bulk ESS: the ESS of the rank-normalised split chains. */
double mc_ess_bulk(const double *x, size_t m, size_t n);

/* The pieces, on chains as given (no split, no ranks), for tests:
 * classic R-hat sqrt(var+ / W) and ESS with Geyer's initial monotone
 * sequence. */
double mc_rhat_plain(const double *x, size_t m, size_t n);
double mc_ess_plain(const double *x, size_t m, size_t n);

#endif
