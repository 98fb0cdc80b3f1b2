# SPDX-License-Identifier: ISC
# The `morgana` command-line tool (host program, linked by the top-level Makefile into
# $(BUILD)/bin/morgana).
MORGANA_CLI_SRCS = tools/morgana/main.c tools/morgana/new.c tools/morgana/build.c \
	tools/morgana/run.c tools/morgana/targets.c tools/morgana/app.c \
	tools/morgana/util.c tools/morgana/conf.c \
	tools/morgana/target_guest.c \
	tools/morgana/kv.c $(KV_PACK_SRCS)

# _GNU_SOURCE for asprintf. MORGANA_SRC_ROOT: where the tool finds include/morgana when
# it does not run from inside the tree (see mg_cli_find_tree in tools/morgana/util.c).
CFLAGS_EXTRA_tools = -D_GNU_SOURCE -DMORGANA_SRC_ROOT='"$(abspath .)"'
