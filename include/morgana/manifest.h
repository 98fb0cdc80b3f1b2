/* SPDX-License-Identifier: ISC */
/*
 * manifest.h -- the devices an image declares, embedded in it as an ELF note.
 *
 * `morgana build` turns the `net = NAME` and `block = NAME` lines of unikernel.conf into
 * one struct mg_manifest and places it, wrapped in an ELF note, in the section
 * MG_MANIFEST_SECTION of the image. Every target reads it at start-up: a target refuses to
 * start when a declared device is not attached or an attached device is not declared, and
 * mg_plat_*_acquire() finds devices only through it.
 *
 * The layout is fixed-size and little-endian (x86_64) so that a monitor can read it from
 * an image file without running any of it. A monitor MUST validate it with
 * mg_manifest_check() before use: the image is not trusted.
 */
#ifndef MORGANA_MANIFEST_H
#define MORGANA_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#define MG_MANIFEST_SECTION	".note.morgana.manifest"
#define MG_MANIFEST_NOTE_NAME	"Morgana"	/* 7 chars + NUL = 8, a multiple of 4 */
#define MG_MANIFEST_NOTE_TYPE	0x4d470001u
#define MG_MANIFEST_VERSION	1u
#define MG_MANIFEST_MAX_DEVICES	32u
#define MG_NAME_MAX		32u	/* bytes in a name, including the NUL */

enum mg_device_type {
	MG_DEVICE_NET = 1,
	MG_DEVICE_BLOCK = 2,
};

struct mg_manifest_device {
	/* [a-z0-9_], 1..MG_NAME_MAX-1 characters, NUL-padded; unique in the manifest. */
	char name[MG_NAME_MAX];
	uint32_t type;		/* enum mg_device_type */
	uint32_t reserved;	/* 0 */
};

struct mg_manifest {
	uint32_t version;	/* MG_MANIFEST_VERSION */
	uint32_t device_count;	/* <= MG_MANIFEST_MAX_DEVICES */
	/* The application's name from unikernel.conf, also argv[0]; same rules as a
	 * device name but '-' is allowed too. */
	char app_name[MG_NAME_MAX];
	struct mg_manifest_device devices[MG_MANIFEST_MAX_DEVICES];
};

/* The ELF note as it lies in the image. */
struct mg_manifest_note {
	uint32_t namesz;	/* sizeof(MG_MANIFEST_NOTE_NAME) */
	uint32_t descsz;	/* sizeof(struct mg_manifest) */
	uint32_t type;		/* MG_MANIFEST_NOTE_TYPE */
	char name[8];		/* MG_MANIFEST_NOTE_NAME */
	struct mg_manifest desc;
};

/*
 * The image's own manifest note, defined by the file `morgana build` generates. Code in
 * the image reaches it through mg_plat_boot_info.manifest, not through this symbol; only
 * start-up code of in-process targets (unix, spt) names it.
 */
extern const struct mg_manifest_note mg_manifest_note;

/*
 * Check that m is well formed: version, count in range, every name non-empty,
 * NUL-terminated inside its field and made of allowed characters, device types known,
 * reserved fields zero, no two devices with the same name. Returns 0 or -EINVAL, and on
 * -EINVAL writes a one-line reason into why (if why is not NULL; why_len bytes).
 * Pure: no I/O, no globals.
 */
int mg_manifest_check(const struct mg_manifest *m, char *why, size_t why_len);

/* The device named name, or NULL. m must have passed mg_manifest_check(). */
const struct mg_manifest_device *mg_manifest_find(const struct mg_manifest *m,
						  const char *name);

#endif /* MORGANA_MANIFEST_H */
