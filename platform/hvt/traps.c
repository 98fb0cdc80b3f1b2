/* SPDX-License-Identifier: ISC */
/* traps.c -- registering the exception stubs of trap.S with the tender. */
#include <stdint.h>

#include "hvt_call.h"

extern const char mg_hvt_trap_stubs[];

int
mg_hvt_traps_install(void)
{
	struct mg_hvt_traps t = { .stubs = (uintptr_t)mg_hvt_trap_stubs };

	mg_hvt_call(MG_HVT_CALL_TRAPS, &t);
	return (int)t.ret;
}
