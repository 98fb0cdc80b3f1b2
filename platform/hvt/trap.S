/* SPDX-License-Identifier: ISC */
/*
 * trap.S -- the guest's exception stubs. The tender points IDT vectors 0..31 here (see
 * MG_HVT_CALL_TRAPS in morgana/hvt_abi.h); they run at CPL0 on the tender's exception
 * stack. On this machine's nested KVM every CPL0 instruction is emulated and SSE faults, so
 * they do the least possible: push the registers and CR2 as a struct mg_hvt_trap_frame and
 * hand its address to the tender, which reports the fault and ends the guest.
 */
#include <morgana/hvt_abi.h>

	.section .text.hvt_traps, "ax", @progbits
	.globl mg_hvt_trap_stubs
	.balign MG_HVT_TRAP_STUB_SIZE
mg_hvt_trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign MG_HVT_TRAP_STUB_SIZE
	/* The CPU pushes an error code for these vectors only; push 0 for the others. */
	.if \v != 8 && \v != 10 && \v != 11 && \v != 12 && \v != 13 && \v != 14 && \v != 17 && \v != 21 && \v != 29 && \v != 30
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %cr2, %rax
	pushq %rax
	movl %esp, %eax		/* the exception stack lies below 4 GiB */
	movl %eax, (MG_HVT_MMIO_BASE + 8 * MG_HVT_CALL_TRAP)
1:	hlt			/* not reached: the tender ends the guest */
	jmp 1b
