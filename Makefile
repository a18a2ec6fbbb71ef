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
#   make bench          every module's benchmark in one VM boot, then
#                       build/bench/report.html with an SVG picture per module
#   make bench-hipac-host   HiPAC tree vs linear walk on ClassBench-like sets
#   make bench-chardev  chardev benchmarks in the VM (JSON lines)
#   make stress-chardev klab_blk's long runs in the VM: 20 power cuts under
#                       ext4, btrfs zone appends, fio --zonemode=zbd x10
#   make bench-hipac    nf_hipac vs iptables-legacy vs nft forwarding in the VM,
#                       then new connections per second (stateful rules, SNAT)
#   make bench-igb      netdev_igb_like vs veth: pktgen, TCP, XDP_DROP, ITR
#   make stress-igb     netdev_igb_like: unload under traffic, long stop/wake
#   make bench-hipac-commit  one-rule commits and kernel memory of nf_hipac,
#                       iptables-legacy and nft at 10k and 100k rules in the
#                       VM (RULES=, KO= another module)
#   make bench-sched    sched_demo's framework vs the kernel's scheduler in
#                       the VM: switch cost, fairness, wakeup latency
#   make stress-sched   sched_demo's timing checks (timing.sh) repeated in the VM
#   make stress-hipac   nf_hipac: every case of iptables' own .t files, against
#                       iptables-legacy (over 50 min in the VM at load 13-16)
#   make bench-rcu      rcu_demo: read-side cost of every type and grace-period
#                       latency, klab's beside the kernel's, in the VM
#   make stress         long runs (torture, ...) in one VM boot
#                       (selftests/stress.sh), then prove-detectors; stress-rcu
#                       is rcu_demo's share (STRESS_DURATION= seconds per type)
#   make prove-detectors  every planted bug against its detector, a table
#                       (scripts/prove-detectors; PLANTS= a subset)
#   make bench-slab     slabcache vs kmem_cache (SLUB) in the VM, with
#                       init_on_alloc=0 and with the stock setting (JSON lines)
#   make install        klabctl, nf-hipac, the man page and the bash completion
#                       under $(DESTDIR)$(PREFIX) (PREFIX=/usr/local)
#   make dkms-install   register, build and install the modules with DKMS
#   make dkms-remove    remove them from DKMS again
#   make check-dkms     dkms add/build/install/modprobe/remove in the VM
#   make check-native   make check's selftests on the running kernel (a 6.1
#                       with headers, as root: a Vagrant box)
#   make facts          the notes' 60 facts: their tests in one VM boot, then
#                       the table (selftests/facts/facts.tsv)
#
# KDIR=... selects the kernel build tree; W=1 is passed on to Kbuild.

# Deferred: on a fresh machine the headers appear only after `setup` ran.
KDIR ?= $(shell scripts/kdir)
KVER = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

BUILD := $(CURDIR)/build
KFILES := $(BUILD)/kernel
NPROC := $(shell nproc)
# The sub-makes (Kbuild, selftests) build in parallel even under a plain
# `make check` (CI); under `make -jN` they share its jobserver instead.
SUB_JOBS = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(NPROC))

# BTF for out-of-tree modules needs the vmlinux the headers do not ship
KBUILD_ARGS = -C $(KDIR) M=$(CURDIR) CONFIG_DEBUG_INFO_BTF_MODULES=

VM_RUN = KLAB_KVER=$(KVER) scripts/vm-run

.PHONY: all setup modules userspace selftests kernel-files host-test check \
	demo lint load unload vm bench bench-hipac-host bench-chardev bench-hipac \
	bench-hipac-commit bench-igb stress-igb bench-sched bench-rcu stress \
	stress-rcu bench-slab stress-chardev stress-sched stress-hipac clean \
	prove-detectors \
	man completion install uninstall dkms-install dkms-remove check-dkms \
	check-native facts

all: modules userspace

setup:
	@scripts/setup

modules: setup
	$(MAKE) $(SUB_JOBS) $(KBUILD_ARGS) modules

userspace: setup
	@cmake -S userspace -B $(BUILD)/userspace -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DKLAB_KDIR=$(KDIR) >/dev/null
	cmake --build $(BUILD)/userspace -j $(NPROC)

kernel-files: setup
	@scripts/kernel-files $(KFILES)

selftests: kernel-files
	$(MAKE) $(SUB_JOBS) -C selftests KLAB_ROOT=$(CURDIR) OUTPUT=$(BUILD)/selftests

host-test: userspace
	ctest -j$(NPROC) --test-dir $(BUILD)/userspace --output-on-failure

# the build's duration: make reads this before it builds the prerequisites
ifneq ($(filter check,$(MAKECMDGOALS)),)
CHECK_START := $(shell date +%s)
endif

