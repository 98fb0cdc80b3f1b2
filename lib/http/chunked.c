/* SPDX-License-Identifier: ISC */
/*
 * chunked.c -- the chunked transfer coding's decoder (RFC 9112 7.1), byte by byte so
 * that any split of the input decodes the same. Chunk extensions and trailer fields are
 * read past, within bounds, and dropped.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define LINE_MAX_BYTES		4096u	/* a size line with its extensions */
#define TRAILER_MAX_BYTES	8192u	/* all trailer fields */

enum {
	CH_SIZE,	/* hex digits of a chunk size */
	CH_EXT,		/* after the size: extensions up to LF */
	CH_SIZE_LF,	/* CR seen after the size */
	CH_DATA,
	CH_DATA_CR,	/* CRLF after the data */
	CH_DATA_LF,
	CH_TRAILER,	/* start of a trailer line, or the final empty line */
	CH_TRAILER_LINE,
	CH_END_LF,	/* CR of the final empty line seen */
	CH_DONE,
};

static int hex_value(char c);
static int end_size_line(struct mg_http_chunked *ch);

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = http_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
end_size_line(struct mg_http_chunked *ch)
{
	ch->line_len = 0;
	if (ch->chunk_left == 0) {
		ch->state = CH_TRAILER;
		return 0;
	}
	ch->state = CH_DATA;
	return 0;
}

void
mg_http_chunked_init(struct mg_http_chunked *ch, uint64_t max)
{
	memset(ch, 0, sizeof(*ch));
	ch->state = CH_SIZE;
	ch->max = max;
}

int
mg_http_chunked_decode(struct mg_http_chunked *ch, const char *in, size_t in_len,
		       size_t *in_used, char *out, size_t out_cap, size_t *out_len)
{
	size_t i = 0, o = 0;
	int rc = 0;

	while (i < in_len && ch->state != CH_DONE) {
		char c = in[i];
		int d;

		if (ch->state == CH_DATA) {
			size_t n = in_len - i;
			if (n > ch->chunk_left)
				n = (size_t)ch->chunk_left;
			if (n > out_cap - o)
				n = out_cap - o;
			if (n == 0)
				break;	/* out is full */
			memmove(out + o, in + i, n);
			o += n;
			i += n;
			ch->chunk_left -= n;
			if (ch->chunk_left == 0)
				ch->state = CH_DATA_CR;
			continue;
		}
		i++;
		switch (ch->state) {
		case CH_SIZE:
			if ((d = hex_value(c)) >= 0) {
				/* The size alone may not pass what is left of max. */
				if (ch->chunk_left > (ch->max - ch->total) / 16 ||
				    ch->chunk_left * 16 + (unsigned)d > ch->max - ch->total) {
					rc = -EFBIG;
					goto out;
				}
				ch->chunk_left = ch->chunk_left * 16 + (unsigned)d;
				if (++ch->line_len > LINE_MAX_BYTES)
					goto bad;
				break;
			}
			if (ch->line_len == 0)
				goto bad;
			ch->total += ch->chunk_left;
			if (c == '\n') {
				end_size_line(ch);
			} else if (c == '\r') {
				ch->state = CH_SIZE_LF;
			} else if (c == ';' || http_blank(c)) {
				ch->state = CH_EXT;
			} else {
				goto bad;
			}
			break;
		case CH_EXT:
			if (++ch->line_len > LINE_MAX_BYTES)
				goto bad;
			if (c == '\n')
				end_size_line(ch);
			else if ((unsigned char)c < 0x20 && c != '\t' && c != '\r')
				goto bad;
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				goto bad;
			end_size_line(ch);
			break;
		case CH_DATA_CR:
			if (c == '\r')
				ch->state = CH_DATA_LF;
			else if (c == '\n')
				ch->state = CH_SIZE;
			else
				goto bad;
			break;
		case CH_DATA_LF:
			if (c != '\n')
				goto bad;
			ch->state = CH_SIZE;
			break;
		case CH_TRAILER:
			if (c == '\n')
				ch->state = CH_DONE;
			else if (c == '\r')
				ch->state = CH_END_LF;
			else if (++ch->trailer_len > TRAILER_MAX_BYTES)
				goto bad;
			else
				ch->state = CH_TRAILER_LINE;
			break;
		case CH_TRAILER_LINE:
			if (++ch->trailer_len > TRAILER_MAX_BYTES)
				goto bad;
			if (c == '\n')
				ch->state = CH_TRAILER;
			break;
		case CH_END_LF:
			if (c != '\n')
				goto bad;
			ch->state = CH_DONE;
			break;
		default:
			goto bad;
		}
	}
	rc = ch->state == CH_DONE ? 1 : 0;
	goto out;
bad:
	rc = -EBADMSG;
out:
	*in_used = i;
	*out_len = o;
	return rc;
}
