/* test_metrics: SHA-256 against FIPS 180-4 vectors, the metrics against
 * scikit-learn, and the model file reader's refusals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "metrics.h"
#include "model.h"
#include "sha256.h"
#include "tap.h"

static void
hash(const char *s, size_t n, size_t chunk, char hex[65])
{
	sha256 h;

	sha256_init(&h);
	for (size_t i = 0; i < n; i += chunk)
		sha256_update(&h, s + i, n - i < chunk ? n - i : chunk);
	sha256_hex(&h, hex);
}

static void
test_sha256_vectors(void)
{
	static const char two[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65], big[1000];

	hash("", 0, 1, hex);
	TAP_OK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
	    "a495991b7852b855"), "sha256 of the empty string");
	hash("abc", 3, 3, hex);
	TAP_OK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	    "b410ff61f20015ad"), "sha256 of abc (FIPS 180-4)");
	hash(two, strlen(two), 7, hex);
	TAP_OK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167"
	    "f6ecedd419db06c1"), "sha256 of the 448-bit message, in pieces");
	memset(big, 'a', sizeof big);
	{
		sha256 h;
		sha256_init(&h);
		for (int i = 0; i < 1000; i++)
			sha256_update(&h, big, sizeof big);
		sha256_hex(&h, hex);
	}
	TAP_OK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e"
	    "046d39ccc7112cd0"), "sha256 of a million a");
}

/* The vectors through the portable code and, where the CPU has them, the
 * SHA instructions; then both on every length 0..300 of pseudo-random
 * bytes fed in uneven pieces: the same digests. */
static void
test_sha256(void)
{
	unsigned char buf[300];
	char a[65], b[65];
	uint32_t x = 12345;
	int hw, same = 1;

	sha256_hw(0);
	test_sha256_vectors();
	hw = sha256_hw(1);
	if (hw)
		test_sha256_vectors();
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (size_t n = 0; n <= sizeof buf; n++) {
		sha256_hw(0);
		hash((const char *)buf, n, 1 + n % 71, a);
		sha256_hw(1);
		hash((const char *)buf, n, 1 + n % 67, b);
		same &= strcmp(a, b) == 0;
	}
	TAP_OK(same, "sha256: SHA-NI (%s) and portable agree on 0..300 "
	    "bytes", hw ? "in use" : "absent: portable twice");
}

static int
near(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fabs(b);
}

/* Reference values: sklearn.metrics r2_score, mean_absolute_percentage_error,
 * mean_squared_error ** 0.5, mean_absolute_error on these arrays. */
static void
test_metrics(void)
{
	const double y[] = { 3, -0.5, 2, 7 }, yh[] = { 2.5, 0, 2, 8 };
	metrics m;

	metrics_compute(y, yh, 4, 2.875, &m);
	TAP_OK(near(m.r2, 0.9486081370449679, 1e-15), "r2 %.17g", m.r2);
	TAP_OK(near(m.mape, (0.5 / 3 + 1 + 0 + 1.0 / 7) / 4, 1e-15),
	    "mape %.17g", m.mape);
	TAP_OK(near(m.rmse, 0.6123724356957945, 1e-15), "rmse %.17g", m.rmse);
	TAP_OK(near(m.mae, 0.5, 1e-15), "mae %.17g", m.mae);
	TAP_OK(near(m.nrmse, 0.6123724356957945 / 7.5, 1e-15), "nrmse");
	TAP_OK(near(m.smape, (1 / 5.5 + 2 + 0 + 2 / 15.0) / 4, 1e-15),
	    "smape %.17g", m.smape);
	TAP_OK(near(m.lift, m.r2, 1e-15), "lift over the mean equals r2");
}

static int
read_text(const char *text, char *err, size_t errsz)
{
	char path[] = "/tmp/mmm-test-model-XXXXXX";
	model_file mf;
	int fd = mkstemp(path), st;
	FILE *fp = fdopen(fd, "w");

	fputs(text, fp);
	fclose(fp);
	st = model_read(path, &mf, err, errsz);
	model_file_free(&mf);
	remove(path);
	return st;
}

static void
test_reader(void)
{
	static const char good[] = "{\"format\":\"mmm-model\","
	    "\"format_version\":1,\"kind\":\"ols\",\"target\":\"y\","
	    "\"features\":[\"a\"],\"coefficients\":{\"intercept\":1,\"a\":2}}";
	char err[512], buf[512];

	TAP_OK(read_text(good, err, sizeof err) == 0, "a good model reads");
	snprintf(buf, sizeof buf, "%.60s", good);
	TAP_OK(read_text(buf, err, sizeof err) == EXIT_DATAERR,
	    "truncated: %s", err);
	TAP_OK(read_text("{\"format\":\"mmm-model\",\"format_version\":2,"
	    "\"kind\":\"ols\"}", err, sizeof err) == EXIT_DATAERR &&
	    strstr(err, "format_version 2 is unknown"), "version 2: %s", err);
	TAP_OK(read_text("{\"format\":\"mmm-model\",\"format_version\":1,"
	    "\"kind\":\"xgb\"}", err, sizeof err) == EXIT_DATAERR &&
	    strstr(err, "kind \"xgb\" is unknown"), "kind: %s", err);
	TAP_OK(read_text("{\"format\":\"other\"}", err, sizeof err) ==
	    EXIT_DATAERR, "format: %s", err);
	TAP_OK(read_text("{\"format\":\"mmm-model\",\"format_version\":1,"
	    "\"kind\":\"ols\",\"target\":\"y\",\"features\":[\"a\"],"
	    "\"coefficients\":{\"b\":2}}", err, sizeof err) == EXIT_DATAERR,
	    "a feature without coefficient: %s", err);
	TAP_OK(model_read("/nonexistent/m.json", &(model_file){ 0 }, err,
	    sizeof err) == EXIT_NOINPUT, "missing file: %s", err);
}

int
main(void)
{
	test_sha256();
	test_metrics();
	test_reader();
	return tap_done();
}
