/* jsonl.c: JSON lines read one line at a time.  A JSON string holds no raw
 * newline, so lines are objects; each is parsed in place (strings unescape
 * into their own bytes, which are never fewer) and its members are matched
 * to the columns of the first object. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "inbuf.h"
#include "jsonl.h"

#define READ_CHUNK INBUF_CHUNK

struct jsonl_reader {
	inbuf in;		/* the input window in.buf[in.start, in.end) */
	char *name;
	long line;		/* line number of buf[start] */
	size_t ncols;
	char **names;
	const char **f;		/* ncols: the current record */
	size_t *len;
	long *seen;		/* ncols: line that last set the column */
	/* members of the line being parsed */
	const char **key, **val;
	size_t *klen, *vlen, nkv, kvcap;
	int pending;		/* the first object is read, not delivered */
	long pline;
};

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Read more input; 1 if bytes arrived, 0 at end, -1 on error. */
static int
fill(jsonl_reader *r, char *err, size_t errsz, int *status)
{
	int got = inbuf_fill(&r->in, CSV_MAX_RECORD);

	if (got == -2)
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
		    "line longer than %zu bytes", r->name, r->line,
		    CSV_MAX_RECORD);
	if (got == -1)
		return err_fail(err, errsz, status, EXIT_IOERR, "%s: read "
		    "error: %s", r->name, strerror(errno));
	return got;
}

/* --- parsing one line ---------------------------------------------------- */

typedef struct cur {
	char *s, *e;
	const char *why;	/* first error */
} cur;

static void
skip_ws(cur *c)
{
	while (c->s < c->e && blank((unsigned char)*c->s))
		c->s++;
}

