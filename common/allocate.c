/* allocate.c: the budget optimiser over steady-state response curves (see
 * allocate.h). */
#include <float.h>
#include <math.h>
#include <nlopt.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "err.h"

double
alloc_response(const alloc_curve *c, double x)
{
	return c->coef * saturation_value(&c->sat, c->carry * x);
}

double
alloc_marginal(const alloc_curve *c, double x)
{
	return c->coef * c->carry * saturation_deriv(&c->sat, c->carry * x);
}

/* The first and second derivatives of the saturation at u >= 0, with
 * one pow for Hill. */
static void
sat_d12(const saturation *s, double u, double *d1, double *d2)
{
	switch (s->kind) {
	case SAT_HILL: {
		double a = s->alpha, g = s->gamma;
		if (u <= 0) {
			*d1 = a < 1 ? INFINITY : a == 1 ? 1 / g : 0;
			*d2 = a < 2 && a != 1 ? (a < 1 ? -INFINITY :
			    INFINITY) : a == 1 ? -2 / (g * g) : 0;
			return;
		}
		/* h' = a/u v/(1+v)^2, h'' = a/u^2 v((a-1) - (a+1)v)/(1+v)^3,
		 * v = (u/g)^a; past v = 1 through w = 1/v so that nothing
		 * overflows. */
		double v = pow(u / g, a);
		if (v <= 1) {
			*d1 = a / u * v / ((1 + v) * (1 + v));
			*d2 = a / (u * u) * v * ((a - 1) - (a + 1) * v) /
			    ((1 + v) * (1 + v) * (1 + v));
		} else {
			double w = 1 / v;
			*d1 = a / u * w / ((1 + w) * (1 + w));
			*d2 = a / (u * u) * w * ((a - 1) * w - (a + 1)) /
			    ((1 + w) * (1 + w) * (1 + w));
		}
		return;
	}
	case SAT_LOGISTIC: {
		double z = s->lambda * u / 2, th = tanh(z), ch = cosh(z);
		*d1 = saturation_deriv(s, u);
		*d2 = -s->lambda * s->lambda / 2 * th / (ch * ch);
		return;
	}
	case SAT_MICHAELIS:
		*d1 = saturation_deriv(s, u);
		*d2 = -2 * s->vmax * s->k / ((s->k + u) * (s->k + u) *
		    (s->k + u));
		return;
	default:
		*d1 = 1;
		*d2 = 0;
	}
}

static double
sat_d2(const saturation *s, double u)
{
	double d1, d2;

	sat_d12(s, u, &d1, &d2);
	return d2;
}

double
alloc_curvature(const alloc_curve *c, double x)
{
	return c->coef * c->carry * c->carry * sat_d2(&c->sat, c->carry * x);
}

double
alloc_inflexion(const alloc_curve *c)
{
	if (c->sat.kind != SAT_HILL || c->sat.alpha <= 1)
		return 0;
	double a = c->sat.alpha;
	return c->sat.gamma * pow((a - 1) / (a + 1), 1 / a) / c->carry;
}

/* One channel as the solver sees it. */
typedef struct chan {
	const alloc_curve *c;
	double lo, hi;
	double t;	/* where the concave part of [lo, hi] starts */
	double s;	/* slope of the envelope's straight part [lo, t] */
	int flat;	/* f' constant: straight or zero */
	double warm;	/* last concave-part solution, a Newton start */
	double dt, dhi;	/* f' at t and at hi */
} chan;

static double
fval(const chan *h, double x)
{
	return alloc_response(h->c, x);
}

static double
fder(const chan *h, double x)
{
	return alloc_marginal(h->c, x);
}

/* The concave envelope of f on [lo, hi]: the tangent from (lo, f(lo)) to
 * the concave part, or the chord to hi when the tangent point lies beyond
 * it.  g(t) = f'(t)(t - lo) - (f(t) - f(lo)) falls on the concave part. */
static void chan_envelope_(chan *h);

static void
chan_envelope(chan *h)
{
	chan_envelope_(h);
	h->dt = fder(h, h->t);
	h->dhi = isfinite(h->hi) ? fder(h, h->hi) : 0;
}

static void
chan_envelope_(chan *h)
{
	double xi = alloc_inflexion(h->c);

	h->flat = h->c->coef == 0 || h->c->sat.kind == SAT_NONE;
	h->t = h->lo;
	h->s = fder(h, h->lo);
	if (h->flat || xi <= h->lo || h->hi <= h->lo)
		return;
	double f0 = fval(h, h->lo);
#define G(t) (fder(h, (t)) * ((t) - h->lo) - (fval(h, (t)) - f0))
	double a = xi, b;
	if (isfinite(h->hi) && G(h->hi) >= 0) {
		h->t = h->hi;
		h->s = (fval(h, h->hi) - f0) / (h->hi - h->lo);
		return;
	}
	b = 2 * a;
	for (int i = 0; i < 2000 && G(b) > 0; i++)
		a = b, b *= 2;
	if (isfinite(h->hi) && b > h->hi)
		b = h->hi;
	for (int i = 0; i < 200 && b - a > 1e-15 * b; i++) {
		double m = (a + b) / 2;
		if (G(m) > 0)
			a = m;
		else
			b = m;
	}
#undef G
	h->t = b;
	h->s = (fval(h, b) - f0) / (b - h->lo);
}

