/* transform_step.c: adstock and saturation steps for mmm-features. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "num.h"
#include "transform_step.h"

/* Split text at ':' into at most max fields; the count, or -1. */
static int
fields(const char *text, char f[][64], int max)
{
	int n = 0;

	for (;;) {
		const char *c = strchr(text, ':');
		size_t len = c ? (size_t)(c - text) : strlen(text);
		if (n == max || len >= 64)
			return -1;
		memcpy(f[n], text, len);
		f[n++][len] = '\0';
		if (!c)
			return n;
		text = c + 1;
	}
}

static int
number(const char *s, double *x)
{
	return num_parse(s, strlen(s), x) == 0 && isfinite(*x) ? 0 : -1;
}

static int
whole(const char *s, size_t *x)
{
	double d;

	if (number(s, &d) < 0 || d < 1 || d > 1e6 || d != floor(d))
		return -1;
	*x = (size_t)d;
	return 0;
}

static void
make_weights(tstep *t)
{
	size_t n = adstock_nweights(&t->a);

	free(t->w);
	t->w = n ? emalloc(n * sizeof *t->w) : NULL;
	if (n)
		adstock_weights(&t->a, t->w);
}

int
tstep_parse(tstep *t, int is_adstock, const char *text, char *err,
    size_t errsz)
{
	char f[5][64];
	int n = fields(text, f, 5), bad = n < 1;
	const char *why = NULL;

	memset(t, 0, sizeof *t);
	t->is_adstock = is_adstock;
	if (!bad && is_adstock) {
		int k = adstock_kind_parse(f[0]);
		t->a.kind = k < 0 ? ADSTOCK_NONE : (adstock_kind)k;
		t->a.normalize = ADSTOCK_NORMALIZE_DEFAULT;
		t->a.len = ADSTOCK_LMAX_DEFAULT;
		switch (k) {
		case ADSTOCK_GEOMETRIC:
			bad = n != 2 || number(f[1], &t->a.theta) < 0;
			break;
		case ADSTOCK_GEOMETRIC_TRUNC:
			bad = n < 2 || n > 3 || number(f[1], &t->a.theta) < 0 ||
			    (n == 3 && whole(f[2], &t->a.len) < 0);
			break;
		case ADSTOCK_WEIBULL_CDF: case ADSTOCK_WEIBULL_PDF:
			bad = n < 3 || n > 4 || number(f[1], &t->a.shape) < 0 ||
			    number(f[2], &t->a.scale) < 0 || (n == 4 &&
			    whole(f[3], &t->a.len) < 0);
			t->fit_len = n == 3;
			break;
		case ADSTOCK_DELAYED:
			bad = n < 3 || n > 4 || number(f[1], &t->a.theta) < 0 ||
			    number(f[2], &t->a.peak) < 0 || (n == 4 &&
			    whole(f[3], &t->a.len) < 0);
			break;
		default:
			bad = 1;
		}
		if (!bad)
			why = adstock_check(&t->a);
		if (!bad && !why && !t->fit_len)
			make_weights(t);
	} else if (!bad) {
		int k = saturation_kind_parse(f[0]);
		t->s.kind = k < 0 ? SAT_NONE : (saturation_kind)k;
		switch (k) {
		case SAT_HILL:
			if (n == 4 && strcmp(f[2], "abs") == 0) {
				bad = number(f[1], &t->s.alpha) < 0 ||
				    number(f[3], &t->s.gamma) < 0;
			} else {
				bad = n != 3 || number(f[1], &t->s.alpha) < 0 ||
				    number(f[2], &t->frac) < 0;
				if (!bad && (t->frac < 0 || t->frac > 1))
					why = "GAMMA, a fraction of the range, "
					    "must be in [0, 1] (abs:GAMMA for "
					    "an absolute one)";
				t->fit_gamma = 1;
				t->s.gamma = 1;	/* checked once fitted */
			}
			break;
		case SAT_LOGISTIC:
			bad = n != 2 || number(f[1], &t->s.lambda) < 0;
			break;
		case SAT_MICHAELIS:
			bad = n != 3 || number(f[1], &t->s.vmax) < 0 ||
			    number(f[2], &t->s.k) < 0;
			break;
		default:
			bad = 1;
		}
		if (!bad && !why)
			why = saturation_check(&t->s);
	}
	if (bad) {
		snprintf(err, errsz, "--%s \"%s\": expected %s", is_adstock ?
		    "adstock" : "saturation", text, is_adstock ?
		    "geometric:THETA, geometric_trunc:THETA[:LMAX], "
		    "weibull_cdf:SHAPE:SCALE[:LEN], weibull_pdf:SHAPE:SCALE[:LEN] "
		    "or delayed:THETA:PEAK[:LMAX] after the column" :
		    "hill:ALPHA:GAMMA, hill:ALPHA:abs:GAMMA, logistic:LAMBDA or "
		    "michaelis:VMAX:K after the column");
		return -1;
	}
	if (why) {
		snprintf(err, errsz, "--%s \"%s\": %s", is_adstock ? "adstock" :
		    "saturation", text, why);
		return -1;
	}
	return 0;
}

