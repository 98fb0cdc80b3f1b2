/* SPDX-License-Identifier: ISC */
/*
 * qsort.c -- qsort (introsort) and bsearch.
 *
 * Quicksort with a median-of-three pivot and a Hoare partition that stops on keys equal
 * to the pivot (so runs of equal keys split evenly); below SMALL elements, insertion
 * sort; and if the recursion gets deeper than 2 log2(n), the remaining range is
 * heap-sorted, so no input -- sorted, reversed, organ-pipe, adversarial -- costs more
 * than O(n log n). The smaller side is sorted first, by recursion, so the stack depth is
 * at most log2(n).
 */
#include <stdint.h>
#include <stdlib.h>

#include "word.h"

#define SMALL 16

typedef int (*compare_fn)(const void *, const void *);

static void
swap(char *a, char *b, size_t size)
{
	for (; size >= 8; a += 8, b += 8, size -= 8) {
		uint64_t t = *(mg_uword *)a;
		*(mg_uword *)a = *(mg_uword *)b;
		*(mg_uword *)b = t;
	}
	for (; size > 0; a++, b++, size--) {
		char t = *a;
		*a = *b;
		*b = t;
	}
}

static void
insertion_sort(char *base, size_t n, size_t size, compare_fn cmp)
{
	for (size_t i = 1; i < n; i++)
		for (char *p = base + i * size; p > base && cmp(p - size, p) > 0; p -= size)
			swap(p - size, p, size);
}

static void
sift_down(char *base, size_t root, size_t n, size_t size, compare_fn cmp)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap(base + root * size, base + child * size, size);
		root = child;
	}
}

static void
heap_sort(char *base, size_t n, size_t size, compare_fn cmp)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(base, i, n, size, cmp);
	for (size_t end = n - 1; end > 0; end--) {
		swap(base, base + end * size, size);
		sift_down(base, 0, end, size, cmp);
	}
}

/* Order base[0], base[mid], base[n-1], then move the median to base[0]. */
static void
median_to_front(char *base, size_t n, size_t size, compare_fn cmp)
{
	char *lo = base, *mid = base + (n / 2) * size, *hi = base + (n - 1) * size;

	if (cmp(mid, lo) < 0)
		swap(mid, lo, size);
	if (cmp(hi, mid) < 0) {
		swap(hi, mid, size);
		if (cmp(mid, lo) < 0)
			swap(mid, lo, size);
	}
	swap(lo, mid, size);
}

/*
 * Partition around the pivot at base[0]; returns its final index. base[n-1] >= pivot
 * (from median_to_front) stops the upward scan, the pivot itself the downward one.
 */
static size_t
partition(char *base, size_t n, size_t size, compare_fn cmp)
{
	size_t i = 0, j = n;

	for (;;) {
		do
			i++;
		while (cmp(base + i * size, base) < 0);
		do
			j--;
		while (cmp(base + j * size, base) > 0);
		if (i >= j)
			break;
		swap(base + i * size, base + j * size, size);
	}
	swap(base, base + j * size, size);
	return j;
}

static void
introsort(char *base, size_t n, size_t size, compare_fn cmp, unsigned depth)
{
	while (n > SMALL) {
		size_t p;
		if (depth-- == 0) {
			heap_sort(base, n, size, cmp);
			return;
		}
		median_to_front(base, n, size, cmp);
		p = partition(base, n, size, cmp);
		if (p < n - 1 - p) {
			introsort(base, p, size, cmp, depth);
			base += (p + 1) * size;
			n -= p + 1;
		} else {
			introsort(base + (p + 1) * size, n - p - 1, size, cmp, depth);
			n = p;
		}
	}
	insertion_sort(base, n, size, cmp);
}

void
qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *))
{
	unsigned depth = 0;

	if (nmemb < 2 || size == 0)
		return;
	for (size_t n = nmemb; n > 1; n >>= 1)
		depth += 2;
	introsort(base, nmemb, size, compar, depth);
}

void *
bsearch(const void *key, const void *base, size_t nmemb, size_t size,
	int (*compar)(const void *, const void *))
{
	const char *lo = base;

	while (nmemb > 0) {
		const char *mid = lo + (nmemb / 2) * size;
		int c = compar(key, mid);
		if (c == 0)
			return (void *)(uintptr_t)mid;
		if (c > 0) {
			lo = mid + size;
			nmemb -= nmemb / 2 + 1;
		} else {
			nmemb /= 2;
		}
	}
	return NULL;
}
