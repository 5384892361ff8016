/* nuts.c: the No-U-Turn sampler with Stan's adaptation (see nuts.h).  The
 * tree building follows Stan's base_nuts.hpp (2.2x) step for step, so that
 * its published behaviour (acceptance statistic, divergence at an energy
 * error above 1000, the three U-turn checks) carries over. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "nuts.h"
#include "rng.h"

#define MAX_DELTA_H 1000

double
nuts_normal(uint64_t *s)
{
	double u1 = 1 - rng_unit(s), u2 = rng_unit(s);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* A point in phase space. */
typedef struct ps {
	double *q, *p, *g;
	double lp;
} ps;

typedef struct sampler {
	size_t d;
	nuts_logp_fn f;
	void *ctx;
	uint64_t *rng;
	double *minv;		/* inverse metric (diagonal) */
	double eps;
	int max_depth;
	int divergent;
	ps z;			/* the current end of the trajectory */
	/* per depth: what Stan keeps on the stack of build_tree */
	ps *zfinal;
	double **p_init_end, **ps_init_end, **rho_init;
	double **p_final_beg, **ps_final_beg, **rho_final;
	double *tmp;
} sampler;

static void
ps_alloc(ps *z, size_t d)
{
	z->q = ecalloc(d, sizeof *z->q);
	z->p = ecalloc(d, sizeof *z->p);
	z->g = ecalloc(d, sizeof *z->g);
	z->lp = 0;
}

static void
ps_free(ps *z)
{
	free(z->q);
	free(z->p);
	free(z->g);
}

static void
ps_copy(ps *dst, const ps *src, size_t d)
{
	memcpy(dst->q, src->q, d * sizeof *dst->q);
	memcpy(dst->p, src->p, d * sizeof *dst->p);
	memcpy(dst->g, src->g, d * sizeof *dst->g);
	dst->lp = src->lp;
}

static void
vcopy(double *dst, const double *src, size_t d)
{
	memcpy(dst, src, d * sizeof *dst);
}

static double
energy(const sampler *s, const ps *z)
{
	double k = 0;

	for (size_t i = 0; i < s->d; i++)
		k += z->p[i] * z->p[i] * s->minv[i];
	double h = -z->lp + k / 2;
	return isnan(h) ? HUGE_VAL : h;
}

static void
sharp(const sampler *s, const double *p, double *out)
{
	for (size_t i = 0; i < s->d; i++)
		out[i] = s->minv[i] * p[i];
}

static int
criterion(const sampler *s, const double *ps_minus, const double *ps_plus,
    const double *rho)
{
	double a = 0, b = 0;

	for (size_t i = 0; i < s->d; i++) {
		a += ps_plus[i] * rho[i];
		b += ps_minus[i] * rho[i];
	}
	return a > 0 && b > 0;
}

static void
eval(sampler *s, ps *z)
{
	z->lp = s->f(s->ctx, z->q, z->g);
	if (isnan(z->lp))
		z->lp = -HUGE_VAL;
}

static void
leapfrog(sampler *s, ps *z, double eps)
{
	size_t d = s->d;

	for (size_t i = 0; i < d; i++)
		z->p[i] += eps / 2 * z->g[i];
	for (size_t i = 0; i < d; i++)
		z->q[i] += eps * s->minv[i] * z->p[i];
	eval(s, z);
	if (!isfinite(z->lp))
		return;
	for (size_t i = 0; i < d; i++)
		z->p[i] += eps / 2 * z->g[i];
}

static void
sample_p(sampler *s, ps *z)
{
	for (size_t i = 0; i < s->d; i++)
		z->p[i] = nuts_normal(s->rng) / sqrt(s->minv[i]);
}

static double
lse(double a, double b)
{
	if (a == -HUGE_VAL)
		return b;
	if (b == -HUGE_VAL)
		return a;
	double m = a > b ? a : b;
	return m + log(exp(a - m) + exp(b - m));
}

