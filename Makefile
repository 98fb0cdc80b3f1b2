# SPDX-License-Identifier: ISC
#
# Morgana's build. `make` builds the CLI, the libraries of every target and the examples;
# `make test` runs every suite. Everything lands in $(BUILD).
#
# Each module lists its sources in a fragment of its own (libc/module.mk,
# runtime/module.mk, platform/unix/module.mk, tools/morgana/module.mk, tests/unit/*.mk).
# Fragments only set variables, and set them with `=`, so the order they are read in does
# not matter; every rule lives in this file.
#
# One source tree is compiled in several variants, each into its own folder:
#   $(BUILD)/unix          host tools, the unix target's libraries, unit tests
#   $(BUILD)/asan          the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   $(BUILD)/freestanding  guest code against our own libc (libc/include), no host headers

BUILD	?= build
# `make V=1` shows every command; by default each step is one short line.
V	?= 0
Q	:= $(if $(filter 0,$(V)),@,)
CC	:= $(if $(filter default,$(origin CC)),cc,$(CC))
AR	?= ar

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual \
	    -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS := -std=gnu17 -g -O2 -fno-omit-frame-pointer -ffunction-sections \
	    -fdata-sections $(WARNINGS) -Iinclude -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

CFLAGS_unix := $(BASE_CFLAGS) -fstack-protector-strong
CFLAGS_asan := $(BASE_CFLAGS) -fstack-protector-strong $(SAN_FLAGS)
CFLAGS_freestanding := $(BASE_CFLAGS) -ffreestanding -nostdinc -isystem $(GCC_INCLUDE) \
	    -Ilibc/include -fno-stack-protector -mno-red-zone -fno-pic -fno-pie

