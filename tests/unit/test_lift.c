/* test_lift: the lift-test file (windows as training rows, every kind of
 * bad record) and MAPE.LIFT against values computed by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "lift.h"
#include "tap.h"

static const char *const media[] = { "tv", "search" };
static long day[6];

/* Write text to a temporary file; its path into path (64 bytes). */
static void
write_tmp(char *path, const char *text)
{
	const char *dir = getenv("TMPDIR");

	snprintf(path, 64, "%.40s/liftXXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(2);
	}
}

/* Read text; the status (0 on success) and the message. */
static int
read_text(const char *text, lift_set *s, char *err, size_t errsz)
{
	char path[64];
	int st = 0;

	write_tmp(path, text);
	if (lift_read(path, media, 2, day, 6, s, err, errsz, &st) < 0) {
		/* The message names the file: drop the path for matching. */
		const char *c = strchr(err, ':');
		memmove(err, c ? c + 1 : err, strlen(c ? c + 1 : err) + 1);
	} else {
		st = 0;
	}
	unlink(path);
	return st;
}

static void
test_good(void)
{
	lift_set s;
	char err[512];
	int st = read_text("channel,end,lift,start,lift_sd\n"
	    "search,2024-01-21,50,2024-01-08,5\n"
	    "tv,2024-02-11,-20,2024-02-05,\n"
	    "tv,2024-01-01,7.5,2024-01-01,NA\n", &s, err, sizeof err);

	if (!TAP_OK(st == 0 && s.n == 3, "a good file reads (%s)",
	    st ? err : "ok"))
		return;
	/* Weekly rows from 2024-01-01: the second test's end is the last
	 * day of the last week. */
	TAP_OK(s.t[0].chan == 1 && s.t[0].start == 1 && s.t[0].end == 2,
	    "window 2024-01-08..21 is rows 1..2 (%zu..%zu)", s.t[0].start,
	    s.t[0].end);
	TAP_OK(s.t[0].sd == 5 && s.t[0].lift == 50 && s.t[0].line == 2,
	    "lift, lift_sd and line");
	TAP_OK(s.t[1].chan == 0 && s.t[1].start == 5 && s.t[1].end == 5 &&
	    isnan(s.t[1].sd) && s.t[1].lift == -20,
	    "window to the last covered day; empty lift_sd is NAN");
	TAP_OK(s.t[2].start == 0 && s.t[2].end == 0 && isnan(s.t[2].sd),
	    "a one-day window on a period's first day; NA lift_sd");

	/* By hand: tv coef 2, search coef 0.5 on s = row index + 1 (tv) and
	 * 10 (search).  Predictions: search 0.5 * (10 + 10) = 10 against 50
	 * (0.8); tv 2 * 6 = 12 against -20 (1.6); tv 2 * 1 = 2 against 7.5
	 * (5.5 / 7.5).  MAPE = (0.8 + 1.6 + 11/15) / 3. */
	double m[12], coef[2] = { 2, 0.5 }, pred[3];
	for (size_t i = 0; i < 6; i++) {
		m[i] = (double)i + 1;
		m[6 + i] = 10;
	}
	double want = (0.8 + 1.6 + 5.5 / 7.5) / 3;
	double got = lift_mape(&s, coef, m, 6, pred);
	TAP_OK(fabs(got - want) < 1e-15 && pred[0] == 10 && pred[1] == 12 &&
	    pred[2] == 2, "MAPE.LIFT %.17g (by hand %.17g)", got, want);
	TAP_OK(lift_predicted(&s.t[0], 3, m + 6) == 60, "lift_predicted");
	lift_free(&s);
	TAP_OK(s.t == NULL && s.n == 0, "lift_free empties the set");
	lift_set none = { NULL, 0 };
	TAP_OK(isnan(lift_mape(&none, coef, m, 6, NULL)),
	    "MAPE.LIFT of no tests is NAN");
}

static void
test_bad(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "channel,start,end\ntv,2024-01-01,2024-01-07\n",
		  "1: no column \"lift\"" },
		{ "channel,start,end,lift\n",
		  " no lift tests" },
		{ "channel,start,end,lift\nradio,2024-01-01,2024-01-07,3\n",
		  "2: column \"channel\": \"radio\" is not one of the media" },
		{ "channel,start,end,lift\ntv,2024-13-01,2024-01-07,3\n",
		  "2: column \"start\": \"2024-13-01\" is not a date" },
		{ "channel,start,end,lift\ntv,2024-01-01,soon,3\n",
		  "2: column \"end\": \"soon\" is not a date" },
		{ "channel,start,end,lift\ntv,2024-01-08,2024-01-07,3\n",
		  "2: column \"end\": \"2024-01-07\" is before the start" },
		{ "channel,start,end,lift\ntv,2023-12-31,2024-01-07,3\n",
		  "2: column \"start\": \"2023-12-31\" is outside the training "
		  "dates 2024-01-01..2024-02-11" },
		{ "channel,start,end,lift\ntv,2024-02-05,2024-02-12,3\n",
		  "2: column \"end\": \"2024-02-12\" is outside the training "
		  "dates 2024-01-01..2024-02-11" },
		{ "channel,start,end,lift\ntv,2024-01-02,2024-01-07,3\n",
		  "2: column \"end\": no training period starts in the "
		  "window" },
		{ "channel,start,end,lift\ntv,2024-01-01,2024-01-07,0\n",
		  "2: column \"lift\": \"0\" is not a finite non-zero number" },
		{ "channel,start,end,lift\ntv,2024-01-01,2024-01-07,x\n",
		  "2: column \"lift\": \"x\" is not a finite non-zero number" },
		{ "channel,start,end,lift\ntv,2024-01-01,2024-01-07,\n",
		  "2: column \"lift\": \"\" is not a finite non-zero number" },
		{ "channel,start,end,lift,lift_sd\n"
		  "tv,2024-01-01,2024-01-07,3,1\n"
		  "tv,2024-01-01,2024-01-07,3,0\n",
		  "3: column \"lift_sd\": \"0\" is not a positive number" },
		{ "channel,start,end,lift,lift_sd\n"
		  "tv,2024-01-01,2024-01-07,3,-1\n",
		  "2: column \"lift_sd\": \"-1\" is not a positive number" },
		{ "channel,start,end,lift\ntv,2024-01-01,2024-01-07,3,4\n",
		  "2: " },	/* ragged: the CSV reader's message */
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		lift_set s = { NULL, 0 };
		char err[512] = "";
		int st = read_text(cases[i].text, &s, err, sizeof err);
		TAP_OK(st == EXIT_DATAERR && strncmp(err, cases[i].want,
		    strlen(cases[i].want)) == 0 && s.t == NULL,
		    "bad file %zu: exit 65 and %s (got %d: %s)", i,
		    cases[i].want, st, err);
	}
	lift_set s;
	char err[512];
	int st = 0;
	TAP_OK(lift_read("/nonexistent/lift.csv", media, 2, day, 6, &s, err,
	    sizeof err, &st) < 0 && st == EXIT_NOINPUT,
	    "a missing file: exit 66 (%s)", err);
}

int
main(void)
{
	argv0 = "test_lift";
	for (size_t i = 0; i < 6; i++)
		day[i] = date_days(2024, 1, 1) + 7 * (long)i;
	test_good();
	test_bad();
	return tap_done();
}
