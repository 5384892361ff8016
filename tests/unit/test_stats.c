/* test_stats: moments, correlation, quantiles, the sketch's error bound,
 * dates, the hash set and the JSON writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "hashset.h"
#include "jsonw.h"
#include "sketch.h"
#include "stats.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ULL;

static double
unif(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) * 0x1p-53;
}

static double
lognormal(void)
{
	double u = unif(), v = unif();
	return exp(2 + 1.5 * sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v));
}

static int
close_rel(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(fabs(a), fabs(b)) || a == b;
}

static void
test_moments(void)
{
	/* Reference: numpy mean/std(ddof=1) of 1e9 + [4, 7, 13, 16]:
	 * mean 1000000010, sd 5.477225575051661 (catastrophic for the naive
	 * sum-of-squares formula). */
	moments m, a, b;
	double x[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };

	mom_init(&m);
	for (int i = 0; i < 4; i++)
		mom_add(&m, x[i]);
	TAP_OK(m.mean == 1000000010 && close_rel(mom_sd(&m), 5.477225575051661,
	    1e-9) && m.min == x[0] && m.max == x[3],
	    "Welford moments stable with a large offset");
	mom_init(&a);
	mom_init(&b);
	mom_add(&a, x[0]);
	mom_add(&a, x[1]);
	mom_add(&b, x[2]);
	mom_add(&b, x[3]);
	mom_merge(&a, &b);
	TAP_OK(close_rel(a.mean, m.mean, 1e-15) && close_rel(mom_sd(&a),
	    mom_sd(&m), 1e-12) && a.n == 4 && a.max == x[3],
	    "merged moments equal one pass");
	mom_init(&m);
	mom_add(&m, 3);
	TAP_OK(isnan(mom_sd(&m)), "sd of one value is NaN");

	/* numpy.corrcoef([1,2,3,4,5],[2,4,5,4,5])[0,1] = 0.7745966692414834 */
	comoments c = { 0 };
	double cx[] = { 1, 2, 3, 4, 5 }, cy[] = { 2, 4, 5, 4, 5 };
	for (int i = 0; i < 5; i++)
		com_add(&c, cx[i], cy[i]);
	TAP_OK(close_rel(com_corr(&c), 0.7745966692414834, 1e-14),
	    "Pearson r equals numpy.corrcoef");
}

/* numpy.quantile(y, [i/97 for i in range(98)]) with y 37 sorted values */
static const double qy[] = { 0.21060533511106927, 2.1489705265908876, 2.54458609934608, 2.834747652200631, 2.9040787574867943, 3.0589983033553536, 9.385958677423488, 13.436424411240122, 21.659939713061338, 21.87810373376886, 22.169166627303504, 22.876222127045263, 23.08665415409843, 23.308445025757262, 25.50690257394217, 28.978161459048557, 38.12042376882124, 42.21165755827173, 43.27670679050534, 43.7887593650572, 44.538719405480144, 44.949106478873816, 45.96034657377336, 49.54350870919409, 49.581224138185064, 54.141247279349656, 65.15929727227629, 72.15400323407826, 76.2280082457942, 76.3774618976614, 78.87233511355132, 83.57651039198697, 83.75779756625728, 84.74337369372327, 90.14274576114836, 93.91491627785106, 94.52706955539223 };
static const double qref[] = { 0.21060533511106927, 0.9299986020520328, 1.6493918689929963, 2.193834148243538, 2.340660546379486, 2.4874869445154335, 2.610395936075978, 2.7180847598158113, 2.825773583555645, 2.858334523071181, 2.8840656549299637, 2.9168556272491495, 2.974351541179749, 3.0318474551103485, 4.298299819925396, 6.6464500618475935, 8.99460030376979, 10.638680038397704, 12.141945671566766, 13.860316952571111, 16.91234325015424, 19.96436954773738, 21.69592553091, 21.776893621069494, 21.85786171122899, 21.959121240216646, 22.06714458214703, 22.183745091215705, 22.446157441635325, 22.70856979205495, 22.90442435747507, 22.982522841742224, 23.06062132600938, 23.141530246055254, 23.22384438399049, 23.306158521925727, 24.101702903968313, 24.917625292985388, 25.864764314674787, 27.15306658131221, 28.441368847949626, 30.957414124050885, 34.350418692626334, 37.74342326120175, 39.470109142660576, 40.98850518822984, 42.28851678121642, 42.68379278493199, 43.079068788647554, 43.371726855886095, 43.56176698664761, 43.75180711740913, 44.01297422250324, 44.29130990760866, 44.55564258376442, 44.707951188322895, 44.86025979288137, 45.10548381313663, 45.48078941536739, 45.85609501759814, 46.920781785329424, 48.25061515517629, 49.54389752804967, 49.557895006850444, 49.57189248565122, 50.14535071234975, 51.83773043484384, 53.53011015733791, 56.75377459726008, 60.84294779051123, 64.93212098376235, 67.61104987744399, 70.20702322409215, 72.53200369908284, 74.04400555910111, 75.55600741911941, 76.2588234317462, 76.3142907664598, 76.3697581011734, 77.1747925130489, 78.10072484059566, 79.16331502768135, 80.9091945124616, 82.65507399724183, 83.6082823709828, 83.67556420885631, 83.74284604672984, 84.04229376800004, 84.40807459881216, 84.9103645824065, 86.91425524660553, 88.91814591080453, 90.68718274294051, 92.08716355326315, 93.4871443635858, 94.07268774113487, 94.29987864826354, 94.52706955539223 };

