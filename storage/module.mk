# SPDX-License-Identifier: ISC
# storage: key-value stores. KV_SRCS go into every image (freestanding); KV_PACK_SRCS is
# the host-side packer `morgana build` uses to read a folder into a store.
KV_SRCS = storage/kv.c storage/kv_hash.c storage/kv_baked.c
KV_PACK_SRCS = storage/kv_pack.c storage/kv_hash.c
