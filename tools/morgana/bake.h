/* SPDX-License-Identifier: ISC */
/*
 * bake.h -- baking the kv stores of an application into its image (kv.c).
 */
#ifndef MORGANA_TOOLS_BAKE_H
#define MORGANA_TOOLS_BAKE_H

#include "cli.h"

/*
 * Pack every kv line of app->conf and append the stores and the table mg_kv_baked to
 * the generated C file c_file (always the table, also with no kv lines). Blobs go into
 * tmp_dir. Returns 0 or an exit status after reporting.
 */
int mg_kv_bake(const struct mg_app *app, const char *c_file, const char *tmp_dir);

/* Remove what mg_kv_bake() wrote into tmp_dir. */
void mg_kv_bake_cleanup(const struct mg_app *app, const char *tmp_dir);

#endif /* MORGANA_TOOLS_BAKE_H */
