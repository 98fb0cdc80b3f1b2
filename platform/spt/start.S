/* SPDX-License-Identifier: ISC */
/*
 * start.S -- the entry point of an spt image. The tender jumps here with rdi = boot info,
 * rsp = the top of the stack and %fs at the TCB (morgana/spt_abi.h); C needs only an
 * aligned stack and a zero frame pointer to end backtraces.
 */
	.section .text.spt_entry, "ax", @progbits
	.globl _start
_start:
	andq $-16, %rsp
	xorl %ebp, %ebp
	call mg_spt_boot
	ud2

	.section .note.GNU-stack, "", @progbits