/* The point of [t, hi] (the concave part) where the decreasing f'
 * equals mu (t or hi when it does not cross): safeguarded Newton from the
 * last solution. */
static double
concave_solve(chan *h, double mu)
{
	double a = h->t, b = h->hi;

	if (h->dt <= mu)
		return a;
	if (isfinite(b) && h->dhi >= mu)
		return b;
	if (!isfinite(b)) {
		b = a > 0 ? 2 * a : 1;
		while (fder(h, b) > mu && b < DBL_MAX / 4)
			a = b, b *= 2;
	}
	const alloc_curve *cv = h->c;
	double x = h->warm > a && h->warm < b ? h->warm : (a + b) / 2;
	for (int i = 0; i < 200; i++) {
		double d1, d2;
		sat_d12(&cv->sat, cv->carry * x, &d1, &d2);
		double d = cv->coef * cv->carry * d1 - mu;
		if (d > 0)
			a = x;
		else if (d < 0)
			b = x;
		else
			break;
		double c = cv->coef * cv->carry * cv->carry * d2, nx = NAN;
		if (c < 0)
			nx = x - d / c;
		if (!(nx > a && nx < b))
			nx = (a + b) / 2;
		if (fabs(nx - x) <= 1e-15 * fabs(x) || b - a <= 1e-15 * b) {
			x = nx;
			break;
		}
		x = nx;
	}
	h->warm = x;
	return x;
}

/* The best response to mu over the envelope: argmax f(x) - mu x. */
static double
best_response(chan *h, double mu)
{
	if (mu <= 0)
		return h->hi;
	if (h->flat)
		return h->s > mu ? h->hi : h->lo;
	if (h->t > h->lo) {
		if (mu >= h->s)
			return h->lo;
	}
	return concave_solve(h, mu);
}

static double
responses(chan *ch, size_t k, double mu, double *x)
{
	double s = 0;

	for (size_t c = 0; c < k; c++)
		s += x[c] = best_response(&ch[c], mu);
	return s;
}

static double
total(const chan *ch, size_t k, const double *x)
{
	double s = 0;

	for (size_t c = 0; c < k; c++)
		s += fval(&ch[c], x[c]);
	return s;
}

static double
sum(const double *x, size_t k)
{
	double s = 0;

	for (size_t c = 0; c < k; c++)
		s += x[c];
	return s;
}

/*
 * The envelope's answer: bisection on mu between mu_b (spend <= R) and
 * mu_a (spend >= R), then the rest of the budget shared among the
 * channels whose responses differ between the two in proportion to the
 * difference (straight curves and switching S-curves jump; the others
 * move by the bisection's last step).  1 when a channel ends on the
 * straight part of its envelope (the answer is not on its curve).
 */
