/* SPDX-License-Identifier: ISC */
/*
 * main.c -- morgana-hvt, the tender that runs a Morgana hvt image in a KVM virtual machine:
 *
 *	morgana-hvt [--mem=MB] [--net:NAME=TAPIF] [--block:NAME=PATH] [--] IMAGE [ARGS]
 *
 * It loads the image, checks its manifest against the devices given, lays out guest
 * memory, and runs the guest until it exits; the guest's status is the tender's. The
 * tender itself fails with status 255 (and a message) for a bad image or a guest that
 * faults or breaks the hypercall ABI, and with 64 for a bad command line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvt.h"

static const struct mg_tender hvt_tender = {
	.name = "morgana-hvt",
	.mem_min_mb = HVT_MEM_MIN_MB, .mem_max_mb = HVT_MEM_MAX_MB, .mem_default_mb = 16,
};

/* Load, check and run; returns the exit status. */
static int
run(const struct mg_tender_args *a)
{
	static struct mg_hvt hvt;
	static struct mg_elf_image image;
	const uint64_t mem_size = a->mem_size;
	struct mg_hvt_vm vm = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .run = MAP_FAILED };
	struct mg_hvt_entry entry;
	uint64_t lo, hi;
	char why[256] = "";
	int rc;

	hvt.mem.size = mem_size;
	hvt.mem.base = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hvt.mem.base == MAP_FAILED) {
		fprintf(stderr, "morgana-hvt: cannot map %llu MiB of guest memory: %s\n",
			(unsigned long long)(mem_size >> 20), strerror(errno));
		return MG_TENDER_EXIT_FAIL;
	}
	mg_hvt_layout_image_range(mem_size, &lo, &hi);
	if (mg_tender_load_image(&hvt_tender, a->image, mem_size, hvt.mem.base, lo, hi,
				 &image) != 0)
		goto out;
	hvt.device_count = image.manifest.device_count;
	rc = mg_tender_devices_attach(hvt.devices, &image.manifest, a->devs, a->dev_count,
				      !a->net_offload_off, why, sizeof(why));
	if (rc == 0)
		rc = mg_hvt_vm_create(&vm, &hvt.mem, why, sizeof(why));
	if (rc == 0)
		rc = mg_hvt_layout(&hvt, &image, a->argv, a->argc, vm.tsc_hz, vm.cpu_features,
				   &entry, why, sizeof(why));
	if (rc == 0)
		rc = mg_hvt_vm_start(&vm, &entry, why, sizeof(why));
	if (rc == 0)
		rc = mg_hvt_io_create(&hvt, vm.vm_fd, why, sizeof(why));
	if (rc == 0) {
		/* A closed stdout is the console's loss, not the tender's death. */
		signal(SIGPIPE, SIG_IGN);
		rc = mg_hvt_sandbox(&hvt, vm.vcpu_fd, why, sizeof(why));
	}
	if (rc != 0) {
		fprintf(stderr, "morgana-hvt: %s\n", why);
		goto out;
	}
	/* Confined from here: no cleanup but the kernel's (munmap, close are not allowed). */
	_exit(mg_hvt_vm_run(&vm, &hvt));
out:
	mg_hvt_vm_destroy(&vm);
	mg_tender_devices_close(hvt.devices, hvt.device_count);
	munmap(hvt.mem.base, mem_size);
	return MG_TENDER_EXIT_FAIL;
}

int
main(int argc, char *argv[])
{
	static struct mg_tender_args args;
	int rc = mg_tender_parse_args(&hvt_tender, argc, argv, &args);

	return rc == MG_TENDER_GO ? run(&args) : rc;
}
