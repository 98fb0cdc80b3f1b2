/* SPDX-License-Identifier: ISC */
/*
 * start.S -- the entry point of an hvt image. The tender enters here at CPL3 with rdi =
 * boot info and rsp = the top of the stack (morgana/hvt_abi.h); C needs only an aligned
 * stack and a zero frame pointer to end backtraces.
 */
	.section .text.hvt_entry, "ax", @progbits
	.globl _start
_start:
	andq $-16, %rsp
	xorl %ebp, %ebp
	call mg_hvt_boot
	ud2
