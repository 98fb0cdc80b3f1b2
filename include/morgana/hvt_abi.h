/* SPDX-License-Identifier: ISC */
/*
 * hvt_abi.h -- the contract between an hvt guest and its tender, morgana-hvt.
 *
 * Machine state at entry. The tender enters the guest in 64-bit long mode at CPL3,
 * interrupts off, at the ELF entry point, with:
 *   rdi = guest address of a struct mg_plat_boot_info (read-only, with everything it
 *         points to);
 *   rsp = top of a MG_HVT_STACK_SIZE stack, 16-byte aligned, with an unmapped guard page
 *         below it;
 *   the boot info's main_stack = a MG_HVT_MAIN_STACK_SIZE stack for main's fiber, below
 *         the boot stack's guard page, with an unmapped guard page of its own below it;
 *   x87/SSE usable (CR0.MP|NE, CR4.OSFXSR|OSXMMEXCPT); AVX when CPUID says so.
 * Guest memory is identity-mapped (virtual = guest-physical), all user pages, 4 KiB pages
 * and 2 MiB pages where one kind of memory fills a whole aligned 2 MiB (the heap's middle):
 * ELF segments with their own flags (a segment may not be both writable and executable),
 * heap and stack read-write and not executable, the boot info read-only, page 0 and the
 * tender's own structures (page tables, descriptor tables, exception stack) out of reach.
 * One more page, MG_HVT_MMIO_BASE, above all memory, is the hypercall window.
 *
 * Hypercalls. A call is one 32-bit store to MG_HVT_MMIO_BASE + 8 * call number (a write
 * to memory that is not RAM, which KVM hands to the tender); the value stored is the
 * guest-physical address of the call's argument struct below, aligned to 8. (Not port
 * I/O: on this machine's nested KVM, `out` faults at CPL3 whatever IOPL says.)
 * The tender checks every address and length it is given and ends the guest (status 255,
 * with a message) on any bad one or on an unknown call: a correct guest never sees that.
 * Results are written back into the argument struct before the `out` completes.
 *
 * Exceptions. The guest names its 32 exception stubs, MG_HVT_TRAP_STUB_SIZE bytes apart,
 * inside an executable segment, in one of two ways: an ELF note in the image owned by
 * "Morgana" of type MG_HVT_TRAPS_NOTE_TYPE whose 8-byte descriptor is the address of stub
 * 0 (the tender then sets them up before the guest's first instruction, and refuses the
 * image if they do not lie in its text), or the MG_HVT_CALL_TRAPS hypercall, once, early
 * (a hypercall exit costs tens of microseconds; the note costs nothing). The tender
 * points IDT vectors 0..31 at them (CPL0, interrupt gates, on a private stack).
 * A stub MUST only report the fault with MG_HVT_CALL_TRAP and its struct mg_hvt_trap_frame
 * on that stack; it runs at CPL0, where this machine's nested KVM emulates every
 * instruction and refuses SSE.
 *
 * Network rings. A guest may give a network device a pair of rings in its own memory
 * (MG_HVT_CALL_NET_RINGS, once per device, layout below): then frames move without VM
 * exits. The tender's I/O thread takes frames the guest queued on the TX ring and puts
 * frames from the host on the RX ring while it is awake; before it sleeps it sets
 * tender_idle, and a guest that queues TX frames (or frees RX room while rx_stalled is
 * set) after that MUST kick it: a 32-bit store of any value to MG_HVT_KICK, which KVM
 * turns into a wake-up of the I/O thread without stopping the vCPU (an ioeventfd). The
 * POLL call also returns when a device's RX ring is not empty. The tender reads every
 * index, offset and length of the rings once and checks it; a guest that puts bad ones
 * there is ended with status 255 at its next hypercall.
 *
 * Console buffer. A guest may name a struct mg_hvt_console_buf in its own writable
 * memory in a note owned by "Morgana" of type MG_HVT_CONSOLE_NOTE_TYPE, whose 16-byte
 * descriptor is the buffer's address (8-aligned) and its whole size (header included, at
 * most MG_HVT_CONSOLE_BUF_MAX). The guest appends output at data[len] and then raises
 * len; whenever the guest stops for a hypercall, and when it ends (exit, abort, fault),
 * the tender first writes data[0, len) to its stdout and sets len to 0, so output never
 * costs a VM exit of its own and still comes out in order, before anything the call
 * itself writes. A len beyond the data ends the guest (status 255), after its fault
 * report if it faulted.
 *
 * Every guest address is below 4 GiB: the tender refuses more memory than that.
 */
