/* predpipe.h: mmm-predict's loop over the rows of its input, on one thread
 * or as a two-stage pipeline: one thread reads records and parses them into
 * batches of doubles (predict_parse), the caller's thread predicts and
 * writes them in input order (predict_emit).  A few batches are in flight
 * at most, so memory does not grow with the rows.  The output, the first
 * error, the metrics and the drift are the same for any number of threads:
 * every row before the failing one is written as the one-thread loop writes
 * it, through the same calls on o. */
#ifndef MMM_PREDPIPE_H
#define MMM_PREDPIPE_H

#include "csvio.h"
#include "jsonl.h"
#include "out.h"
#include "predict.h"

/*
 * Predict every record of r (CSV) or, when r is NULL, jl (JSON lines) into
 * o.  threads 1: the plain loop (read, predict, write); 2 or more: the
 * pipeline (one reading thread beside the caller's; threads past two are
 * not used: the reading is sequential, and it is the longer stage).  0 at
 * the end of input, or -1 with err and *status: the reader's error, or
 * EXIT_DATAERR for a row predict_parse refused.
 */
int predict_stream(predictor *p, csv_reader *r, jsonl_reader *jl, out *o,
    int threads, char *err, size_t errsz, int *status);

#endif
