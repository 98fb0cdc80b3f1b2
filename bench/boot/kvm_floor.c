/* SPDX-License-Identifier: ISC */
/*
 * kvm_floor.c -- the least any KVM monitor must do to run a 64-bit guest: open /dev/kvm,
 * create a VM with 2 MiB of memory and one vCPU, put it in long mode (one 2 MiB page),
 * and run it until its first instruction, HLT, exits to user space (no in-kernel irqchip,
 * so HLT comes back to us). bench/boot compares morgana-hvt's whole run with this one.
 *
 *	kvm_floor                  the floor: enter long mode, HLT, exit 0
 *	kvm_floor --exits N [--via WAY]
 *	                           time N round trips out of a CPL3 loop and print the mean
 *	                           cost of one; WAY is how the guest leaves:
 *	  mmio         a store to a page with no memory behind it: morgana-hvt's hypercall
 *	  ioeventfd    the same store to an address KVM signals an eventfd for, in the
 *	               kernel: the vCPU does not come back to user space
 *	  syscall-hlt  SYSCALL into a CPL0 handler that runs HLT (an exit to user space,
 *	               no irqchip) and SYSRETQ
 *	  syscall-out  the same with OUT to a port instead of HLT
 *	  syscall-nop  SYSCALL straight back by SYSRETQ: the CPL3/CPL0 switch alone
 *	  int-hlt      INT 0x80 through a DPL3 gate to HLT and IRETQ
 *	  cpuid        CPUID, handled by KVM in the kernel: the cheapest exit there is
 *	  vmcall       VMCALL / VMMCALL (KVM's hypercall; refused at CPL3 with -KVM_EPERM)
 *
 * (INT3 with KVM's software breakpoints would be another way out at CPL3; on this
 * machine's nested KVM the #BP is not intercepted and the guest triple-faults.)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE	(2u << 20)
#define PML4		0x1000u
#define PDPT		0x2000u
#define PD		0x3000u
#define GDT		0x4000u
#define TSS		0x5000u
#define IDT		0x6000u
#define KSTACK		0x9000u		/* top of the CPL0 stack of int-hlt */
#define CODE		0x10000u
#define HANDLER		0x11000u	/* the CPL0 code of the syscall and int ways */
#define MMIO		0x200000u	/* mapped by the guest, no memory behind it */
#define MMIO_EVENT	(MMIO + 16)	/* the ioeventfd's address */
#define MSR_STAR	0xc0000081u
#define MSR_LSTAR	0xc0000082u
#define MSR_SFMASK	0xc0000084u
#define EFER_SCE	1u

struct way {
	const char *name;
	uint8_t trigger[8];		/* the CPL3 instruction that leaves */
	size_t trigger_len;
	uint8_t handler[8];		/* CPL0 code, if any */
	size_t handler_len;
	uint32_t user_exit;		/* the exit each round trip makes to us, or 0 */
};

static const struct way ways[] = {
	{ "mmio", { 0x89, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00 }, 7, { 0 }, 0, KVM_EXIT_MMIO },
	{ "ioeventfd", { 0x89, 0x04, 0x25, 0x10, 0x00, 0x20, 0x00 }, 7, { 0 }, 0, 0 },
	{ "syscall-hlt", { 0x0f, 0x05 }, 2, { 0xf4, 0x48, 0x0f, 0x07 }, 4, KVM_EXIT_HLT },
	{ "syscall-out", { 0x0f, 0x05 }, 2, { 0xe6, 0x80, 0x48, 0x0f, 0x07 }, 5, KVM_EXIT_IO },
	{ "syscall-nop", { 0x0f, 0x05 }, 2, { 0x48, 0x0f, 0x07 }, 3, 0 },
	{ "int-hlt", { 0xcd, 0x80 }, 2, { 0xf4, 0x48, 0xcf }, 3, KVM_EXIT_HLT },
	{ "cpuid", { 0x31, 0xc0, 0x0f, 0xa2 }, 4, { 0 }, 0, 0 },
	{ "vmcall", { 0x0f, 0x01, 0xc1 }, 3, { 0 }, 0, 0 },
	{ "vmmcall", { 0x0f, 0x01, 0xd9 }, 3, { 0 }, 0, 0 },
};