static int
hexval(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int ch = (unsigned char)s[i], d;
		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if ((ch | 32) >= 'a' && (ch | 32) <= 'f')
			d = (ch | 32) - 'a' + 10;
		else
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

static char *
put_utf8(char *o, unsigned u)
{
	if (u < 0x80) {
		*o++ = (char)u;
	} else if (u < 0x800) {
		*o++ = (char)(0xC0 | u >> 6);
		*o++ = (char)(0x80 | (u & 0x3F));
	} else if (u < 0x10000) {
		*o++ = (char)(0xE0 | u >> 12);
		*o++ = (char)(0x80 | (u >> 6 & 0x3F));
		*o++ = (char)(0x80 | (u & 0x3F));
	} else {
		*o++ = (char)(0xF0 | u >> 18);
		*o++ = (char)(0x80 | (u >> 12 & 0x3F));
		*o++ = (char)(0x80 | (u >> 6 & 0x3F));
		*o++ = (char)(0x80 | (u & 0x3F));
	}
	return o;
}

/* A string at c->s ('"'): decoded in place into [*v, *v + *n) when decode,
 * else only checked.  0 or -1. */
static int
string(cur *c, int decode, const char **v, size_t *n)
{
	char *o = ++c->s, *start = o;

	/* Most strings hold no escape: nothing to move until one comes. */
	while (c->s < c->e && *c->s != '"' && *c->s != '\\' &&
	    (unsigned char)*c->s >= 0x20)
		c->s++;
	o = c->s;
	while (c->s < c->e && *c->s != '"') {
		unsigned char ch = (unsigned char)*c->s;
		if (ch < 0x20) {
			c->why = "a control byte in a string";
			return -1;
		}
		if (ch != '\\') {
			*o++ = *c->s++;
			continue;
		}
		if (c->e - c->s < 2) {
			c->why = "a string is not closed";
			return -1;
		}
		char esc = c->s[1];
		const char *plain = strchr("\"\\/bfnrt", esc);
		if (esc && plain) {
			*o++ = "\"\\/\b\f\n\r\t"[plain - "\"\\/bfnrt"];
			c->s += 2;
			continue;
		}
		unsigned u, lo;
		if (esc != 'u' || c->e - c->s < 6 || hexval(c->s + 2, &u) < 0) {
			c->why = "a bad escape in a string";
			return -1;
		}
		c->s += 6;
		if (u >= 0xD800 && u < 0xDC00) {
			if (c->e - c->s < 6 || c->s[0] != '\\' || c->s[1] != 'u' ||
			    hexval(c->s + 2, &lo) < 0 || lo < 0xDC00 ||
			    lo > 0xDFFF) {
				c->why = "a lone surrogate in a string";
				return -1;
			}
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			c->s += 6;
		} else if (u >= 0xDC00 && u < 0xE000) {
			c->why = "a lone surrogate in a string";
			return -1;
		}
		o = put_utf8(o, u);
	}
	if (c->s == c->e) {
		c->why = "a string is not closed";
		return -1;
	}
	c->s++;
	if (decode) {
		*v = start;
		*n = (size_t)(o - start);
	}
	return 0;
}

static int
digits(cur *c)
{
	char *s = c->s;

	while (c->s < c->e && *c->s >= '0' && *c->s <= '9')
		c->s++;
	return c->s > s;
}

/* A number in JSON's grammar. */
static int
number(cur *c)
{
	if (c->s < c->e && *c->s == '-')
		c->s++;
	if (c->s < c->e && *c->s == '0')
		c->s++;
	else if (!digits(c))
		goto bad;
	if (c->s < c->e && *c->s == '.') {
		c->s++;
		if (!digits(c))
			goto bad;
	}
	if (c->s < c->e && (*c->s | 32) == 'e') {
		c->s++;
		if (c->s < c->e && (*c->s == '+' || *c->s == '-'))
			c->s++;
		if (!digits(c))
			goto bad;
	}
	return 0;
bad:
	c->why = "a malformed number";
	return -1;
}

static int value(cur *c, int top, const char **v, size_t *n, int depth);

/* An array or object at c->s, checked; its text is the value. */
static int
nested(cur *c, int depth)
{
	int obj = *c->s == '{';
	char close = obj ? '}' : ']';

	if (depth > 64) {
		c->why = "values nested too deep";
		return -1;
	}
	c->s++;
	skip_ws(c);
	if (c->s < c->e && *c->s == close) {
		c->s++;
		return 0;
	}
	for (;;) {
		skip_ws(c);
		if (obj) {
			if (c->s == c->e || *c->s != '"' || string(c, 0, NULL,
			    NULL) < 0) {
				if (!c->why)
					c->why = "a key is not a string";
				return -1;
			}
			skip_ws(c);
			if (c->s == c->e || *c->s++ != ':') {
				c->why = "no ':' after a key";
				return -1;
			}
		}
		if (value(c, 0, NULL, NULL, depth + 1) < 0)
			return -1;
		skip_ws(c);
		if (c->s < c->e && *c->s == ',') {
			c->s++;
			continue;
		}
		if (c->s < c->e && *c->s == close) {
			c->s++;
			return 0;
		}
		c->why = obj ? "no ',' or '}' after a member" :
		    "no ',' or ']' after an element";
		return -1;
	}
}

/* One value; at the top level (a member of the line's object) its field
 * bytes into *v, *n. */
static int
value(cur *c, int top, const char **v, size_t *n, int depth)
{
	char *s;

	skip_ws(c);
	s = c->s;
	if (c->s == c->e) {
		c->why = "a value is missing";
		return -1;
	}
	if (*c->s == '"')
		return string(c, top, v, n);
	if (*c->s == '{' || *c->s == '[') {
		if (nested(c, depth) < 0)
			return -1;
	} else if (*c->s == '-' || (*c->s >= '0' && *c->s <= '9')) {
		if (number(c) < 0)
			return -1;
	} else {
		static const char *const words[] = { "true", "false", "null" };
		size_t w;
		for (w = 0; w < 3; w++) {
			size_t l = strlen(words[w]);
			if ((size_t)(c->e - c->s) >= l &&
			    memcmp(c->s, words[w], l) == 0)
				break;
		}
		if (w == 3) {
			c->why = "not a JSON value";
			return -1;
		}
		c->s += strlen(words[w]);
		if (top && w == 2) {
			*v = s;
			*n = 0;
			return 0;
		}
	}
	if (top) {
		*v = s;
		*n = (size_t)(c->s - s);
	}
	return 0;
}

static void
add_kv(jsonl_reader *r, const char *k, size_t kl, const char *v, size_t vl)
{
	if (r->nkv == r->kvcap) {
		r->kvcap = r->kvcap ? 2 * r->kvcap : 32;
		r->key = ereallocarray(r->key, r->kvcap, sizeof *r->key);
		r->val = ereallocarray(r->val, r->kvcap, sizeof *r->val);
		r->klen = ereallocarray(r->klen, r->kvcap, sizeof *r->klen);
		r->vlen = ereallocarray(r->vlen, r->kvcap, sizeof *r->vlen);
	}
	r->key[r->nkv] = k;
	r->klen[r->nkv] = kl;
	r->val[r->nkv] = v;
	r->vlen[r->nkv] = vl;
	r->nkv++;
}

/* The object on line [s, e) into r->key/val. */
static int
parse_line(jsonl_reader *r, char *s, char *e, long line, char *err,
    size_t errsz, int *status)
{
	cur c = { s, e, NULL };
	char fb[MSGFIELD_SIZE];
	const char *k = NULL, *v;
	size_t kl = 0, vl;

	r->nkv = 0;
	skip_ws(&c);
	if (c.s == c.e || *c.s != '{')
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: not a "
		    "JSON object", r->name, line);
	c.s++;
	skip_ws(&c);
	if (c.s < c.e && *c.s == '}') {
		c.s++;
		goto end;
	}
	for (;;) {
		skip_ws(&c);
		k = NULL;
		if (c.s == c.e || *c.s != '"') {
			c.why = "a key is not a string";
			goto bad;
		}
		if (string(&c, 1, &k, &kl) < 0) {
			k = NULL;
			goto bad;
		}
		skip_ws(&c);
		if (c.s == c.e || *c.s++ != ':') {
			c.why = "no ':' after the key";
			goto bad;
		}
		if (value(&c, 1, &v, &vl, 1) < 0)
			goto bad;
		add_kv(r, k, kl, v, vl);
		skip_ws(&c);
		if (c.s < c.e && *c.s == ',') {
			c.s++;
			continue;
		}
		if (c.s < c.e && *c.s == '}') {
			c.s++;
			break;
		}
		c.why = "no ',' or '}' after the value";
		goto bad;
	}
end:
	skip_ws(&c);
	if (c.s == c.e)
		return 0;
	c.why = "bytes after the object";
	k = NULL;
bad:
	if (k)
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: key "
		    "\"%s\": %s", r->name, line, msg_field(fb, k, kl), c.why);
	return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: not valid "
	    "JSON: %s (byte %zu)", r->name, line, c.why,
	    (size_t)(c.s - s) + 1);
}

