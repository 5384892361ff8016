/* test_mmm: the marketing-mix model's candidate fit against the exact
 * non-negative ridge of scipy (tests/data/mmm_ref.h), and the small
 * non-negative quadratic programme against brute force. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmm.h"
#include "rng.h"
#include "tap.h"

#include "../data/mmm_ref.h"

static double
relerr(const double *a, const double *b, size_t n)
{
	double d = 0, s = 0;

	for (size_t i = 0; i < n; i++) {
		d = fmax(d, fabs(a[i] - b[i]));
		s = fmax(s, fabs(b[i]));
	}
	return s > 0 ? d / s : d;
}

static void
test_reference(void)
{
	static const char *const names[MMMREF_K] = { "tv_S", "ooh_S",
		"print_S", "facebook_S", "search_S" };
	static const char *const znames[MMMREF_Q] = { "trend", "sin1", "cos1",
		"competitor_sales_B", "newsletter" };
	const double *x[MMMREF_K], *z[MMMREF_Q];
	mmm_channel ch[MMMREF_K];
	char err[256];

	for (size_t c = 0; c < MMMREF_K; c++) {
		x[c] = mmmref_x + c * MMMREF_N;
		mmm_channel_defaults(&ch[c], names[c], ADSTOCK_GEOMETRIC,
		    SAT_HILL);
	}
	for (size_t j = 0; j < MMMREF_Q; j++)
		z[j] = mmmref_z + j * MMMREF_N;
	mmm_problem p = { .n = MMMREF_N, .k = MMMREF_K, .q = MMMREF_Q,
		.y = mmmref_y, .x = x, .z = z, .zname = znames, .ch = ch,
		.lmax = 12, .lambda_lo = 1e-4, .lambda_hi = 1 };
	int st = mmm_problem_init(&p, err, sizeof err);
	TAP_OK(st == 0, "problem init: %s", st ? err : "ok");
	if (st)
		return;
	TAP_OK(p.nh == 3 * MMMREF_K + 1, "hyperparameters: %zu", p.nh);
	TAP_OK(strcmp(p.hp[0].name, "tv_S.theta") == 0 &&
	    strcmp(p.hp[2].name, "tv_S.gamma") == 0 &&
	    p.hp[0].lo == 0.3 && p.hp[0].hi == 0.8 &&
	    p.hp[9].lo == 0 && p.hp[9].hi == 0.3 &&
	    strcmp(p.hp[p.nh - 1].name, "lambda") == 0,
	    "names and Robyn's bounds by channel type");

	mmm_work *w = mmm_work_new(&p);
	size_t nc = MMMREF_K + MMMREF_Q + 1;
	for (size_t i = 0; i < MMMREF_NCASES; i++) {
		const double *h = mmmref_h + i * p.nh;
		const double *ref = mmmref_coef + i * nc;
		const double *rs = mmmref_score + i * 3;
		double coef[MMMREF_K + MMMREF_Q + 1];
		mmm_score sc;

		mmm_eval(&p, w, h, &sc, coef);
		double e = relerr(coef, ref, nc);
		TAP_OK(e < 1e-8, "case %zu: coefficients equal scipy bvls "
		    "(rel %.2g)", i, e);
		int zeros = 1;
		for (size_t c = 0; c < MMMREF_K; c++)
			zeros &= (ref[c] == 0) == (coef[c] == 0);
		TAP_OK(zeros, "case %zu: the same media at zero", i);
		TAP_OK(fabs(sc.nrmse - rs[0]) < 1e-9 * rs[0], "case %zu: NRMSE "
		    "%.15g vs %.15g", i, sc.nrmse, rs[0]);
		TAP_OK(fabs(sc.rssd - rs[1]) < 1e-9 * rs[1], "case %zu: "
		    "DECOMP.RSSD %.15g vs %.15g", i, sc.rssd, rs[1]);
		TAP_OK(fabs(sc.r2 - rs[2]) < 1e-9, "case %zu: R2 %.15g vs %.15g",
		    i, sc.r2, rs[2]);
	}
	mmm_work_free(w);
	mmm_problem_free(&p);
}

/* Brute force: every subset as the free set, the best feasible one. */
static double
qp_value(const double *a, const double *b, const double *z, size_t m)
{
	double v = 0;

	for (size_t i = 0; i < m; i++) {
		v -= 2 * b[i] * z[i];
		for (size_t j = 0; j < m; j++)
			v += z[i] * a[i * m + j] * z[j];
	}
	return v;
}

static void
test_nnqp(void)
{
	uint64_t s = 42;
	int bad = 0, hard = 0;

	for (int rep = 0; rep < 500; rep++) {
		size_t m = 1 + (size_t)(rng_next(&s) % 6);
		double g[36], a[36], b[6], z[6], l[36], tmp[6];
		size_t idx[6];
		/* A = G'G + 0.01 I from a random G; b random. */
		for (size_t i = 0; i < m * m; i++)
			g[i] = rng_unit(&s) * 2 - 1;
		for (size_t i = 0; i < m; i++) {
			b[i] = rng_unit(&s) * 2 - 1;
			for (size_t j = 0; j < m; j++) {
				double t = i == j ? 0.01 : 0;
				for (size_t r = 0; r < m; r++)
					t += g[r * m + i] * g[r * m + j];
				a[i * m + j] = t;
			}
		}
		mmm_nnqp(a, b, m, z, l, tmp, idx);
		double best = 0;	/* z = 0 */
		for (unsigned mask = 1; mask < (1u << m); mask++) {
			size_t nf = 0, id[6];
			for (size_t i = 0; i < m; i++)
				if (mask >> i & 1)
					id[nf++] = i;
			/* Solve the free block by Gaussian elimination. */
			double mat[6][7], zz[6] = { 0 };
			for (size_t i = 0; i < nf; i++) {
				for (size_t j = 0; j < nf; j++)
					mat[i][j] = a[id[i] * m + id[j]];
				mat[i][nf] = b[id[i]];
			}
			for (size_t c = 0; c < nf; c++)
				for (size_t r = c + 1; r < nf; r++) {
					double f = mat[r][c] / mat[c][c];
					for (size_t j = c; j <= nf; j++)
						mat[r][j] -= f * mat[c][j];
				}
			int ok = 1;
			for (size_t i = nf; i-- > 0;) {
				double t = mat[i][nf];
				for (size_t j = i + 1; j < nf; j++)
					t -= mat[i][j] * zz[id[j]];
				zz[id[i]] = t / mat[i][i];
				ok &= zz[id[i]] >= 0;
			}
			if (ok)
				best = fmin(best, qp_value(a, b, zz, m));
		}
		int feas = 1, nz = 0;
		for (size_t i = 0; i < m; i++) {
			feas &= z[i] >= 0;
			nz += z[i] == 0;
		}
		double v = qp_value(a, b, z, m);
		if (!feas || v > best + 1e-10 * fmax(1, fabs(best)))
			bad++;
		hard += nz > 0 && nz < (int)m;
	}
	TAP_OK(bad == 0, "non-negative QP: 500 random problems optimal (%d "
	    "wrong, %d with some coefficients at zero)", bad, hard);
}

int
main(void)
{
	test_reference();
	test_nnqp();
	return tap_done();
}
