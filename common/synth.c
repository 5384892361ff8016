/* synth.c: marketing-mix data with known truth (see synth.h, mmm-synth(1)). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "rng.h"
#include "synth.h"
#include "transform.h"

#define TWO_PI 6.283185307179586

/* How a channel spends. */
enum spend_kind {
	FLIGHTS,	/* campaign bursts of weeks on, weeks off (TV, radio) */
	SEASONAL,	/* always on, following demand (search) */
	GROWING,	/* always on, growing over the years (social) */
	PULSED,		/* a low always-on base plus bursts (display, video) */
	STEADY,		/* always on, noisy (affiliate) */
	SPARSE		/* sends in some weeks only (email) */
};

static const struct channel_type {
	const char *name;
	enum spend_kind kind;
	double scale;		/* typical weekly spend while on */
	double theta_lo, theta_hi;	/* weekly geometric decay */
} types[] = {
	{ "tv", FLIGHTS, 20000, 0.3, 0.8 },
	{ "search", SEASONAL, 8000, 0.0, 0.3 },
	{ "social", GROWING, 5000, 0.1, 0.4 },
	{ "display", PULSED, 3500, 0.1, 0.4 },
	{ "radio", FLIGHTS, 6000, 0.2, 0.6 },
	{ "ooh", FLIGHTS, 8000, 0.3, 0.7 },
	{ "print", FLIGHTS, 3000, 0.1, 0.5 },
	{ "video", PULSED, 6000, 0.2, 0.6 },
	{ "email", SPARSE, 40, 0.0, 0.2 },
	{ "affiliate", STEADY, 1500, 0.0, 0.2 },
};
#define NTYPES (sizeof types / sizeof types[0])

/* Channels after the named ones cycle through these kinds. */
static const struct channel_type generic[] = {
	{ NULL, FLIGHTS, 2000, 0.2, 0.6 },
	{ NULL, STEADY, 2000, 0.0, 0.3 },
	{ NULL, PULSED, 2000, 0.1, 0.5 },
	{ NULL, GROWING, 2000, 0.1, 0.4 },
};

static const struct channel_type *
channel_type(size_t i)
{
	return i < NTYPES ? &types[i] : &generic[(i - NTYPES) % 4];
}

void
synth_channel_base(size_t i, char *buf)
{
	if (i < NTYPES)
		snprintf(buf, 24, "%s", types[i].name);
	else
		snprintf(buf, 24, "ch%zu", i + 1);
}

/* An independent stream per purpose, so that one part of the data (say the
 * noise, or channel 3) does not move when another part changes. */
static uint64_t
stream(uint64_t seed, uint64_t id)
{
	uint64_t s = seed ^ (id * UINT64_C(0xd1342543de82ef95));

	return rng_next(&s);
}

static double
unif(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(s);
}

/* One of the pair: a draw never depends on a cached one, simpler to
 * replay. */
