/* SPDX-License-Identifier: ISC */
/*
 * kvm_floor.c -- the least any KVM monitor must do to run a 64-bit guest: open /dev/kvm,
 * create a VM with 2 MiB of memory and one vCPU, put it in long mode (one 2 MiB page),
 * and run it until its first instruction, HLT, exits to user space (no in-kernel irqchip,
 * so HLT comes back to us). bench/boot compares morgana-hvt's whole run with this one.
 *
 *	kvm_floor                  the floor: enter long mode, HLT, exit 0
 *	kvm_floor --exits N        time N exits to user space by an MMIO store at CPL3,
 *	                           morgana-hvt's hypercall, and print the mean cost of one
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE	(2u << 20)
#define PML4		0x1000u
#define PDPT		0x2000u
#define PD		0x3000u
#define CODE		0x10000u
#define MMIO		0x200000u	/* mapped by the guest, no memory behind it */

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

int
main(int argc, char **argv)
{
	/* At CPL3, ecx times: mov %eax,(MMIO); then a store to MMIO + 8 ends the run. */
	static const uint8_t mmio_loop[] = {
		0x89, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,	/* mov %eax, 0x200000 */
		0xff, 0xc9,					/* dec %ecx */
		0x75, 0xf5,					/* jnz -11 */
		0x89, 0x04, 0x25, 0x08, 0x00, 0x20, 0x00,	/* mov %eax, 0x200008 */
	};
	long exits = 0, seen = 0;
	int kvm, vm, vcpu, size, user;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE, .rflags = 0x2 };
	struct kvm_run *run;
	uint64_t *pt;
	uint8_t *mem;
	double t0 = 0;

	if (argc == 3 && strcmp(argv[1], "--exits") == 0)
		exits = strtol(argv[2], NULL, 10);
	if ((argc != 1 && argc != 3) || (argc == 3 && exits <= 0)) {
		fprintf(stderr, "usage: kvm_floor [--exits N]\n");
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
	/* Identity map of the first 4 MiB in two large pages; the second is the MMIO hole. */
	pt = (uint64_t *)(void *)mem;
	pt[PML4 / 8] = PDPT | 7;
	pt[PDPT / 8] = PD | 7;
	pt[PD / 8] = 0 | 0x87;			/* P RW US PS */
	pt[PD / 8 + 1] = MMIO | 0x87;
	if (user)
		memcpy(mem + CODE, mmio_loop, sizeof(mmio_loop));
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
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	regs.rcx = (uint64_t)exits;
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
		if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.phys_addr == MMIO) {
			seen++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.phys_addr == MMIO + 8)
			break;
		fprintf(stderr, "kvm_floor: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	printf("%ld MMIO exits: %.2f us each\n", seen, (now_us() - t0) / (double)seen);
	return seen == exits ? 0 : 1;
}
