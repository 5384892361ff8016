/* test_mmm: the marketing-mix model's candidate fit against the exact
 * non-negative ridge of scipy (tests/data/mmm_ref.h), and the small
 * non-negative quadratic programme against brute force; the search's
 * vector kernels against plain loops; held-out rows against the fit of
 * the training rows alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmm.h"
#include "rng.h"
#include "tap.h"
#include "vmath.h"

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

/* The reference problem's channel and control names. */
static const char *const names[MMMREF_K] = { "tv_S", "ooh_S", "print_S",
	"facebook_S", "search_S" };
static const char *const znames[MMMREF_Q] = { "trend", "sin1", "cos1",
	"competitor_sales_B", "newsletter" };

static void
test_reference(void)
{
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

/* The kernels against the plain loops they replace: the adstock and the
 * sums to the bit (the same operations in the same order), Hill to a few
 * ulps (vector log and exp). */
static void
test_kernels(void)
{
	enum { N = 211, K = 11 };
	static double x[K][N], out[K][N], junk[N], r[14][N];
	const double *xp[K];
	double *op[K], th[K], lo[K], hi[K];
	uint64_t s = 7;
	int bad_ad = 0, bad_dot = 0, bad_hill = 0, bad_sum = 0;

	for (size_t c = 0; c < K; c++) {
		for (size_t t = 0; t < N; t++)
			x[c][t] = rng_unit(&s) < 0.3 ? 0 : rng_unit(&s) * 1e4;
		xp[c] = x[c];
		op[c] = out[c];
		th[c] = rng_unit(&s) * 0.9;
	}
	for (size_t k = 1; k <= K; k++) {
		size_t n = N - k, nr = n - 3 * k;
		vm_adstock_geometric(xp, th, k, n, nr, op, lo, hi, junk);
		for (size_t c = 0; c < k; c++) {
			double a = 0, mn = HUGE_VAL, mx = -HUGE_VAL;
			for (size_t t = 0; t < n; t++) {
				a = x[c][t] + th[c] * a;
				bad_ad += out[c][t] != a;
				if (t < nr) {
					mn = fmin(mn, a);
					mx = fmax(mx, a);
				}
			}
			bad_ad += lo[c] != mn || hi[c] != mx;
		}
	}
	TAP_OK(bad_ad == 0, "vm_adstock_geometric: 1 to 11 channels equal the "
	    "recursion bit for bit, ranges over the first rows (%d wrong)",
	    bad_ad);

	for (size_t j = 0; j < 14; j++)
		for (size_t t = 0; t < N; t++)
			r[j][t] = rng_unit(&s) * 2 - 1;
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
		200, N };
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
		for (size_t m = 1, n = sizes[si]; m <= 13; m++) {
			double got[13];
			vm_dots(r[13], r[0], N, m, n, got);
			for (size_t j = 0; j < m; j++) {
				double l[4] = { 0, 0, 0, 0 };
				size_t i = 0;
				for (; i + 4 <= n; i += 4)
					for (size_t q = 0; q < 4; q++)
						l[q] += r[13][i + q] * r[j][i + q];
				for (; i < n; i++)
					l[0] += r[13][i] * r[j][i];
				bad_dot += got[j] != (l[0] + l[2]) + (l[1] + l[3]);
			}
			double l[4] = { 0, 0, 0, 0 };
			size_t i = 0;
			for (; i + 4 <= n; i += 4)
				for (size_t q = 0; q < 4; q++)
					l[q] += r[m][i + q];
			for (; i < n; i++)
				l[0] += r[m][i];
			bad_sum += vm_sum(r[m], n) != (l[0] + l[2]) + (l[1] + l[3]);
		}
	TAP_OK(bad_dot == 0 && bad_sum == 0, "vm_dots and vm_sum: four lanes, "
	    "in order, 1 to 13 columns of 0 to 11, 200 and 211 rows (%d, %d "
	    "wrong)", bad_dot,
	    bad_sum);

	double worst = 0;
	for (size_t c = 0; c < 3; c++) {
		double alpha = 0.5 + c, g = 2500, *col = out[c], tmp[N];
		double want[N], sum = 0;
		for (size_t t = 0; t < N; t++) {
			col[t] = t % 17 == 0 ? 0 : x[c][t] + 1;
			want[t] = col[t] > 0 ? 1 / (1 + pow(g / col[t], alpha)) : 0;
		}
		double got = vm_hill(col, N, alpha, log(g), tmp);
		for (size_t t = 0; t < N; t++) {
			sum += col[t];
			if (want[t] == 0)
				bad_hill += col[t] != 0;
			else
				worst = fmax(worst, fabs(col[t] - want[t]) /
				    want[t]);
		}
		bad_hill += fabs(got - vm_sum(col, N)) > 0 || !(fabs(got - sum) <
		    1e-12 * sum);
	}
	TAP_OK(bad_hill == 0 && worst < 1e-13, "vm_hill: within %.2g of "
	    "1 / (1 + (g/x)^alpha), 0 at 0, its sum that of vm_sum", worst);
}

