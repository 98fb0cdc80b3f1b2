/* SPDX-License-Identifier: ISC */
/*
 * cmdline.c -- splitting a command line into argv, and quoting argv back into one.
 *
 * Splitting makes two passes with the same code: the first only counts words and bytes
 * (and finds errors), the second fills one allocation holding the pointer array and the
 * strings. No word can be longer than the text it came from, so nothing is guessed.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/runtime.h>

#include "internal.h"

struct split {
	char *out;	/* NULL while counting */
	char **words;	/* NULL while counting */
	size_t nwords;
	size_t nbytes;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static void
put(struct split *sp, char c)
{
	if (sp->out != NULL)
		sp->out[sp->nbytes] = c;
	sp->nbytes++;
}

/* One word starting at *sp_s (not blank, not NUL); advances past it. */
static int
split_word(struct split *sp, const char **sp_s)
{
	const char *s = *sp_s;

	while (*s != '\0' && !is_blank(*s)) {
		char c = *s++;

		if (c == '\'') {
			while (*s != '\'') {
				if (*s == '\0')
					return -EINVAL;
				put(sp, *s++);
			}
			s++;
		} else if (c == '"') {
			while (*s != '"') {
				if (*s == '\0')
					return -EINVAL;
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				put(sp, *s++);
			}
			s++;
		} else if (c == '\\') {
			if (*s == '\0')
				return -EINVAL;
			put(sp, *s++);
		} else {
			put(sp, c);
		}
	}
	put(sp, '\0');
	*sp_s = s;
	return 0;
}

static int
split_pass(struct split *sp, const char *s)
{
	int err;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			return 0;
		if (sp->nwords == MG_CMDLINE_MAX_ARGS)
			return -E2BIG;
		if (sp->words != NULL)
			sp->words[sp->nwords] = sp->out + sp->nbytes;
		sp->nwords++;
		err = split_word(sp, &s);
		if (err != 0)
			return err;
	}
}

static bool
too_long(const char *s)
{
	for (size_t i = 0; i <= MG_CMDLINE_MAX_LEN; i++)
		if (s[i] == '\0')
			return false;
	return true;
}

int
mg_rt_cmdline_split(const char *argv0, const char *cmdline, int *argc, char ***argv)
{
	struct split count = { 0 }, fill = { 0 };
	size_t first = argv0 != NULL ? 1 : 0, a0len = argv0 != NULL ? strlen(argv0) + 1 : 0;
	size_t ptrs;
	char **block;
	int err;

	if (cmdline == NULL)
		cmdline = "";
	if (too_long(cmdline))
		return -E2BIG;
	err = split_pass(&count, cmdline);
	if (err != 0)
		return err;
	ptrs = first + count.nwords + 1;
	block = malloc(ptrs * sizeof(char *) + a0len + count.nbytes);
	if (block == NULL)
		return -ENOMEM;
	fill.words = block + first;
	fill.out = (char *)(block + ptrs) + a0len;
	if (argv0 != NULL) {
		block[0] = (char *)(block + ptrs);
		memcpy(block[0], argv0, a0len);
	}
	err = split_pass(&fill, cmdline);
	if (err != 0) {	/* cannot happen: the counting pass accepted the same text */
		free(block);
		return err;
	}
	block[ptrs - 1] = NULL;
	*argc = (int)(ptrs - 1);
	*argv = block;
	return 0;
}

int
mg_cmdline_split(const char *cmdline, int *argc, char ***argv)
{
	return mg_rt_cmdline_split(NULL, cmdline, argc, argv);
}

/* --- quoting ------------------------------------------------------------------------- */

struct quote {
	char *buf;
	size_t size;
	size_t len;	/* what the whole line needs, even past size */
};

static void
emit(struct quote *q, char c)
{
	if (q->len + 1 < q->size)
		q->buf[q->len] = c;
	q->len++;
}

/* Characters that need no quoting, for our splitter and for a POSIX shell alike. */
static bool
is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("_@%+=:,./-", c) != NULL);
}

static void
quote_word(struct quote *q, const char *w)
{
	bool plain = w[0] != '\0';

	for (const char *p = w; *p != '\0' && plain; p++)
		plain = is_plain((unsigned char)*p);
	if (plain) {
		while (*w != '\0')
			emit(q, *w++);
		return;
	}
	/* '...' keeps everything but ' itself, which becomes '\'' (close, escape, reopen). */
	emit(q, '\'');
	for (; *w != '\0'; w++) {
		if (*w == '\'') {
			emit(q, '\'');
			emit(q, '\\');
			emit(q, '\'');
		}
		emit(q, *w);
	}
	emit(q, '\'');
}

int
mg_cmdline_quote(char *buf, size_t size, int argc, char *const argv[])
{
	struct quote q = { buf, size, 0 };

	if (argc < 0)
		return -EINVAL;
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			emit(&q, ' ');
		quote_word(&q, argv[i]);
	}
	if (size > 0)
		buf[q.len < size ? q.len : size - 1] = '\0';
	if (q.len >= size || q.len > INT_MAX)
		return -ENOSPC;
	return (int)q.len;
}
