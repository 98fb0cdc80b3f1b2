/* SPDX-License-Identifier: ISC */
/*
 * tender.h -- what the tenders (morgana-hvt, morgana-spt) share on the host side: reading
 * the image file, the --mem and device options, attaching TAP interfaces and block files
 * to the devices the image's manifest declares, and quoting the guest's arguments into
 * the sh-style command line of struct mg_plat_boot_info. Both tenders take the same
 * command line:
 *
 *	NAME [--mem=MB] [--net-offload=on|off] [--net:NAME=TAPIF] [--block:NAME=PATH] [--]
 *	     IMAGE [ARGS...]
 */
#ifndef MORGANA_TENDER_COMMON_H
#define MORGANA_TENDER_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/manifest.h>

#include "elf.h"

#define MG_TENDER_EXIT_USAGE	64	/* bad command line */
#define MG_TENDER_EXIT_FAIL	255	/* bad image, guest fault or abort, setup failure */

/* A device as the tender opened it. */
struct mg_tender_device {
	uint32_t type;		/* enum mg_device_type; 0 if the slot is unused */
	int fd;
	uint8_t mac[6];		/* net */
	uint16_t mtu;		/* net */
	uint32_t offloads;	/* net: MG_PLAT_NET_* granted by the kernel, 0 if none */
	uint64_t capacity;	/* block */
	uint64_t block_size;	/* block */
};

/* A device given on the command line, before it is matched with the manifest. */
struct mg_tender_device_arg {
	uint32_t type;
	char name[MG_NAME_MAX];
	const char *path;	/* TAP interface or file */
};

/* Parse "--net:NAME=TAPIF" or "--block:NAME=PATH"; -EINVAL if malformed. */
int mg_tender_device_parse(const char *opt, struct mg_tender_device_arg *arg);

/*
 * Match args against the (checked) manifest m and open them: devices[i] becomes manifest
 * device i, a TAP (IFF_TAP | IFF_NO_PI, non-blocking, random local MAC, MTU 1500; with
 * offload, IFF_VNET_HDR with a 12-byte header and the offloads the kernel grants, as
 * plat.h describes) or a block file (read-write, 512-byte blocks). Refuses an argument
 * the manifest does not declare (or declares as the other kind), a name given twice,
 * and a declared device without an argument. Returns 0 or -errno with a one-line reason
 * in why; on failure nothing stays open.
 */
int mg_tender_devices_attach(struct mg_tender_device devices[MG_MANIFEST_MAX_DEVICES],
			     const struct mg_manifest *m,
			     const struct mg_tender_device_arg *args, size_t count, bool offload,
			     char *why, size_t why_len);
/* Close the first count devices (unused slots are skipped) and mark them unused. */
void mg_tender_devices_close(struct mg_tender_device *devices, size_t count);

/* A tender: its name for messages, its --mem bounds and default in MiB. */
struct mg_tender {
	const char *name;
	unsigned mem_min_mb, mem_max_mb, mem_default_mb;
};

/* What the command line asked for. */
struct mg_tender_args {
	uint64_t mem_size;
	bool net_offload_off;	/* --net-offload=off */
	const char *image;
	char *const *argv;	/* the guest's arguments, after IMAGE */
	int argc;
	size_t dev_count;
	struct mg_tender_device_arg devs[MG_MANIFEST_MAX_DEVICES];
};

#define MG_TENDER_GO	(-1)	/* mg_tender_parse_args: run the image */

/* Print the usage text of tender t on stderr. */
void mg_tender_usage(const struct mg_tender *t);
/*
 * Parse argv (options up to the first non-option or "--", then IMAGE and its ARGS) into
 * a. Returns MG_TENDER_GO, or the status to exit with after it printed what is wrong or
 * the help: 0 for --help, MG_TENDER_EXIT_USAGE for a bad command line.
 */
int mg_tender_parse_args(const struct mg_tender *t, int argc, char *argv[],
			 struct mg_tender_args *a);

/*
 * Read the image file path (at most mem_size bytes) into guest memory mem
 * (whose first byte is guest address 0) within [lo, hi) and check its manifest. On
 * failure, reports "NAME: PATH: reason" on stderr and returns -errno.
 */
int mg_tender_load_image(const struct mg_tender *t, const char *path, uint64_t mem_size,
			 uint8_t *mem, uint64_t lo, uint64_t hi, struct mg_elf_image *image);

/* Open the regular file path, of at most limit bytes, for reading: its fd and size.
 * -EFBIG if larger, -EINVAL if not a regular file or empty, else -errno. */
int mg_tender_open_file(const char *path, size_t limit, int *fd, size_t *size);

/* "--mem=" value: decimal MiB in [min_mb, max_mb] -> bytes; -EINVAL otherwise. */
int mg_tender_parse_mem(const char *s, unsigned min_mb, unsigned max_mb, uint64_t *bytes);

/* sh-quote argv into buf (each word in '...', a ' as '\''); returns the length with the
 * NUL, or 0 if it would not fit in len bytes. */
size_t mg_tender_quote_args(char *buf, size_t len, char *const argv[], int argc);

#endif /* MORGANA_TENDER_COMMON_H */
