/* SPDX-License-Identifier: ISC */
/*
 * kvm.c -- the KVM side of morgana-hvt: one VM, one vCPU, no in-kernel irqchip (so that
 * nothing but our own hypercalls leaves the guest), a CPUID that tells the guest what the
 * CPU really runs at CPL3 (built from the host's, without KVM's list), and the entry
 * state of a 64-bit CPL3 guest.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/platform/x86.h>
#include <unistd.h>

#include <morgana/plat.h>

#include "hvt.h"

#define CR0_PE		(1u << 0)
#define CR0_MP		(1u << 1)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_WP		(1u << 16)
#define CR0_PG		(1u << 31)
#define CR4_PAE		(1u << 5)
#define CR4_OSFXSR	(1u << 9)
#define CR4_OSXMMEXCPT	(1u << 10)
#define CR4_FSGSBASE	(1u << 16)
#define CR4_OSXSAVE	(1u << 18)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)
#define EFER_NXE	(1u << 11)
#define XCR0_X87_SSE_AVX 7u
#define APIC_BASE_RESET	0xfee00900ull
/* With KVM_CAP_SYNC_REGS, the entry registers travel in the run area and KVM loads them
 * at the first KVM_RUN: two vCPU ioctls (~7 us each here) fewer. */
#define SYNC_ENTRY	(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)

/* CPUID leaf 1 ECX: SSE3 PCLMULQDQ SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES XSAVE
 * AVX F16C RDRAND -- all run natively at CPL3 though the nested KVM hides some. */
#define LEAF1_ECX_PASS	0x76d83203u
#define LEAF1_ECX_XSAVE	(1u << 26)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF1_ECX_AVX	(1u << 28)
#define LEAF1_ECX_VEX	((1u << 12) | (1u << 29))	/* FMA, F16C: need AVX state */
/* CPUID leaf 1 EDX: FPU PSE TSC MSR PAE CX8 PGE CMOV PAT CLFSH MMX FXSR SSE SSE2 -- the
 * x86-64 base. */
#define LEAF1_EDX_PASS	0x0789a179u
/* CPUID leaf 7 EBX: FSGSBASE BMI1 AVX2 BMI2 ERMS RDSEED ADX SHA */
#define LEAF7_EBX_PASS	0x200c0329u
#define LEAF7_EBX_FSGSBASE (1u << 0)
#define LEAF7_EBX_AVX2	(1u << 5)
#define LEAF7_EBX_RDSEED (1u << 18)
#define LEAF1_ECX_RDRAND (1u << 30)
/* CPUID 0x80000001 EDX: NX and LM, which KVM wants before it takes EFER.NXE and LME. */
#define LEAFX1_EDX	((1u << 20) | (1u << 29))

static int
fail_errno(char *why, size_t why_len, const char *what)
{
	int err = errno;

	snprintf(why, why_len, "%s: %s", what, strerror(err));
	return -err;
}

/*
 * What the host CPU runs at CPL3. Each cpuid exits to the outer hypervisor (5-60 us here),
 * and glibc ran leaves 1 and 7 already at start-up: its copy (<sys/platform/x86.h>, the
 * raw registers) serves those. Only the vendor (leaf 0) costs one cpuid.
 */
struct host_cpu {
	uint32_t vendor[3];
	uint32_t leaf1_ecx, leaf1_edx, leaf7_ebx;
	bool avx;	/* XSAVE and AVX, with the host OS keeping AVX state */
};