int
tstep_needs_fit(const tstep *t)
{
	return t->fit_len || t->fit_gamma;
}

void
tstep_fit_add(tstep *t, double x)
{
	if (!t->have || x < t->lo)
		t->lo = x;
	if (!t->have || x > t->hi)
		t->hi = x;
	t->have = 1;
	t->cur_len++;
}

void
tstep_fit_group_end(tstep *t)
{
	if (t->cur_len > t->max_len)
		t->max_len = t->cur_len;
	t->cur_len = 0;
}

void
tstep_fit_done(tstep *t)
{
	tstep_fit_group_end(t);
	if (t->fit_len) {
		/* Robyn's windlen: the length of the modelling series. */
		t->a.len = t->max_len ? t->max_len : 1;
		t->fit_len = 0;
		make_weights(t);
	}
	if (t->fit_gamma) {
		double r[2] = { t->lo, t->hi };
		t->s.gamma = hill_inflexion(r, t->have ? 2 : 0, t->frac);
		/* A constant input has no range: any positive scale gives the
		 * same constant curve, so keep the value itself. */
		if (!(t->s.gamma > 0))
			t->s.gamma = t->hi > 0 ? t->hi : 1;
		t->fit_gamma = 0;
	}
}

const char *
tstep_suffix(const tstep *t)
{
	return t->is_adstock ? "adstock" : saturation_kind_name(t->s.kind);
}

size_t
tstep_state_len(const tstep *t)
{
	return t->is_adstock ? adstock_state_len(&t->a) : 0;
}

void
tstep_state_init(const tstep *t, double *state)
{
	size_t n = tstep_state_len(t);

	for (size_t i = 0; i < n; i++)
		state[i] = 0;
}

double
tstep_apply(const tstep *t, double *state, double x)
{
	double y;

	if (!t->is_adstock)
		return saturation_value(&t->s, x);
	adstock_apply(&t->a, t->w, state, &x, &y, 1);
	return y;
}

void
tstep_save(const tstep *t, jsonw *w)
{
	jw_obj(w);
	if (t->is_adstock) {
		jw_key(w, "len");
		jw_int(w, (long long)t->a.len);
	} else if (t->s.kind == SAT_HILL) {
		jw_key(w, "gamma");
		jw_num(w, t->s.gamma);
	}
	jw_obj_end(w);
}

int
tstep_load(tstep *t, json_t *j, char *err, size_t errsz)
{
	if (!json_is_object(j)) {
		snprintf(err, errsz, "no fitted parameters");
		return -1;
	}
	if (t->is_adstock) {
		json_int_t len = json_integer_value(json_object_get(j, "len"));
		if (len < 1) {
			snprintf(err, errsz, "adstock \"len\" must be >= 1");
			return -1;
		}
		t->a.len = (size_t)len;
		t->fit_len = 0;
		make_weights(t);
	} else if (t->s.kind == SAT_HILL) {
		json_t *g = json_object_get(j, "gamma");
		if (!json_is_number(g) || !(json_number_value(g) > 0)) {
			snprintf(err, errsz, "saturation \"gamma\" must be > 0");
			return -1;
		}
		t->s.gamma = json_number_value(g);
		t->fit_gamma = 0;
	}
	return 0;
}

void
tstep_free(tstep *t)
{
	free(t->w);
	t->w = NULL;
}
