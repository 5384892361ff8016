/* test_bayes: the diagnostics against numpy (tests/data/mcdiag_ref.h), the
 * sampler on a Gaussian linear model whose posterior is known in closed
 * form, and the Bayesian MMM's analytic gradient against central
 * differences for every transform kind, the ROI prior and lift terms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcdiag.h"
#include "mmmbayes.h"
#include "nuts.h"
#include "rng.h"
#include "synth.h"
#include "tap.h"

#include "../data/mcdiag_ref.h"

static int
close_to(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fabs(b);
}

static void
test_diagnostics(void)
{
	for (int i = 0; i < MCREF_CASES; i++) {
		const double *x = mcref_x[i];
		double a = mc_rhat_plain(x, MCREF_M, MCREF_N);
		double b = mc_ess_plain(x, MCREF_M, MCREF_N);
		double c = mc_rhat(x, MCREF_M, MCREF_N);
		double d = mc_ess_bulk(x, MCREF_M, MCREF_N);
		TAP_OK(close_to(a, mcref_rhat_plain[i], 1e-12) &&
		    close_to(b, mcref_ess_plain[i], 1e-12),
		    "%s: classic R-hat %.15g (numpy %.15g), ESS %.15g (%.15g)",
		    mcref_name[i], a, mcref_rhat_plain[i], b,
		    mcref_ess_plain[i]);
		/* GSL's and scipy's inverse normal CDFs differ in the last
		 * digits */
		TAP_OK(close_to(c, mcref_rhat[i], 1e-10) &&
		    close_to(d, mcref_ess_bulk[i], 1e-10),
		    "%s: rank split R-hat %.15g (numpy %.15g), bulk ESS %.15g "
		    "(%.15g)", mcref_name[i], c, mcref_rhat[i], d,
		    mcref_ess_bulk[i]);
	}
	double flat[40];
	for (int i = 0; i < 40; i++)
		flat[i] = 1;
	TAP_OK(isnan(mc_rhat(flat, 4, 10)) && mc_ess_bulk(flat, 4, 10) == 40,
	    "constant draws: R-hat undefined, ESS the number of draws");
	TAP_OK(isnan(mc_rhat(flat, 4, 3)) && isnan(mc_ess_bulk(flat, 4, 7)),
	    "too few draws: NaN");
}

/* y = X b + e, e ~ N(0, 1), b ~ N(0, TAU^2 I): the posterior is normal with
 * precision X'X + I / TAU^2 and mean its inverse times X'y. */
#define LN 40
#define LP 3
#define TAU 2.0
typedef struct lin {
	double x[LN * LP], y[LN];
} lin;

static double
lin_logp(void *ctx, const double *b, double *g)
{
	const lin *l = ctx;
	double lp = 0;

	for (int j = 0; j < LP; j++) {
		lp -= b[j] * b[j] / (2 * TAU * TAU);
		g[j] = -b[j] / (TAU * TAU);
	}
	for (int i = 0; i < LN; i++) {
		double r = l->y[i];
		for (int j = 0; j < LP; j++)
			r -= l->x[i * LP + j] * b[j];
		lp -= r * r / 2;
		for (int j = 0; j < LP; j++)
			g[j] += r * l->x[i * LP + j];
	}
	return lp;
}

/* The inverse of a symmetric positive definite 3 x 3 matrix. */
static void
inv3(const double *a, double *r)
{
	double det = a[0] * (a[4] * a[8] - a[5] * a[7]) -
	    a[1] * (a[3] * a[8] - a[5] * a[6]) +
	    a[2] * (a[3] * a[7] - a[4] * a[6]);
	r[0] = (a[4] * a[8] - a[5] * a[7]) / det;
	r[1] = (a[2] * a[7] - a[1] * a[8]) / det;
	r[2] = (a[1] * a[5] - a[2] * a[4]) / det;
	r[3] = (a[5] * a[6] - a[3] * a[8]) / det;
	r[4] = (a[0] * a[8] - a[2] * a[6]) / det;
	r[5] = (a[2] * a[3] - a[0] * a[5]) / det;
	r[6] = (a[3] * a[7] - a[4] * a[6]) / det;
	r[7] = (a[1] * a[6] - a[0] * a[7]) / det;
	r[8] = (a[0] * a[4] - a[1] * a[3]) / det;
}