static int
fail(const char *what)
{
	fprintf(stderr, "kvm_floor: %s: %s\n", what, strerror(errno));
	return 1;
}

static void
segment(struct kvm_segment *s, uint16_t sel, uint8_t type, unsigned dpl, int code)
{
	*s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel,
				   .type = type, .present = 1, .dpl = (uint8_t)dpl,
				   .db = !code, .s = 1, .l = (uint8_t)code, .g = 1 };
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/*
 * The CPL3 loop: r12d times the way's trigger, then a store to MMIO + 8 ends the run;
 * r12 because SYSCALL takes rcx and r11 and CPUID takes the first four.
 */
static void
write_loop(uint8_t *mem, const struct way *w)
{
	static const uint8_t tail[] = {
		0x41, 0xff, 0xcc,				/* dec %r12d */
		0x75, 0x00,					/* jnz back (patched) */
		0x89, 0x04, 0x25, 0x08, 0x00, 0x20, 0x00,	/* mov %eax, MMIO + 8 */
	};
	uint8_t *p = mem + CODE;

	memcpy(p, w->trigger, w->trigger_len);
	memcpy(p + w->trigger_len, tail, sizeof(tail));
	p[w->trigger_len + 4] = (uint8_t)-(int)(w->trigger_len + 5);
	memcpy(mem + HANDLER, w->handler, w->handler_len);
}

/* GDT, TSS and IDT for the int way; STAR, LSTAR and EFER.SCE for the syscall ways. */
static int
set_system(int vcpu, uint8_t *mem, struct kvm_sregs *sregs)
{
	const uint64_t gdt[7] = {
		0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0x00affb000000ffffull,
		0x00cff3000000ffffull,
		0x67 | ((uint64_t)TSS << 16) | (0x89ull << 40), 0,
	};
	const uint64_t gate[2] = {
		(HANDLER & 0xffff) | (0x08ull << 16) | (0xeeull << 40) |
			((uint64_t)(HANDLER >> 16) << 48), 0,
	};
	const uint64_t rsp0 = KSTACK;
	struct {
		struct kvm_msrs head;
		struct kvm_msr_entry e[3];
	} msrs = { .head.nmsrs = 3, .e = {
		/* SYSRET: CS = 0x08 + 16 | 3 = 0x1b (our user CS), SS = 0x13. */
		{ .index = MSR_STAR, .data = 0x0008000800000000ull },
		{ .index = MSR_LSTAR, .data = HANDLER },
		{ .index = MSR_SFMASK, .data = 0 } } };

	memcpy(mem + GDT, gdt, sizeof(gdt));
	memcpy(mem + TSS + 4, &rsp0, sizeof(rsp0));
	memcpy(mem + IDT + 0x80 * 16, gate, sizeof(gate));
	sregs->gdt = (struct kvm_dtable){ .base = GDT, .limit = sizeof(gdt) - 1 };
	sregs->idt = (struct kvm_dtable){ .base = IDT, .limit = 256 * 16 - 1 };
	sregs->tr = (struct kvm_segment){ .base = TSS, .limit = 0x67, .selector = 0x28,
					  .type = 0xb, .present = 1 };
	sregs->efer |= EFER_SCE;
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 3)
		return fail("KVM_SET_MSRS");
	return 0;
}