#ifndef MORGANA_HVT_ABI_H
#define MORGANA_HVT_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define MG_HVT_MMIO_BASE	0xfffff000
#define MG_HVT_TRAP_STUB_SIZE	16
#define MG_HVT_TRAP_VECTORS	32
#define MG_HVT_STACK_SIZE	(128 * 1024)
#define MG_HVT_MAIN_STACK_SIZE	(256 * 1024)
#define MG_HVT_TRAPS_NOTE_TYPE	0x4d470002u	/* owner "Morgana", as the manifest's */
#define MG_HVT_CONSOLE_NOTE_TYPE	0x4d470003u
#define MG_HVT_CONSOLE_BUF_MAX	(1u << 20)

/* Call numbers; macros, not an enum, so that assembly can use them too. */
#define MG_HVT_CALL_TRAPS	1	/* struct mg_hvt_traps */
#define MG_HVT_CALL_TRAP	2	/* struct mg_hvt_trap_frame; does not return */
#define MG_HVT_CALL_CONSOLE	3	/* struct mg_hvt_console */
#define MG_HVT_CALL_WALLTIME	4	/* struct mg_hvt_walltime */
#define MG_HVT_CALL_EXIT	5	/* struct mg_hvt_exit; does not return */
#define MG_HVT_CALL_ABORT	6	/* struct mg_hvt_exit (status ignored); no return */
#define MG_HVT_CALL_POLL	7	/* struct mg_hvt_poll */
#define MG_HVT_CALL_NET_INFO	8	/* struct mg_hvt_net_info */
#define MG_HVT_CALL_NET_WRITE	9	/* struct mg_hvt_net_io */
#define MG_HVT_CALL_NET_READ	10	/* struct mg_hvt_net_io */
#define MG_HVT_CALL_BLOCK_INFO	11	/* struct mg_hvt_block_info */
#define MG_HVT_CALL_BLOCK_WRITE	12	/* struct mg_hvt_block_io */
#define MG_HVT_CALL_BLOCK_READ	13	/* struct mg_hvt_block_io */
#define MG_HVT_CALL_NET_RINGS	14	/* struct mg_hvt_net_rings */
#define MG_HVT_CALL_COUNT	15

/* The kick of the network rings' I/O thread: a store here, not a call (see above). */
#define MG_HVT_KICK		(MG_HVT_MMIO_BASE + 0x800)

#ifndef __ASSEMBLER__
struct mg_hvt_traps {
	uint64_t stubs;		/* address of stub 0 */
	int64_t ret;		/* 0, or -EINVAL if refused (outside text, or set already) */
};

/* Pushed by a stub, lowest address first: registers, then what the CPU pushed. */
struct mg_hvt_trap_frame {
	uint64_t cr2;
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;	/* error is 0 for vectors without an error code */
	uint64_t rip, cs, rflags, rsp, ss;
};

struct mg_hvt_console {
	uint64_t data;
	uint64_t len;
};

/* The console buffer a note names (above); data runs to the end of the named size. */
struct mg_hvt_console_buf {
	uint32_t len;		/* bytes waiting in data */
	uint32_t reserved;
	uint8_t data[];
};

/* The note, as a guest defines it: MG_HVT_CONSOLE_NOTE(buffer), buffer a static object
 * that starts with a struct mg_hvt_console_buf. */
struct __attribute__((packed)) mg_hvt_console_note {
	uint32_t namesz, descsz, type;
	char name[8];		/* "Morgana" */
	uint64_t desc[2];	/* the buffer's address and size */
};

#define MG_HVT_CONSOLE_NOTE(buffer)							\
	__attribute__((section(".note.morgana.console"), aligned(4), used))		\
	static const struct mg_hvt_console_note mg_hvt_console_note = {			\
		.namesz = 8, .descsz = 16, .type = MG_HVT_CONSOLE_NOTE_TYPE,		\
		.name = "Morgana",							\
		.desc = { (uint64_t)(uintptr_t)&(buffer), sizeof(buffer) },		\
	}

struct mg_hvt_walltime {
	uint64_t ns;		/* out: nanoseconds since the Unix epoch */
};

struct mg_hvt_exit {
	int64_t status;
};

/*
 * Block until a network device has input or timeout_ns passes (0: just poll). Devices are
 * named by their handle, which is their index in the manifest.
 */
struct mg_hvt_poll {
	uint64_t timeout_ns;
	uint64_t ready;		/* out: bit h set if device h has input waiting */
};

struct mg_hvt_net_info {
	uint64_t handle;
	uint8_t mac[6];		/* out */
	uint16_t mtu;		/* out */
	int32_t ret;		/* out: 0 or -EINVAL (not a network device) */
	uint32_t offloads;	/* out: MG_PLAT_NET_* of plat.h; frames carry the virtio-net
				 * header when it says so */
};

/* One frame of a batch; the same layout as struct mg_plat_frame on x86_64. */
struct mg_hvt_frame {
	uint64_t buf;
	uint64_t len;
};

