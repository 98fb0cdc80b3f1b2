/* SPDX-License-Identifier: ISC */
/*
 * fuzz.h -- what the libFuzzer targets of tests/fuzz share: a check that aborts (so the
 * fuzzer records the input) with the property that failed.
 */
#ifndef MORGANA_FUZZ_H
#define MORGANA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
				#cond); \
			abort(); \
		} \
	} while (0)

/* The monotonic and wall clock of stub_plat.c, for the targets that link it. */
extern uint64_t fuzz_clock_ns;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* MORGANA_FUZZ_H */