typedef struct tally {
	size_t n_leapfrog;
	double sum_metro;
} tally;

static int
build_tree(sampler *s, int depth, ps *zprop, double *ps_beg, double *ps_end,
    double *rho, double *p_beg, double *p_end, double H0, double sign,
    tally *t, double *lsw)
{
	size_t d = s->d;

	if (depth == 0) {
		leapfrog(s, &s->z, sign * s->eps);
		t->n_leapfrog++;
		double h = energy(s, &s->z);
		if (!isfinite(s->z.lp))
			h = HUGE_VAL;
		if (h - H0 > MAX_DELTA_H)
			s->divergent = 1;
		*lsw = lse(*lsw, H0 - h);
		t->sum_metro += H0 - h > 0 ? 1 : exp(H0 - h);
		ps_copy(zprop, &s->z, d);
		sharp(s, s->z.p, ps_beg);
		vcopy(ps_end, ps_beg, d);
		for (size_t i = 0; i < d; i++)
			rho[i] += s->z.p[i];
		vcopy(p_beg, s->z.p, d);
		vcopy(p_end, p_beg, d);
		return !s->divergent;
	}
	double *p_init_end = s->p_init_end[depth];
	double *ps_init_end = s->ps_init_end[depth];
	double *rho_init = s->rho_init[depth];
	double lsw_init = -HUGE_VAL;
	memset(rho_init, 0, d * sizeof *rho_init);
	if (!build_tree(s, depth - 1, zprop, ps_beg, ps_init_end, rho_init,
	    p_beg, p_init_end, H0, sign, t, &lsw_init))
		return 0;

	ps *zfinal = &s->zfinal[depth];
	ps_copy(zfinal, &s->z, d);
	double *p_final_beg = s->p_final_beg[depth];
	double *ps_final_beg = s->ps_final_beg[depth];
	double *rho_final = s->rho_final[depth];
	double lsw_final = -HUGE_VAL;
	memset(rho_final, 0, d * sizeof *rho_final);
	if (!build_tree(s, depth - 1, zfinal, ps_final_beg, ps_end, rho_final,
	    p_final_beg, p_end, H0, sign, t, &lsw_final))
		return 0;

	double lsw_sub = lse(lsw_init, lsw_final);
	*lsw = lse(*lsw, lsw_sub);
	if (lsw_final > lsw_sub) {
		ps_copy(zprop, zfinal, d);
	} else {
		double a = exp(lsw_final - lsw_sub);
		if (rng_unit(s->rng) < a)
			ps_copy(zprop, zfinal, d);
	}
	double *ext = s->tmp;
	for (size_t i = 0; i < d; i++)
		rho[i] += rho_init[i] + rho_final[i];
	/* rho_subtree = rho_init + rho_final, kept in ext for the check */
	for (size_t i = 0; i < d; i++)
		ext[i] = rho_init[i] + rho_final[i];
	int persist = criterion(s, ps_beg, ps_end, ext);
	for (size_t i = 0; i < d; i++)
		ext[i] = rho_init[i] + p_final_beg[i];
	persist &= criterion(s, ps_beg, ps_final_beg, ext);
	for (size_t i = 0; i < d; i++)
		ext[i] = rho_final[i] + p_init_end[i];
	persist &= criterion(s, ps_init_end, ps_end, ext);
	return persist;
}

/* Top-level vectors of one transition. */
typedef struct top {
	ps fwd, bck, sample, prop;
	double *p_ff, *ps_ff, *p_fb, *ps_fb, *p_bf, *ps_bf, *p_bb, *ps_bb;
	double *rho, *rho_f, *rho_b, *ext;
} top;

/* One transition from s->z (q, g, lp set); the new state in s->z.
 * Returns the acceptance statistic; *depth_hit when max depth reached. */
