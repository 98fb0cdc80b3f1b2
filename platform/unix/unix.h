/* SPDX-License-Identifier: ISC */
/*
 * unix.h -- private interfaces between the files of the unix target.
 *
 * The unix target runs a unikernel as an ordinary Linux process: start-up (boot.c) parses
 * the platform flags (args.c), attaches the devices the manifest declares (devices.c, over
 * TAP interfaces in net.c and files in block.c) and enters the runtime. Nothing here is
 * part of the platform ABI; the names carry mg_unix_ only because they cross files.
 */
#ifndef MORGANA_PLATFORM_UNIX_H
#define MORGANA_PLATFORM_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/manifest.h>
#include <morgana/plat.h>

/* Exit statuses of a refused start, as in BSD's sysexits.h. */
#define MG_UNIX_EX_USAGE	64	/* bad platform flags or devices */
#define MG_UNIX_EX_SOFTWARE	70	/* the image's manifest is broken */
#define MG_UNIX_EX_OSERR	71	/* the host failed us (no randomness, no memory) */

/* --mem=MB is accepted in this range for uniformity with the hvt tender. */
#define MG_UNIX_MEM_MB_MAX	1048576u

/* Longest one-line error message start-up prints. */
#define MG_UNIX_ERR_MAX		512

/*
 * What the platform flags say. Device slots are indexed like manifest->devices; a NULL
 * slot means the flag for that device was not given. Pointers point into argv.
 */
struct mg_unix_config {
	const char *attach[MG_MANIFEST_MAX_DEVICES];	/* TAP name or file path */
	const char *flag[MG_MANIFEST_MAX_DEVICES];	/* the whole flag, for messages */
	uint32_t mem_mb;				/* 0 when --mem was not given */
	bool net_offload_off;				/* --net-offload=off */
	int app_argc;					/* arguments left for the app */
	char *const *app_argv;
};

/*
 * Parse the platform flags at the front of argv[1..argc-1] against manifest m (which has
 * passed mg_manifest_check()). Flags: --net:NAME=TAPIF, --block:NAME=PATH, --mem=MB,
 * --net-offload=on|off, then an optional "--" which is consumed; the first other
 * argument starts the app's arguments.
 * Every declared device must be given exactly once with the right kind.
 * Returns 0, or -EINVAL with one line "APP: FLAG: what is wrong; what is expected" in err.
 * Pure: no I/O, no globals.
 */
int mg_unix_parse_args(const struct mg_manifest *m, int argc, char *const *argv,
		       struct mg_unix_config *cfg, char *err, size_t err_len);

/*
 * Quote args[0..count-1] for mg_plat_boot_info.cmdline: each becomes '...' with every '
 * written as '\'', separated by single spaces. mg_unix_quoted_size() is the buffer size
 * needed including the NUL (0 on overflow). mg_unix_quote_args() returns 0 or -ENOSPC.
 */
size_t mg_unix_quoted_size(char *const *args, int count);
int mg_unix_quote_args(char *const *args, int count, char *out, size_t out_len);

/*
 * Open every device cfg attaches and remember it for mg_plat_*_acquire(). On failure
 * nothing stays open and err holds one line "APP: FLAG: why; how to fix". m must outlive
 * the attachment. mg_unix_detach() closes everything (for tests and failed starts).
 */
int mg_unix_attach(const struct mg_manifest *m, const struct mg_unix_config *cfg, char *err,
		   size_t err_len);
void mg_unix_detach(void);

/* One attached device as net.c and block.c see it. */
struct mg_unix_device {
	int fd;			/* -1 when not attached */
	uint32_t type;		/* enum mg_device_type */
	bool acquired;
	struct mg_plat_net_info net;
	uint64_t capacity;	/* block devices: bytes */
};

/* The acquired device behind handle if it is of type, else NULL. */
struct mg_unix_device *mg_unix_device_get(mg_plat_handle handle, uint32_t type);

/*
 * Device back-ends. Each opens what the flag names, fills fd and its properties, and
 * on failure returns a negative errno with "why; how to fix" in err (no prefix).
 * A TAP is opened with the virtio-net header and the offloads the kernel grants
 * (plat.h) unless offload is false.
 */
int mg_unix_tap_open(const char *ifname, bool offload, struct mg_unix_device *dev, char *err,
		     size_t err_len);
int mg_unix_block_open(const char *path, struct mg_unix_device *dev, char *err,
		       size_t err_len);

/* Fill seed with bytes from the host's random source. Returns 0 or a negative errno. */
int mg_unix_random(void *seed, size_t len);

/*
 * Start-up proper: check note, parse argv, attach devices, enter the runtime with app_main.
 * Exits with MG_UNIX_EX_* after one line on stderr if anything is wrong.
 */
_Noreturn void mg_unix_boot(const struct mg_manifest_note *note, int argc, char **argv,
			    int (*app_main)(int argc, char **argv));

/* The linker's names around the application's main (cc ... -Wl,--wrap=main). */
int __wrap_main(int argc, char **argv);
int __real_main(int argc, char **argv);

#endif /* MORGANA_PLATFORM_UNIX_H */