static void
test_quantiles(void)
{
	/* numpy.quantile([1,2,3,4,10], [0, .1, .25, .5, .9, 1]) */
	double x[] = { 1, 2, 3, 4, 10 };
	double p[] = { 0, 0.1, 0.25, 0.5, 0.9, 1 };
	double want[] = { 1, 1.4, 2, 3, 7.6000000000000005, 10 };
	int ok = 1;

	for (int i = 0; i < 6; i++)
		ok &= close_rel(quantile_sorted(x, 5, p[i]), want[i], 1e-15);
	for (int i = 0; i < 98; i++)
		ok &= quantile_sorted(qy, 37, (double)i / 97) == qref[i];
	TAP_OK(ok, "quantiles equal numpy.quantile to the last bit");
	TAP_OK(isnan(quantile_sorted(x, 0, 0.5)), "quantile of nothing is NaN");

	/* Exact mode equals the sorted computation. */
	sketch s;
	sketch_init(&s);
	for (int i = 0; i < 5; i++)
		sketch_add(&s, x[4 - i]);
	TAP_OK(sketch_is_exact(&s) && sketch_quantile(&s, 0.9) == 7.6000000000000005 &&
	    sketch_mad(&s, 3) == 1 && sketch_count_outside(&s, 1.5, 9) == 2,
	    "sketch is exact for few values");
	sketch_free(&s);

	/* Histogram mode: 1e6 lognormal values with negatives and zeros. */
	size_t n = 1000000;
	double *v = emalloc(n * sizeof *v);
	sketch_init(&s);
	for (size_t i = 0; i < n; i++) {
		v[i] = i % 10 == 0 ? 0 : i % 7 == 0 ? -lognormal() : lognormal();
		sketch_add(&s, v[i]);
	}
	sort_doubles(v, n);
	TAP_OK(!sketch_is_exact(&s), "sketch switches to the histogram past %d",
	    SKETCH_EXACT);
	double worst = 0;
	for (double q = 0.001; q < 1; q += 0.001) {
		double h = (double)(n - 1) * q;
		size_t lo = (size_t)h;
		double est = sketch_quantile(&s, q);
		/* Within 2^-8 relative of an adjacent order statistic. */
		double e1 = fabs(est - v[lo]) / fmax(fabs(v[lo]), 1e-300);
		double e2 = fabs(est - v[lo + 1]) / fmax(fabs(v[lo + 1]), 1e-300);
		double e = fmin(e1, e2);
		if (v[lo] == 0 && v[lo + 1] == 0)
			e = fabs(est);
		if (e > worst)
			worst = e;
	}
	TAP_OK(worst <= 1.0 / 256, "histogram quantiles within 2^-8 relative "
	    "(worst %.3g)", worst);
	double med = quantile_sorted(v, n, 0.5);
	double *d = emalloc(n * sizeof *d);
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(v[i] - med);
	sort_doubles(d, n);
	double mad = quantile_sorted(d, n, 0.5);
	double smad = sketch_mad(&s, sketch_quantile(&s, 0.5));
	TAP_OK(close_rel(smad, mad, 0.02), "histogram MAD %.6g vs exact %.6g",
	    smad, mad);
	size_t outside = 0;
	for (size_t i = 0; i < n; i++)
		outside += v[i] < -50 || v[i] > 200;
	uint64_t sc = sketch_count_outside(&s, -50, 200);
	TAP_OK(fabs((double)sc - (double)outside) <= 0.01 * (double)outside,
	    "histogram tail count %llu vs exact %zu", (unsigned long long)sc,
	    outside);

	/* Merging two halves gives the same histogram as one pass. */
	sketch a, b;
	sketch_init(&a);
	sketch_init(&b);
	for (size_t i = 0; i < n; i++)
		sketch_add(i % 2 ? &a : &b, v[i]);
	sketch_merge(&a, &b);
	TAP_OK(a.n == s.n && sketch_quantile(&a, 0.37) ==
	    sketch_quantile(&s, 0.37) && a.min == s.min && a.max == s.max,
	    "merged sketches answer as one");
	sketch_free(&a);
	sketch_free(&b);
	sketch_free(&s);
	free(v);
	free(d);
}