static double
transition(sampler *s, top *w, tally *t, int *depth_hit)
{
	size_t d = s->d;

	sample_p(s, &s->z);
	ps_copy(&w->fwd, &s->z, d);
	ps_copy(&w->bck, &s->z, d);
	ps_copy(&w->sample, &s->z, d);
	ps_copy(&w->prop, &s->z, d);
	vcopy(w->p_ff, s->z.p, d);
	sharp(s, s->z.p, w->ps_ff);
	vcopy(w->p_fb, s->z.p, d);
	vcopy(w->ps_fb, w->ps_ff, d);
	vcopy(w->p_bf, s->z.p, d);
	vcopy(w->ps_bf, w->ps_ff, d);
	vcopy(w->p_bb, s->z.p, d);
	vcopy(w->ps_bb, w->ps_ff, d);
	vcopy(w->rho, s->z.p, d);
	double lsw = 0, H0 = energy(s, &s->z);
	int depth = 0;

	t->n_leapfrog = 0;
	t->sum_metro = 0;
	s->divergent = 0;
	while (depth < s->max_depth) {
		memset(w->rho_f, 0, d * sizeof *w->rho_f);
		memset(w->rho_b, 0, d * sizeof *w->rho_b);
		double lsw_sub = -HUGE_VAL;
		int valid;
		if (rng_unit(s->rng) > 0.5) {
			ps_copy(&s->z, &w->fwd, d);
			vcopy(w->rho_b, w->rho, d);
			vcopy(w->p_bf, w->p_fb, d);
			vcopy(w->ps_bf, w->ps_fb, d);
			valid = build_tree(s, depth, &w->prop, w->ps_fb,
			    w->ps_ff, w->rho_f, w->p_fb, w->p_ff, H0, 1, t,
			    &lsw_sub);
			ps_copy(&w->fwd, &s->z, d);
		} else {
			ps_copy(&s->z, &w->bck, d);
			vcopy(w->rho_f, w->rho, d);
			vcopy(w->p_fb, w->p_bf, d);
			vcopy(w->ps_fb, w->ps_bf, d);
			valid = build_tree(s, depth, &w->prop, w->ps_bf,
			    w->ps_bb, w->rho_b, w->p_bf, w->p_bb, H0, -1, t,
			    &lsw_sub);
			ps_copy(&w->bck, &s->z, d);
		}
		if (!valid)
			break;
		depth++;
		if (lsw_sub > lsw) {
			ps_copy(&w->sample, &w->prop, d);
		} else {
			double a = exp(lsw_sub - lsw);
			if (rng_unit(s->rng) < a)
				ps_copy(&w->sample, &w->prop, d);
		}
		lsw = lse(lsw, lsw_sub);
		for (size_t i = 0; i < d; i++)
			w->rho[i] = w->rho_b[i] + w->rho_f[i];
		int persist = criterion(s, w->ps_bb, w->ps_ff, w->rho);
		for (size_t i = 0; i < d; i++)
			w->ext[i] = w->rho_b[i] + w->p_fb[i];
		persist &= criterion(s, w->ps_bb, w->ps_fb, w->ext);
		for (size_t i = 0; i < d; i++)
			w->ext[i] = w->rho_f[i] + w->p_bf[i];
		persist &= criterion(s, w->ps_bf, w->ps_ff, w->ext);
		if (!persist)
			break;
	}
	*depth_hit = depth >= s->max_depth;
	ps_copy(&s->z, &w->sample, d);
	return t->n_leapfrog ? t->sum_metro / (double)t->n_leapfrog : 0;
}

/* Stan's init_stepsize: double or halve until one leapfrog step's
 * acceptance crosses 0.8.  s->z is kept. */
