# bench/bench.mk: make bench, bench-quick, bench-build (included by the top Makefile).
BENCH_BINS = bench/bin/ops bench/bin/hook bench/bin/startup bench/bin/hello

.PHONY: bench bench-quick bench-build bench-smoke

bench-build: $(BENCH_BINS)

bench/bin/ops: bench/ops.c
	@mkdir -p bench/bin
	$(CC) $(CFLAGS) -o $@ bench/ops.c

bench/bin/startup: bench/startup.c
	@mkdir -p bench/bin
	$(CC) $(CFLAGS) -o $@ bench/startup.c

bench/bin/hook: bench/hook.c
	@mkdir -p bench/bin
	$(CC) $(CFLAGS) -o $@ bench/hook.c $(LDFLAGS) -lbcc -l:libbpf.so.1

# The fork_exec target: static when libc.a is there, else dynamic.
bench/bin/hello: bench/hello.c
	@mkdir -p bench/bin
	$(CC) -O2 -static -o $@ bench/hello.c 2>/dev/null || $(CC) -O2 -o $@ bench/hello.c

# BENCH_EBPH=0 runs without ebph (none, empty hook, syscount only).
BENCH_EBPH ?= 1
BENCH_DEPS = $(if $(filter 0,$(BENCH_EBPH)),,ebph) bench-build
BENCH_ARGS = $(if $(filter 0,$(BENCH_EBPH)),--no-ebph,)

bench: $(BENCH_DEPS)
	bash bench/run --full $(BENCH_ARGS)

bench-quick: $(BENCH_DEPS)
	bash bench/run --quick $(BENCH_ARGS)

bench-smoke: bench-build
	bash bench/run --smoke --no-exclude -o /tmp/ebph-bench-smoke.json
