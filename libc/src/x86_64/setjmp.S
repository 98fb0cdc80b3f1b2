/* SPDX-License-Identifier: ISC */
/*
 * setjmp.S -- setjmp and longjmp for x86_64 (System V ABI).
 *
 * jmp_buf layout (8-byte slots): rbx rbp r12 r13 r14 r15 rsp rip. The saved rsp is the
 * caller's stack pointer after setjmp returns (our return address popped), so longjmp
 * only reloads the registers and jumps to the saved return address.
 */
	.text
	.globl	setjmp
	.type	setjmp, @function
setjmp:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rdx		/* rsp as it will be once we have returned */
	movq	%rdx, 48(%rdi)
	movq	(%rsp), %rdx		/* our return address */
	movq	%rdx, 56(%rdi)
	xorl	%eax, %eax
	ret
	.size	setjmp, .-setjmp

	.globl	longjmp
	.type	longjmp, @function
longjmp:
	/* setjmp must appear to return val, or 1 if val is 0. */
	movl	%esi, %eax
	testl	%eax, %eax
	jnz	1f
	incl	%eax
1:	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	jmpq	*56(%rdi)
	.size	longjmp, .-longjmp

	.section .note.GNU-stack,"",@progbits
