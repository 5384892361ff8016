/* mmmsearch.c: the hyperparameter search of the marketing-mix model —
 * differential evolution (DE/current-to-pbest/1/bin, as JADE, with fixed
 * F and CR ranges) started from a randomly shifted Halton set, the trials
 * run in lockstep so that every generation of every trial is one parallel
 * batch; the Pareto front of NRMSE and DECOMP.RSSD; the selection rules.
 * The random streams are drawn in one thread, in a fixed order, so the
 * candidates do not depend on the number of threads. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mmm.h"
#include "rng.h"

const char *const mmm_select_names[MMM_SELECT_N] = { "pareto", "nrmse",
	"rssd", "knee" };

/* One batch of candidates to evaluate, split over threads by index. */
typedef struct batch {
	const mmm_problem *p;
	mmm_work **work;
	const double *h;	/* m x nh */
	mmm_score *sc;		/* m */
	size_t m;
} batch;

/* The workers, started once per search: each generation is one batch,
 * handed over at the start barrier and collected at the done barrier.
 * The threads take chunks of candidates from a shared counter, so that a
 * thread the machine holds back leaves its share to the others; a score
 * depends only on its candidate (each thread has its own scratch), so
 * which thread takes which chunk never changes the result. */
typedef struct pool {
	int threads;
	batch b;
	atomic_size_t next;	/* the first candidate not yet taken */
	int quit;
	pthread_barrier_t start, done;
	pthread_t th[64];
	struct slice {
		struct pool *pl;
		int tid;
	} sl[64];
} pool;

#define CHUNK 4

static void
run_slice(pool *pl, int tid)
{
	batch *b = &pl->b;

	for (;;) {
		size_t i = atomic_fetch_add(&pl->next, CHUNK);
		if (i >= b->m)
			return;
		size_t e = i + CHUNK < b->m ? i + CHUNK : b->m;
		for (; i < e; i++)
			mmm_eval(b->p, b->work[tid], b->h + i * b->p->nh,
			    &b->sc[i], NULL);
	}
}

static void *
worker(void *arg)
{
	struct slice *s = arg;
	pool *pl = s->pl;

	for (;;) {
		pthread_barrier_wait(&pl->start);
		if (pl->quit)
			return NULL;
		run_slice(pl, s->tid);
		pthread_barrier_wait(&pl->done);
	}
}

static void
pool_start(pool *pl, int threads)
{
	pl->threads = threads > 64 ? 64 : threads;
	pl->quit = 0;
	if (pl->threads <= 1)
		return;
	if (pthread_barrier_init(&pl->start, NULL, (unsigned)pl->threads) ||
	    pthread_barrier_init(&pl->done, NULL, (unsigned)pl->threads))
		die("cannot set up the search's threads");
	for (int i = 1; i < pl->threads; i++) {
		pl->sl[i] = (struct slice){ pl, i };
		if (pthread_create(&pl->th[i], NULL, worker, &pl->sl[i]) != 0)
			die("cannot start a thread");
	}
}

static void
pool_run(pool *pl)
{
	atomic_store(&pl->next, 0);
	if (pl->threads <= 1) {
		run_slice(pl, 0);
		return;
	}
	pthread_barrier_wait(&pl->start);
	run_slice(pl, 0);
	pthread_barrier_wait(&pl->done);
}

static void
pool_stop(pool *pl)
{
	if (pl->threads <= 1)
		return;
	pl->quit = 1;
	pthread_barrier_wait(&pl->start);
	for (int i = 1; i < pl->threads; i++)
		pthread_join(pl->th[i], NULL);
	pthread_barrier_destroy(&pl->start);
	pthread_barrier_destroy(&pl->done);
}

/* The radical inverse of i in base b (Halton). */
static double
radical(size_t i, unsigned b)
{
	double f = 1, r = 0;

	for (; i; i /= b) {
		f /= b;
		r += f * (double)(i % b);
	}
	return r;
}

static const unsigned primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31,
	37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107,
	109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181,
	191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263,
	269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349 };
#define NPRIMES (sizeof primes / sizeof *primes)

/* Unit-cube coordinate u of hyperparameter j into its range; lambda on a
 * log scale. */