static void
test_dates(void)
{
	long day, sec;
	char buf[16];
	int ok = 1;

	TAP_OK(date_parse("1970-01-01", 10, &day, &sec) == 0 && day == 0,
	    "epoch is day 0");
	TAP_OK(date_parse("2024-02-29", 10, &day, NULL) == 0 && day == 19782,
	    "2024-02-29 is day 19782 (leap year)");
	for (long d = date_days(1600, 1, 1); d < date_days(2400, 1, 1); d++) {
		long back;
		date_format(d, buf);
		if (date_parse(buf, 10, &back, NULL) != 0 || back != d) {
			ok = 0;
			break;
		}
	}
	TAP_OK(ok, "every day 1600-2399 formats and parses back");
	TAP_OK(date_parse("2024-01-05T13:45:30", 19, &day, &sec) == 0 &&
	    sec == 49530 && date_parse("2024-01-05 13:45", 16, &day, &sec) ==
	    0 && sec == 49500, "date-times");
	const char *bad[] = { "2023-02-29", "1900-02-29", "2024-13-01",
	    "2024-00-10", "2024-01-32", "2024-1-05", "20240105", "2024-01-05X",
	    "2024-01-05T25:00", "abcd-01-01", "2024-01-05T10:00:" };
	ok = 1;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ok &= date_parse(bad[i], strlen(bad[i]), &day, NULL) < 0;
	TAP_OK(ok, "invalid dates rejected");
}

static void
test_hashset(void)
{
	hashset s;
	uint64_t old = 0;
	int ok = 1;
	char key[32];

	hs_init(&s);
	for (int i = 0; i < 300000; i++) {
		int n = snprintf(key, sizeof key, "k%d", i);
		ok &= hs_put(&s, hash_bytes(key, (size_t)n), (uint64_t)i, NULL);
	}
	for (int i = 0; i < 300000; i += 7) {
		int n = snprintf(key, sizeof key, "k%d", i);
		ok &= !hs_put(&s, hash_bytes(key, (size_t)n), 0, &old) &&
		    old == (uint64_t)i;
	}
	TAP_OK(ok && s.n == 300000, "300000 keys: each new once, found again");
	hkey a = hash_more(hash_more(hash_bytes("", 0), "ab", 2), "c", 1);
	hkey b = hash_more(hash_more(hash_bytes("", 0), "a", 1), "bc", 2);
	TAP_OK(a.a != b.a || a.b != b.b, "field boundaries change the hash");
	hs_free(&s);
}

static void
test_jsonw(void)
{
	char path[] = "/tmp/mmm-test-json-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp:");
	close(fd);
	out *o = out_open(path);
	jsonw w;
	jw_init(&w, o, 0);
	jw_obj(&w);
	jw_key(&w, "s");
	jw_str(&w, "q\"\\\n\t\x01é");
	jw_key(&w, "a");
	jw_arr(&w);
	jw_num(&w, 0.1);
	jw_num(&w, NAN);
	jw_num(&w, INFINITY);
	jw_num(&w, 3);
	jw_int(&w, -7);
	jw_bool(&w, 1);
	jw_null(&w);
	jw_arr_end(&w);
	jw_key(&w, "e");
	jw_obj(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
	out_commit(o);
	FILE *f = fopen(path, "r");
	char buf[256] = "";
	if (!f || !fgets(buf, sizeof buf, f))
		die("cannot read %s", path);
	fclose(f);
	unlink(path);
	TAP_OK(strcmp(buf, "{\"s\":\"q\\\"\\\\\\n\\t\\u0001é\",\"a\":[0.1,null,"
	    "null,3,-7,true,null],\"e\":{}}\n") == 0,
	    "JSON writer: escapes, non-finite as null, shortest numbers");
}

int
main(void)
{
	test_moments();
	test_quantiles();
	test_dates();
	test_hashset();
	test_jsonw();
	return tap_done();
}