/*
 * A batch of count (<= MG_HVT_NET_BATCH_MAX) frames at `frames`, each opaque bytes (with
 * offloads, the virtio-net header and the Ethernet frame). Write: every frame from 14
 * (plus the header) up to mg_plat_net_frame_max() bytes, else -EINVAL and none is sent;
 * done = frames the device took. Read: every buffer at least mg_plat_net_frame_max()
 * bytes, else -EINVAL; done = frames received, their len
 * set; -EAGAIN if none was waiting. A device with rings refuses both (-EINVAL): its
 * frames belong to the rings, whose order they would break.
 */
#define MG_HVT_NET_BATCH_MAX 256
struct mg_hvt_net_io {
	uint64_t handle;
	uint64_t frames;
	uint64_t count;
	uint64_t done;		/* out */
	int64_t ret;		/* out: 0, -EINVAL, -EAGAIN (read), -EIO */
};

/*
 * The rings of one network device: an area of MG_HVT_RING_AREA(data_size) bytes at
 * `area` (page-aligned, read-write guest memory, owned by the rings from then on):
 *
 *   area + 0                        struct mg_hvt_ring_ctl
 *   area + MG_HVT_RING_TX_DESC      TX descriptors, MG_HVT_RING_SLOTS of them
 *   area + MG_HVT_RING_RX_DESC      RX descriptors
 *   area + MG_HVT_RING_DATA         TX frame bytes, data_size of them
 *   ... + data_size                 RX frame bytes, data_size of them
 *
 * Each ring is single-producer, single-consumer: the guest produces TX and consumes RX,
 * the tender the other way. prod and cons count descriptors, free-running modulo 2^32;
 * slot i is descriptor i % MG_HVT_RING_SLOTS; 0 <= prod - cons <= MG_HVT_RING_SLOTS. A
 * producer fills descriptors (and their bytes) before it advances prod; a consumer is
 * done with them before it advances cons. A descriptor names len bytes at data offset
 * off: off + len <= data_size, and len between the device's shortest frame (14, plus
 * the virtio-net header with offloads) and its longest (frame_max: plat.h's
 * mg_plat_net_frame_max() of its NET_INFO); a frame never wraps around the end of the
 * data. Frames are opaque bytes; producers place them MG_HVT_RING_ALIGN apart.
 * data_size: a multiple of 4096, at least frame_max rounded up to MG_HVT_RING_ALIGN, at
 * most MG_HVT_RING_DATA_MAX. ret: 0, -EINVAL (not a network device, bad size) or -EBUSY
 * (this device has rings already); an area outside guest memory ends the guest.
 */
#define MG_HVT_RING_SLOTS	512u
#define MG_HVT_RING_ALIGN	64u
#define MG_HVT_RING_DATA_MAX	(64u << 20)
#define MG_HVT_RING_TX_DESC	4096u
#define MG_HVT_RING_RX_DESC	(MG_HVT_RING_TX_DESC + MG_HVT_RING_SLOTS * 8u)
#define MG_HVT_RING_DATA	(MG_HVT_RING_RX_DESC + MG_HVT_RING_SLOTS * 8u)
#define MG_HVT_RING_AREA(data_size) (MG_HVT_RING_DATA + 2 * (uint64_t)(data_size))

struct mg_hvt_net_rings {
	uint64_t handle;
	uint64_t area;
	uint64_t data_size;
	int64_t ret;		/* out */
};

struct mg_hvt_ring_desc {
	uint32_t off;
	uint32_t len;
};

/* The indices and flags, each written by one side only, on cache lines of their own. */
struct mg_hvt_ring_ctl {
	uint32_t tx_prod;	/* guest */
	uint32_t pad0[15];
	uint32_t tx_cons;	/* tender */
	uint32_t pad1[15];
	uint32_t rx_prod;	/* tender */
	uint32_t pad2[15];
	uint32_t rx_cons;	/* guest */
	uint32_t pad3[15];
	uint32_t tender_idle;	/* tender: 1 while its I/O thread sleeps */
	uint32_t rx_stalled;	/* tender: 1 while it waits for RX room */
	uint32_t pad4[14];
};

struct mg_hvt_block_info {
	uint64_t handle;
	uint64_t capacity;	/* out */
	uint64_t block_size;	/* out */
	int64_t ret;		/* out: 0 or -EINVAL (not a block device) */
};

/* offset and len multiples of block_size, [offset, offset + len) inside the device. */
struct mg_hvt_block_io {
	uint64_t handle;
	uint64_t offset;
	uint64_t buf;
	uint64_t len;
	int64_t ret;		/* out: 0, -EINVAL or -EIO */
};

#endif /* !__ASSEMBLER__ */
#endif /* MORGANA_HVT_ABI_H */
