/* out.c: buffered writer, atomic files, quiet exit on a closed pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "num.h"
#include "out.h"

#define OUT_BUFSIZE (256 << 10)

/* Temporary files not yet committed, removed at exit (crash, die, failed
 * gate): process-wide by nature, like the open file table. */
static out **pending;
static size_t npending;

static void
remove_pending(void)
{
	for (size_t i = 0; i < npending; i++)
		if (pending[i])
			unlink(pending[i]->tmp);
}

static void
track(out *o, int add)
{
	static int registered;

	if (add) {
		if (!registered) {
			atexit(remove_pending);
			registered = 1;
		}
		pending = ereallocarray(pending, npending + 1, sizeof *pending);
		pending[npending++] = o;
		return;
	}
	for (size_t i = 0; i < npending; i++)
		if (pending[i] == o)
			pending[i] = NULL;
}

out *
out_open(const char *path)
{
	out *o = ecalloc(1, sizeof *o);

	o->cap = OUT_BUFSIZE;
	o->buf = emalloc(o->cap);
	if (!path || strcmp(path, "-") == 0) {
		/* A closed pipe shows up as EPIPE from write(2), handled there. */
		signal(SIGPIPE, SIG_IGN);
		o->fd = 1;
		o->name = estrdup("<stdout>");
		return o;
	}
	size_t n = strlen(path);
	o->name = estrdup(path);
	/* A symbolic link (/dev/stdout), a device or a FIFO is written in
	 * place: a rename would replace the link or node with a regular
	 * file. */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->fd = open(path, O_WRONLY | O_TRUNC)) < 0)
			dien(EXIT_CANTCREAT, "%s: cannot open for writing:",
			    path);
		return o;
	}
	o->path = estrdup(path);
	o->tmp = emalloc(n + 16);
	memcpy(o->tmp, path, n);
	memcpy(o->tmp + n, ".tmp.XXXXXX", 12);
	if ((o->fd = mkstemp(o->tmp)) < 0)
		dien(EXIT_CANTCREAT, "%s: cannot create:", path);
	/* mkstemp makes 0600; give the file the mode a plain creat would. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(o->fd, 0666 & ~mask) < 0) {
		unlink(o->tmp);
		dien(EXIT_CANTCREAT, "%s: cannot create:", path);
	}
	track(o, 1);
	return o;
}

static void
write_all(out *o, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				exit(0);
			dien(EXIT_IOERR, "%s: write error:", o->name);
		}
		p += w;
		n -= (size_t)w;
		o->written += (size_t)w;
	}
}

void
out_flush(out *o)
{
	write_all(o, o->buf, o->len);
	o->len = 0;
}

void
out_write(out *o, const void *p, size_t n)
{
	if (n > o->cap - o->len) {
		out_flush(o);
		if (n > o->cap) {
			write_all(o, p, n);
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void
out_str(out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

void
out_num(out *o, double x)
{
	if (o->cap - o->len < NUM_BUFSIZE)
		out_flush(o);
	o->len += num_format(x, o->buf + o->len);
}

static void
out_free(out *o)
{
	free(o->buf);
	free(o->name);
	free(o->path);
	free(o->tmp);
	free(o);
}

void
out_commit(out *o)
{
	out_flush(o);
	if (!o->path) {
		if (o->fd > 2 && close(o->fd) < 0)
			dien(EXIT_IOERR, "%s: write error:", o->name);
		out_free(o);
		return;
	}
	if (fsync(o->fd) < 0 && errno != EINVAL)
		dien(EXIT_IOERR, "%s: write error:", o->name);
	if (close(o->fd) < 0)
		dien(EXIT_IOERR, "%s: write error:", o->name);
	if (rename(o->tmp, o->path) < 0)
		dien(EXIT_CANTCREAT, "%s: cannot rename into place:", o->name);
	track(o, 0);
	out_free(o);
}

void
out_abort(out *o)
{
	/* Rows already streamed to stdout cannot be withheld: send the rest
	 * too rather than cut the stream at a buffer boundary. */
	if (!o->path)
		out_flush(o);
	if (!o->path && o->fd > 2)
		close(o->fd);	/* a scratch file: its name stays till exit */
	if (o->path) {
		close(o->fd);
		unlink(o->tmp);
		track(o, 0);
	}
	out_free(o);
}

/* Scratch files of this process, removed at exit. */
static char **scratch;
static size_t nscratch;

static void
remove_scratch(void)
{
	for (size_t i = 0; i < nscratch; i++)
		unlink(scratch[i]);
}

/* A new empty scratch file; its descriptor, its name in *name. */
static int
scratch_file(const char *what, char **name)
{
	const char *dir = getenv("TMPDIR");
	size_t size = strlen(dir && *dir ? dir : "/tmp") + strlen(what) + 16;
	char *path = emalloc(size);
	int fd;

	snprintf(path, size, "%s/mmm-%s.XXXXXX", dir && *dir ? dir : "/tmp",
	    what);
	if ((fd = mkstemp(path)) < 0)
		dien(EXIT_CANTCREAT, "%s: cannot create:", path);
	if (nscratch == 0)
		atexit(remove_scratch);
	scratch = ereallocarray(scratch, nscratch + 1, sizeof *scratch);
	scratch[nscratch++] = path;
	*name = path;
	return fd;
}

out *
out_scratch(void)
{
	out *o = ecalloc(1, sizeof *o);
	char *name;

	o->cap = OUT_BUFSIZE;
	o->buf = emalloc(o->cap);
	o->fd = scratch_file("scratch", &name);
	o->name = estrdup(name);
	return o;
}

size_t
out_tell(const out *o)
{
	return o->written + o->len;
}

char *
out_spool_stdin(void)
{
	char buf[1 << 16], *path;
	ssize_t n;
	int fd = scratch_file("stdin", &path);

	while ((n = read(0, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			dien(EXIT_IOERR, "<stdin>: read error:");
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				dien(EXIT_IOERR, "%s: write error:", path);
			off += w > 0 ? w : 0;
		}
	}
	if (close(fd) < 0)
		dien(EXIT_IOERR, "%s: write error:", path);
	return path;
}