static int
envelope_solve(chan *ch, size_t k, double R, double *x, double *mu_out,
    double *xa, double *xb, double hint)
{
	double mu_b = 0, fac = 16;

	for (size_t c = 0; c < k; c++) {
		chan *h = &ch[c];
		h->warm = NAN;
		if (hint >= DBL_MIN && isfinite(hint))
			continue;
		double xi = fmin(fmax(alloc_inflexion(h->c), h->lo), h->hi);
		double span = isfinite(h->hi) ? h->hi - h->lo : R;
		double d1 = fder(h, xi), d2 = fder(h, h->lo + 1e-6 * span);
		if (isfinite(d1) && d1 > mu_b)
			mu_b = d1;
		if (isfinite(d2) && d2 > mu_b)
			mu_b = d2;
	}
	/* A multiplier near the answer (a neighbouring problem's) brackets
	 * it in smaller steps. */
	if (hint >= DBL_MIN && isfinite(hint))
		mu_b = hint, fac = 1.25;
	if (!(mu_b > 0))
		mu_b = 1;
	double sb = responses(ch, k, mu_b, xb), sa = sb, mu_a = mu_b;
	memcpy(xa, xb, k * sizeof *xa);
	for (int i = 0; i < 400 && sb > R; i++) {
		mu_a = mu_b, sa = sb, memcpy(xa, xb, k * sizeof *xa);
		sb = responses(ch, k, mu_b *= fac, xb);
	}
	/* Down until the spend reaches R; below 1e-200 of where it started
	 * (or a subnormal, which division may not shrink) mu is 0: every
	 * channel at its upper bound. */
	double top = mu_b;
	if (mu_a == mu_b)
		while (sa < R) {
			mu_a /= fac;
			if (mu_a < top * 1e-200 || mu_a < DBL_MIN)
				mu_a = 0;
			sa = responses(ch, k, mu_a, xa);
			if (mu_a == 0)
				break;
			if (sa < R)
				mu_b = mu_a, sb = sa, memcpy(xb, xa,
				    k * sizeof *xb);
		}
	/* Newton on S(mu) = R inside the bracket (S' = sum 1 / f'' over the
	 * channels strictly inside their bounds), bisection when a step
	 * leaves it: jumps (straight curves, S-curves switching on) stay
	 * between mu_a and mu_b. */
	double m = mu_a > 0 ? sqrt(mu_a * mu_b) : mu_b / 2;
	for (int i = 0; i < 300 && mu_b - mu_a > 1e-13 * mu_b && sa != R &&
	    sb != R; i++) {
		if (!(m > mu_a && m < mu_b))
			m = mu_a > 0 ? sqrt(mu_a * mu_b) : mu_b / 2;
		if (!(m > mu_a && m < mu_b))
			break;
		double s = responses(ch, k, m, x), ds = 0;
		if (s >= R)
			mu_a = m, sa = s, memcpy(xa, x, k * sizeof *xa);
		else
			mu_b = m, sb = s, memcpy(xb, x, k * sizeof *xb);
		if (fabs(s - R) <= 1e-14 * R)
			break;
		for (size_t c = 0; c < k; c++)
			if (x[c] > ch[c].lo && x[c] < ch[c].hi && !ch[c].flat) {
				double h = alloc_curvature(ch[c].c, x[c]);
				if (h < 0)
					ds += 1 / h;
			}
		double nm = ds < 0 ? m - (s - R) / ds : NAN;
		/* Alternate with bisection when Newton crawls at one end. */
		m = (i % 4 == 3) ? NAN : nm;
	}
	*mu_out = sa == R ? mu_a : mu_b;
	if (sa == R) {
		memcpy(x, xa, k * sizeof *x);
	} else {
		/* Finite gaps share the rest in proportion; an infinite gap
		 * (a straight curve without an upper bound) takes what the
		 * finite ones cannot. */
		double rem = R - sb, fin = 0;
		for (size_t c = 0; c < k; c++)
			if (isfinite(xa[c]))
				fin += xa[c] - xb[c];
		double w = fin > 0 ? fmin(1, rem / fin) : 0;
		rem -= w * fin;
		for (size_t c = 0; c < k; c++) {
			if (isfinite(xa[c]))
				x[c] = xb[c] + w * (xa[c] - xb[c]);
			else
				x[c] = xb[c] + rem, rem = 0;
		}
	}
	int frac = 0;
	for (size_t c = 0; c < k; c++) {
		const chan *h = &ch[c];
		double eps = 1e-9 * (h->t - h->lo);
		if (h->t > h->lo && x[c] > h->lo + eps && x[c] < h->t - eps)
			frac = 1;
	}
	return frac;
}

/* Make x feasible: inside its bounds and summing to R, the difference put
 * where the marginal response is highest (or taken where lowest). */
static void
fix_budget(const chan *ch, size_t k, double R, double *x)
{
	for (size_t c = 0; c < k; c++)
		x[c] = fmin(fmax(x[c], ch[c].lo), ch[c].hi);
	for (int pass = 0; pass < 3; pass++) {
		double r = R - sum(x, k);
		if (r == 0)
			return;
		for (size_t it = 0; it < k && r != 0; it++) {
			long best = -1;
			double bd = 0;
			for (size_t c = 0; c < k; c++) {
				double room = r > 0 ? ch[c].hi - x[c] :
				    x[c] - ch[c].lo;
				if (!(room > 0))
					continue;
				double d = fder(&ch[c], x[c]);
				if (best < 0 || (r > 0 ? d > bd : d < bd))
					best = (long)c, bd = d;
			}
			if (best < 0)
				return;
			double room = r > 0 ? ch[best].hi - x[best] :
			    x[best] - ch[best].lo;
			double m = fmin(fabs(r), room);
			x[best] += r > 0 ? m : -m;
			if (m == fabs(r))
				break;
			r += r > 0 ? -m : m;
		}
	}
}

/* NLopt's SLSQP on spends scaled by the budget and responses by fs. */
typedef struct polish_ctx {
	const chan *ch;
	size_t k;
	double scale, fs, R;
} polish_ctx;

static double
polish_obj(unsigned n, const double *y, double *grad, void *data)
{
	const polish_ctx *p = data;
	double f = 0;

	for (unsigned c = 0; c < n; c++) {
		double x = y[c] * p->scale;
		f += fval(&p->ch[c], x);
		if (grad) {
			/* Fixed channels have nothing to trade, and a curve
			 * infinitely steep at 0 is taken at the spends'
			 * resolution: either would wreck SLSQP's steps. */
			const chan *h = &p->ch[c];
			double d = h->hi - h->lo <= 1e-9 * p->scale ? 0 :
			    fder(h, fmax(x, h->lo + 1e-9 * p->scale));
			grad[c] = (isfinite(d) ? d : 0) * p->scale / p->fs;
		}
	}
	return f / p->fs;
}

static double
polish_eq(unsigned n, const double *y, double *grad, void *data)
{
	const polish_ctx *p = data;
	double s = 0;

	for (unsigned c = 0; c < n; c++) {
		s += y[c];
		if (grad)
			grad[c] = 1;
	}
	return s - p->R / p->scale;
}

/* Spends this close to a bound are at it. */
static double
chan_tol(double R)
{
	return R > 0 ? 1e-9 * R : 1e-12;
}

