/* date.c: civil dates <-> day numbers (H. Hinnant's algorithms). */
#include <time.h>

#include "date.h"

long
date_days(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
date_civil(long z, long *yy, int *mm, int *dd)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mm = (int)(mp < 10 ? mp + 3 : mp - 9);
	*yy = yoe + era * 400 + (*mm <= 2);
}

int
date_dow(long day)
{
	/* 1970-01-01 was a Thursday (3). */
	return (int)(((day + 3) % 7 + 7) % 7);
}

int
date_isoweek(long day)
{
	/* The week belongs to the year of its Thursday. */
	long thu = day - date_dow(day) + 3, y;
	int m, d;

	date_civil(thu, &y, &m, &d);
	return (int)((thu - date_days(y, 1, 1)) / 7 + 1);
}

void
date_format(long z, char *buf)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	/* Years outside 0..9999 do not occur in our dates; keep 4 digits. */
	int yy = (int)(((y % 10000) + 10000) % 10000);
	buf[0] = (char)('0' + yy / 1000);
	buf[1] = (char)('0' + yy / 100 % 10);
	buf[2] = (char)('0' + yy / 10 % 10);
	buf[3] = (char)('0' + yy % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

static int
digits(const char *s, int n, long *v)
{
	long x = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

int
date_parse(const char *s, size_t n, long *day, long *sec)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	long y, m, d, hh = 0, mm = 0, ss = 0;

	if (n < 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
	    digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1)
		return -1;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	if (n > 10) {
		if ((n != 16 && n != 19) || (s[10] != 'T' && s[10] != ' ') ||
		    s[13] != ':' || digits(s + 11, 2, &hh) ||
		    digits(s + 14, 2, &mm) || hh > 23 || mm > 59)
			return -1;
		if (n == 19 && (s[16] != ':' || digits(s + 17, 2, &ss) ||
		    ss > 60))
			return -1;
	}
	*day = date_days(y, (int)m, (int)d);
	if (sec)
		*sec = hh * 3600 + mm * 60 + ss;
	return 0;
}

size_t
date_search(const long *days, size_t n, long day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long
date_today(void)
{
	return (long)(time(NULL) / 86400);
}
