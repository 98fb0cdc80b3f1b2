# SPDX-License-Identifier: ISC
# morgana-hvt, the KVM tender (host side).
TENDER_HVT_SRCS = tender/hvt/main.c tender/hvt/kvm.c tender/hvt/layout.c \
	tender/hvt/mem.c tender/hvt/hypercall.c tender/hvt/sandbox.c tender/hvt/netq.c \
	$(TENDER_COMMON_SRCS)
