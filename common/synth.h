/* synth.h: marketing-mix data with known truth — bursty spend of K channels,
 * a KPI built from a baseline (trend, yearly Fourier terms, temperature,
 * promotions), geometric adstock + Hill saturation per channel, and noise —
 * for recovery tests, examples and benchmarks.  mmm-synth(1) gives the model
 * and the draws. */
#ifndef MMM_SYNTH_H
#define MMM_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "out.h"

#define SYNTH_FOURIER 2		/* yearly orders 1..2 */
#define SYNTH_LAST 13		/* periods of mean_spend_last13 */

typedef struct synth_conf {
	size_t periods;		/* N >= 1 */
	int daily;		/* else weekly */
	long start;		/* day number of the first date */
	size_t channels;	/* K >= 1 */
	uint64_t seed;
	double noise;		/* noise sd / mean expected revenue, >= 0 */
} synth_conf;

typedef struct synth_channel {
	char *name;		/* "tv_spend" */
	char *contrib_name;	/* "tv_contribution" */
	double theta, alpha, gamma, inflexion, beta;
	double spend, contribution, roi, mean_last;
	double *x;		/* spend [N] */
	double *c;		/* true contribution [N] */
} synth_channel;

typedef struct synth {
	synth_conf conf;
	double period;		/* Fourier period in rows: 52.18 or 365.25 */
	double intercept, trend;
	double fsin[SYNTH_FOURIER], fcos[SYNTH_FOURIER];
	double c_temp, c_promo;
	double noise_sd;
	long *day;		/* [N] */
	double *temp, *promo, *baseline, *noise, *revenue;	/* [N] */
	synth_channel *ch;	/* [K] */
	double total_spend, total_contribution, revenue_mean, media_share;
} synth;

/* The name of channel i (0-based) without suffix into buf (>= 24 bytes):
 * tv, search, social, display, radio, ooh, print, video, email, affiliate,
 * then ch11, ch12 ... */
void synth_channel_base(size_t i, char *buf);

/* A standard normal draw (Box-Muller, one of the pair); advances *s. */
double synth_normal(uint64_t *s);

/* Draw a data set; exits only when memory runs out.  Free with synth_free. */
void synth_make(synth *s, const synth_conf *c);
void synth_free(synth *s);

/* date,revenue,<channel>_spend...,temperature,promo */
void synth_write_data(out *o, const synth *s);
/* date,baseline,<channel>_contribution...,noise,revenue */
void synth_write_components(out *o, const synth *s);
/* The truth document (one JSON object). */
void synth_write_truth(jsonw *w, const synth *s);

#endif
