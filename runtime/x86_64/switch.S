/* SPDX-License-Identifier: ISC */
/*
 * switch.S -- the fiber context switch for x86_64 (System V ABI).
 *
 * A suspended context is just its stack pointer: everything the ABI says a callee must
 * preserve sits on its own stack, below the return address. That is rbx, rbp, r12-r15,
 * and the control bits of MXCSR and the x87 control word (rounding, exception masks),
 * which the ABI also makes callee-saved. Caller-saved registers need no saving: the
 * switch is an ordinary call as far as the compiler is concerned.
 *
 * Frame at the saved stack pointer:  [0] MXCSR (4 bytes) + x87 CW (2 bytes, at +4),
 *   [8] r15, [16] r14, [24] r13, [32] r12, [40] rbx, [48] rbp, [56] return address.
 * fiber.c builds the same frame for a new fiber, returning into mg_rt_ctx_entry.
 */
	.text

/* void mg_rt_ctx_switch(void **save_sp, void *load_sp) */
	.globl	mg_rt_ctx_switch
	.type	mg_rt_ctx_switch, @function
	.p2align 4
mg_rt_ctx_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)

	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	mg_rt_ctx_switch, .-mg_rt_ctx_switch

/*
 * First code of every fiber: r12 = entry function, r13 = its argument, rbp = 0 so that
 * frame-pointer walks end here. The entry function never returns.
 */
	.globl	mg_rt_ctx_entry
	.type	mg_rt_ctx_entry, @function
	.p2align 4
mg_rt_ctx_entry:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r13, %rdi
	call	*%r12
	ud2
	.cfi_endproc
	.size	mg_rt_ctx_entry, .-mg_rt_ctx_entry

	.section .note.GNU-stack, "", @progbits
