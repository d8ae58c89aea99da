# bench/bench.mk: make bench, bench-quick, bench-kernel, bench-flood, bench-build (included by the top Makefile).
BENCH_BINS = bench/bin/ops bench/bin/hook bench/bin/startup bench/bin/hello bench/bin/kstat bench/bin/flood

.PHONY: bench bench-quick bench-build bench-smoke bench-kernel bench-flood bench-workload

bench-build: $(BENCH_BINS)

bench/bin/ops: bench/ops.c
	@mkdir -p bench/bin
	$(CC) $(CFLAGS) -o $@ bench/ops.c

bench/bin/startup: bench/startup.c
	@mkdir -p bench/bin
	$(CC) $(CFLAGS) -o $@ bench/startup.c

bench/bin/kstat: bench/kstat.c
	@mkdir -p bench/bin
	$(CC) $(CFLAGS) -o $@ bench/kstat.c

bench/bin/hook: bench/hook.c
	@mkdir -p bench/bin
	$(CC) $(CFLAGS) -o $@ bench/hook.c $(LDFLAGS) -lbcc -l:libbpf.so.1

# Static like hello: its calls at start and exit do not depend on ld.so.
bench/bin/flood: bench/flood.c
	@mkdir -p bench/bin
	$(CC) -O2 -static -o $@ bench/flood.c 2>/dev/null || $(CC) -O2 -o $@ bench/flood.c

# The fork_exec target: static when libc.a is there, else dynamic.
bench/bin/hello: bench/hello.c
	@mkdir -p bench/bin
	$(CC) -O2 -static -o $@ bench/hello.c 2>/dev/null || $(CC) -O2 -o $@ bench/hello.c

# BENCH_EBPH=0 runs without ebph (none, empty hook, syscount only).
BENCH_EBPH ?= 1
BENCH_DEPS = $(if $(filter 0,$(BENCH_EBPH)),,ebph) bench-build
# BENCH_LOCK=FILE: take FILE (flock) per round and part, not for the whole run.
BENCH_LOCK ?=
BENCH_ARGS = $(if $(filter 0,$(BENCH_EBPH)),--no-ebph,) $(if $(BENCH_LOCK),--lock $(BENCH_LOCK),)

bench: $(BENCH_DEPS)
	bash bench/run --full $(BENCH_ARGS)

bench-quick: $(BENCH_DEPS)
	bash bench/run --quick $(BENCH_ARGS)

# In-kernel ns per run of ebph's sys_exit program vs an empty one (< 1 min).
bench-kernel: ebph bench-build
	bash bench/kcost.sh

# Overhead on a real build and a shell job (a few minutes; not in make bench).
bench-workload: ebph bench-build
	bash bench/workload.sh $(if $(BENCH_LOCK),--lock $(BENCH_LOCK),)

# Event throughput under an anomaly flood.
bench-flood: ebph bench-build
	bash bench/flood.sh

bench-smoke: bench-build
	bash bench/run --smoke --no-exclude -o /tmp/ebph-bench-smoke.json