static double
from_unit(const mmm_hyper *hy, double u)
{
	if (hy->chan < 0)
		return exp(log(hy->lo) + u * (log(hy->hi) - log(hy->lo)));
	return hy->lo + u * (hy->hi - hy->lo);
}

typedef struct trial {
	uint64_t rng;
	double w;		/* rssd weight */
	double *u;		/* np x nh: population in the unit cube */
	double *f;		/* np: scalarised objective */
	double *v;		/* np x nh: this generation's trial vectors */
	size_t *order;		/* np: by f, for pbest */
} trial;

static double
scalar(const mmm_score *s, double w, double wl)
{
	double f = s->obj + w * s->rssd;

	return wl > 0 ? f + wl * s->mape_lift : f;
}

static const double *sort_key;

static int
by_key(const void *a, const void *b)
{
	double x = sort_key[*(const size_t *)a];
	double y = sort_key[*(const size_t *)b];
	if (x != y)
		return x < y ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Candidates by the NRMSE objective, then DECOMP.RSSD, then MAPE.LIFT, then index: none
 * can dominate one before it. */
static const mmm_score *sort_sc;

static int
by_scores(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const mmm_score *x = &sort_sc[i], *y = &sort_sc[j];

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->rssd != y->rssd)
		return x->rssd < y->rssd ? -1 : 1;
	if (x->mape_lift != y->mape_lift)
		return x->mape_lift < y->mape_lift ? -1 : 1;
	return i < j ? -1 : 1;
}

/* Pareto front in three objectives: each candidate against the front so
 * far (the front is small beside the candidates). */
static void
pareto3(mmm_search *s)
{
	size_t *idx = emalloc(s->ncand * sizeof *idx);

	for (size_t i = 0; i < s->ncand; i++)
		idx[i] = i;
	sort_sc = s->sc;
	qsort(idx, s->ncand, sizeof *idx, by_scores);
	s->front = emalloc(s->ncand * sizeof *s->front);
	s->nfront = 0;
	for (size_t r = 0; r < s->ncand; r++) {
		const mmm_score *c = &s->sc[idx[r]];
		int dom = !isfinite(c->obj) || !isfinite(c->rssd) ||
		    !isfinite(c->mape_lift);
		for (size_t f = 0; f < s->nfront && !dom; f++) {
			const mmm_score *b = &s->sc[s->front[f]];
			/* b comes first: it dominates unless c is better
			 * somewhere (equal scores: the first stays). */
			dom = b->rssd <= c->rssd && b->mape_lift <=
			    c->mape_lift;
		}
		if (!dom)
			s->front[s->nfront++] = idx[r];
	}
	free(idx);
}

/* The lift_quantile of the candidates' MAPE.LIFT (type 7, R's default, as
 * Robyn's quantile()). */
static double
mape_quantile(const mmm_search *s, double q)
{
	double *v = emalloc(s->ncand * sizeof *v);
	size_t m = 0;

	for (size_t i = 0; i < s->ncand; i++)
		if (isfinite(s->sc[i].mape_lift))
			v[m++] = s->sc[i].mape_lift;
	sort_key = v;
	size_t *idx = emalloc((m ? m : 1) * sizeof *idx);
	for (size_t i = 0; i < m; i++)
		idx[i] = i;
	qsort(idx, m, sizeof *idx, by_key);
	double r = HUGE_VAL;
	if (m) {
		double h = (double)(m - 1) * q;
		size_t lo = (size_t)floor(h);
		size_t hi = lo + 1 < m ? lo + 1 : lo;
		r = v[idx[lo]] + (h - (double)lo) * (v[idx[hi]] - v[idx[lo]]);
	}
	free(idx);
	free(v);
	return r;
}

/* Pareto front (minimise both) of the candidates, sorted by the NRMSE
 * objective. */
