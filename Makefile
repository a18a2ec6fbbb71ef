# SPDX-License-Identifier: GPL-2.0
#
# klab: the two commands are `make demo` and `make check` (see README.md).
#
#   make              build the six modules (one Kbuild pass) and klabctl
#   make check        host unit tests, then every selftest in one VM boot
#   make demo         boot the VM, load every module, tour klabctl and files
#   make lint         checkpatch --strict on module sources, clang-format
#   make load|unload  insert/remove all modules here (needs root)
#   make vm           interactive shell in the test VM
#   make bench-hipac-host   HiPAC tree vs linear walk on ClassBench-like sets
#   make bench-chardev  chardev benchmarks in the VM (JSON lines)
#   make stress-chardev klab_blk's long runs in the VM: 20 power cuts under
#                       ext4, btrfs zone appends, fio --zonemode=zbd x10
#   make bench-hipac    nf_hipac vs iptables-legacy vs nft forwarding in the VM
#   make bench-hipac-commit  nf_hipac commit time of small changes to a
#                       10k-rule table in the VM (RULES=, KO= another module)
#
# KDIR=... selects the kernel build tree; W=1 is passed on to Kbuild.

# Deferred: on a fresh machine the headers appear only after `setup` ran.
KDIR ?= $(shell scripts/kdir)
KVER = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

BUILD := $(CURDIR)/build
KFILES := $(BUILD)/kernel
NPROC := $(shell nproc)

# BTF for out-of-tree modules needs the vmlinux the headers do not ship
KBUILD_ARGS = -C $(KDIR) M=$(CURDIR) CONFIG_DEBUG_INFO_BTF_MODULES=

VM_RUN = KLAB_KVER=$(KVER) scripts/vm-run

.PHONY: all setup modules userspace selftests kernel-files host-test check \
	demo lint load unload vm bench-hipac-host bench-chardev bench-hipac \
	bench-hipac-commit stress-chardev clean

all: modules userspace

setup:
	@scripts/setup

modules: setup
	$(MAKE) $(KBUILD_ARGS) modules

userspace: setup
	@cmake -S userspace -B $(BUILD)/userspace -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD)/userspace -j $(NPROC)

kernel-files: setup
	@scripts/kernel-files $(KFILES)

selftests: kernel-files
	$(MAKE) -C selftests KLAB_ROOT=$(CURDIR) OUTPUT=$(BUILD)/selftests

host-test: userspace
	ctest --test-dir $(BUILD)/userspace --output-on-failure

check: all selftests
	scripts/check

demo: all
	$(VM_RUN) -- scripts/demo

lint: kernel-files
	scripts/lint $(KFILES)/checkpatch/checkpatch.pl

load: all
	scripts/modules load

unload:
	scripts/modules unload

# Long runs, out of make check's budget
stress-chardev: all selftests
	$(VM_RUN) -t 0 -- 'cd selftests/chardev && ./blk_crash.sh 20 && \
		KLAB_BLK_FIO_LOOPS=10 ./blk_zoned.sh btrfs_zone_append fio_zbd'

# Benchmarks (not tests): one JSON line per result
bench-chardev: all
	$(VM_RUN) -b -m 3072 -- bench/chardev.sh

bench-hipac: all selftests
	$(VM_RUN) -b -- bench/hipac.sh

vm: all selftests
	$(VM_RUN) -i

bench-hipac-host: userspace
	$(BUILD)/userspace/bench/hipac_bench

bench-hipac-commit: all
	$(VM_RUN) -b -- env RULES=$(RULES) KO=$(KO) \
		bench/hipac-commit.sh

clean:
	-$(MAKE) $(KBUILD_ARGS) clean
	rm -rf $(BUILD)