static void
test_sampler(void)
{
	lin l;
	uint64_t s = 42;
	/* Columns on very different scales (posterior sds 100 apart): the
	 * mass matrix must adapt. */
	static const double scale[LP] = { 1, 10, 0.1 };
	static const double truth[LP] = { 1, -0.5, 2 };

	for (int i = 0; i < LN; i++) {
		l.y[i] = nuts_normal(&s);
		for (int j = 0; j < LP; j++) {
			l.x[i * LP + j] = scale[j] * nuts_normal(&s) + (j == 0 ?
			    0.5 * l.x[i * LP + 1] / scale[1] : 0);
			l.y[i] += l.x[i * LP + j] * truth[j];
		}
	}
	double prec[LP * LP], cov[LP * LP], xy[LP], mean[LP];
	for (int a = 0; a < LP; a++) {
		xy[a] = 0;
		for (int i = 0; i < LN; i++)
			xy[a] += l.x[i * LP + a] * l.y[i];
		for (int b = 0; b < LP; b++) {
			double v = a == b ? 1 / (TAU * TAU) : 0;
			for (int i = 0; i < LN; i++)
				v += l.x[i * LP + a] * l.x[i * LP + b];
			prec[a * LP + b] = v;
		}
	}
	inv3(prec, cov);
	for (int a = 0; a < LP; a++) {
		mean[a] = 0;
		for (int b = 0; b < LP; b++)
			mean[a] += cov[a * LP + b] * xy[b];
	}

	enum { CH = 4, DR = 1000 };
	nuts_opts o = { .warmup = 1000, .draws = DR, .target_accept = 0.8,
		.max_depth = 10 };
	double *draws = malloc(CH * DR * LP * sizeof *draws);
	if (!draws)
		return;
	double q0[LP] = { 0, 0, 0 };
	size_t div = 0;
	for (int c = 0; c < CH; c++) {
		uint64_t rng = 1000 + (uint64_t)c;
		nuts_chain ch = { .draws = draws + c * DR * LP };
		int st = nuts_run(&o, LP, lin_logp, &l, q0, &rng, &ch);
		TAP_OK(st == 0 && ch.step > 0, "chain %d: step %.4g, accept "
		    "%.3f", c, ch.step, ch.accept);
		div += ch.divergent;
	}
	TAP_OK(div == 0, "no divergences (%zu)", div);
	double col[CH * DR];
	for (int j = 0; j < LP; j++) {
		for (int c = 0; c < CH; c++)
			for (int i = 0; i < DR; i++)
				col[c * DR + i] = draws[(c * DR + i) * LP + j];
		double m = 0, v = 0;
		for (int i = 0; i < CH * DR; i++)
			m += col[i];
		m /= CH * DR;
		for (int i = 0; i < CH * DR; i++)
			v += (col[i] - m) * (col[i] - m);
		double sd = sqrt(v / (CH * DR - 1)), sd0 = sqrt(cov[j * LP +
		    j]);
		double ess = mc_ess_bulk(col, CH, DR);
		double rh = mc_rhat(col, CH, DR);
		/* Monte Carlo standard errors: sd / sqrt(ess) for the mean,
		 * about sd / sqrt(2 ess) for the sd; 4 of them. */
		TAP_OK(fabs(m - mean[j]) < 4 * sd0 / sqrt(ess),
		    "b%d: mean %.5g, closed form %.5g (mcse %.3g)", j, m,
		    mean[j], sd0 / sqrt(ess));
		TAP_OK(fabs(sd - sd0) < 4 * sd0 / sqrt(2 * ess),
		    "b%d: sd %.5g, closed form %.5g", j, sd, sd0);
		TAP_OK(rh < 1.01 && ess > 1000, "b%d: R-hat %.4f, bulk ESS "
		    "%.0f", j, rh, ess);
	}
	free(draws);
}

/* A problem from mmm-synth's data: 5 channels, the given kinds. */
typedef struct synprob {
	synth s;
	const double *x[5], *z[2];
	mmm_channel ch[5];
	mmm_problem p;
} synprob;

static const char *const znames[2] = { "temperature", "promo" };

static int
synprob_init(synprob *sp, adstock_kind ak, const saturation_kind *sk)
{
	synth_conf conf = { .periods = 104, .channels = 5, .seed = 3,
		.noise = 0.05, .start = 18631 };
	char err[256];

	synth_make(&sp->s, &conf);
	for (int c = 0; c < 5; c++) {
		sp->x[c] = sp->s.ch[c].x;
		mmm_channel_defaults(&sp->ch[c], sp->s.ch[c].name, ak, sk[c]);
	}
	sp->z[0] = sp->s.temp;
	sp->z[1] = sp->s.promo;
	sp->p = (mmm_problem){ .n = 104, .k = 5, .q = 2, .y = sp->s.revenue,
		.x = sp->x, .z = sp->z, .zname = znames, .ch = sp->ch,
		.lmax = 12, .lambda_lo = 1e-4, .lambda_hi = 1 };
	return mmm_problem_init(&sp->p, err, sizeof err);
}

static void
synprob_free(synprob *sp)
{
	mmm_problem_free(&sp->p);
	synth_free(&sp->s);
}