static const struct way *
way_named(const char *name)
{
	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
		if (strcmp(ways[i].name, name) == 0)
			return &ways[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct way *w = &ways[0];
	long exits = 0, seen = 0;
	int kvm, vm, vcpu, size, user, efd = -1;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE, .rflags = 0x2, .rsp = CODE };
	struct kvm_run *run;
	uint64_t *pt, count;
	uint8_t *mem;
	double t0 = 0;

	if (argc >= 3 && strcmp(argv[1], "--exits") == 0)
		exits = strtol(argv[2], NULL, 10);
	if (argc == 5 && strcmp(argv[3], "--via") == 0)
		w = way_named(argv[4]);
	if ((argc != 1 && argc != 3 && argc != 5) || (argc >= 3 && exits <= 0) || w == NULL) {
		fprintf(stderr, "usage: kvm_floor [--exits N [--via mmio|ioeventfd|"
			"syscall-hlt|syscall-out|syscall-nop|int-hlt|cpuid|vmcall|vmmcall]]\n");
		return 64;
	}
	user = exits > 0;
	if ((kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		return fail("/dev/kvm");
	if ((vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	if (user && strcmp(w->name, "ioeventfd") == 0) {
		struct kvm_ioeventfd ioev = { .addr = MMIO_EVENT, .len = 4 };

		if ((efd = eventfd(0, EFD_CLOEXEC)) < 0)
			return fail("eventfd");
		ioev.fd = efd;
		if (ioctl(vm, KVM_IOEVENTFD, &ioev) < 0)
			return fail("KVM_IOEVENTFD");
	}
	/* Identity map of the first 4 MiB in two large pages; the second is the MMIO hole. */
	pt = (uint64_t *)(void *)mem;
	pt[PML4 / 8] = PDPT | 7;
	pt[PDPT / 8] = PD | 7;
	pt[PD / 8] = 0 | 0x87;			/* P RW US PS */
	pt[PD / 8 + 1] = MMIO | 0x87;
	if (user)
		write_loop(mem, w);
	else
		mem[CODE] = 0xf4;		/* hlt */
	if ((vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		return fail("KVM_CREATE_VCPU");
	if ((size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) < 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap of the vCPU");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	segment(&sregs.cs, user ? 0x1b : 0x08, 0xb, user ? 3 : 0, 1);
	segment(&sregs.ss, user ? 0x23 : 0x10, 0x3, user ? 3 : 0, 0);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
	sregs.cr0 = 0x80050033;		/* PG WP NE ET MP PE */
	sregs.cr3 = PML4;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LMA LME */
	if (user && set_system(vcpu, mem, &sregs) != 0)
		return 1;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	regs.r12 = (uint64_t)exits;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	t0 = now_us();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_HLT && !user)
			return 0;
		if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.phys_addr == MMIO + 8)
			break;
		if (run->exit_reason == w->user_exit &&
		    (w->user_exit != KVM_EXIT_MMIO || run->mmio.phys_addr == MMIO)) {
			seen++;
			continue;
		}
		fprintf(stderr, "kvm_floor: %s: unexpected exit %u\n", w->name, run->exit_reason);
		if (ioctl(vcpu, KVM_GET_REGS, &regs) == 0 && ioctl(vcpu, KVM_GET_SREGS, &sregs) == 0)
			fprintf(stderr, "  after %ld: rip=0x%llx rsp=0x%llx cs=0x%x cr2=0x%llx "
				"efer=0x%llx\n", seen, regs.rip, regs.rsp, sregs.cs.selector,
				sregs.cr2, sregs.efer);
		return 1;
	}
	if (w->user_exit == 0) {	/* the loop ran in the guest: count its turns */
		seen = exits;
		if (efd >= 0 && (read(efd, &count, sizeof(count)) != sizeof(count) ||
				 count != (uint64_t)exits)) {
			fprintf(stderr, "kvm_floor: the eventfd counted %llu stores, not %ld\n",
				(unsigned long long)count, exits);
			return 1;
		}
	}
	if (strncmp(w->name, "vm", 2) == 0) {
		if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
			return fail("KVM_GET_REGS");
		printf("%s left rax = %lld\n", w->name, (long long)regs.rax);
	}
	printf("%ld %s round trips (%s): %.2f us each\n", seen, w->name,
	       w->user_exit ? "to user space" : "in the kernel",
	       (now_us() - t0) / (double)seen);
	return seen == exits ? 0 : 1;
}
