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
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvt.h"

#define DEFAULT_MEM_MB	16u
#define EXIT_USAGE	64
#define EXIT_TENDER	255

static void
usage(void)
{
	fprintf(stderr,
		"usage: morgana-hvt [--mem=MB] [--net:NAME=TAPIF] [--block:NAME=PATH] [--] "
		"IMAGE [ARGS...]\n"
		"  --mem=MB            guest memory, %u..%u MiB (default %u)\n"
		"  --net:NAME=TAPIF    attach TAP interface TAPIF as network device NAME\n"
		"  --block:NAME=PATH   attach file PATH as block device NAME\n",
		HVT_MEM_MIN_MB, HVT_MEM_MAX_MB, DEFAULT_MEM_MB);
}

/* The whole image file, bounded by limit bytes. */
static int
read_image(const char *path, size_t limit, uint8_t **data, size_t *size)
{
	struct stat st;
	size_t at = 0;
	ssize_t n;
	int fd, rc = 0;

	*data = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > limit) {
		rc = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	*size = (size_t)st.st_size;
	if ((*data = malloc(*size)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (at < *size) {
		n = read(fd, *data + at, *size - at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			goto out;
		}
		at += (size_t)n;
	}
out:
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	close(fd);
	return rc;
}

static int
parse_mem(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long mb;

	errno = 0;
	mb = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || mb < HVT_MEM_MIN_MB || mb > HVT_MEM_MAX_MB)
		return -EINVAL;
	*bytes = (uint64_t)mb << 20;
	return 0;
}

/* Load, check and run; returns the exit status. */
static int
run(uint64_t mem_size, const char *path, const struct mg_hvt_device_arg *dev_args,
    size_t dev_count, char *const argv[], int argc)
{
	static struct mg_hvt hvt;
	static struct mg_elf_image image;
	struct mg_hvt_vm vm = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .run = MAP_FAILED };
	struct mg_hvt_entry entry;
	uint64_t lo, hi, tsc_hz;
	char why[256] = "";
	uint8_t *file = NULL;
	size_t file_size = 0;
	int rc, status = EXIT_TENDER;

	hvt.mem.size = mem_size;
	hvt.mem.base = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hvt.mem.base == MAP_FAILED) {
		fprintf(stderr, "morgana-hvt: cannot map %llu MiB of guest memory: %s\n",
			(unsigned long long)(mem_size >> 20), strerror(errno));
		return EXIT_TENDER;
	}
	rc = read_image(path, mem_size, &file, &file_size);
	if (rc != 0) {
		fprintf(stderr, "morgana-hvt: %s: %s\n", path,
			rc == -EFBIG ? "larger than guest memory" : strerror(-rc));
		goto out;
	}
	mg_hvt_layout_image_range(mem_size, &lo, &hi);
	rc = mg_elf_load(file, file_size, hvt.mem.base, lo, hi, &image, why, sizeof(why));
	if (rc == 0)
		rc = mg_manifest_check(&image.manifest, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "morgana-hvt: %s: bad image: %s\n", path, why);
		goto out;
	}
	rc = mg_hvt_devices_attach(&hvt, &image.manifest, dev_args, dev_count, why,
				   sizeof(why));
	if (rc == 0)
		rc = mg_hvt_vm_create(&vm, &hvt.mem, &tsc_hz, why, sizeof(why));
	if (rc == 0)
		rc = mg_hvt_layout(&hvt, &image, argv, argc, tsc_hz, &entry, why, sizeof(why));
	if (rc == 0)
		rc = mg_hvt_vm_start(&vm, &entry, why, sizeof(why));
	if (rc == 0) {
		free(file);
		file = NULL;
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
	mg_hvt_devices_close(&hvt);
	free(file);
	munmap(hvt.mem.base, mem_size);
	return status;
}

int
main(int argc, char *argv[])
{
	static struct mg_hvt_device_arg devs[MG_MANIFEST_MAX_DEVICES];
	uint64_t mem_size = (uint64_t)DEFAULT_MEM_MB << 20;
	size_t dev_count = 0;
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		}
		if (strncmp(argv[i], "--mem=", 6) == 0) {
			if (parse_mem(argv[i] + 6, &mem_size) != 0) {
				fprintf(stderr, "morgana-hvt: --mem wants %u..%u (MiB), not '%s'\n",
					HVT_MEM_MIN_MB, HVT_MEM_MAX_MB, argv[i] + 6);
				return EXIT_USAGE;
			}
			continue;
		}
		if (dev_count == MG_MANIFEST_MAX_DEVICES ||
		    mg_hvt_device_parse(argv[i], &devs[dev_count]) != 0) {
			fprintf(stderr, "morgana-hvt: bad option '%s'\n", argv[i]);
			usage();
			return EXIT_USAGE;
		}
		dev_count++;
	}
	if (i >= argc) {
		usage();
		return EXIT_USAGE;
	}
	return run(mem_size, argv[i], devs, dev_count, argv + i + 1, argc - i - 1);
}
