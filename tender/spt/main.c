/* SPDX-License-Identifier: ISC */
/*
 * main.c -- morgana-spt, the tender that runs a Morgana spt image inside its own process,
 * confined by seccomp:
 *
 *	morgana-spt [--mem=MB] [--net:NAME=TAPIF] [--block:NAME=PATH] [--] IMAGE [ARGS]
 *
 * It loads the image at its fixed addresses, checks its manifest against the devices
 * given, opens them, lays out guest memory W^X, and hands the process over to the guest
 * (morgana/spt_abi.h). From then on the guest's status is the process's. The tender
 * itself fails with 255 (and a message) for a bad image or setup failure, and with 64 for
 * a bad command line; a guest fault is reported and ends with 255; a forbidden system
 * call is killed by the kernel with SIGSYS (the shell sees 159).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "spt.h"

static const struct mg_tender spt = {
	.name = "morgana-spt",
	.mem_min_mb = SPT_MEM_MIN_MB, .mem_max_mb = SPT_MEM_MAX_MB, .mem_default_mb = 16,
};

/* The guest's console is fd 1 and fault reports go to fd 2: if the tender was started
 * without them, a device opened later must not take their numbers. */
static int
reserve_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}

/* Load the image and set up everything around it; on success *entry etc. say where to
 * go. Returns 0 or an exit status after reporting. */
static int
prepare(const struct mg_tender_args *a,
	struct mg_tender_device devices[MG_MANIFEST_MAX_DEVICES], struct mg_elf_image *image,
	struct mg_spt_layout *layout)
{
	const uint64_t mem_size = a->mem_size;
	uint64_t lo, hi, boot_end;
	uint8_t *stage;
	char why[256] = "";
	int rc;

	if ((stage = mg_spt_stage_map(mem_size, why, sizeof(why))) == NULL) {
		fprintf(stderr, "morgana-spt: %s\n", why);
		return MG_TENDER_EXIT_FAIL;
	}
	mg_spt_image_range(mem_size, &lo, &hi);
	if (mg_tender_load_image(&spt, a->image, mem_size, stage, lo, hi, image) != 0)
		return MG_TENDER_EXIT_FAIL;
	rc = mg_tender_devices_attach(devices, &image->manifest, a->devs, a->dev_count,
				      !a->net_offload_off, why, sizeof(why));
	if (rc == 0)
		rc = mg_spt_boot_write(stage, mem_size, image, devices, a->argv, a->argc,
				       &boot_end, why, sizeof(why));
	if (rc == 0)
		rc = mg_spt_layout_plan(mem_size, image, boot_end, layout, why, sizeof(why));
	if (rc == 0) {
		mg_spt_boot_set_heap(stage, layout);
		rc = mg_spt_place(stage, layout, why, sizeof(why));
	}
	if (rc != 0) {
		fprintf(stderr, "morgana-spt: %s\n", why);
		return MG_TENDER_EXIT_FAIL;
	}
	return 0;
}

/* Load, check, confine and jump; returns only on failure, with the exit status. */
static int
run(const struct mg_tender_args *a)
{
	static struct mg_tender_device devices[MG_MANIFEST_MAX_DEVICES];
	static struct mg_elf_image image;
	static struct mg_spt_layout layout;
	static struct sock_filter filter[SPT_FILTER_MAX];
	struct sock_fprog prog;
	int rc, len;

	if (reserve_stdio() != 0) {
		fprintf(stderr, "morgana-spt: cannot open /dev/null for a closed stdio fd\n");
		return MG_TENDER_EXIT_FAIL;
	}
	rc = prepare(a, devices, &image, &layout);
	if (rc != 0)
		return rc;
	len = mg_spt_filter_build(devices, image.manifest.device_count, filter, SPT_FILTER_MAX);
	if (len < 0) {
		fprintf(stderr, "morgana-spt: cannot build the seccomp filter: %s\n",
			strerror(-len));
		return MG_TENDER_EXIT_FAIL;
	}
	prog = (struct sock_fprog){ .len = (unsigned short)len, .filter = filter };
	if ((rc = mg_spt_faults_catch(layout.heap_end)) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		fprintf(stderr, "morgana-spt: cannot prepare the confinement: %s\n",
			strerror(rc != 0 ? -rc : errno));
		return MG_TENDER_EXIT_FAIL;
	}
	fflush(NULL);	/* nothing of the tender's stdio may be left behind in buffers */
	mg_spt_launch(MG_SPT_TCB, &prog, image.entry, layout.stack_top, MG_SPT_BOOT_INFO);
}

int
main(int argc, char *argv[])
{
	static struct mg_tender_args args;
	int rc = mg_tender_parse_args(&spt, argc, argv, &args);

	return rc == MG_TENDER_GO ? run(&args) : rc;
}
