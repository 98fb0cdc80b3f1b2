/* SPDX-License-Identifier: ISC */
/*
 * inttypes.h -- Morgana's freestanding C library: printf macros for <stdint.h> types.
 *
 * x86_64 only (LP64): 64-bit types, intmax_t, intptr_t and the fast 16/32/64-bit types
 * are long.
 */
#ifndef MORGANA_LIBC_INTTYPES_H
#define MORGANA_LIBC_INTTYPES_H

#include <stdint.h>

#define MG_PRI_8	"hh"
#define MG_PRI_16	"h"
#define MG_PRI_32	""
#define MG_PRI_64	"l"
#define MG_PRI_FAST8	"hh"
#define MG_PRI_FAST	"l"
#define MG_PRI_PTR	"l"

#define PRId8		MG_PRI_8 "d"
#define PRId16		MG_PRI_16 "d"
#define PRId32		MG_PRI_32 "d"
#define PRId64		MG_PRI_64 "d"
#define PRIi8		MG_PRI_8 "i"
#define PRIi16		MG_PRI_16 "i"
#define PRIi32		MG_PRI_32 "i"
#define PRIi64		MG_PRI_64 "i"
#define PRIu8		MG_PRI_8 "u"
#define PRIu16		MG_PRI_16 "u"
#define PRIu32		MG_PRI_32 "u"
#define PRIu64		MG_PRI_64 "u"
#define PRIo8		MG_PRI_8 "o"
#define PRIo16		MG_PRI_16 "o"
#define PRIo32		MG_PRI_32 "o"
#define PRIo64		MG_PRI_64 "o"
#define PRIx8		MG_PRI_8 "x"
#define PRIx16		MG_PRI_16 "x"
#define PRIx32		MG_PRI_32 "x"
#define PRIx64		MG_PRI_64 "x"
#define PRIX8		MG_PRI_8 "X"
#define PRIX16		MG_PRI_16 "X"
#define PRIX32		MG_PRI_32 "X"
#define PRIX64		MG_PRI_64 "X"

#define PRIdLEAST8	PRId8
#define PRIdLEAST16	PRId16
#define PRIdLEAST32	PRId32
#define PRIdLEAST64	PRId64
#define PRIuLEAST8	PRIu8
#define PRIuLEAST16	PRIu16
#define PRIuLEAST32	PRIu32
#define PRIuLEAST64	PRIu64
#define PRIxLEAST8	PRIx8
#define PRIxLEAST16	PRIx16
#define PRIxLEAST32	PRIx32
#define PRIxLEAST64	PRIx64

#define PRIdFAST8	MG_PRI_FAST8 "d"
#define PRIdFAST16	MG_PRI_FAST "d"
#define PRIdFAST32	MG_PRI_FAST "d"
#define PRIdFAST64	MG_PRI_FAST "d"
#define PRIuFAST8	MG_PRI_FAST8 "u"
#define PRIuFAST16	MG_PRI_FAST "u"
#define PRIuFAST32	MG_PRI_FAST "u"
#define PRIuFAST64	MG_PRI_FAST "u"
#define PRIxFAST8	MG_PRI_FAST8 "x"
#define PRIxFAST16	MG_PRI_FAST "x"
#define PRIxFAST32	MG_PRI_FAST "x"
#define PRIxFAST64	MG_PRI_FAST "x"

#define PRIdMAX		"jd"
#define PRIiMAX		"ji"
#define PRIuMAX		"ju"
#define PRIoMAX		"jo"
#define PRIxMAX		"jx"
#define PRIXMAX		"jX"

#define PRIdPTR		MG_PRI_PTR "d"
#define PRIiPTR		MG_PRI_PTR "i"
#define PRIuPTR		MG_PRI_PTR "u"
#define PRIoPTR		MG_PRI_PTR "o"
#define PRIxPTR		MG_PRI_PTR "x"
#define PRIXPTR		MG_PRI_PTR "X"

intmax_t strtoimax(const char *restrict s, char **restrict endptr, int base);
uintmax_t strtoumax(const char *restrict s, char **restrict endptr, int base);

#endif /* MORGANA_LIBC_INTTYPES_H */
