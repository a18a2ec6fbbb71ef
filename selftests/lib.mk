# SPDX-License-Identifier: GPL-2.0
#
# klab's stand-in for the kernel's tools/testing/selftests/lib.mk.  A test
# directory sets KLAB_MODULE, KLAB_FAMILY, TEST_GEN_PROGS (C programs, from
# this directory or ../lib) and TEST_PROGS (scripts), then includes this.
# TEST_GEN_FILES are programs built like TEST_GEN_PROGS but not run as
# tests (helpers the scripts call).
#
#   make              build TEST_GEN_PROGS into $(OUTPUT)/$(KLAB_MODULE)
#   make run_tests    run everything through ../runner.sh, in TAP
#                     (KLAB_TESTS="prog ...": only those)

SELFTESTS := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KLAB_ROOT ?= $(abspath $(SELFTESTS)/..)
OUTPUT ?= $(KLAB_ROOT)/build/selftests
OUT := $(OUTPUT)/$(KLAB_MODULE)
KSFT_INCLUDE ?= $(KLAB_ROOT)/build/kernel/include

CFLAGS += -O2 -g -Wall -Werror -D_GNU_SOURCE \
	-I$(KSFT_INCLUDE) -I$(KLAB_ROOT)/include/uapi -I$(SELFTESTS)/lib \
	-DKLAB_MODULE='"$(KLAB_MODULE)"' -DKLAB_FAMILY='"$(KLAB_FAMILY)"'
LDLIBS += -lmnl -lpthread
# LOCAL_SRCS: the collection's own sources, linked into each of its programs
LIB_SRCS := $(SELFTESTS)/lib/genl.c $(SELFTESTS)/lib/genl_policy.c \
	$(LOCAL_SRCS)
LIB_HDRS := $(wildcard $(SELFTESTS)/lib/*.h)
# the collection's own headers (hipac_nl.h, klab_chr.h, ...)
LOCAL_HDRS := $(wildcard *.h)
# compiled once per collection, linked into each program (and kept: make
# would delete them as intermediate files of the pattern rules)
LIB_OBJS := $(addprefix $(OUT)/lib/,$(notdir $(LIB_SRCS:.c=.o)))
.SECONDARY: $(LIB_OBJS)

# skeleton.sh asks the genl controller through genl_family (../lib)
ifneq ($(filter skeleton.sh,$(TEST_PROGS)),)
TEST_GEN_FILES += genl_family
endif

GEN := $(addprefix $(OUT)/,$(TEST_GEN_PROGS))
GEN_FILES := $(addprefix $(OUT)/,$(TEST_GEN_FILES))

.PHONY: all run_tests clean

all: $(GEN) $(GEN_FILES)

$(OUT)/lib/%.o: $(SELFTESTS)/lib/%.c $(LIB_HDRS)
	@mkdir -p $(OUT)/lib
	$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/lib/%.o: %.c $(LIB_HDRS) $(LOCAL_HDRS)
	@mkdir -p $(OUT)/lib
	$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/%: %.c $(LIB_OBJS) $(LIB_HDRS) $(LOCAL_HDRS)
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(OUT)/%: $(SELFTESTS)/lib/%.c $(LIB_OBJS) $(LIB_HDRS)
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# KLAB_TESTS="prog ..." runs only those of the collection's tests, in
# their usual order (make facts); a name that is not a test is an error
RUN := $(GEN) $(addprefix $(CURDIR)/,$(TEST_PROGS))
ifneq ($(strip $(KLAB_TESTS)),)
UNKNOWN := $(filter-out $(notdir $(RUN)),$(KLAB_TESTS))
$(if $(UNKNOWN),$(error $(KLAB_MODULE): not a test: $(UNKNOWN)))
RUN := $(filter $(addprefix %/,$(KLAB_TESTS)),$(RUN))
endif

run_tests: all
	@KLAB_ROOT=$(KLAB_ROOT) $(SELFTESTS)/runner.sh $(KLAB_MODULE) $(RUN)

clean:
	rm -rf $(OUT)