/* The next non-blank line, parsed: 1, 0 at the end, -1. */
static int
next_line(jsonl_reader *r, long *line, char *err, size_t errsz, int *status)
{
	for (;;) {
		char *s = r->in.buf + r->in.start, *e = memchr(s, '\n', r->in.end -
		    r->in.start);
		if (!e) {
			int got = r->in.eof ? 0 : fill(r, err, errsz, status);
			if (got < 0)
				return -1;
			if (got > 0)
				continue;
			if (r->in.start == r->in.end)
				return 0;
			/* The last line lacks its newline. */
			s = r->in.buf + r->in.start;
			e = r->in.buf + r->in.end;
			r->in.start = r->in.end;
		} else {
			r->in.start = (size_t)(e + 1 - r->in.buf);
		}
		*line = r->line++;
		char *t = s;
		while (t < e && blank((unsigned char)*t))
			t++;
		if (t == e)
			continue;
		return parse_line(r, s, e, *line, err, errsz, status) < 0 ? -1 :
		    1;
	}
}

/* The members of the parsed line into the columns. */
static int
to_record(jsonl_reader *r, long line, csv_record *rec, char *err,
    size_t errsz, int *status)
{
	char fb[MSGFIELD_SIZE];

	for (size_t i = 0; i < r->ncols; i++) {
		r->f[i] = "";
		r->len[i] = 0;
	}
	for (size_t a = 0; a < r->nkv; a++) {
		size_t i = a;
		/* Objects usually keep one order: try the same place first. */
		if (i >= r->ncols || strlen(r->names[i]) != r->klen[a] ||
		    memcmp(r->names[i], r->key[a], r->klen[a]))
			for (i = 0; i < r->ncols; i++)
				if (strlen(r->names[i]) == r->klen[a] &&
				    memcmp(r->names[i], r->key[a],
				    r->klen[a]) == 0)
					break;
		if (i == r->ncols)
			continue;
		if (r->seen[i] == line)
			return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
			    "key \"%s\" appears twice", r->name, line,
			    msg_field(fb, r->key[a], r->klen[a]));
		r->seen[i] = line;
		r->f[i] = r->val[a];
		r->len[i] = r->vlen[a];
	}
	*rec = (csv_record){ r->ncols, r->f, r->len, line, NULL, 0 };
	return 0;
}