check: all selftests
	@echo "== build: $$(($$(date +%s) - $(CHECK_START))) s"
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
	$(VM_RUN) -t 0 -- selftests/stress.sh chardev

# Benchmarks (not tests): one JSON line per result

# Every module's benchmark in one VM boot, then the report: HTML with an SVG
# picture per module (klabctl bench report), each comparison from that boot
bench: all selftests
	@mkdir -p $(BUILD)/bench
	KLAB_HOST_LOAD="$$(cut -d' ' -f1-3 /proc/loadavg)" \
		$(VM_RUN) -b -m 3072 -t 0 -- bench/all.sh
	cp $(BUILD)/vm/out/bench/results.json $(BUILD)/bench/results.json
	$(BUILD)/bin/klabctl bench report $(BUILD)/bench/results.json \
		-o $(BUILD)/bench/report.html

bench-chardev: all
	$(VM_RUN) -b -m 3072 -t 0 -- bench/chardev.sh

bench-hipac: all selftests
	$(VM_RUN) -b -- 'bench/hipac.sh && bench/hipac-ct.sh'

bench-igb: all selftests
	$(VM_RUN) -b -- bench/igb.sh

# netdev_igb_like's long runs: module unload under traffic, 20000 frames
# through the stop/wake test
stress-igb: all selftests
	$(VM_RUN) -t 3600 -- selftests/stress.sh igb

vm: all selftests
	$(VM_RUN) -i

bench-hipac-host: userspace
	$(BUILD)/userspace/bench/hipac_bench

bench-hipac-commit: all
	$(VM_RUN) -b -- env RULES=$(RULES) KO=$(KO) \
		bench/hipac-commit.sh

bench-sched: all
	$(VM_RUN) -b -- bench/sched.sh

# sched_demo's deadline and observer checks of run_tests, repeated
stress-sched: all selftests
	$(VM_RUN) -- selftests/stress.sh sched

# nf_hipac: all of iptables' rule-syntax suite (iptables_suite.sh alone runs
# the first lines of each file)
stress-hipac: all selftests
	$(VM_RUN) -t 0 -- selftests/stress.sh hipac

# rcu_demo: the scale table and grace-period latencies (JSON lines)
bench-rcu: all selftests
	$(VM_RUN) -b -- bench/rcu.sh

# Long runs, not part of check: every step of selftests/stress.sh (each
# module's stress-<module> step, then the gauntlet's long versions) in one
# VM boot, then prove-detectors; fails if either failed
stress: all selftests
	$(VM_RUN) -t 0 -- env STRESS_DURATION=$(STRESS_DURATION) \
		selftests/stress.sh; rc=$$?; \
	scripts/prove-detectors || rc=1; exit $$rc

stress-rcu: all selftests
	$(VM_RUN) -t 0 -- env STRESS_DURATION=$(STRESS_DURATION) \
		selftests/stress.sh rcu

# every planted bug (selftests/*/plants/*.patch, selftests/*/plants.sh)
# caught by its detector; PLANTS= a subset (MODULE or MODULE/NAME)
prove-detectors: all selftests
	scripts/prove-detectors $(PLANTS)

# one boot per init_on_alloc setting; each compares the two in that boot
bench-slab: all
	$(VM_RUN) -q -b -a init_on_alloc=0 -- bench/slab.sh
	$(VM_RUN) -q -b -- bench/slab.sh

# klabctl's man page and bash completion, and their installation
PREFIX ?= /usr/local
DESTDIR ?=

man: setup
	@mkdir -p $(BUILD)/man
	scdoc <doc/klabctl.8.scd >$(BUILD)/man/klabctl.8

completion: userspace
	@mkdir -p $(BUILD)/completion
	$(BUILD)/bin/klabctl completion >$(BUILD)/completion/klabctl

install: userspace man completion
	scripts/install "$(DESTDIR)" "$(PREFIX)"

uninstall:
	scripts/install --uninstall "$(DESTDIR)" "$(PREFIX)"

# DKMS: the six modules as one package, built for every installed kernel
dkms-install: setup
	scripts/dkms install

dkms-remove:
	scripts/dkms remove

# dkms compiles every module under TCG: minutes, out of make check's budget
check-dkms: setup
	$(VM_RUN) -t 3600 -- selftests/dkms/dkms.sh

# make check's selftests and summary on the running kernel (no VM)
check-native:
	scripts/native-run --preflight
	$(MAKE) all selftests
	scripts/check --native

# the notes' facts: every listed test in one VM boot, then the table
facts: all selftests
	KLAB_KVER=$(KVER) selftests/facts/facts.sh vm

clean:
	-$(MAKE) $(KBUILD_ARGS) clean
	rm -rf $(BUILD)