/* Newton on the optimality conditions of the channels strictly inside
 * their bounds (f'_i(x_i) = mu, their sum fixed), which SLSQP meets only
 * to its tolerance: dx_i = (dmu - r_i) / f''_i with dmu from the sum.
 * Steps that leave a bound or lower the response are not taken. */
static void
newton_refine(const chan *ch, size_t k, double R, double *x, double *y)
{
	double tol = chan_tol(R);

	for (int it = 0; it < 8; it++) {
		double mu = 0, n = 0, sh = 0, srh = 0;
		for (size_t c = 0; c < k; c++)
			if (x[c] - ch[c].lo > tol && ch[c].hi - x[c] > tol)
				mu += fder(&ch[c], x[c]), n++;
		if (n < 2)
			return;
		mu /= n;
		for (size_t c = 0; c < k; c++) {
			if (!(x[c] - ch[c].lo > tol && ch[c].hi - x[c] > tol))
				continue;
			double h = alloc_curvature(ch[c].c, x[c]);
			if (!(fabs(h) > 0) || !isfinite(h))
				return;
			sh += 1 / h;
			srh += (fder(&ch[c], x[c]) - mu) / h;
		}
		double e = R - sum(x, k);
		if (sh == 0)
			return;
		double dmu = (e + srh) / sh;
		memcpy(y, x, k * sizeof *y);
		for (size_t c = 0; c < k; c++) {
			if (!(x[c] - ch[c].lo > tol && ch[c].hi - x[c] > tol))
				continue;
			double h = alloc_curvature(ch[c].c, x[c]);
			y[c] = x[c] + (dmu - (fder(&ch[c], x[c]) - mu)) / h;
			if (!(y[c] - ch[c].lo > tol && ch[c].hi - y[c] > tol))
				return;
		}
		fix_budget(ch, k, R, y);
		/* Near the optimum the response moves below its rounding. */
		double fx = total(ch, k, x);
		if (total(ch, k, y) < fx - 8 * DBL_EPSILON * fabs(fx))
			return;
		memcpy(x, y, k * sizeof *x);
	}
}

/* Polish x in place from where it is; the better of before and after. */
static void
polish(const chan *ch, size_t k, double R, double *x, double *work)
{
	fix_budget(ch, k, R, x);
	double f0 = total(ch, k, x);
	polish_ctx p = { ch, k, R > 0 ? R : 1, fabs(f0) > 0 ? fabs(f0) : 1,
		R };
	double *y = work, *lb = work + k, *ub = work + 2 * k;
	for (size_t c = 0; c < k; c++) {
		lb[c] = ch[c].lo / p.scale;
		ub[c] = isfinite(ch[c].hi) ? ch[c].hi / p.scale : HUGE_VAL;
		y[c] = fmin(fmax(x[c] / p.scale, lb[c]), ub[c]);
	}
	nlopt_opt o = nlopt_create(NLOPT_LD_SLSQP, (unsigned)k);
	if (!o)
		return;
	double fy;
	nlopt_set_lower_bounds(o, lb);
	nlopt_set_upper_bounds(o, ub);
	nlopt_set_max_objective(o, polish_obj, &p);
	nlopt_add_equality_constraint(o, polish_eq, &p, 1e-14);
	nlopt_set_ftol_rel(o, 1e-12);
	nlopt_set_xtol_rel(o, 1e-10);
	nlopt_set_maxeval(o, 300);
	nlopt_result rc = nlopt_optimize(o, y, &fy);
	nlopt_destroy(o);
	if (rc < 0 && rc != NLOPT_ROUNDOFF_LIMITED)
		return;
	for (size_t c = 0; c < k; c++)
		y[c] *= p.scale;
	fix_budget(ch, k, R, y);
	if (total(ch, k, y) > f0)
		memcpy(x, y, k * sizeof *x);
	newton_refine(ch, k, R, x, y);
}

/* The dynamic programme over G steps of the free budget: the best grid
 * allocation, a start in the basin of the global optimum. */
static void
grid_solve(const chan *ch, size_t k, double R, double *x)
{
	double free_ = R;
	for (size_t c = 0; c < k; c++)
		free_ -= ch[c].lo;
	const size_t G = k > 40 ? 96 : 128;
	double h = free_ / (double)G;
	double *prev = emalloc(2 * (G + 1) * sizeof *prev), *cur = prev + G + 1;
	double *v = emalloc((G + 1) * sizeof *v);
	unsigned short *pick = emalloc(k * (G + 1) * sizeof *pick);

	for (size_t c = 0; c < k; c++) {
		const chan *hc = &ch[c];
		double span = (hc->hi - hc->lo) / h;
		size_t m = !(h > 0) ? 0 : span >= (double)G ? G :
		    (size_t)(span + 1e-9);
		for (size_t j = 0; j <= m; j++)
			v[j] = fval(hc, hc->lo + (double)j * h);
		unsigned short *pc = pick + c * (G + 1);
		for (size_t r = 0; r <= G; r++) {
			double best = -INFINITY;
			size_t bj = 0;
			if (c == 0) {
				if (r <= m)
					best = v[r], bj = r;
			} else {
				size_t top = r < m ? r : m;
				for (size_t j = 0; j <= top; j++) {
					double val = prev[r - j] + v[j];
					if (val > best)
						best = val, bj = j;
				}
			}
			cur[r] = best;
			pc[r] = (unsigned short)bj;
		}
		double *t = prev;
		prev = cur;
		cur = t;
	}
	size_t r = 0;
	for (size_t i = 0; i <= G; i++)
		if (prev[i] >= prev[r])
			r = i;
	for (size_t c = k; c-- > 0;) {
		size_t j = pick[c * (G + 1) + r];
		x[c] = ch[c].lo + (double)j * h;
		r -= j;
	}
	free(prev < cur ? prev : cur);
	free(v);
	free(pick);
}