int
jsonl_next(jsonl_reader *r, csv_record *rec, char *err, size_t errsz,
    int *status)
{
	long line = r->pline;
	int got = 1;

	if (r->pending)
		r->pending = 0;
	else if ((got = next_line(r, &line, err, errsz, status)) <= 0)
		return got;
	return to_record(r, line, rec, err, errsz, status) < 0 ? -1 : 1;
}

/* The columns: the first object's keys. */
static int
read_header(jsonl_reader *r, char *err, size_t errsz, int *status)
{
	char fb[MSGFIELD_SIZE];
	int got = next_line(r, &r->pline, err, errsz, status);

	if (got <= 0)
		return got;
	r->pending = 1;
	r->ncols = r->nkv;
	r->names = ecalloc(r->ncols + 1, sizeof *r->names);
	r->f = ecalloc(r->ncols + 1, sizeof *r->f);
	r->len = ecalloc(r->ncols + 1, sizeof *r->len);
	r->seen = ecalloc(r->ncols + 1, sizeof *r->seen);
	for (size_t i = 0; i < r->ncols; i++) {
		r->names[i] = estrndup(r->key[i], r->klen[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->names[i], r->names[j]) == 0)
				return err_fail(err, errsz, status, EXIT_DATAERR,
				    "%s:%ld: key \"%s\" appears twice",
				    r->name, r->pline, msg_field(fb, r->key[i],
				    r->klen[i]));
	}
	return 0;
}

size_t
jsonl_ncols(const jsonl_reader *r)
{
	return r->ncols;
}

const char *const *
jsonl_colnames(const jsonl_reader *r)
{
	return (const char *const *)r->names;
}

const char *
jsonl_name(const jsonl_reader *r)
{
	return r->name;
}

void
jsonl_close(jsonl_reader *r)
{
	if (!r)
		return;
	if (r->in.fd > 0)
		close(r->in.fd);
	for (size_t i = 0; r->names && i < r->ncols; i++)
		free(r->names[i]);
	free(r->names);
	free(r->f);
	free(r->len);
	free(r->seen);
	free(r->key);
	free(r->val);
	free(r->klen);
	free(r->vlen);
	free(r->in.buf);
	free(r->name);
	free(r);
}

/* --- telling CSV from JSON lines ----------------------------------------- */

/* Relays the bytes read to tell the format, then the rest of the input, to
 * the pipe that replaced standard input. */
typedef struct relay {
	int in, out;
	char *buf;
	size_t n;
} relay;

static int
write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *
relay_run(void *arg)
{
	relay *rl = arg;
	char *b = rl->buf;
	ssize_t n;

	if (write_all(rl->out, b, rl->n) == 0) {
		/* splice moves pages without copying; plain copying when
		 * the input is no pipe or file. */
		while ((n = splice(rl->in, NULL, rl->out, NULL, READ_CHUNK, 0))
		    > 0 || (n < 0 && errno == EINTR))
			;
		if (n < 0 && errno == EINVAL)
			while ((n = read(rl->in, b, READ_CHUNK)) > 0 ||
			    (n < 0 && errno == EINTR))
				if (n > 0 && write_all(rl->out, b,
				    (size_t)n) < 0)
					break;
	}
	/* A read error shows as the end of input: the CSV reader's record
	 * then ends early, which no silent success hides (a short last
	 * record or fewer rows); such errors on a pipe are very rare. */
	close(rl->in);
	close(rl->out);
	free(b);
	free(rl);
	return NULL;
}

