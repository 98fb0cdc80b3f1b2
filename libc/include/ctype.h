/* SPDX-License-Identifier: ISC */
/*
 * ctype.h -- Morgana's freestanding C library: character classes of the C locale.
 *
 * The argument is an unsigned char value or EOF; every other value (and every byte
 * above 127) belongs to no class, and tolower/toupper return it unchanged.
 */
#ifndef MORGANA_LIBC_CTYPE_H
#define MORGANA_LIBC_CTYPE_H

int isalnum(int c);
int isalpha(int c);
int isblank(int c);
int iscntrl(int c);
int isdigit(int c);
int isgraph(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int tolower(int c);
int toupper(int c);

#endif /* MORGANA_LIBC_CTYPE_H */