double
alloc_kkt(const alloc_problem *p, const double *x, double *mu,
    signed char *at)
{
	size_t k = p->k, ni = 0;
	double R = sum(x, k), tol = chan_tol(R), mi = 0;
	double lomax = -INFINITY, himin = INFINITY;

	for (size_t c = 0; c < k; c++) {
		double d = alloc_marginal(&p->curve[c], x[c]);
		signed char a = ALLOC_FREE;
		if (x[c] - p->lo[c] <= tol)
			a = ALLOC_AT_MIN;
		else if (p->hi[c] - x[c] <= tol)
			a = ALLOC_AT_MAX;
		if (at)
			at[c] = a;
		if (p->hi[c] - p->lo[c] <= tol)
			continue;	/* fixed: nothing to trade */
		if (a == ALLOC_FREE)
			mi += d, ni++;
		else if (a == ALLOC_AT_MIN)
			lomax = fmax(lomax, fmin(d, alloc_marginal(
			    &p->curve[c], p->lo[c] + tol)));
		else
			himin = fmin(himin, d);
	}
	double m = ni ? mi / (double)ni : isfinite(lomax) ? lomax :
	    isfinite(himin) ? himin : 0;
	double v = 0;
	for (size_t c = 0; c < k; c++) {
		if (p->hi[c] - p->lo[c] <= tol)
			continue;
		double d = alloc_marginal(&p->curve[c], x[c]), e = 0;
		if (x[c] - p->lo[c] <= tol) {
			/* At the resolution of the spends: a curve that
			 * is (infinitely) steep at 0 (Hill alpha < 1) is
			 * judged also a tolerance away from it. */
			d = fmin(d, alloc_marginal(&p->curve[c], p->lo[c] +
			    tol));
			e = fmax(0, d - m);
		}
		else if (p->hi[c] - x[c] <= tol)
			e = fmax(0, m - d);
		else
			e = fabs(d - m);
		if (isnan(e))
			e = INFINITY;
		v = fmax(v, e);
	}
	*mu = m;
	return m > 0 ? v / m : v;
}

static int
check_problem(const alloc_problem *p, char *err, size_t errsz)
{
	double slo = 0;

	for (size_t c = 0; c < p->k; c++) {
		const char *n = p->names ? p->names[c] : "?";
		if (!isfinite(p->lo[c]) || p->lo[c] < 0 || isnan(p->hi[c]))
			return err_fail(err, errsz, NULL, 0, "channel %s: "
			    "minimum %g is not a finite spend >= 0", n,
			    p->lo[c]);
		if (p->lo[c] > p->hi[c])
			return err_fail(err, errsz, NULL, 0, "channel %s: "
			    "minimum %.17g is above maximum %.17g", n,
			    p->lo[c], p->hi[c]);
		if (!(p->curve[c].coef >= 0) || !(p->curve[c].carry > 0))
			return err_fail(err, errsz, NULL, 0, "channel %s: "
			    "the curve needs coef >= 0 and carry > 0", n);
		slo += p->lo[c];
	}
	if (!(p->budget >= 0) || !isfinite(p->budget))
		return err_fail(err, errsz, NULL, 0, "the budget %g is not a "
		    "finite amount >= 0", p->budget);
	if (slo > p->budget * (1 + 1e-12))
		return err_fail(err, errsz, NULL, 0, "the minimums sum to "
		    "%.17g, above the budget %.17g", slo, p->budget);
	return 0;
}

static void
result_alloc(alloc_result *r, size_t k)
{
	memset(r, 0, sizeof *r);
	r->x = ecalloc(k ? k : 1, sizeof *r->x);
	r->at = ecalloc(k ? k : 1, sizeof *r->at);
}

static void
result_finish(const alloc_problem *p, alloc_result *r)
{
	r->spent = sum(r->x, p->k);
	r->response = 0;
	for (size_t c = 0; c < p->k; c++)
		r->response += alloc_response(&p->curve[c], r->x[c]);
	double mu;
	r->kkt_violation = alloc_kkt(p, r->x, &mu, r->at);
	if (r->capped) {
		/* Every channel at its upper bound: nothing to trade. */
		r->kkt_violation = 0;
	} else {
		r->mu = mu;
	}
	r->kkt_ok = r->kkt_violation <= ALLOC_KKT_TOL;
}