static void
init_step(sampler *s, ps *save)
{
	size_t d = s->d;

	if (!(s->eps > 0) || s->eps > 1e7)
		return;
	ps_copy(save, &s->z, d);
	int dir = 0;
	for (int it = 0; it < 100; it++) {
		ps_copy(&s->z, save, d);
		sample_p(s, &s->z);
		double H0 = energy(s, &s->z);
		leapfrog(s, &s->z, s->eps);
		double h = isfinite(s->z.lp) ? energy(s, &s->z) : HUGE_VAL;
		double dh = H0 - h;
		if (dir == 0) {
			dir = dh > log(0.8) ? 1 : -1;
			continue;
		}
		if ((dir == 1 && !(dh > log(0.8))) ||
		    (dir == -1 && !(dh < log(0.8))))
			break;
		s->eps *= dir == 1 ? 2 : 0.5;
		if (s->eps > 1e7 || s->eps < 1e-300)
			break;
	}
	ps_copy(&s->z, save, d);
}

/* Stan's windowed adaptation schedule. */
typedef struct windows {
	size_t warmup, init, term, base, size, next, counter;
	int on;
} windows;

static void
windows_init(windows *w, size_t warmup)
{
	w->warmup = warmup;
	w->init = 75;
	w->term = 50;
	w->base = 25;
	w->on = warmup >= 20;
	if (w->init + w->base + w->term > warmup) {
		w->init = (size_t)(0.15 * (double)warmup);
		w->term = (size_t)(0.1 * (double)warmup);
		w->base = warmup - (w->init + w->term);
	}
	w->counter = 0;
	w->size = w->base;
	w->next = w->init + w->size - 1;
}

static int
in_window(const windows *w)
{
	return w->counter >= w->init && w->counter < w->warmup - w->term &&
	    w->counter != w->warmup;
}

static int
window_end(const windows *w)
{
	return w->counter == w->next && w->counter != w->warmup;
}

static void
next_window(windows *w)
{
	if (w->next == w->warmup - w->term - 1)
		return;
	w->size *= 2;
	w->next = w->counter + w->size;
	if (w->next != w->warmup - w->term - 1 &&
	    w->next + 2 * w->size >= w->warmup - w->term)
		w->next = w->warmup - w->term - 1;
}

/* Dual averaging of log step size. */
typedef struct dual {
	double mu, sbar, xbar, delta;
	size_t counter;
} dual;

static void
dual_restart(dual *a, double eps)
{
	a->mu = log(10 * eps);
	a->sbar = a->xbar = 0;
	a->counter = 0;
}

static void
dual_learn(dual *a, double *eps, double stat)
{
	a->counter++;
	stat = stat > 1 ? 1 : stat;
	double c = (double)a->counter;
	double eta = 1 / (c + 10);
	a->sbar = (1 - eta) * a->sbar + eta * (a->delta - stat);
	double x = a->mu - a->sbar * sqrt(c) / 0.05;
	double xe = pow(c, -0.75);
	a->xbar = (1 - xe) * a->xbar + xe * x;
	*eps = exp(x);
}

