/* SPDX-License-Identifier: ISC */
/*
 * launch.S -- the tender's last steps, in assembly because after the first of them the
 * C library's thread pointer is gone: point %fs at the guest's TCB, install the seccomp
 * filter (which forbids arch_prctl, hence this order), switch to the guest's stack and
 * jump to its entry with rdi = boot info and no tender values left in registers.
 *
 * _Noreturn void mg_spt_launch(uint64_t tcb, const struct sock_fprog *filter,
 *				uint64_t entry, uint64_t stack_top, uint64_t boot_info);
 */
#include <asm/prctl.h>
#include <asm/unistd.h>

#define SECCOMP_SET_MODE_FILTER	1	/* linux/seccomp.h, which assembly cannot include */

	.text
	.globl mg_spt_launch
	.type mg_spt_launch, @function
mg_spt_launch:
	movq %rsi, %r15			/* filter */
	movq %rdx, %r12			/* entry */
	movq %rcx, %r13			/* stack top */
	movq %r8, %r14			/* boot info */
	movq %rdi, %rsi
	movl $ARCH_SET_FS, %edi
	movl $__NR_arch_prctl, %eax
	syscall
	testq %rax, %rax
	jnz 1f
	movl $__NR_seccomp, %eax
	movl $SECCOMP_SET_MODE_FILTER, %edi
	xorl %esi, %esi
	movq %r15, %rdx
	syscall
	testq %rax, %rax
	jnz 1f
	movq %r13, %rsp
	movq %r14, %rdi
	pushq %r12			/* ret pops it: rsp ends at the stack top */
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	ret

1:	movl $__NR_write, %eax
	movl $2, %edi
	leaq failed(%rip), %rsi
	movl $failed_len, %edx
	syscall
	movl $__NR_exit_group, %eax
	movl $255, %edi
	syscall
	ud2
	.size mg_spt_launch, . - mg_spt_launch

	.section .rodata
failed:
	.ascii "morgana-spt: cannot confine the process (arch_prctl or seccomp failed)\n"
	.set failed_len, . - failed

	.section .note.GNU-stack, "", @progbits