/* Held-out rows change nothing of the fit of the first rows and are
 * scored by the prediction of the fitted coefficients. */
static void
test_heldout(void)
{
	const double *x[MMMREF_K], *z[MMMREF_Q];
	mmm_channel ch[MMMREF_K];
	char err[256];
	size_t nv = 30, nval = 13, n = MMMREF_N - nv, k = MMMREF_K;
	size_t q = MMMREF_Q, nc = MMMREF_K + MMMREF_Q + 1;

	for (size_t c = 0; c < k; c++) {
		x[c] = mmmref_x + c * MMMREF_N;
		mmm_channel_defaults(&ch[c], names[c], ADSTOCK_GEOMETRIC,
		    SAT_HILL);
	}
	for (size_t j = 0; j < q; j++)
		z[j] = mmmref_z + j * MMMREF_N;
	mmm_problem all = { .n = n, .nv = nv, .nval = nval, .k = k, .q = q,
		.y = mmmref_y, .x = x, .z = z, .zname = znames, .ch = ch,
		.lmax = 12, .lambda_lo = 1e-4, .lambda_hi = 1 };
	mmm_problem head = all;
	head.nv = head.nval = 0;
	int st = mmm_problem_init(&all, err, sizeof err);
	st |= mmm_problem_init(&head, err, sizeof err);
	TAP_OK(st == 0, "problems with and without held-out rows");
	if (st)
		return;
	mmm_work *wa = mmm_work_new(&all), *wh = mmm_work_new(&head);
	int same = 1;
	double worst = 0;
	for (size_t i = 0; i < MMMREF_NCASES; i++) {
		const double *h = mmmref_h + i * all.nh;
		double ca[MMMREF_K + MMMREF_Q + 1], ch_[MMMREF_K + MMMREF_Q + 1];
		mmm_score sa, sh;
		for (int exact = 0; exact < 2; exact++) {
			mmm_work_exact(wa, exact);
			mmm_work_exact(wh, exact);
			mmm_eval(&all, wa, h, &sa, ca);
			mmm_eval(&head, wh, h, &sh, ch_);
			same &= memcmp(ca, ch_, sizeof ca) == 0 &&
			    sa.nrmse == sh.nrmse && sa.rssd == sh.rssd &&
			    sa.obj == sa.nrmse_val && sh.obj == sh.nrmse &&
			    isnan(sh.nrmse_val) && isnan(sh.nrmse_test);
		}
		/* By hand: the exact transforms of the whole series, the
		 * coefficients, each part's RMSE over its KPI's range. */
		const double *s = mmm_work_media(wa);
		double ss[2] = { 0, 0 }, lo[2] = { HUGE_VAL, HUGE_VAL };
		double hi[2] = { -HUGE_VAL, -HUGE_VAL };
		for (size_t t = n; t < MMMREF_N; t++) {
			double f = ca[nc - 1];
			for (size_t c = 0; c < k; c++)
				f += ca[c] * s[c * MMMREF_N + t];
			for (size_t j = 0; j < q; j++)
				f += ca[k + j] * z[j][t];
			int part = t >= n + nval;
			ss[part] += (mmmref_y[t] - f) * (mmmref_y[t] - f);
			lo[part] = fmin(lo[part], mmmref_y[t]);
			hi[part] = fmax(hi[part], mmmref_y[t]);
		}
		double v = sqrt(ss[0] / (double)nval) / (hi[0] - lo[0]);
		double te = sqrt(ss[1] / (double)(nv - nval)) / (hi[1] - lo[1]);
		worst = fmax(worst, fmax(fabs(v - sa.nrmse_val) / v,
		    fabs(te - sa.nrmse_test) / te));
	}
	TAP_OK(same, "the fit with held-out rows equals the fit of the "
	    "first rows alone, bit for bit (search and exact transforms)");
	TAP_OK(worst < 1e-13, "validation and test NRMSE equal the "
	    "prediction by hand (rel %.2g)", worst);
	mmm_work_free(wa);
	mmm_work_free(wh);
	mmm_problem_free(&all);
	mmm_problem_free(&head);
}

int
main(void)
{
	test_reference();
	test_nnqp();
	test_kernels();
	test_heldout();
	return tap_done();
}