static chan *
chans_new(const alloc_problem *p)
{
	chan *ch = ecalloc(p->k ? p->k : 1, sizeof *ch);

	for (size_t c = 0; c < p->k; c++) {
		ch[c] = (chan){ .c = &p->curve[c], .lo = p->lo[c],
			.hi = p->hi[c], .warm = NAN };
		chan_envelope(&ch[c]);
	}
	return ch;
}

/* An S-curve's regime: off (at its lower bound) or on (on its concave
 * part, from the tangent point up). */
static int
is_s(const chan *h)
{
	return h->t > h->lo;
}

/* An S-curve's "on" regime: its concave part, from the inflexion (not
 * the tangent point: where the duality gap is real the optimum may hold it
 * between the two) up to hi; a curve convex on the whole range is on at
 * hi. */
static void
chan_on(const chan *h, chan *out)
{
	*out = *h;
	out->lo = fmin(fmax(alloc_inflexion(h->c), h->lo), h->hi);
	out->warm = NAN;
	chan_envelope(out);
}

/*
 * The best allocation with each S-curve held in its regime (on[c]): a
 * problem over concave pieces only, which the envelope solves exactly.
 * The response, or -INFINITY when the regimes leave no feasible point;
 * *mu: a multiplier near the answer on entry (0: none), its own on return.
 */
static double
regime_solve(const chan *ch, size_t k, double R, const unsigned char *on,
    chan *rc, double *x, double *xa, double *xb, double *y, double *mu)
{
	double slo = 0, shi = 0;

	for (size_t c = 0; c < k; c++) {
		rc[c] = ch[c];
		if (is_s(&ch[c])) {
			if (on[c]) {
				chan_on(&ch[c], &rc[c]);
			} else {
				rc[c].hi = ch[c].lo;
				chan_envelope(&rc[c]);
			}
		}
		slo += rc[c].lo;
		shi += rc[c].hi;
	}
	if (slo > R || shi < R)
		return -INFINITY;
	envelope_solve(rc, k, R, x, mu, xa, xb, *mu);
	fix_budget(rc, k, R, x);
	newton_refine(rc, k, R, x, y);
	return total(ch, k, x);
}

/* The regimes of x: on where x is above the lower bound. */
static void
regimes_of(const chan *ch, size_t k, const double *x, unsigned char *on)
{
	for (size_t c = 0; c < k; c++)
		on[c] = is_s(&ch[c]) && x[c] > ch[c].lo + 1e-9 * (ch[c].t -
		    ch[c].lo);
}

/* Move spend from the channel with the lowest marginal response (that
 * can give) to the one with the highest (that can take), by a golden-
 * section search of the pair's best split, while that gains: each step
 * raises the response and keeps the budget. */
static void
pair_repair(const chan *ch, size_t k, double R, double *x)
{
	double tol = chan_tol(R);

	for (size_t it = 0; it < 4 * k + 8; it++) {
		long a = -1, b = -1;
		double da = -INFINITY, db = INFINITY;
		for (size_t c = 0; c < k; c++) {
			const chan *h = &ch[c];
			if (h->hi - x[c] > tol) {
				double d = fder(h, fmin(x[c] + tol, h->hi));
				if (d > da)
					da = d, a = (long)c;
			}
			if (x[c] - h->lo > tol) {
				double d = fder(h, fmax(x[c] - tol, h->lo));
				if (d < db)
					db = d, b = (long)c;
			}
		}
		if (a < 0 || b < 0 || a == b || !(da > db * (1 + 1e-9)))
			return;
		const chan *ha = &ch[a], *hb = &ch[b];
		double top = fmin(ha->hi - x[a], x[b] - hb->lo), lo = 0;
		double base = fval(ha, x[a]) + fval(hb, x[b]);
#define PAIR(d) (fval(ha, x[a] + (d)) + fval(hb, x[b] - (d)))
		const double gr = 0.6180339887498949;
		double hi = top, m1 = hi - gr * (hi - lo), m2 = lo + gr * (hi -
		    lo), f1 = PAIR(m1), f2 = PAIR(m2);
		for (int i = 0; i < 80 && hi - lo > 1e-15 * top; i++) {
			if (f1 < f2) {
				lo = m1, m1 = m2, f1 = f2;
				m2 = lo + gr * (hi - lo), f2 = PAIR(m2);
			} else {
				hi = m2, m2 = m1, f2 = f1;
				m1 = hi - gr * (hi - lo), f1 = PAIR(m1);
			}
		}
		double d = f1 > f2 ? m1 : m2, fd = fmax(f1, f2);
		if (PAIR(top) > fd)
			d = top, fd = PAIR(top);
#undef PAIR
		if (!(fd > base))
			return;
		x[a] += d;
		x[b] -= d;
	}
}

/*
 * Knapsack moves the regimes cannot make: an S-curve convex on its whole
 * range is off or at hi, and the optimum may keep one such channel
 * inside its range to take the budget's rest, where no regime reaches.
 * From x, each S-curve at its lower bound is tried at its upper bound and
 * each one above it at its lower bound, the difference taken where the
 * marginal response is lowest (given where it is highest); a move that
 * gains is kept, until none does.  1 when x changed.
 */
