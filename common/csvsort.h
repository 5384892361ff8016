/* csvsort.h: sort a CSV's records by group, then date, for tools that need
 * sorted input (mmm-features --sort). */
#ifndef MMM_CSVSORT_H
#define MMM_CSVSORT_H

#include <stddef.h>

/*
 * Read path (name for messages) and write its header and records to a
 * scratch file (removed at exit), sorted by the --by groups (comma-separated
 * columns, or NULL), in the order each group first appears, then by the date
 * column; records of equal group and date keep their order.  Returns the
 * scratch file's path, or NULL with err and *status set (an invalid or
 * missing date: EXIT_DATAERR at its input line).  Memory: 40 bytes a record;
 * the records themselves go through scratch files.
 */
char *csv_sort_by_date(const char *path, const char *name, const char *by,
    const char *date_col, char *err, size_t errsz, int *status);

#endif