static void
pareto(mmm_search *s)
{
	size_t *idx = emalloc(s->ncand * sizeof *idx);
	double *key = emalloc(s->ncand * sizeof *key);

	for (size_t i = 0; i < s->ncand; i++) {
		idx[i] = i;
		key[i] = s->sc[i].obj;
	}
	sort_key = key;
	qsort(idx, s->ncand, sizeof *idx, by_key);
	s->front = emalloc(s->ncand * sizeof *s->front);
	s->nfront = 0;
	double best = HUGE_VAL;
	for (size_t r = 0; r < s->ncand; r++) {
		size_t i = idx[r];
		if (s->sc[i].rssd < best) {
			best = s->sc[i].rssd;
			s->front[s->nfront++] = i;
		}
	}
	free(idx);
	free(key);
}

void
mmm_search_size(size_t nh, const mmm_search_opts *o, size_t *np,
    size_t *gens, size_t *total)
{
	size_t n = 2 * nh < 10 ? 10 : 2 * nh;

	if (n > o->iterations)
		n = o->iterations < 4 ? 4 : o->iterations;
	*np = n;
	*gens = (o->iterations + n - 1) / n;
	*total = (o->trials ? o->trials : 1) * *gens * n;
}

void
mmm_search_run(const mmm_problem *p, const mmm_search_opts *o,
    mmm_search *s)
{
	size_t nh = p->nh, T = o->trials ? o->trials : 1, np, gens;
	int threads = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
	pool pl;

	mmm_search_size(nh, o, &np, &gens, &s->ncand);
	s->nh = nh;
	s->h = emalloc(s->ncand * nh * sizeof *s->h);
	s->sc = emalloc(s->ncand * sizeof *s->sc);
	s->trial = emalloc(s->ncand * sizeof *s->trial);
	mmm_work **work = emalloc((size_t)threads * sizeof *work);
	for (int i = 0; i < threads; i++)
		work[i] = mmm_work_new(p);
	pool_start(&pl, threads);

	trial *tr = ecalloc(T, sizeof *tr);
	uint64_t seeder = o->seed;
	for (size_t t = 0; t < T; t++) {
		tr[t].rng = rng_next(&seeder);
		tr[t].w = T > 1 ? o->rssd_weight * (double)t / (double)(T - 1)
		    : 0;
		tr[t].u = emalloc(np * nh * sizeof *tr[t].u);
		tr[t].v = emalloc(np * nh * sizeof *tr[t].v);
		tr[t].f = emalloc(np * sizeof *tr[t].f);
		tr[t].order = emalloc(np * sizeof *tr[t].order);
	}
	size_t at = 0;
	for (size_t g = 0; g < gens; g++) {
		/* Trial vectors of every trial, drawn in order. */
		for (size_t t = 0; t < T; t++) {
			trial *r = &tr[t];
			for (size_t i = 0; i < np; i++) {
				double *v = r->v + i * nh;
				if (g == 0) {
					/* Halton, shifted per trial */
					for (size_t j = 0; j < nh; j++) {
						double sh = rng_unit(&r->rng);
						double u = radical(i + 1,
						    primes[j % NPRIMES]) + sh;
						v[j] = u - floor(u);
					}
					continue;
				}
				const double *x = r->u + i * nh;
				size_t npb = np / 5 < 2 ? 2 : np / 5;
				const double *pb = r->u + r->order[
				    rng_next(&r->rng) % npb] * nh;
				size_t a, b;
				do
					a = rng_next(&r->rng) % np;
				while (a == i);
				do
					b = rng_next(&r->rng) % np;
				while (b == i || b == a);
				const double *xa = r->u + a * nh;
				const double *xb = r->u + b * nh;
				double F = 0.5 + 0.4 * rng_unit(&r->rng);
				size_t jr = rng_next(&r->rng) % nh;
				for (size_t j = 0; j < nh; j++) {
					double cr = rng_unit(&r->rng);
					if (j != jr && cr > 0.9) {
						v[j] = x[j];
						continue;
					}
					double y = x[j] + F * (pb[j] - x[j]) +
					    F * (xa[j] - xb[j]);
					/* Out of the box: halfway back to
					 * the parent's side. */
					if (y < 0)
						y = x[j] / 2;
					else if (y > 1)
						y = (x[j] + 1) / 2;
					v[j] = y;
				}
			}
			for (size_t i = 0; i < np; i++) {
				double *h = s->h + (at + t * np + i) * nh;
				for (size_t j = 0; j < nh; j++)
					h[j] = from_unit(&p->hp[j],
					    r->v[i * nh + j]);
				s->trial[at + t * np + i] = (unsigned)t;
			}
		}
		pl.b = (batch){ p, work, s->h + at * nh, s->sc + at, T * np };
		pool_run(&pl);
		/* Selection. */
		for (size_t t = 0; t < T; t++) {
			trial *r = &tr[t];
			for (size_t i = 0; i < np; i++) {
				double f = scalar(&s->sc[at + t * np + i],
				    r->w, p->lift ? o->lift_weight : 0);
				if (!isfinite(f))
					f = HUGE_VAL;
				if (g == 0 || f <= r->f[i]) {
					r->f[i] = f;
					memcpy(r->u + i * nh, r->v + i * nh,
					    nh * sizeof *r->u);
				}
				r->order[i] = i;
			}
			sort_key = r->f;
			qsort(r->order, np, sizeof *r->order, by_key);
		}
		at += T * np;
		if (o->progress)
			o->progress(at, s->ncand);
	}
	for (size_t t = 0; t < T; t++) {
		free(tr[t].u);
		free(tr[t].v);
		free(tr[t].f);
		free(tr[t].order);
	}
	free(tr);
	pool_stop(&pl);
	for (int i = 0; i < threads; i++)
		mmm_work_free(work[i]);
	free(work);
	s->lift = p->lift != NULL;
	if (s->lift) {
		pareto3(s);
		s->lift_cut = mape_quantile(s, o->lift_quantile);
	} else {
		pareto(s);
		s->lift_cut = HUGE_VAL;
	}
}

