/* holidays.h: a holidays file (Robyn's prophet holidays: "ds", "holiday",
 * "country", "year"; "date" for "ds" also goes) as the sorted distinct days
 * of one country, and the count of them in a period. */
#ifndef MMM_HOLIDAYS_H
#define MMM_HOLIDAYS_H

#include <stddef.h>

typedef struct holidays {
	long *day;		/* n distinct days, ascending; owned */
	size_t n;
	char sha256[65];	/* of the file's bytes */
} holidays;

/* The days of country (NULL: every row) in path.  -1 with a one-line
 * message and *status EXIT_NOINPUT or EXIT_DATAERR: no date column, no
 * country column with a country, a bad date, no rows of the country. */
int holidays_read(const char *path, const char *country, holidays *h,
    char *err, size_t errsz, int *status);
void holidays_free(holidays *h);

/* How many of the n sorted days fall in from .. from + len - 1. */
size_t holidays_count(const long *day, size_t n, long from, long len);

#endif