static void
host_cpu_read(struct host_cpu *h)
{
	const struct cpuid_feature *leaf1 = __x86_get_cpuid_feature_leaf(CPUID_INDEX_1);
	const struct cpuid_feature *leaf7 = __x86_get_cpuid_feature_leaf(CPUID_INDEX_7);
	unsigned max;

	__cpuid(0, max, h->vendor[0], h->vendor[2], h->vendor[1]);
	h->leaf1_ecx = leaf1->cpuid_array[cpuid_register_index_ecx];
	h->leaf1_edx = leaf1->cpuid_array[cpuid_register_index_edx];
	h->leaf7_ebx = max >= 7 ? leaf7->cpuid_array[cpuid_register_index_ebx] : 0;
	h->avx = (h->leaf1_ecx & LEAF1_ECX_XSAVE) && (h->leaf1_ecx & LEAF1_ECX_AVX) &&
		 (h->leaf1_ecx & LEAF1_ECX_OSXSAVE);
}

/*
 * The guest's CPUID, built from the host's without asking KVM (KVM_GET_SUPPORTED_CPUID
 * alone takes 300-500 us here): only leaves and bits the guest can use at CPL3 -- the
 * x86-64 base, the CPL3 extensions above, FSGSBASE (the guest sets its own %fs), NX and
 * LM for EFER, and leaf 0xd naming x87|SSE|AVX state when avx. No leaf 0x80000008: KVM
 * then assumes 36 physical address bits, more than guest memory needs.
 */
struct guest_cpuid {
	struct kvm_cpuid2 head;
	struct kvm_cpuid_entry2 entries[6];
};

static void
guest_cpuid_build(const struct host_cpu *h, bool avx, struct guest_cpuid *g)
{
	const uint32_t sig = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	uint32_t l1_ecx = h->leaf1_ecx & LEAF1_ECX_PASS, l7_ebx = h->leaf7_ebx & LEAF7_EBX_PASS;

	if (!avx) {
		l1_ecx &= ~(LEAF1_ECX_XSAVE | LEAF1_ECX_AVX | LEAF1_ECX_VEX);
		l7_ebx &= ~LEAF7_EBX_AVX2;
	}
	memset(g, 0, sizeof(*g));
	g->head.nent = 6;
	g->entries[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd,
		.ebx = h->vendor[0], .ecx = h->vendor[2], .edx = h->vendor[1] };
	g->entries[1] = (struct kvm_cpuid_entry2){ .function = 1, .ecx = l1_ecx,
		.edx = h->leaf1_edx & LEAF1_EDX_PASS };
	g->entries[2] = (struct kvm_cpuid_entry2){ .function = 7, .flags = sig, .ebx = l7_ebx };
	g->entries[3] = (struct kvm_cpuid_entry2){ .function = 0xd, .flags = sig,
		.eax = avx ? XCR0_X87_SSE_AVX : 3 };
	g->entries[4] = (struct kvm_cpuid_entry2){ .function = 0x80000000u,
		.eax = 0x80000001u, .ebx = h->vendor[0], .ecx = h->vendor[2],
		.edx = h->vendor[1] };
	g->entries[5] = (struct kvm_cpuid_entry2){ .function = 0x80000001u, .edx = LEAFX1_EDX };
	/* KVM reads the entries as the head's flexible array. */
	_Static_assert(offsetof(struct guest_cpuid, entries) == sizeof(struct kvm_cpuid2),
		       "entries follow the head");
}

/* CPUID and, with avx, XCR0 of the vCPU. */
static int
set_cpuid(struct mg_hvt_vm *vm, const struct host_cpu *h, bool avx, char *why,
	  size_t why_len)
{
	static struct guest_cpuid cpuid;
	struct kvm_xcrs xcrs = { .nr_xcrs = 1, .xcrs = { { .xcr = 0, .value = XCR0_X87_SSE_AVX } } };

	guest_cpuid_build(h, avx, &cpuid);
	if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, &cpuid.head) < 0)
		return fail_errno(why, why_len, "KVM_SET_CPUID2");
	if (avx && ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
		return fail_errno(why, why_len, "KVM_SET_XCRS");
	return 0;
}

