/* inbuf.h: the window over an input that the CSV and JSON-lines readers
 * slide along: read(2) (or pread(2) from an offset) a chunk at a time,
 * optionally hashing every byte read. */
#ifndef MMM_INBUF_H
#define MMM_INBUF_H

#include <stddef.h>
#include <sys/types.h>

#include "sha256.h"

/* Bytes per read, and the least room left before one. */
#define INBUF_CHUNK ((size_t)1 << 20)

typedef struct inbuf {
	int fd;
	int positioned;		/* read with pread at read_pos */
	off_t read_pos;		/* input offset of the next byte read */
	off_t buf_off;		/* input offset of buf[0] */
	int eof;
	int hashing;		/* every byte read goes into sh */
	sha256 sh;
	char *buf;		/* the window buf[start, end); one byte spare */
	size_t cap, start, end;
} inbuf;

/*
 * Move the window's unread bytes to the front and read more: 1 when bytes
 * arrived, 0 at the end of input, -1 on a read error (errno set), -2 when
 * more room is needed but the window already holds more than max bytes
 * (a line or record over the caller's limit).
 */
int inbuf_fill(inbuf *b, size_t max);

#endif