include $(sort $(wildcard */module.mk */*/module.mk tests/unit/*.mk))

# objs VARIANT, SOURCES -> the object files of SOURCES in VARIANT
objs = $(patsubst %,$(BUILD)/$(1)/%.o,$(basename $(2)))

define compile_rules
$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CC      $$@")
	$$(Q)$$(CC) $$(CFLAGS_$(1)) $$(CFLAGS_EXTRA_$$(firstword $$(subst /, ,$$<))) -c $$< -o $$@
$(BUILD)/$(1)/%.o: %.S
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  AS      $$@")
	$$(Q)$$(CC) $$(CFLAGS_$(1)) -c $$< -o $$@
endef
$(foreach v,unix asan freestanding,$(eval $(call compile_rules,$(v))))

# --- libraries --------------------------------------------------------------------------
# An image links one library of its target: everything an app may use plus the target's
# platform. Only the members an app calls are linked (static archives, --gc-sections).
IMAGE_LIB_SRCS = $(RUNTIME_SRCS) $(PLAT_COMMON_SRCS) $(NET_SRCS) $(KV_SRCS) $(HTTP_SRCS) \
	$(HTTP_TCP_SRCS) \
	$(LIB_DNS_SRCS) $(LIB_DNS_NET_SRCS)
UNIX_LIB_SRCS = $(IMAGE_LIB_SRCS) $(PLAT_UNIX_SRCS)
$(BUILD)/unix/libmorgana.a: $(call objs,unix,$(UNIX_LIB_SRCS))
$(BUILD)/asan/libmorgana.a: $(call objs,asan,$(UNIX_LIB_SRCS))
# The guest targets' (hvt, spt) libraries are built against our own libc only.
GUEST_LIB_SRCS = $(IMAGE_LIB_SRCS) $(RUNTIME_FREESTANDING_SRCS)
$(BUILD)/freestanding/libmorgana-hvt.a: $(call objs,freestanding,$(GUEST_LIB_SRCS) \
		$(PLAT_HVT_SRCS))
$(BUILD)/freestanding/libmorgana-spt.a: $(call objs,freestanding,$(GUEST_LIB_SRCS) \
		$(PLAT_SPT_SRCS))
$(BUILD)/freestanding/libc.a: $(call objs,freestanding,$(LIBC_SRCS))
LIBS := $(BUILD)/unix/libmorgana.a $(BUILD)/asan/libmorgana.a \
	$(BUILD)/freestanding/libmorgana-hvt.a $(BUILD)/freestanding/libmorgana-spt.a \
	$(BUILD)/freestanding/libc.a

# --- libc module: the guest libc with every symbol renamed mgc_*, so that the differential
# tests (tests/unit/libc*.c) can link it into a host program beside glibc and compare.
OBJCOPY ?= objcopy
$(BUILD)/freestanding/libc-prefixed.o: $(call objs,freestanding,$(LIBC_SRCS))
	@mkdir -p $(@D)
	$(LD) -r -o $@.tmp $^
	$(OBJCOPY) --prefix-symbols=mgc_ $@.tmp $@
	rm -f $@.tmp
# Guest code's view of the headers (PRI* macros, format attributes) must compile too.
$(BUILD)/freestanding/libc-prefixed.o: | $(BUILD)/freestanding/tests/unit/libc_headers.o
# --- end of the libc module's block

# --- dns: the DNS library (lib/dns) and its host-side test shim (module: dns) -------------
# lib/dns is in every image's library; dns-hostd serves zones through the engine over the
# host's sockets for tests/dns/dig.sh (a test harness, not a product).
$(BUILD)/bin/dns-hostd: $(call objs,unix,tests/dns/hostd.c $(LIB_DNS_SRCS))
	@mkdir -p $(@D)
	$(CC) -o $@ $^
DNS_TARGETS = $(BUILD)/bin/dns-hostd
# bench/dns: dnsperf against the dns unikernel (unix, hvt) and NSD, in `make bench`.
bench: bench-dns
bench-dns: all
	BUILD=$(BUILD) bench/dns/run
.PHONY: bench-dns
# --- end of the dns module's block

# An archive also depends on the build files that list its members, so that a source
# added to or removed from a list rebuilds it.
BUILD_FILES := $(MAKEFILE_LIST)
%.a: $(BUILD_FILES)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

# --- the morgana CLI --------------------------------------------------------------------
$(BUILD)/bin/morgana: $(call objs,unix,$(MORGANA_CLI_SRCS))
	@mkdir -p $(@D)
	$(CC) -o $@ $^

# --- examples, built by the CLI as a user would -----------------------------------------
EXAMPLES := $(patsubst examples/%/unikernel.conf,%,$(wildcard examples/*/unikernel.conf))
EXAMPLE_IMAGES := $(foreach e,$(EXAMPLES),$(BUILD)/examples/$(e).unix)
.SECONDEXPANSION:
$(BUILD)/examples/%.unix: $$(wildcard examples/$$*/*) $(BUILD)/bin/morgana \
		$(BUILD)/unix/libmorgana.a
	MORGANA_CFLAGS=-Werror $(BUILD)/bin/morgana build -t unix -o $@ examples/$*

# --- hvt: the KVM tender and the hvt guest library (module: hvt) --------------------------
# The tender is a host program; images link libmorgana-hvt.a (see libraries, above) with
# platform/hvt/hvt.ld (docs/hvt.md). Linked static (PIE, so still randomised): the dynamic
# loader's work was ~10 % of a whole boot (docs/performance.md).
$(BUILD)/bin/morgana-hvt: $(call objs,unix,$(TENDER_HVT_SRCS))
	@mkdir -p $(@D)
	$(CC) -static-pie -o $@ $^
HVT_LDFLAGS = -nostdlib -static -no-pie -Wl,-T,platform/hvt/hvt.ld -Wl,--gc-sections \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096
# Test guests of tests/hvt/: tiny C programs on the bare hypercall ABI, no runtime.
$(BUILD)/hvt/tests/%.hvt: $(BUILD)/freestanding/tests/hvt/%.o \
		$(call objs,freestanding,$(PLAT_HVT_BARE_SRCS)) platform/hvt/hvt.ld
	@mkdir -p $(@D)
	$(CC) $(HVT_LDFLAGS) -o $@ $(filter %.o,$^) -lgcc
HVT_TEST_GUESTS = $(patsubst tests/hvt/%.c,$(BUILD)/hvt/tests/%.hvt,$(wildcard tests/hvt/*.c))
# Every example for hvt too, built by the CLI as a user would.
EXAMPLE_HVT_IMAGES := $(foreach e,$(EXAMPLES),$(BUILD)/examples/$(e).hvt)
$(BUILD)/examples/%.hvt: $$(wildcard examples/$$*/*) $(BUILD)/bin/morgana \
		$(BUILD)/freestanding/libmorgana-hvt.a $(BUILD)/freestanding/libc.a
	MORGANA_CFLAGS=-Werror $(BUILD)/bin/morgana build -t hvt -o $@ examples/$*