static int
flip_search(const chan *ch, size_t k, double R, double *x, double *y,
    chan *pin)
{
	double tol = chan_tol(R), best = total(ch, k, x);
	int moved = 0;

	memcpy(pin, ch, k * sizeof *pin);
	for (size_t round = 0; round < 2 * k + 4; round++) {
		int gained = 0;
		for (size_t c = 0; c < k; c++) {
			const chan *h = &ch[c];
			if (!is_s(h) || !isfinite(h->hi) || h->hi - h->lo <= tol)
				continue;
			double v = x[c] - h->lo <= tol ? h->hi : h->lo;
			memcpy(y, x, k * sizeof *y);
			y[c] = v;
			pin[c].lo = pin[c].hi = v;
			fix_budget(pin, k, R, y);
			pin[c] = *h;
			double f = total(ch, k, y);
			if (f > best * (1 + 1e-13) && fabs(sum(y, k) - R) <=
			    1e-12 * R) {
				best = f, gained = moved = 1;
				memcpy(x, y, k * sizeof *x);
			}
		}
		if (!gained)
			break;
	}
	return moved;
}

/* The best answer for budget R into x; 1 when provably global. */
static int
solve_into(const alloc_problem *p, chan *ch, double R, double *x, double *mu)
{
	size_t k = p->k;
	double *work = emalloc(11 * k * sizeof *work);
	double *xa = work + 3 * k, *xb = work + 4 * k, *y = work + 5 * k;
	double *z = work + 6 * k, *s1 = work + 7 * k, *s2 = work + 8 * k;
	double *s3 = work + 9 * k, *gy = work + 10 * k;
	int convex = 0;
	unsigned char *on = emalloc(6 * k), *on2 = on + k, *seen = on + 2 * k;
	chan *rc = emalloc(k * sizeof *rc);
	size_t nseen = 0;
	double mu_best = 0;

	if (!envelope_solve(ch, k, R, x, mu, xa, xb, 0)) {
		fix_budget(ch, k, R, x);
		newton_refine(ch, k, R, x, y);
		free(work);
		free(on);
		free(rc);
		return 1;
	}
	/* Not on the curves: an S-curve switches on where the budget falls.
	 * Starts: the grid's basin, the envelope's two roundings (the
	 * switching curves off, and on) and the caller's start; the regimes
	 * of each (which S-curves are on) solved exactly; the best improved
	 * by switching one S-curve at a time while that gains; then
	 * polished by SLSQP. */
	double best = -INFINITY;
	for (int s = 0; s < 4; s++) {
		if (s == 0)
			grid_solve(ch, k, R, y);
		else if (s == 1)
			memcpy(y, xa, k * sizeof *y);
		else if (s == 2)
			memcpy(y, xb, k * sizeof *y);
		else if (p->start)
			memcpy(y, p->start, k * sizeof *y);
		else
			continue;
		if (s == 0)
			for (size_t c = 0; c < k; c++)
				if (is_s(&ch[c]) && y[c] > ch[c].lo + 1e-9 *
				    (ch[c].t - ch[c].lo) && y[c] < ch[c].t)
					convex = 1;
		if (convex && s == 0)
			memcpy(gy, y, k * sizeof *gy);
		regimes_of(ch, k, y, on2);
		int dup = 0;
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = !memcmp(seen + i * k, on2, k);
		if (dup)
			continue;
		memcpy(seen + nseen++ * k, on2, k);
		double m = *mu, f = regime_solve(ch, k, R, on2, rc, z, s1,
		    s2, s3, &m);
		if (f > best) {
			best = f, mu_best = m;
			memcpy(on, on2, k);
			memcpy(x, z, k * sizeof *x);
		}
	}
	/* Switching channel c changes the optimum by at most the change of
	 * its Lagrangian term at the current multiplier (weak duality of
	 * the concave regime problems): only switches that bound allows
	 * are solved. */
	for (size_t round = 0; round < 2 * k + 4 && best > -INFINITY;
	    round++) {
		int gained = 0;
		for (size_t c = 0; c < k; c++) {
			chan *h = &ch[c];
			if (!is_s(h))
				continue;
			double loff = fval(h, h->lo) - mu_best * h->lo;
			chan hon;
			chan_on(h, &hon);
			double xo = concave_solve(&hon, mu_best);
			double lon = fval(h, xo) - mu_best * xo;
			double gain = on[c] ? loff - lon : lon - loff;
			if (!(gain > -1e-12 * fabs(best)))
				continue;
			memcpy(on2, on, k);
			on2[c] = !on2[c];
			double m = mu_best, g = regime_solve(ch, k, R, on2, rc,
			    z, s1, s2, s3, &m);
			if (g > best * (1 + 1e-13)) {
				best = g, mu_best = m, gained = 1;
				memcpy(on, on2, k);
				memcpy(x, z, k * sizeof *x);
			}
		}
		if (!gained)
			break;
	}
	/* A regime's answer usually meets the optimality conditions
	 * already; SLSQP polishes it when it does not (an S-curve held at
	 * its tangent point would rather spend less) or when no regime was
	 * feasible. */
	double kmu;
	if (best == -INFINITY) {
		grid_solve(ch, k, R, x);
		polish(ch, k, R, x, work);
	} else if (alloc_kkt(p, x, &kmu, NULL) > ALLOC_KKT_TOL) {
		polish(ch, k, R, x, work);
	}
	/* The grid put an S-curve on its convex part, where no regime
	 * reaches: that basin polished by SLSQP as well. */
	if (convex) {
		polish(ch, k, R, gy, work);
		if (total(ch, k, gy) > total(ch, k, x))
			memcpy(x, gy, k * sizeof *x);
	}
	/* SLSQP stops at its tolerance, which a badly scaled problem can
	 * reach with small channels off their optimum: trades between the
	 * steepest and the flattest channel while they gain. */
	if (alloc_kkt(p, x, &kmu, NULL) > ALLOC_KKT_TOL)
		pair_repair(ch, k, R, x);
	if (flip_search(ch, k, R, x, y, rc)) {
		polish(ch, k, R, x, work);
		if (alloc_kkt(p, x, &kmu, NULL) > ALLOC_KKT_TOL)
			pair_repair(ch, k, R, x);
	}
	free(work);
	free(on);
	free(rc);
	return 0;
}

