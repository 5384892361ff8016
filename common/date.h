/* date.h: calendar dates as day numbers (days since 1970-01-01). */
#ifndef MMM_DATE_H
#define MMM_DATE_H

#include <stddef.h>

/* Parse YYYY-MM-DD or YYYY-MM-DD[T ]HH:MM[:SS]; 0 and the day number (and
 * seconds into the day) on success, -1 when not a valid date. */
int date_parse(const char *s, size_t n, long *day, long *sec);
/* YYYY-MM-DD of a day number into buf (at least 11 bytes). */
void date_format(long day, char *buf);
/* Civil date of a day number. */
void date_civil(long day, long *y, int *m, int *d);
/* Monday = 0 ... Sunday = 6 (pandas' dayofweek). */
int date_dow(long day);
/* ISO 8601 week number, 1 to 53. */
int date_isoweek(long day);
/* Days from civil date (proleptic Gregorian). */
long date_days(long y, int m, int d);
/* Index of the first of the sorted days[0..n) that is >= day (n if none). */
size_t date_search(const long *days, size_t n, long day);
/* Today's day number in UTC. */
long date_today(void);

#endif