/* The guest's CPU: CPUID from the host's, and the features the boot info passes on. */
static int
set_cpu(struct mg_hvt_vm *vm, char *why, size_t why_len)
{
	struct host_cpu host;
	int rc;

	host_cpu_read(&host);
	vm->avx = host.avx;
	rc = set_cpuid(vm, &host, vm->avx, why, why_len);
	/* A KVM that cannot hold AVX state refuses its CPUID or XCR0: go on without AVX,
	 * as the host's CPU without it would. */
	if (rc != 0 && vm->avx) {
		vm->avx = false;
		rc = set_cpuid(vm, &host, false, why, why_len);
	}
	if (rc != 0)
		return rc;
	vm->fsgsbase = (host.leaf7_ebx & LEAF7_EBX_FSGSBASE) != 0;
	vm->cpu_features = (vm->fsgsbase ? MG_PLAT_CPU_FSGSBASE : 0) |
			   (vm->avx ? MG_PLAT_CPU_AVX : 0) |
			   (host.leaf1_ecx & LEAF1_ECX_RDRAND ? MG_PLAT_CPU_RDRAND : 0) |
			   (host.leaf7_ebx & LEAF7_EBX_RDSEED ? MG_PLAT_CPU_RDSEED : 0);
	return 0;
}

int
mg_hvt_vm_create(struct mg_hvt_vm *vm, struct mg_hvt_mem *mem, char *why, size_t why_len)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = mem->size,
		.userspace_addr = (uintptr_t)mem->base,
	};
	int version, size, khz;

	vm->vm_fd = vm->vcpu_fd = -1;
	vm->run = MAP_FAILED;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return fail_errno(why, why_len, "/dev/kvm");
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		snprintf(why, why_len, "KVM API version %d, expected %d", version,
			 KVM_API_VERSION);
		return -ENOTSUP;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return fail_errno(why, why_len, "KVM_CREATE_VM");
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail_errno(why, why_len, "KVM_SET_USER_MEMORY_REGION");
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return fail_errno(why, why_len, "KVM_CREATE_VCPU");
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return fail_errno(why, why_len, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)size;
	vm->sync_regs = (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & SYNC_ENTRY) ==
			SYNC_ENTRY;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		return fail_errno(why, why_len, "mmap of the vCPU");
	/* Each vCPU ioctl loads the vCPU, ~7 us here; the VM answers the same for less
	 * (Linux 6.0 and later). Older KVMs only answer on the vCPU. */
	khz = ioctl(vm->vm_fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		return fail_errno(why, why_len, "KVM_GET_TSC_KHZ");
	vm->tsc_hz = (uint64_t)khz * 1000;
	return set_cpu(vm, why, why_len);
}

static void
segment(struct kvm_segment *s, uint16_t selector, uint8_t type, bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .dpl = 3, .db = !code, .s = 1, .l = code, .g = 1,
	};
}

/* The control registers and segments of a 64-bit CPL3 guest. All of them, without
 * reading KVM's first (one vCPU ioctl less): the rest is the reset state, no pending
 * interrupt, and the local APIC's reset base (enabled, bootstrap processor). */
static int
set_sregs(struct mg_hvt_vm *vm, uint64_t cr3, char *why, size_t why_len)
{
	struct kvm_sregs sregs = { .apic_base = APIC_BASE_RESET };

	segment(&sregs.cs, HVT_SEL_UCODE | 3, 0xb, true);
	segment(&sregs.ss, HVT_SEL_UDATA | 3, 0x3, false);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
	sregs.tr = (struct kvm_segment){ .base = HVT_TSS, .limit = 0x67,
					 .selector = HVT_SEL_TSS, .type = 0xb, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .present = 1, .limit = 0xffff };
	sregs.gdt.base = HVT_GDT;
	sregs.gdt.limit = 7 * 8 - 1;
	sregs.idt.base = HVT_IDT;
	sregs.idt.limit = MG_HVT_TRAP_VECTORS * 16 - 1;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = cr3;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | (vm->avx ? CR4_OSXSAVE : 0) |
		    (vm->fsgsbase ? CR4_FSGSBASE : 0);
	sregs.efer = EFER_LME | EFER_LMA | EFER_NXE;
	if (vm->sync_regs) {
		struct kvm_run *run = vm->run;

		run->s.regs.sregs = sregs;
		run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	} else if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
		return fail_errno(why, why_len, "KVM_SET_SREGS");
	}
	return 0;
}