all: $(EXAMPLE_HVT_IMAGES)
# bench/boot: the KVM floor the hvt boot is measured against (a host program).
$(BUILD)/bench/kvm_floor: $(BUILD)/unix/bench/boot/kvm_floor.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^
all: $(BUILD)/bench/kvm_floor
# bench/boot: the same floor linked static, as morgana-hvt is, for a like-for-like ratio.
$(BUILD)/bench/kvm_floor_static: $(BUILD)/unix/bench/boot/kvm_floor.o
	@mkdir -p $(@D)
	$(CC) -static-pie -o $@ $^
all: $(BUILD)/bench/kvm_floor_static
bench: all
	BUILD=$(BUILD) bench/boot/run
	BUILD=$(BUILD) bench/http/run
.PHONY: bench

# --- net: libFuzzer targets of the wire codecs (module: net) ------------------------------
# Each tests/fuzz/fuzz_X.c is a libFuzzer target over net/wire/, built with clang.
# `make fuzz` runs each for FUZZ_SECONDS; `make test` runs a short fixed number of runs
# (tests/fuzz/run.sh). Without clang the targets are not built and the suite skips.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -std=gnu17 -g -O1 $(WARNINGS) -Iinclude -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
# fuzz_stack drives the whole stack, fuzz_tcp_conn TCP over it: they link the runtime
# and a stub platform (tests/fuzz/stub_plat.c) whose clock the harness moves.
FUZZ_STACK_SRCS = $(filter-out net/netdev_plat.c,$(NET_STACK_SRCS)) $(RUNTIME_SRCS) \
	tests/fuzz/stub_plat.c