/* Standard input, of which buf[0, n) was read, as a pipe giving every
 * byte again.  0 or -1 with errno. */
static int
replay_stdin(char *buf, size_t n)
{
	int pfd[2], in;
	pthread_t t;
	relay *rl;

	if (pipe(pfd) < 0)
		return -1;
	if ((in = dup(0)) < 0 || dup2(pfd[0], 0) < 0)
		return -1;
	close(pfd[0]);
	rl = emalloc(sizeof *rl);
	*rl = (relay){ in, pfd[1], erealloc(buf, READ_CHUNK > n ? READ_CHUNK :
	    n), n };
	if ((errno = pthread_create(&t, NULL, relay_run, rl)) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}

int
table_open(const char *path, csv_reader **csv, jsonl_reader **jl,
    char *err, size_t errsz, int *status)
{
	int is_stdin = !path || strcmp(path, "-") == 0;
	jsonl_reader *r = ecalloc(1, sizeof *r);
	struct stat st;
	off_t pos = -1;
	size_t i = 0;

	*csv = NULL;
	*jl = NULL;
	r->line = 1;
	r->in.fd = 0;
	r->name = estrdup(is_stdin ? "<stdin>" : path);
	if (!is_stdin && ((r->in.fd = open(path, O_RDONLY)) < 0 ||
	    fstat(r->in.fd, &st) < 0 || S_ISDIR(st.st_mode))) {
		err_fail(err, errsz, status, EXIT_NOINPUT, "%s: cannot open: %s",
		    path, r->in.fd >= 0 ? "is a directory" : strerror(errno));
		jsonl_close(r);
		return -1;
	}
	if (is_stdin)
		pos = lseek(0, 0, SEEK_CUR);
	/* The first byte that is not blank nor the BOM. */
	for (;;) {
		if (i == r->in.end || (r->in.end < 3 && !r->in.eof)) {
			int got = fill(r, err, errsz, status);
			if (got < 0) {
				jsonl_close(r);
				return -1;
			}
			if (got > 0)
				continue;
			if (i == r->in.end)
				break;
		}
		if (i == 0 && r->in.end >= 3 && memcmp(r->in.buf, "\xEF\xBB\xBF",
		    3) == 0)
			i = 3;
		else if (blank((unsigned char)r->in.buf[i]))
			i++;
		else
			break;
	}
	if (i < r->in.end && r->in.buf[i] == '{') {
		/* Skip the BOM; line 1 stays line 1. */
		if (r->in.end >= 3 && memcmp(r->in.buf, "\xEF\xBB\xBF", 3) == 0)
			r->in.start = 3;
		if (read_header(r, err, errsz, status) < 0) {
			jsonl_close(r);
			return -1;
		}
		*jl = r;
		return 0;
	}
	/* CSV: read again from the start. */
	if (!is_stdin || pos >= 0) {
		if (is_stdin && lseek(0, pos, SEEK_SET) < 0) {
			err_fail(err, errsz, status, EXIT_IOERR, "<stdin>: cannot "
			    "seek: %s", strerror(errno));
			jsonl_close(r);
			return -1;
		}
	} else {
		char *b = r->in.buf;
		size_t n = r->in.end;
		r->in.buf = NULL;
		if (replay_stdin(b, n) < 0) {
			err_fail(err, errsz, status, EXIT_INTERNAL, "<stdin>: cannot "
			    "relay: %s", strerror(errno));
			jsonl_close(r);
			return -1;
		}
	}
	jsonl_close(r);
	*csv = csv_open(path, 0, err, errsz, status);
	return *csv ? 0 : -1;
}