int
nuts_run(const nuts_opts *o, size_t d, nuts_logp_fn f, void *ctx,
    const double *q0, uint64_t *rng, nuts_chain *out)
{
	sampler s = { .d = d, .f = f, .ctx = ctx, .rng = rng, .eps = 1,
		.max_depth = o->max_depth > 0 ? o->max_depth : 10 };
	int md = s.max_depth;
	top w;
	tally t;
	ps save;

	s.minv = emalloc(d * sizeof *s.minv);
	for (size_t i = 0; i < d; i++)
		s.minv[i] = 1;
	ps_alloc(&s.z, d);
	ps_alloc(&save, d);
	s.zfinal = ecalloc((size_t)md + 1, sizeof *s.zfinal);
	double ***lists[] = { &s.p_init_end, &s.ps_init_end, &s.rho_init,
		&s.p_final_beg, &s.ps_final_beg, &s.rho_final };
	for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
		*lists[l] = ecalloc((size_t)md + 1, sizeof **lists[l]);
		for (int k = 0; k <= md; k++)
			(*lists[l])[k] = ecalloc(d, sizeof ***lists[l]);
	}
	for (int k = 0; k <= md; k++)
		ps_alloc(&s.zfinal[k], d);
	s.tmp = ecalloc(d, sizeof *s.tmp);
	ps_alloc(&w.fwd, d);
	ps_alloc(&w.bck, d);
	ps_alloc(&w.sample, d);
	ps_alloc(&w.prop, d);
	double **vecs[] = { &w.p_ff, &w.ps_ff, &w.p_fb, &w.ps_fb, &w.p_bf,
		&w.ps_bf, &w.p_bb, &w.ps_bb, &w.rho, &w.rho_f, &w.rho_b,
		&w.ext };
	for (size_t l = 0; l < sizeof vecs / sizeof *vecs; l++)
		*vecs[l] = ecalloc(d, sizeof **vecs[l]);
	double *wmean = ecalloc(d, sizeof *wmean);
	double *wm2 = ecalloc(d, sizeof *wm2);
	size_t wn = 0;

	memcpy(s.z.q, q0, d * sizeof *s.z.q);
	eval(&s, &s.z);
	int rc = 0;
	if (!isfinite(s.z.lp)) {
		rc = -1;
		goto done;
	}
	out->divergent = out->max_depth_hits = out->leapfrogs = 0;
	out->accept = 0;

	windows win;
	dual da = { .delta = o->target_accept };
	windows_init(&win, o->warmup);
	init_step(&s, &save);
	dual_restart(&da, s.eps);

	size_t total = o->warmup + o->draws;
	for (size_t it = 0; it < total; it++) {
		int hit;
		double stat = transition(&s, &w, &t, &hit);
		out->leapfrogs += t.n_leapfrog;
		if (o->each)
			o->each(o->each_arg);
		if (it < o->warmup) {
			if (!win.on)
				continue;
			dual_learn(&da, &s.eps, stat);
			/* Welford's running variance of the window's draws */
			int upd = 0;
			if (in_window(&win)) {
				wn++;
				for (size_t i = 0; i < d; i++) {
					double dl = s.z.q[i] - wmean[i];
					wmean[i] += dl / (double)wn;
					wm2[i] += dl * (s.z.q[i] - wmean[i]);
				}
			}
			if (window_end(&win)) {
				next_window(&win);
				double nn = (double)wn;
				for (size_t i = 0; i < d; i++) {
					double v = wn > 1 ? wm2[i] / (nn - 1) :
					    1;
					s.minv[i] = nn / (nn + 5) * v + 1e-3 *
					    (5 / (nn + 5));
				}
				wn = 0;
				memset(wmean, 0, d * sizeof *wmean);
				memset(wm2, 0, d * sizeof *wm2);
				upd = 1;
			}
			win.counter++;
			if (upd) {
				init_step(&s, &save);
				dual_restart(&da, s.eps);
			}
			if (it + 1 == o->warmup)
				s.eps = exp(da.xbar);
			continue;
		}
		size_t k = it - o->warmup;
		memcpy(out->draws + k * d, s.z.q, d * sizeof *s.z.q);
		out->divergent += (size_t)s.divergent;
		out->max_depth_hits += (size_t)hit;
		out->accept += stat;
	}
	if (o->draws)
		out->accept /= (double)o->draws;
	out->step = s.eps;
done:
	free(wmean);
	free(wm2);
	for (size_t l = 0; l < sizeof vecs / sizeof *vecs; l++)
		free(*vecs[l]);
	ps_free(&w.fwd);
	ps_free(&w.bck);
	ps_free(&w.sample);
	ps_free(&w.prop);
	free(s.tmp);
	for (int k = 0; k <= md; k++)
		ps_free(&s.zfinal[k]);
	free(s.zfinal);
	for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
		for (int k = 0; k <= md; k++)
			free((*lists[l])[k]);
		free(*lists[l]);
	}
	ps_free(&s.z);
	ps_free(&save);
	free(s.minv);
	return rc;
}