FUZZ_SRCS_fuzz_stack = $(FUZZ_STACK_SRCS)
FUZZ_SRCS_fuzz_tcp_conn = $(FUZZ_STACK_SRCS) $(NET_TCP_SRCS)
# The DNS targets fuzz lib/dns (the message parser + engine, and the zone-file parser).
FUZZ_SRCS_fuzz_dns_msg = $(LIB_DNS_SRCS)
FUZZ_SRCS_fuzz_dns_zone = $(LIB_DNS_SRCS)
# Built in one step without dependency files: any header they may include counts.
FUZZ_HDRS = $(wildcard include/morgana/*.h net/*.h runtime/*.h lib/*/*.h)
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(NET_WIRE_SRCS) $$(FUZZ_SRCS_$$*) \
		$(FUZZ_HDRS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(NET_WIRE_SRCS) $(FUZZ_SRCS_$*)
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	BUILD=$(BUILD) tests/fuzz/run.sh -max_total_time=$(FUZZ_SECONDS)
ifneq ($(shell command -v $(FUZZ_CC) 2>/dev/null),)
all: $(FUZZ_BINS)
endif
.PHONY: fuzz fuzz-build

# --- spt: the seccomp tender and the spt guest library (module: spt) ----------------------
# The tender is a host program; images link libmorgana-spt.a (see libraries, above) with
# platform/spt/spt.ld (docs/spt.md).
$(BUILD)/bin/morgana-spt: $(call objs,unix,$(TENDER_SPT_SRCS))
	@mkdir -p $(@D)
	$(CC) -o $@ $^
EXAMPLE_IMAGES += $(foreach e,$(EXAMPLES),$(BUILD)/examples/$(e).spt)
$(BUILD)/examples/%.spt: $$(wildcard examples/$$*/*) $(BUILD)/bin/morgana \
		$(BUILD)/freestanding/libmorgana-spt.a $(BUILD)/freestanding/libc.a \
		platform/spt/spt.ld
	MORGANA_CFLAGS=-Werror $(BUILD)/bin/morgana build -t spt -o $@ examples/$*
SPT_ALL = $(BUILD)/bin/morgana-spt
# --- end of the spt module's block

# --- website: the website example's pages and the HTTP-over-TCP tests (module: website) ----
# tools/docs2html turns README.md and docs/*.md into examples/website/htdocs (not in git)
# before any image of the example is built, so the site always shows the docs as they are.
WEBSITE_HTDOCS = examples/website/htdocs/index.html
$(WEBSITE_HTDOCS): tools/docs2html README.md $(wildcard docs/*.md) \
		$(wildcard examples/website/assets/*)
	@$(if $(Q),echo "  DOCS    examples/website/htdocs")
	$(Q)tools/docs2html -o examples/website/htdocs
$(foreach t,unix hvt spt,$(BUILD)/examples/website.$(t)): $(WEBSITE_HTDOCS)
# --- end of the website block

# --- http and kv (modules: lib/http, storage) ---------------------------------------------
# Every image's library carries the kv lookups (storage/) and HTTP (lib/http/); the
# linker keeps only what an application calls. The host-side test server of
# tests/http/curl.sh drives lib/http over ordinary sockets (docs/http.md).
HTTP_HOSTD_SRCS = tests/http/hostd.c tests/http/api.c $(HTTP_SRCS) storage/kv.c $(KV_PACK_SRCS)
$(BUILD)/unix/tests/http/hostd: $(call objs,unix,$(HTTP_HOSTD_SRCS))
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^
$(BUILD)/asan/tests/http/hostd: $(call objs,asan,$(HTTP_HOSTD_SRCS))
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^
HTTP_TEST_BINS = $(BUILD)/unix/tests/http/hostd $(BUILD)/asan/tests/http/hostd
all: $(HTTP_TEST_BINS)
# libFuzzer targets (clang only): `make fuzz-http`, then run build/fuzz/fuzz_http_*.
HTTP_FUZZERS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_http_*.c))
$(BUILD)/fuzz/fuzz_http_%: tests/fuzz/fuzz_http_%.c $(HTTP_SRCS) storage/kv.c storage/kv_hash.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -std=gnu17 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined $(WARNINGS) \
		-o $@ $^
fuzz-http: $(HTTP_FUZZERS)
.PHONY: fuzz-http
# --- end of the http and kv block

# --- unit tests ---------------------------------------------------------------------------
# tests/unit/*.mk declare:  UNIT_TESTS += NAME;  NAME_SRCS = the test and the code it tests;
# optionally NAME_OBJS = prebuilt objects to link and NAME_LDLIBS = extra libraries.
# Each is built twice: plain and with sanitizers.
define unit_test
$(BUILD)/unix/tests/$(1): $(call objs,unix,$($(1)_SRCS)) $($(1)_OBJS)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) -o $$@ $$^ -lcmocka $($(1)_LDLIBS)
$(BUILD)/asan/tests/$(1): $(call objs,asan,$($(1)_SRCS)) $($(1)_OBJS)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $(SAN_FLAGS) -o $$@ $$^ -lcmocka $($(1)_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test,$(t))))
UNIT_BINS := $(foreach t,$(UNIT_TESTS),$(BUILD)/unix/tests/$(t) $(BUILD)/asan/tests/$(t))

# --- top-level targets --------------------------------------------------------------------
all: $(BUILD)/bin/morgana $(LIBS) $(EXAMPLE_IMAGES) $(UNIT_BINS) $(DNS_TARGETS) \
	$(BUILD)/bin/morgana-hvt $(HVT_TEST_GUESTS) $(SPT_ALL)

test: all
	BUILD=$(BUILD) tests/run

clean:
	rm -rf $(BUILD)

.PHONY: all test clean
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
# Keep intermediate objects (e.g. of the hvt test guests), so a second `make` does nothing.
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- tcp: the full simulated sweep (module: tcp) ----------------------------------------
# `make test` runs 100 seeds x 1 MB each way (tests/unit/net_tcp_sim.c); this runs the
# full sweep, 1,000 seeds x 10 MB each way, on the optimised build.
SIM_FULL_SEEDS ?= 1000
SIM_FULL_BYTES ?= 10485760
sim-full: $(BUILD)/unix/tests/net_tcp_sim
	TCP_SIM_SEEDS=$(SIM_FULL_SEEDS) TCP_SIM_BYTES=$(SIM_FULL_BYTES) $<
.PHONY: sim-full

# --- tcp: bench/tcp (module: tcp): bulk TCP vs Linux over veth, idle connection memory --
bench-tcp: $(BUILD)/examples/sink.unix $(EXAMPLE_HVT_IMAGES) $(BUILD)/bin/morgana-hvt
	BUILD=$(BUILD) bench/tcp/run
bench: bench-tcp
.PHONY: bench-tcp
