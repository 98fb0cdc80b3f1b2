/* SPDX-License-Identifier: ISC */
/*
 * kv_baked.c -- the image's own stores. Apart from kv.c because it refers to
 * mg_kv_baked, which only images built by `morgana build` define: a test that links
 * kv.c alone need not provide it.
 */
#include <stddef.h>

#include <morgana/kv.h>

const struct mg_kv_store *
mg_kv_store(const char *name)
{
	return mg_kv_table_find(&mg_kv_baked, name);
}
