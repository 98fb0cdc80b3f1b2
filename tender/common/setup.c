/* SPDX-License-Identifier: ISC */
/*
 * setup.c -- the start of every tender: its command line (the same for all of them, so
 * that `morgana run` can drive each alike) and loading the image file into guest memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tender.h"

void
mg_tender_usage(const struct mg_tender *t)
{
	fprintf(stderr,
		"usage: %s [--mem=MB] [--net-offload=on|off] [--net:NAME=TAPIF] "
		"[--block:NAME=PATH] [--] IMAGE [ARGS...]\n"
		"  --mem=MB            guest memory, %u..%u MiB (default %u)\n"
		"  --net-offload=off   TAP interfaces without checksum and segmentation "
		"offloads\n"
		"  --net:NAME=TAPIF    attach TAP interface TAPIF as network device NAME\n"
		"  --block:NAME=PATH   attach file PATH as block device NAME\n",
		t->name, t->mem_min_mb, t->mem_max_mb, t->mem_default_mb);
}

int
mg_tender_parse_args(const struct mg_tender *t, int argc, char *argv[],
		     struct mg_tender_args *a)
{
	int i;

	a->mem_size = (uint64_t)t->mem_default_mb << 20;
	a->net_offload_off = false;
	a->dev_count = 0;
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0) {
			mg_tender_usage(t);
			return 0;
		}
		if (strncmp(argv[i], "--mem=", 6) == 0) {
			if (mg_tender_parse_mem(argv[i] + 6, t->mem_min_mb, t->mem_max_mb,
						&a->mem_size) != 0) {
				fprintf(stderr, "%s: --mem wants %u..%u (MiB), not '%s'\n",
					t->name, t->mem_min_mb, t->mem_max_mb, argv[i] + 6);
				return MG_TENDER_EXIT_USAGE;
			}
			continue;
		}
		if (strcmp(argv[i], "--net-offload=on") == 0) {
			a->net_offload_off = false;
			continue;
		}
		if (strcmp(argv[i], "--net-offload=off") == 0) {
			a->net_offload_off = true;
			continue;
		}
		if (a->dev_count == MG_MANIFEST_MAX_DEVICES ||
		    mg_tender_device_parse(argv[i], &a->devs[a->dev_count]) != 0) {
			fprintf(stderr, "%s: bad option '%s'\n", t->name, argv[i]);
			mg_tender_usage(t);
			return MG_TENDER_EXIT_USAGE;
		}
		a->dev_count++;
	}
	if (i >= argc) {
		mg_tender_usage(t);
		return MG_TENDER_EXIT_USAGE;
	}
	a->image = argv[i];
	a->argv = argv + i + 1;
	a->argc = argc - i - 1;
	return MG_TENDER_GO;
}

/* The image file's source: pread straight into the loader's buffer or guest memory. */
static int
read_fd(const struct mg_elf_source *src, uint64_t off, void *buf, size_t len)
{
	uint8_t *at = buf;
	ssize_t n;

	while (len > 0) {
		n = pread(src->fd, at, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;	/* 0: the file shrank */
		at += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int
mg_tender_load_image(const struct mg_tender *t, const char *path, uint64_t mem_size,
		     uint8_t *mem, uint64_t lo, uint64_t hi, struct mg_elf_image *image)
{
	struct mg_elf_source src = { .read = read_fd };
	char why[256] = "";
	int rc;

	rc = mg_tender_open_file(path, mem_size, &src.fd, &src.size);
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", t->name, path,
			rc == -EFBIG ? "larger than guest memory" : strerror(-rc));
		return rc;
	}
	rc = mg_elf_load(&src, mem, lo, hi, image, why, sizeof(why));
	close(src.fd);
	if (rc == 0)
		rc = mg_manifest_check(&image->manifest, why, sizeof(why));
	if (rc != 0)
		fprintf(stderr, "%s: %s: bad image: %s\n", t->name, path, why);
	return rc;
}
