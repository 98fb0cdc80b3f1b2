/* SPDX-License-Identifier: ISC */
/*
 * boot.c -- from _start to the runtime on spt: check that the tender speaks our ABI,
 * hand the heap to the allocator, then mg_runtime_start(). The tender already matched
 * the manifest with the attached devices, set the stack-protector canary (%fs:0x28) and
 * confined the process; nothing here needs a system call beyond writing and exiting.
 */
#include <morgana/heap.h>

#include "spt.h"
#include "sys.h"

int main(int argc, char **argv);

static _Noreturn void
fail(const char *msg)
{
	size_t n = 0;

	while (msg[n] != '\0')
		n++;
	spt_syscall3(SPT_SYS_WRITE, 2, (long)msg, (long)n);
	spt_exit_group(255);
}

_Noreturn void
mg_spt_boot(const struct mg_spt_boot_info *info)
{
	if (info->abi_version != MG_SPT_ABI_VERSION)
		fail("spt: the tender speaks another ABI version\n");
	mg_spt_plat_init(info);
	if (mg_heap_init((void *)info->plat.heap_start, info->plat.heap_size) != 0)
		fail("spt: the heap is too small\n");
	mg_runtime_start(&info->plat, main);
}
