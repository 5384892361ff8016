/* test_synth: the generator's normal draws against the normal law, and the
 * identities a data set with known truth must keep. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "tap.h"

static synth_conf
conf(size_t n, size_t k, uint64_t seed, double noise, int daily)
{
	synth_conf c = { .periods = n, .daily = daily, .start = 18631,
		.channels = k, .seed = seed, .noise = noise };	/* 2021-01-04 */
	return c;
}

/* 10^6 draws: moments and the mass within one sd, Phi(1) - Phi(-1) =
 * erf(1 / sqrt 2) = 0.682689492..., to several standard errors. */
static void
test_normal(void)
{
	uint64_t s = 12345;
	const long n = 1000000;
	double m1 = 0, m2 = 0, m3 = 0, m4 = 0, in1 = 0;

	for (long i = 0; i < n; i++) {
		double z = synth_normal(&s);
		m1 += z;
		m2 += z * z;
		m3 += z * z * z;
		m4 += z * z * z * z;
		in1 += fabs(z) < 1;
	}
	m1 /= n, m2 /= n, m3 /= n, m4 /= n, in1 /= n;
	TAP_DIAG("normal: mean %.2e, var %.5f, skew %.2e, kurt %.4f, "
	    "P(|z|<1) %.5f", m1, m2, m3, m4, in1);
	TAP_OK(fabs(m1) < 5e-3, "normal: mean 0 (se 1e-3)");
	TAP_OK(fabs(m2 - 1) < 7e-3, "normal: variance 1 (se 1.4e-3)");
	TAP_OK(fabs(m3) < 1.3e-2, "normal: third moment 0 (se 2.4e-3)");
	TAP_OK(fabs(m4 - 3) < 5e-2, "normal: fourth moment 3 (se 1e-2)");
	TAP_OK(fabs(in1 - erf(1 / sqrt(2))) < 2.5e-3,
	    "normal: P(|z| < 1) = 0.6827 (se 4.7e-4)");
}

/* revenue = baseline + contributions + noise, in that order, exactly; the
 * totals, ROI and shares are the sums they claim to be. */
static int
identities(const synth *s)
{
	size_t n = s->conf.periods, k = s->conf.channels;
	double media = 0, rev = 0, spend = 0;

	for (size_t t = 0; t < n; t++) {
		double r = s->baseline[t];
		for (size_t i = 0; i < k; i++)
			r += s->ch[i].c[t];
		if (r + s->noise[t] != s->revenue[t] || !(s->revenue[t] > 0))
			return 0;
		rev += s->revenue[t];
	}
	for (size_t i = 0; i < k; i++) {
		const synth_channel *c = &s->ch[i];
		double tot = 0, sp = 0;
		for (size_t t = 0; t < n; t++) {
			if (!(c->x[t] >= 0) || !(c->c[t] >= 0))
				return 0;
			tot += c->c[t];
			sp += c->x[t];
		}
		if (tot != c->contribution || sp != c->spend ||
		    c->roi != c->contribution / c->spend ||
		    !(c->roi >= 0.5 - 1e-12 && c->roi <= 5 + 1e-12))
			return 0;
		media += tot;
		spend += sp;
	}
	return fabs(media - s->total_contribution) <= 1e-9 * media &&
	    fabs(spend - s->total_spend) <= 1e-9 * spend &&
	    fabs(media / rev - s->media_share) <= 1e-12;
}

/* The contribution recomputed from the spend with the truth's parameters:
 * y_t = x_t + theta y_{t-1}, beta y^a / (y^a + K^a). */
static double
recompute_error(const synth *s)
{
	double worst = 0;

	for (size_t i = 0; i < s->conf.channels; i++) {
		const synth_channel *c = &s->ch[i];
		double y = 0;
		for (size_t t = 0; t < s->conf.periods; t++) {
			y = c->x[t] + c->theta * y;
			double ya = pow(y, c->alpha);
			double want = c->beta * ya / (ya +
			    pow(c->inflexion, c->alpha));
			double e = fabs(c->c[t] - want) / (want > 0 ? want : 1);
			if (e > worst)
				worst = e;
		}
	}
	return worst;
}

int
main(void)
{
	synth a, b;
	synth_conf c;
	int ok = 1;
	double worst = 0, lo = 1, hi = 0;

	test_normal();

	for (uint64_t seed = 1; seed <= 30; seed++) {
		c = conf(208, 10, seed, seed % 3 ? 0.05 : 1.0, seed % 2 == 0);
		synth_make(&a, &c);
		ok &= identities(&a);
		double e = recompute_error(&a);
		if (e > worst)
			worst = e;
		synth_free(&a);
	}
	TAP_OK(ok, "30 seeds, weekly and daily, noise 0.05 and 1: revenue is "
	    "its parts, totals, ROI within [0.5, 5]");
	TAP_DIAG("contribution recomputed from spend: worst relative error "
	    "%.2e", worst);
	TAP_OK(worst < 1e-12, "contributions recomputed from the spend");

	/* Without noise, media is the drawn share, 20-40%, of revenue. */
	for (uint64_t seed = 1; seed <= 50; seed++) {
		c = conf(208, 5, seed, 0, 0);
		synth_make(&a, &c);
		if (a.media_share < lo)
			lo = a.media_share;
		if (a.media_share > hi)
			hi = a.media_share;
		synth_free(&a);
	}
	TAP_DIAG("media share over 50 seeds: %.3f to %.3f", lo, hi);
	TAP_OK(lo >= 0.2 - 1e-12 && hi <= 0.4 + 1e-12,
	    "media share in [0.2, 0.4] without noise");

	c = conf(208, 5, 9, 0.05, 0);
	synth_make(&a, &c);
	synth_make(&b, &c);
	TAP_OK(memcmp(a.revenue, b.revenue, 208 * sizeof(double)) == 0 &&
	    memcmp(a.ch[4].x, b.ch[4].x, 208 * sizeof(double)) == 0 &&
	    a.ch[2].beta == b.ch[2].beta, "the same seed, the same draws");
	synth_free(&b);
	c.channels = 8;
	synth_make(&b, &c);
	ok = 1;
	for (size_t i = 0; i < 5; i++)
		ok &= memcmp(a.ch[i].x, b.ch[i].x, 208 * sizeof(double)) == 0 &&
		    a.ch[i].theta == b.ch[i].theta;
	ok &= memcmp(a.temp, b.temp, 208 * sizeof(double)) == 0 &&
	    memcmp(a.promo, b.promo, 208 * sizeof(double)) == 0;
	TAP_OK(ok, "more channels leave the spend of the first ones as it was");
	synth_free(&b);
	c.channels = 5;
	c.seed = 10;
	synth_make(&b, &c);
	TAP_OK(memcmp(a.ch[0].x, b.ch[0].x, 208 * sizeof(double)) != 0,
	    "another seed, other spend");
	synth_free(&a);
	synth_free(&b);

	c = conf(1, 1, 3, 0.05, 1);
	synth_make(&a, &c);
	TAP_OK(identities(&a) && a.ch[0].spend > 0 && a.ch[0].mean_last ==
	    a.ch[0].x[0], "one period of one channel");
	synth_free(&a);
	return tap_done();
}
