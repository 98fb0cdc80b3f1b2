/* SPDX-License-Identifier: ISC */
/*
 * start.S -- the entry point of an hvt image. The tender enters here at CPL3 with rdi =
 * boot info and rsp = the top of the stack (morgana/hvt_abi.h); C needs only an aligned
 * stack and a zero frame pointer to end backtraces. The first instruction reads the TSC:
 * the monotonic clock counts from there, so mg_now_ns() in main is the boot time.
 */
#include <morgana/hvt_abi.h>

	.section .text.hvt_entry, "ax", @progbits
	.globl _start
_start:
	rdtsc
	movl %eax, mg_hvt_tsc_at_start(%rip)
	movl %edx, mg_hvt_tsc_at_start+4(%rip)
	andq $-16, %rsp
	xorl %ebp, %ebp
	call mg_hvt_boot
	ud2

/* The exception stubs (trap.S), named to the tender in a note: it points the IDT at them
 * before the first instruction, which saves the guest a hypercall (hvt_abi.h). */
	.section .note.morgana.traps, "a", @note
	.balign 4
	.long 8				/* name size: "Morgana" and its NUL */
	.long 8				/* descriptor size */
	.long MG_HVT_TRAPS_NOTE_TYPE
	.asciz "Morgana"
	.quad mg_hvt_trap_stubs