double
synth_normal(uint64_t *s)
{
	double u1 = 1.0 - rng_unit(s);	/* (0, 1]: log is finite */
	double u2 = rng_unit(s);

	return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

/* Mean-one log-normal factor of log-sd sd. */
static double
lognorm(uint64_t *s, double sd)
{
	return exp(sd * synth_normal(s) - 0.5 * sd * sd);
}

/* Whole number from lo to hi. */
static size_t
uint_in(uint64_t *s, size_t lo, size_t hi)
{
	return lo + (size_t)(rng_unit(s) * (double)(hi - lo + 1));
}

static double
cents(double x)
{
	return round(x * 100.0) / 100.0;
}

/*
 * Spend of one channel into x[0..n): weekly amounts in scale's units, divided
 * by 7 for daily data (unit = 7 rows a week), where bursts last whole weeks.
 * season[t] in [-1, 1] is the demand cycle.
 */
static void
make_spend(const struct channel_type *ty, double scale, uint64_t *s,
    double *x, size_t n, size_t unit, const double *season)
{
	double per = scale / (double)unit, level = 0;
	size_t left = 0;	/* rows left in the current burst or pause */
	int on = rng_unit(s) < 0.5;

	for (size_t t = 0; t < n; t++) {
		double v = 0;

		if (ty->kind == FLIGHTS || ty->kind == PULSED) {
			if (left == 0) {
				on = !on;
				left = unit * (on ? uint_in(s, 2, 8) :
				    uint_in(s, 1, 6));
				level = per * lognorm(s, 0.3) *
				    (ty->kind == PULSED ? 1.5 : 1.0);
			}
			left--;
			if (on)
				v = level * lognorm(s, 0.1);
			if (ty->kind == PULSED)
				v += 0.3 * per * lognorm(s, 0.2);
		} else if (ty->kind == SPARSE) {
			if (rng_unit(s) >= 0.25)
				v = per * lognorm(s, 0.4);
		} else {
			double m = 1.0;

			/* Budget decisions: a new level every 4 to 13 weeks,
			 * so spend moves apart from the demand cycle and the
			 * trend. */
			if (left == 0) {
				left = unit * uint_in(s, 4, 13);
				level = per * lognorm(s, 0.5);
			}
			left--;
			if (ty->kind == SEASONAL)
				m = 1.0 + 0.15 * season[t];
			else if (ty->kind == GROWING)
				m = 0.8 + 0.4 * (double)t / (double)(n > 1 ?
				    n - 1 : 1);
			v = level * m * lognorm(s, 0.45);
		}
		/* A few dark periods for the always-on kinds. */
		if (ty->kind != FLIGHTS && ty->kind != SPARSE &&
		    rng_unit(s) < 0.08)
			v = 0;
		x[t] = cents(v);
	}
	/* A channel that never spent has no ROI: give it one burst. */
	double total = 0;
	for (size_t t = 0; t < n; t++)
		total += x[t];
	for (size_t t = 0; total == 0 && t < n && t < 2 * unit; t++)
		x[t] = cents(per);
}

static void
make_channel(synth *s, size_t i, uint64_t seed, const double *season)
{
	const struct channel_type *ty = channel_type(i);
	synth_channel *c = &s->ch[i];
	size_t n = s->conf.periods, unit = s->conf.daily ? 7 : 1;
	uint64_t st = stream(seed, 16 + i);
	char base[24];
	double scale = ty->scale * exp(unif(&st, log(0.6), log(1.6)));

	synth_channel_base(i, base);
	c->name = efmt("%s_spend", base);
	c->contrib_name = efmt("%s_contribution", base);
	c->x = emalloc(n * sizeof *c->x);
	c->c = emalloc(n * sizeof *c->c);
	c->theta = unif(&st, ty->theta_lo, ty->theta_hi);
	/* The same carryover per week: theta_daily^7 = theta_weekly. */
	if (s->conf.daily)
		c->theta = pow(c->theta, 1.0 / 7.0);
	c->alpha = unif(&st, 0.8, 2.5);
	c->gamma = unif(&st, 0.3, 0.9);
	make_spend(ty, scale, &st, c->x, n, unit, season);
}

/* Hill of the geometric adstock of channel c into c->c (unscaled). */
static void
response(synth_channel *c, size_t n)
{
	adstock a = { .kind = ADSTOCK_GEOMETRIC, .theta = c->theta };
	saturation h = { .kind = SAT_HILL, .alpha = c->alpha };
	double state = 0;

	adstock_apply(&a, NULL, &state, c->x, c->c, n);
	c->inflexion = hill_inflexion(c->c, n, c->gamma);
	h.gamma = c->inflexion;
	saturation_apply(&h, c->c, c->c, n);
}

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

void
synth_make(synth *s, const synth_conf *conf)
{
	size_t n = conf->periods, k = conf->channels;
	uint64_t g = stream(conf->seed, 0), st;
	double *season = emalloc(n * sizeof *season);

	memset(s, 0, sizeof *s);
	s->conf = *conf;
	s->period = conf->daily ? 365.25 : 52.18;
	s->day = emalloc(n * sizeof *s->day);
	s->temp = emalloc(n * sizeof *s->temp);
	s->promo = emalloc(n * sizeof *s->promo);
	s->baseline = emalloc(n * sizeof *s->baseline);
	s->noise = emalloc(n * sizeof *s->noise);
	s->revenue = emalloc(n * sizeof *s->revenue);
	s->ch = ecalloc(k, sizeof *s->ch);

	/* The shape of the KPI, relative to the mean baseline B. */
	double media_share = unif(&g, 0.2, 0.4);
	double roi_all = unif(&g, 1.0, 2.5);
	double growth = unif(&g, -0.05, 0.2);	/* over the whole span */
	double amp[SYNTH_FOURIER] = { unif(&g, 0.05, 0.1),
		unif(&g, 0.01, 0.04) };
	double phase[SYNTH_FOURIER] = { unif(&g, 0, TWO_PI),
		unif(&g, 0, TWO_PI) };
	double c_temp = (rng_unit(&g) < 0.5 ? -1 : 1) * unif(&g, 0.003, 0.008);
	double c_promo = unif(&g, 0.05, 0.15);
	double t_mean = unif(&g, 8, 16), t_amp = unif(&g, 7, 11);

	for (size_t t = 0; t < n; t++) {
		double w = TWO_PI * (double)t / s->period;

		s->day[t] = conf->start + (long)t * (conf->daily ? 1 : 7);
		season[t] = sin(w + phase[0]);
	}

	/* Temperature: a yearly cycle on the calendar, coldest in
	 * mid-January, and weather noise; 0.1 degree. */
	st = stream(conf->seed, 1);
	for (size_t t = 0; t < n; t++) {
		long y;
		int m, d;
		date_civil(s->day[t], &y, &m, &d);
		double doy = (double)(s->day[t] - date_days(y, 1, 1));
		double v = t_mean - t_amp * cos(TWO_PI * (doy - 15) / 365.25) +
		    (conf->daily ? 3.0 : 2.0) * synth_normal(&st);
		s->temp[t] = round(v * 10) / 10;
	}

	/* Promotions: a few events of 1-2 weeks (3-7 days). */
	st = stream(conf->seed, 2);
	for (size_t t = 0; t < n;) {
		size_t len = 0;
		if (rng_unit(&st) < (conf->daily ? 0.01 : 0.04))
			len = conf->daily ? uint_in(&st, 3, 7) :
			    uint_in(&st, 1, 2);
		for (size_t j = 0; j < len && t < n; j++)
			s->promo[t++] = 1;
		if (len == 0)
			s->promo[t++] = 0;
	}

	for (size_t i = 0; i < k; i++) {
		make_channel(s, i, conf->seed, season);
		response(&s->ch[i], n);
	}

	/*
	 * Effects: each channel a share of the media effect drawn apart from
	 * its share of spend, so ROIs differ; ROI = roi_all x effect share /
	 * spend share, kept within [0.5, 5]; beta scales the response to it.
	 */
	double total = 0;
	for (size_t i = 0; i < k; i++) {
		synth_channel *c = &s->ch[i];
		c->spend = 0;
		for (size_t t = 0; t < n; t++)
			c->spend += c->x[t];
		total += c->spend;
	}
	st = stream(conf->seed, 3);
	double *w = emalloc(k * sizeof *w), wsum = 0;
	for (size_t i = 0; i < k; i++)
		wsum += w[i] = unif(&st, 0.5, 1.5);
	s->total_spend = total;
	s->total_contribution = 0;
	for (size_t i = 0; i < k; i++) {
		synth_channel *c = &s->ch[i];
		double h = 0;
		double roi = clamp(roi_all * (w[i] / wsum) / (c->spend / total),
		    0.5, 5);
		for (size_t t = 0; t < n; t++)
			h += c->c[t];
		c->beta = roi * c->spend / h;
		c->contribution = 0;
		for (size_t t = 0; t < n; t++)
			c->contribution += c->c[t] *= c->beta;
		c->roi = c->contribution / c->spend;
		s->total_contribution += c->contribution;
		size_t from = n > SYNTH_LAST ? n - SYNTH_LAST : 0;
		c->mean_last = 0;
		for (size_t t = from; t < n; t++)
			c->mean_last += c->x[t];
		c->mean_last /= (double)(n - from);
	}
	free(w);

	/* The baseline in money: its mean B makes media the drawn share of
	 * the expected revenue; the intercept centres it on B. */
	double media_mean = s->total_contribution / (double)n;
	double b = media_mean * (1 - media_share) / media_share;
	double sum = 0;
	s->trend = growth * b / (double)(n > 1 ? n - 1 : 1);
	s->c_temp = c_temp * b;
	s->c_promo = c_promo * b;
	for (int j = 0; j < SYNTH_FOURIER; j++) {
		s->fsin[j] = amp[j] * b * cos(phase[j]);
		s->fcos[j] = amp[j] * b * sin(phase[j]);
	}
	for (size_t t = 0; t < n; t++) {
		double w1 = TWO_PI * (double)t / s->period, v = s->trend *
		    (double)t;
		for (int j = 0; j < SYNTH_FOURIER; j++)
			v += s->fsin[j] * sin((j + 1) * w1) +
			    s->fcos[j] * cos((j + 1) * w1);
		v += s->c_temp * s->temp[t] + s->c_promo * s->promo[t];
		s->baseline[t] = v;
		sum += v;
	}
	s->intercept = b - sum / (double)n;

	/* Noise: normal, sd a fraction of the mean expected revenue, drawn
	 * again when it would make revenue <= 0. */
	s->noise_sd = conf->noise * (b + media_mean);
	st = stream(conf->seed, 4);
	s->revenue_mean = 0;
	for (size_t t = 0; t < n; t++) {
		double mean = s->baseline[t] += s->intercept, e = 0;
		for (size_t i = 0; i < k; i++)
			mean += s->ch[i].c[t];
		for (int tries = 0; tries < 1000; tries++) {
			e = s->noise_sd * synth_normal(&st);
			if (mean + e > 0)
				break;
			e = 0;
		}
		s->noise[t] = e;
		/* In the order the components file lists them. */
		double r = s->baseline[t];
		for (size_t i = 0; i < k; i++)
			r += s->ch[i].c[t];
		s->revenue[t] = r + e;
		s->revenue_mean += s->revenue[t];
	}
	s->media_share = s->total_contribution / s->revenue_mean;
	s->revenue_mean /= (double)n;
	free(season);
}

void
synth_free(synth *s)
{
	for (size_t i = 0; i < s->conf.channels; i++) {
		free(s->ch[i].name);
		free(s->ch[i].contrib_name);
		free(s->ch[i].x);
		free(s->ch[i].c);
	}
	free(s->ch);
	free(s->day);
	free(s->temp);
	free(s->promo);
	free(s->baseline);
	free(s->noise);
	free(s->revenue);
}

static void
put_date(out *o, long day)
{
	char buf[16];

	date_format(day, buf);
	out_str(o, buf);
}

void
synth_write_data(out *o, const synth *s)
{
	out_str(o, "date,revenue");
	for (size_t i = 0; i < s->conf.channels; i++) {
		out_putc(o, ',');
		out_str(o, s->ch[i].name);
	}
	out_str(o, ",temperature,promo\n");
	for (size_t t = 0; t < s->conf.periods; t++) {
		put_date(o, s->day[t]);
		out_putc(o, ',');
		out_num(o, s->revenue[t]);
		for (size_t i = 0; i < s->conf.channels; i++) {
			out_putc(o, ',');
			out_num(o, s->ch[i].x[t]);
		}
		out_putc(o, ',');
		out_num(o, s->temp[t]);
		out_putc(o, ',');
		out_num(o, s->promo[t]);
		out_putc(o, '\n');
	}
}

void
synth_write_components(out *o, const synth *s)
{
	out_str(o, "date,baseline");
	for (size_t i = 0; i < s->conf.channels; i++) {
		out_putc(o, ',');
		out_str(o, s->ch[i].contrib_name);
	}
	out_str(o, ",noise,revenue\n");
	for (size_t t = 0; t < s->conf.periods; t++) {
		put_date(o, s->day[t]);
		out_putc(o, ',');
		out_num(o, s->baseline[t]);
		for (size_t i = 0; i < s->conf.channels; i++) {
			out_putc(o, ',');
			out_num(o, s->ch[i].c[t]);
		}
		out_putc(o, ',');
		out_num(o, s->noise[t]);
		out_putc(o, ',');
		out_num(o, s->revenue[t]);
		out_putc(o, '\n');
	}
}

void
synth_write_truth(jsonw *w, const synth *s)
{
	char buf[16];

	jw_obj(w);
	jw_key(w, "generator"); jw_str(w, "mmm-synth");
	jw_key(w, "seed"); jw_int(w, (long long)s->conf.seed);
	jw_key(w, "periods"); jw_int(w, (long long)s->conf.periods);
	jw_key(w, "freq"); jw_str(w, s->conf.daily ? "daily" : "weekly");
	date_format(s->conf.start, buf);
	jw_key(w, "start"); jw_str(w, buf);
	jw_key(w, "noise"); jw_num(w, s->conf.noise);
	jw_key(w, "noise_sd"); jw_num(w, s->noise_sd);
	jw_key(w, "fourier_period"); jw_num(w, s->period);
	jw_key(w, "intercept"); jw_num(w, s->intercept);
	jw_key(w, "trend"); jw_num(w, s->trend);
	jw_key(w, "fourier");
	jw_arr(w);
	for (int j = 0; j < SYNTH_FOURIER; j++) {
		jw_obj(w);
		jw_key(w, "order"); jw_int(w, j + 1);
		jw_key(w, "sin"); jw_num(w, s->fsin[j]);
		jw_key(w, "cos"); jw_num(w, s->fcos[j]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "controls");
	jw_obj(w);
	jw_key(w, "temperature"); jw_num(w, s->c_temp);
	jw_key(w, "promo"); jw_num(w, s->c_promo);
	jw_obj_end(w);
	jw_key(w, "channels");
	jw_arr(w);
	for (size_t i = 0; i < s->conf.channels; i++) {
		const synth_channel *c = &s->ch[i];
		jw_obj(w);
		jw_key(w, "name"); jw_str(w, c->name);
		jw_key(w, "adstock");
		jw_obj(w);
		jw_key(w, "kind"); jw_str(w, "geometric");
		jw_key(w, "theta"); jw_num(w, c->theta);
		jw_obj_end(w);
		jw_key(w, "saturation");
		jw_obj(w);
		jw_key(w, "kind"); jw_str(w, "hill");
		jw_key(w, "alpha"); jw_num(w, c->alpha);
		jw_key(w, "gamma"); jw_num(w, c->gamma);
		jw_key(w, "inflexion"); jw_num(w, c->inflexion);
		jw_obj_end(w);
		jw_key(w, "beta"); jw_num(w, c->beta);
		jw_key(w, "spend"); jw_num(w, c->spend);
		jw_key(w, "contribution"); jw_num(w, c->contribution);
		jw_key(w, "roi"); jw_num(w, c->roi);
		jw_key(w, "spend_share"); jw_num(w, c->spend / s->total_spend);
		jw_key(w, "effect_share");
		jw_num(w, c->contribution / s->total_contribution);
		jw_key(w, "mean_spend_last13"); jw_num(w, c->mean_last);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "revenue_mean"); jw_num(w, s->revenue_mean);
	jw_key(w, "media_share"); jw_num(w, s->media_share);
	jw_obj_end(w);
}
