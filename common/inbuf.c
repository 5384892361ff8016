/* inbuf.c: the input window of the CSV and JSON-lines readers. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "inbuf.h"

int
inbuf_fill(inbuf *b, size_t max)
{
	if (b->eof)
		return 0;
	if (b->start > 0) {
		memmove(b->buf, b->buf + b->start, b->end - b->start);
		b->buf_off += (off_t)b->start;
		b->end -= b->start;
		b->start = 0;
	}
	if (b->cap - b->end < INBUF_CHUNK / 2) {
		if (b->end > max)
			return -2;
		b->cap = b->cap ? 2 * b->cap : INBUF_CHUNK;
		b->buf = erealloc(b->buf, b->cap + 1);
	}
	for (;;) {
		ssize_t n = b->positioned ?
		    pread(b->fd, b->buf + b->end, b->cap - b->end, b->read_pos) :
		    read(b->fd, b->buf + b->end, b->cap - b->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			b->eof = 1;
			return 0;
		}
		if (b->hashing)
			sha256_update(&b->sh, b->buf + b->end, (size_t)n);
		b->end += (size_t)n;
		b->read_pos += n;
		return 1;
	}
}