void
mmm_search_free(mmm_search *s)
{
	free(s->h);
	free(s->sc);
	free(s->trial);
	free(s->front);
}

int
mmm_calibrated(const mmm_search *s, size_t i)
{
	return !s->lift || s->sc[i].mape_lift <= s->lift_cut;
}

size_t
mmm_select(const mmm_search *s, int rule)
{
	size_t *fr = emalloc((s->nfront ? s->nfront : 1) * sizeof *fr), m = 0;

	for (size_t r = 0; r < s->nfront; r++)
		if (mmm_calibrated(s, s->front[r]))
			fr[m++] = s->front[r];
	size_t best = fr[0];
	if (rule == MMM_SELECT_NRMSE || m == 1) {
		free(fr);
		return best;
	}
	/* Each objective normalised to [0, 1] over the candidates. */
	double lo[3], hi[3], v[3];
	for (int j = 0; j < 3; j++)
		lo[j] = HUGE_VAL, hi[j] = -HUGE_VAL;
	for (size_t r = 0; r < m; r++) {
		const mmm_score *c = &s->sc[fr[r]];
		v[0] = c->obj, v[1] = c->rssd, v[2] = s->lift ?
		    c->mape_lift : 0;
		for (int j = 0; j < 3; j++)
			lo[j] = fmin(lo[j], v[j]), hi[j] = fmax(hi[j], v[j]);
	}
	double bv = rule == MMM_SELECT_KNEE ? -1 : HUGE_VAL;
	for (size_t r = 0; r < m; r++) {
		const mmm_score *c = &s->sc[fr[r]];
		v[0] = c->obj, v[1] = c->rssd, v[2] = s->lift ?
		    c->mape_lift : 0;
		double a[3];
		for (int j = 0; j < 3; j++)
			a[j] = (v[j] - lo[j]) / (hi[j] > lo[j] ?
			    hi[j] - lo[j] : 1);
		if (rule == MMM_SELECT_RSSD) {
			if (v[1] < bv)
				bv = v[1], best = fr[r];
		} else if (rule == MMM_SELECT_PARETO) {
			double d = a[0] * a[0] + a[1] * a[1] + a[2] * a[2];
			if (d < bv)
				bv = d, best = fr[r];
		} else {
			/* Distance below the plane through the unit
			 * points (the chord from (0, 1) to (1, 0) in two
			 * objectives). */
			double d = 1 - a[0] - a[1] - a[2];
			if (d > bv)
				bv = d, best = fr[r];
		}
	}
	free(fr);
	return best;
}