int
mg_hvt_vm_start(struct mg_hvt_vm *vm, const struct mg_hvt_entry *entry, char *why,
		size_t why_len)
{
	struct kvm_regs regs = {
		.rip = entry->rip, .rsp = entry->rsp, .rdi = entry->rdi,
		.rflags = 0x2,
	};
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };	/* as after fninit */
	int rc = set_sregs(vm, entry->cr3, why, why_len);

	if (rc != 0)
		return rc;
	if (ioctl(vm->vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return fail_errno(why, why_len, "KVM_SET_FPU");
	if (vm->sync_regs) {
		struct kvm_run *run = vm->run;

		run->s.regs.regs = regs;
		run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	} else if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0) {
		return fail_errno(why, why_len, "KVM_SET_REGS");
	}
	return 0;
}

static void
dump_vcpu(struct mg_hvt_vm *vm)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return;
	fprintf(stderr,
		"  rip=0x%llx rsp=0x%llx rflags=0x%llx cs=0x%x cr2=0x%llx\n"
		"  rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx\n",
		r.rip, r.rsp, r.rflags, s.cs.selector, s.cr2, r.rax, r.rbx, r.rcx, r.rdx,
		r.rsi, r.rdi);
}

int
mg_hvt_vm_run(struct mg_hvt_vm *vm, struct mg_hvt *hvt)
{
	struct kvm_run *run = vm->run;
	uint32_t value;
	int status;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			(void)mg_hvt_console_drain(hvt, &status);
			fprintf(stderr, "morgana-hvt: KVM_RUN: %s%s\n", strerror(errno),
				run->kvm_dirty_regs != 0 ? " (entry registers refused)" : "");
			return 255;
		}
		/* Whatever ends the guest, the output it buffered comes out before the why. */
		if (run->exit_reason != KVM_EXIT_MMIO)
			(void)mg_hvt_console_drain(hvt, &status);
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write || run->mmio.len != 4) {
				(void)mg_hvt_console_drain(hvt, &status);
				fprintf(stderr, "morgana-hvt: guest error: %u-byte %s at 0x%llx, "
					"outside memory; stopping it\n", run->mmio.len,
					run->mmio.is_write ? "write" : "read",
					(unsigned long long)run->mmio.phys_addr);
				dump_vcpu(vm);
				return 255;
			}
			memcpy(&value, run->mmio.data, sizeof(value));
			if (mg_hvt_hypercall(hvt, run->mmio.phys_addr, value, &status) != 0)
				return status;
			break;
		case KVM_EXIT_IO:
			fprintf(stderr, "morgana-hvt: guest error: port I/O (port 0x%x); "
				"stopping it\n", run->io.port);
			return 255;
		case KVM_EXIT_SHUTDOWN:
			fprintf(stderr, "morgana-hvt: guest triple fault (a fault before its "
				"exception handlers were set, or in one)\n");
			dump_vcpu(vm);
			return 255;
		case KVM_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "morgana-hvt: KVM internal error, suberror %u\n",
				run->internal.suberror);
			dump_vcpu(vm);
			return 255;
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr, "morgana-hvt: KVM entry failed, reason 0x%llx\n",
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return 255;
		default:
			fprintf(stderr, "morgana-hvt: unexpected KVM exit %u\n", run->exit_reason);
			dump_vcpu(vm);
			return 255;
		}
	}
}

void
mg_hvt_vm_destroy(struct mg_hvt_vm *vm)
{
	if (vm->run != MAP_FAILED)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}
