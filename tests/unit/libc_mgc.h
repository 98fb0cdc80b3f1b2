/* SPDX-License-Identifier: ISC */
/*
 * libc_mgc.h -- for the libc differential tests: Morgana's libc as the tests see it.
 *
 * build/freestanding/libc-prefixed.o is the guest libc with every symbol renamed mgc_*,
 * so a host test can call mgc_snprintf() next to glibc's snprintf() and compare. These
 * are its prototypes (in host types, which have the same ABI), and the helpers the tests
 * share (tests/unit/libc_support.c): a seeded random generator, console capture, and a
 * catcher for mg_plat_abort().
 */
#ifndef MORGANA_TESTS_LIBC_MGC_H
#define MORGANA_TESTS_LIBC_MGC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/heap.h>

/* string.h, strings.h */
void *mgc_memcpy(void *dst, const void *src, size_t n);
void *mgc_memmove(void *dst, const void *src, size_t n);
void *mgc_memset(void *dst, int c, size_t n);
int mgc_memcmp(const void *a, const void *b, size_t n);
void *mgc_memchr(const void *s, int c, size_t n);
size_t mgc_strlen(const char *s);
size_t mgc_strnlen(const char *s, size_t maxlen);
int mgc_strcmp(const char *a, const char *b);
int mgc_strncmp(const char *a, const char *b, size_t n);
char *mgc_strcpy(char *dst, const char *src);
char *mgc_strncpy(char *dst, const char *src, size_t n);
char *mgc_strcat(char *dst, const char *src);
char *mgc_strncat(char *dst, const char *src, size_t n);
char *mgc_strchr(const char *s, int c);
char *mgc_strrchr(const char *s, int c);
char *mgc_strstr(const char *haystack, const char *needle);
size_t mgc_strspn(const char *s, const char *accept);
size_t mgc_strcspn(const char *s, const char *reject);
char *mgc_strtok_r(char *s, const char *delim, char **saveptr);
char *mgc_strdup(const char *s);
char *mgc_strndup(const char *s, size_t n);
char *mgc_strerror(int errnum);
int mgc_strcasecmp(const char *a, const char *b);
int mgc_strncasecmp(const char *a, const char *b, size_t n);

/* stdio.h */
int mgc_snprintf(char *buf, size_t size, const char *fmt, ...);
int mgc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int mgc_printf(const char *fmt, ...);
int mgc_puts(const char *s);
int mgc_putchar(int c);

/* stdlib.h, inttypes.h */
void *mgc_malloc(size_t size);
void *mgc_calloc(size_t nmemb, size_t size);
void *mgc_realloc(void *ptr, size_t size);
void mgc_free(void *ptr);
void *mgc_aligned_alloc(size_t alignment, size_t size);
int mgc_posix_memalign(void **memptr, size_t alignment, size_t size);
long mgc_strtol(const char *s, char **endptr, int base);
long long mgc_strtoll(const char *s, char **endptr, int base);
unsigned long mgc_strtoul(const char *s, char **endptr, int base);
unsigned long long mgc_strtoull(const char *s, char **endptr, int base);
intmax_t mgc_strtoimax(const char *s, char **endptr, int base);
uintmax_t mgc_strtoumax(const char *s, char **endptr, int base);
int mgc_atoi(const char *s);
long mgc_atol(const char *s);
long long mgc_atoll(const char *s);
void mgc_qsort(void *base, size_t nmemb, size_t size,
	       int (*compar)(const void *, const void *));
void *mgc_bsearch(const void *key, const void *base, size_t nmemb, size_t size,
		  int (*compar)(const void *, const void *));
int mgc_abs(int j);
long mgc_labs(long j);
long long mgc_llabs(long long j);
_Noreturn void mgc_abort(void);

/* ctype.h */
int mgc_isalnum(int c);
int mgc_isalpha(int c);
int mgc_isblank(int c);
int mgc_iscntrl(int c);
int mgc_isdigit(int c);
int mgc_isgraph(int c);
int mgc_islower(int c);
int mgc_isprint(int c);
int mgc_ispunct(int c);
int mgc_isspace(int c);
int mgc_isupper(int c);
int mgc_isxdigit(int c);
int mgc_tolower(int c);
int mgc_toupper(int c);

/* setjmp.h, assert.h, errno.h */
typedef unsigned long mgc_jmp_buf[8];
int mgc_setjmp(mgc_jmp_buf env) __attribute__((returns_twice));
_Noreturn void mgc_longjmp(mgc_jmp_buf env, int val);
_Noreturn void mgc_mg_libc_assert_fail(const char *expr, const char *file, int line,
				       const char *func);
extern int mgc_errno;

/* morgana/heap.h */
int mgc_mg_heap_init(void *base, size_t size);
void mgc_mg_heap_stats(struct mg_heap_stats *stats);
void mgc_mg_heap_check(void);

/* --- shared test helpers (libc_support.c) --- */

/* Seed the generator from $MG_TEST_SEED, or from the clock, and print the seed. */
void lt_seed(const char *suite);
uint64_t lt_rand(void);
/* Uniform in [0, n); n > 0. */
uint64_t lt_below(uint64_t n);

/* Everything the prefixed libc wrote to the console since lt_console_reset(). */
extern char lt_console[1 << 16];
extern size_t lt_console_len;
void lt_console_reset(void);

/*
 * While lt_abort_catcher is set, mgc_mg_plat_abort() longjmps (glibc's longjmp) to it
 * with value 1; otherwise it reports the console and aborts the test program.
 */
extern jmp_buf *lt_abort_catcher;

/* Run stmt, which must end in mg_plat_abort() having printed something containing
 * expected. */
#define LT_EXPECT_ABORT(stmt, expected)						\
	do {									\
		jmp_buf lt_jb_;							\
		lt_console_reset();						\
		lt_abort_catcher = &lt_jb_;					\
		if (setjmp(lt_jb_) == 0) {					\
			stmt;							\
			lt_abort_catcher = NULL;				\
			fail_msg("did not abort: %s", #stmt);			\
		}								\
		lt_abort_catcher = NULL;					\
		if (strstr(lt_console, (expected)) == NULL)			\
			fail_msg("%s: expected \"%s\" in \"%s\"", #stmt,	\
				 (expected), lt_console);			\
	} while (0)

#endif /* MORGANA_TESTS_LIBC_MGC_H */