static void
test_gradient(void)
{
	static const saturation_kind hill[5] = { SAT_HILL, SAT_HILL, SAT_HILL,
		SAT_HILL, SAT_HILL };
	static const saturation_kind mixed[5] = { SAT_HILL, SAT_LOGISTIC,
		SAT_MICHAELIS, SAT_NONE, SAT_HILL };
	lift_test lt[2] = { { .chan = 0, .start = 10, .end = 20, .lift =
		50000, .sd = 10000, .line = 2 }, { .chan = 1, .start = 40,
		.end = 45, .lift = 8000, .sd = 3000, .line = 3 } };
	lift_set lifts = { lt, 2 };
	struct {
		const char *what;
		adstock_kind ak;
		const saturation_kind *sk;
		const char *roi;
		int lift;
	} cases[] = {
		{ "geometric + hill", ADSTOCK_GEOMETRIC, hill, NULL, 0 },
		{ "hill, logistic, michaelis, none", ADSTOCK_GEOMETRIC, mixed,
		    NULL, 0 },
		{ "no adstock", ADSTOCK_NONE, mixed, NULL, 0 },
		{ "ROI priors", ADSTOCK_GEOMETRIC, mixed,
		    "tv_spend=lognormal:0.2:0.9,*_spend=lognormal:0:1", 0 },
		{ "ROI priors and lifts", ADSTOCK_GEOMETRIC, mixed,
		    "search_spend=lognormal:0.5:0.5", 1 },
		{ "hill and lifts", ADSTOCK_GEOMETRIC, hill, NULL, 1 },
		{ "delayed + hill", ADSTOCK_DELAYED, hill, NULL, 0 },
		{ "delayed; hill, logistic, michaelis, none", ADSTOCK_DELAYED,
		    mixed, NULL, 0 },
		{ "delayed, ROI priors and lifts", ADSTOCK_DELAYED, mixed,
		    "tv_spend=lognormal:0.2:0.9,search_spend=lognormal:0.5:0.5",
		    1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		synprob sp;
		char err[256];
		if (synprob_init(&sp, cases[i].ak, cases[i].sk) < 0) {
			TAP_OK(0, "%s: problem", cases[i].what);
			continue;
		}
		mmm_bayes_opts o = { .roi_prior = cases[i].roi };
		sp.p.lift = cases[i].lift ? &lifts : NULL;
		int st = mmm_bayes_check(&sp.p, &o, err, sizeof err);
		double e = 0;
		for (uint64_t seed = 1; seed <= 5 && st == 0; seed++)
			e = fmax(e, mmm_bayes_grad_error(&sp.p, &o, seed));
		/* central differences with h = 1e-5: error O(h^2) + rounding
		 * of the density (~1e-13 / h) */
		TAP_OK(st == 0 && e < 1e-5, "%s: gradient within %.2g of "
		    "central differences", cases[i].what, e);
		/* the sampler's own adstock and saturation are transform.c's */
		e = 0;
		for (uint64_t seed = 1; seed <= 5 && st == 0; seed++)
			e = fmax(e, mmm_bayes_series_error(&sp.p, &o, seed));
		TAP_OK(st == 0 && e < 1e-12, "%s: media series within %.2g "
		    "of transform.c's", cases[i].what, e);
		synprob_free(&sp);
	}

	synprob sp;
	char err[256];
	synprob_init(&sp, ADSTOCK_GEOMETRIC, hill);
	sp.ch[2].ak = ADSTOCK_WEIBULL_PDF;
	mmm_bayes_opts o = { 0 };
	TAP_OK(mmm_bayes_check(&sp.p, &o, err, sizeof err) < 0 &&
	    strstr(err, "weibull_pdf is not sampled") && strstr(err,
	    "step function of SCALE"), "weibull refused: %s", err);
	sp.ch[2].ak = ADSTOCK_WEIBULL_CDF;
	TAP_OK(mmm_bayes_check(&sp.p, &o, err, sizeof err) < 0 &&
	    strstr(err, "weibull_cdf is not sampled") && strstr(err,
	    "--method ridge"), "weibull_cdf refused: %s", err);
	sp.ch[2].ak = ADSTOCK_GEOMETRIC;
	o.roi_prior = "tv_spend=lognormal:0.2";
	TAP_OK(mmm_bayes_check(&sp.p, &o, err, sizeof err) < 0 &&
	    strstr(err, "lacks :SIGMA"), "--roi-prior without SIGMA: %s", err);
	o.roi_prior = "tv=lognormal:0.2:1";
	TAP_OK(mmm_bayes_check(&sp.p, &o, err, sizeof err) < 0 &&
	    strstr(err, "not a media channel"), "--roi-prior, unknown "
	    "channel: %s", err);
	o.roi_prior = "tv_spend=lognormal:0.2:0";
	TAP_OK(mmm_bayes_check(&sp.p, &o, err, sizeof err) < 0,
	    "--roi-prior with SIGMA 0: %s", err);
	o.roi_prior = NULL;
	lt[1].sd = NAN;
	sp.p.lift = &lifts;
	TAP_OK(mmm_bayes_check(&sp.p, &o, err, sizeof err) < 0 &&
	    strstr(err, "line 3: --method bayes needs lift_sd"),
	    "a lift test without lift_sd: %s", err);
	sp.p.lift = NULL;
	synprob_free(&sp);
}

int
main(void)
{
	test_diagnostics();
	test_sampler();
	test_gradient();
	return tap_done();
}
