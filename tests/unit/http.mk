# SPDX-License-Identifier: ISC
# Unit tests of the kv stores (storage/) and of HTTP (lib/http/).
UNIT_TESTS += kv_store kv_pack
kv_store_SRCS = tests/unit/kv_store.c storage/kv.c storage/kv_hash.c
kv_pack_SRCS = tests/unit/kv_pack.c storage/kv.c $(KV_PACK_SRCS)
