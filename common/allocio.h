/* allocio.h: what mmm-allocate reads and writes — the channels' curves from
 * a model file (mmm-model(5), kind mmm) or a response CSV, the bounds from
 * the options, and the allocation as JSON.  Functions return 0, or -1 with
 * a one-line message in err and the exit status in *status. */
#ifndef MMM_ALLOCIO_H
#define MMM_ALLOCIO_H

#include <stddef.h>

#include "allocate.h"
#include "jsonw.h"
#include "out.h"

typedef struct alloc_input {
	size_t k;
	char **names;		/* k */
	alloc_curve *curve;	/* k */
	double *current;	/* k: spend per period now */
	double *min, *max;	/* k: the CSV's columns, NAN when absent */
	double *coef_sd;	/* k: the CSV's beta_sd, or NULL */
	const char *source;	/* the file, for messages */
	void *root;		/* the model's jansson document, or NULL */
} alloc_input;

/* A response CSV: channel,beta,theta,alpha,gamma,current[,min,max,beta_sd]
 * (other columns are ignored).  Bad rows: EXIT_DATAERR naming file, line,
 * column. */
int alloc_read_response(const char *path, alloc_input *in, char *err,
    size_t errsz, int *status);
/* The channels of a model of kind mmm read by model_read (root: its
 * document).  window > 0: current spend is the mean of the last window
 * periods of the model's "recent" spends (at most as many as it keeps);
 * 0: the model's recent_spend. */
int alloc_read_model(void *root, const char *path, size_t window,
    alloc_input *in, char *err, size_t errsz, int *status);
void alloc_input_free(alloc_input *in);

/* Index of the channel named name[0..n), or -1. */
long alloc_channel(const alloc_input *in, const char *name, size_t n);

/* The options that set spends and bounds. */
typedef struct alloc_bound_opts {
	const char *current;	/* "CH=X,..." */
	const char *min, *max;	/* "CH=X|X%,..." */
	const char *fix;	/* "CH,..." */
	int unbounded;		/* no 0.5x / 2x defaults */
} alloc_bound_opts;

/* Apply o to in: current spends (in->current updated), lo and hi (k
 * each).  Defaults: 0.5 x and 2 x current (Robyn's), the CSV's min/max
 * over them.  An unknown channel or a malformed item: EXIT_USAGE. */
int alloc_bounds(alloc_input *in, const alloc_bound_opts *o, double *lo,
    double *hi, char *err, size_t errsz, int *status);

/* Everything the main JSON object reports. */
typedef struct alloc_report {
	const char *mode;		/* "max-response", "target-roas" */
	double budget;			/* per period */
	long periods;			/* --periods, 0 when not given */
	double target;			/* target-roas, else NAN */
	int average;
	int feasible;
	const char *reason;		/* NULL: none */
	const alloc_input *in;
	const alloc_problem *prob;
	const alloc_result *res;
	/* --interval: level, and the response's lower and upper bounds
	 * (NAN when not asked for) */
	double level, lower, upper;
} alloc_report;

/* The report's members into an open object w (the caller opens and closes
 * it, so that scenarios and periods can follow). */
void alloc_write(jsonw *w, const alloc_report *r);

/* Response curves as CSV channel,spend,response,marginal: points spends
 * per channel from 0 to max_x times its current spend (or, at a current
 * spend of 0, its upper bound hi[c] when finite, else 1). */
void alloc_curves_write(out *o, const alloc_input *in, const double *hi,
    size_t points, double max_x);

#endif