int
alloc_solve(const alloc_problem *p, alloc_result *r, char *err,
    size_t errsz)
{
	size_t k = p->k;
	double shi = 0, slo = 0;

	if (check_problem(p, err, errsz) < 0)
		return -1;
	result_alloc(r, k);
	for (size_t c = 0; c < k; c++)
		shi += p->hi[c], slo += p->lo[c];
	if (shi <= p->budget) {
		for (size_t c = 0; c < k; c++)
			r->x[c] = p->hi[c];
		r->capped = shi < p->budget;
		r->global = 1;
	} else if (slo >= p->budget) {
		for (size_t c = 0; c < k; c++)
			r->x[c] = p->lo[c];
		r->global = 1;
	} else {
		chan *ch = chans_new(p);
		double mu;
		r->global = solve_into(p, ch, p->budget, r->x, &mu);
		free(ch);
	}
	result_finish(p, r);
	return 0;
}

int
alloc_target(const alloc_problem *p, double target, int average,
    alloc_result *r, char *err, size_t errsz)
{
	size_t k = p->k;
	alloc_problem q = *p;
	double slo = 0, shi = 0;

	q.budget = INFINITY;
	for (size_t c = 0; c < k; c++)
		slo += p->lo[c], shi += p->hi[c];
	q.budget = slo;
	if (check_problem(&q, err, errsz) < 0)
		return -1;
	if (!(target > 0))
		return err_fail(err, errsz, NULL, 0, "the target %g is not "
		    "above 0", target);
	if (!average) {
		chan *ch = chans_new(p);
		result_alloc(r, k);
		for (size_t c = 0; c < k; c++) {
			r->x[c] = fmax(best_response(&ch[c], target),
			    p->lo[c]);
			if (!isfinite(r->x[c])) {
				free(ch);
				alloc_result_free(r);
				return err_fail(err, errsz, NULL, 0, "channel "
				    "%s returns more than %g per unit at any "
				    "spend: give it a maximum",
				    p->names ? p->names[c] : "?", target);
			}
		}
		free(ch);
		r->global = 1;
		result_finish(p, r);
		return 0;
	}
	/* Average: the largest budget whose optimum returns >= target per
	 * unit, by bisection between a budget that does and one that does
	 * not. */
	double blo = slo, bhi;
#define ROAS_AT(B, res) (q.budget = (B), alloc_solve(&q, (res), err, \
	errsz) < 0 ? NAN : (res)->response / (B))
	alloc_result t = { 0 };
	if (blo > 0) {
		double a = ROAS_AT(blo, &t);
		alloc_result_free(&t);
		if (!(a >= target))
			return err_fail(err, errsz, NULL, 0, "the minimums "
			    "(%.17g) already return %g per unit, below the "
			    "target %g", blo, a, target);
	}
	if (isfinite(shi)) {
		double a = ROAS_AT(shi, &t);
		alloc_result_free(&t);
		if (a >= target)
			return alloc_solve(&q, r, err, errsz);
		bhi = shi;
	} else {
		bhi = blo > 0 ? 2 * blo : 1;
		for (int i = 0;; i++) {
			double a = ROAS_AT(bhi, &t);
			alloc_result_free(&t);
			if (!(a >= target))
				break;
			if (i == 1000)
				return err_fail(err, errsz, NULL, 0, "the "
				    "return stays above %g per unit at any "
				    "spend: give the channels maximums",
				    target);
			blo = bhi, bhi *= 2;
		}
	}
	for (int i = 0; i < 200 && bhi - blo > 1e-13 * bhi; i++) {
		double m = (blo + bhi) / 2, a;
		if (m == 0) {
			blo = m;
			continue;
		}
		a = ROAS_AT(m, &t);
		alloc_result_free(&t);
		if (a >= target)
			blo = m;
		else
			bhi = m;
	}
#undef ROAS_AT
	q.budget = blo;
	return alloc_solve(&q, r, err, errsz);
}

void
alloc_result_free(alloc_result *r)
{
	free(r->x);
	free(r->at);
	r->x = NULL;
	r->at = NULL;
}
