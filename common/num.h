/* num.h: exact, fast conversion between decimal text and double — the one way
 * every mmm tool reads and prints numbers. */
#ifndef MMM_NUM_H
#define MMM_NUM_H

#include <stddef.h>

/* Longest string num_format writes, with its terminating NUL: the size of
 * its buffer, all of which it may use as scratch. */
#define NUM_BUFSIZE 32

/*
 * Parse s[0..len) as a decimal number: optional blanks, optional sign, digits
 * with an optional '.', optional exponent ([eE][+-]?digits), optional blanks.
 * Stores the same double strtod(3) gives in the C locale and returns 0; returns
 * -1 (and leaves *out alone) when the text is anything else: empty, hex,
 * "inf", "nan", trailing garbage.  Overflow gives ±HUGE_VAL, underflow ±0 or a
 * subnormal, exactly as strtod.  s need not be NUL-terminated.
 */
int num_parse(const char *s, size_t len, double *out);

/*
 * Write the shortest decimal string that reads back to x (the digits Python's
 * repr chooses: shortest, then closest to x) into buf, NUL-terminated; return
 * its length.  Integral values print as integers ("3", "-0", "1e+16"); plain
 * notation for decimal exponents -5 < e < 16, otherwise "d.ddde±XX" as Python.
 * Non-finite x writes "" and returns 0: callers print missing values.
 */
size_t num_format(double x, char *buf);

#endif
