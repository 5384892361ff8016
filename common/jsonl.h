/* jsonl.h: the JSON lines reader (one object per line), giving its rows as
 * csvio.h's records, and the opening of an input that is either CSV or JSON
 * lines, told apart by the first non-blank byte ('{' is JSON lines).
 * Columns are the keys of the first object, in its order.  A later object
 * that lacks one gives a missing value; keys the first object did not have
 * are ignored.  A field is: a string's bytes (unescaped), a number's text as
 * written, "" for null, "true"/"false", or the JSON text of an array or
 * object.  Functions return as csvio.h's do; none exits but through the
 * e-wrappers. */
#ifndef MMM_JSONL_H
#define MMM_JSONL_H

#include <stddef.h>

#include "csvio.h"

typedef struct jsonl_reader jsonl_reader;

/*
 * Open path ("-" or NULL: standard input) as JSON lines when its first byte
 * that is not blank (nor a UTF-8 BOM) is '{' (*jl set), else as CSV with
 * csv_open (*csv set).  Standard input from a pipe that holds CSV is relayed,
 * so the CSV reader sees every byte.  NULL in both, err and *status as
 * csv_open (an empty JSON lines input is no error: no columns, no rows).
 */
int table_open(const char *path, csv_reader **csv, jsonl_reader **jl,
    char *err, size_t errsz, int *status);

/* Next object: 1, 0 at the end, or -1 with err ("FILE:LINE: why", naming
 * the key) and *status (EXIT_DATAERR malformed, EXIT_IOERR read error).
 * Blank lines are skipped. */
int jsonl_next(jsonl_reader *r, csv_record *rec, char *err, size_t errsz,
    int *status);

size_t jsonl_ncols(const jsonl_reader *r);
const char *const *jsonl_colnames(const jsonl_reader *r);
const char *jsonl_name(const jsonl_reader *r);
void jsonl_close(jsonl_reader *r);

#endif
