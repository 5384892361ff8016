/* allocrules.h: context rules for mmm-allocate — a forecast per period
 * (date, temperature, precipitation ...) and rules such as
 * 'temperature>85:google_spend*1.2' that scale a channel's spend, or its
 * bounds, in the periods where the condition holds. */
#ifndef MMM_ALLOCRULES_H
#define MMM_ALLOCRULES_H

#include <stddef.h>

#include "allocate.h"
#include "allocio.h"
#include "jsonw.h"

/* What a rule scales. */
enum { RULE_SPEND, RULE_MIN, RULE_MAX };

typedef struct alloc_rule {
	char *text;		/* as given */
	char *col;		/* context column */
	int op;			/* index into ">", ">=", "<", "<=", "==", "!=" */
	double value;
	size_t chan;
	int what;		/* RULE_SPEND (CH*F), RULE_MIN (CH.min*F),
				 * RULE_MAX (CH.max*F) */
	double factor;
	long ctx_col;		/* bound by alloc_context_read */
} alloc_rule;

/* 'COL OP NUMBER:CH*F' (or CH.min*F, CH.max*F), F >= 0.  0, or -1 with
 * err (a usage error). */
int alloc_rule_parse(const char *s, const alloc_input *in, alloc_rule *r,
    char *err, size_t errsz);
void alloc_rule_free(alloc_rule *r);

/* The forecast: a date column "date" and numeric columns (missing values
 * are NAN: no condition on them holds). */
typedef struct alloc_context {
	size_t n, ncol;
	char **date;		/* n */
	char **names;		/* ncol */
	double *v;		/* n x ncol */
	char *source;
} alloc_context;

/* Read path and bind the rules' columns to it: EXIT_NOINPUT, EXIT_DATAERR
 * (file, line, column), or EXIT_USAGE for a rule's unknown column. */
int alloc_context_read(const char *path, alloc_rule *rules, size_t nrules,
    alloc_context *ctx, char *err, size_t errsz, int *status);
void alloc_context_free(alloc_context *ctx);

/* Does rule r hold in period i? */
int alloc_rule_holds(const alloc_rule *r, const alloc_context *ctx,
    size_t i);

/*
 * "periods": per period of ctx, the plan x of p with the rules that hold
 * applied: bounds rules re-solve that period's allocation of the same
 * budget within the scaled bounds; spend rules then scale the channel's
 * spend.  -1 with err (EXIT_USAGE) when a period's scaled bounds admit no
 * allocation.
 */
int alloc_periods_write(jsonw *w, const alloc_problem *p, const double *x,
    const alloc_input *in, const alloc_context *ctx,
    const alloc_rule *rules, size_t nrules, char *err, size_t errsz);

#endif
