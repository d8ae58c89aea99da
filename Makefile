# Makefile: build, embed, test, bench, install and clean ebph.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -std=gnu11 -D_GNU_SOURCE -I. -Igen
CFLAGS += $(shell pkg-config --cflags libbcc yaml-0.1 libsystemd 2>/dev/null)
LDLIBS = -lbcc -l:libbpf.so.1 $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)
SYSTEMD_LIBS = $(shell pkg-config --libs libsystemd 2>/dev/null || echo -lsystemd)
LDLIBS += $(SYSTEMD_LIBS)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS += -DEBPH_VERSION='"$(VERSION)"'

# Pure modules: no libbcc, unit-tested without root (sink.c: libsystemd).
PURE_SRCS = config.c btf.c output.c fill.c syscalls.c cli.c store.c filter.c show.c attr.c sink.c
BIN_SRCS = ebph.c prog.c maps.c admin.c $(PURE_SRCS)
GEN = gen/syscalls_gen.h gen/syscall_names.c gen/uring_names.c gen/embed.c
HDRS = ebph.h ph.h config.h btf.h output.h fill.h prog.h syscalls.h cli.h store.h maps.h admin.h filter.h show.h attr.h sink.h gen/syscalls_gen.h

TEST_SRCS = $(wildcard tests/test_*.c)

.PHONY: all clean test unit e2e install uninstall tests-fixtures

all: ebph

gen/syscalls_gen.h gen/syscall_names.c: scripts/gen-syscalls.sh
	@mkdir -p gen
	CC="$(CC)" sh scripts/gen-syscalls.sh gen

gen/uring_names.c: scripts/gen-uring.sh
	@mkdir -p gen
	CC="$(CC)" sh scripts/gen-uring.sh gen

gen/embed.c: scripts/embed.sh bpf_prog.c.in ebph.h ph.h
	@mkdir -p gen
	sh scripts/embed.sh $@ bpf_prog.c.in ebph.h ph.h

ebph: $(BIN_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c $(HDRS)
	$(CC) $(CFLAGS) -o $@ $(BIN_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c $(LDFLAGS) $(LDLIBS)

gen/suites.h: $(TEST_SRCS)
	@mkdir -p gen
	sh scripts/gen-suites.sh $(TEST_SRCS) > $@

tests/unit: tests/unit.c $(TEST_SRCS) $(PURE_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c gen/suites.h $(HDRS)
	$(CC) $(CFLAGS) -o $@ tests/unit.c $(TEST_SRCS) $(PURE_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c \
		$(LDFLAGS) $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml) $(SYSTEMD_LIBS) $(CHECK_LIBS)

unit: tests/unit
	CK_DEFAULT_TIMEOUT=60 ./tests/unit

FIXTURES = $(patsubst tests/fixtures/%.c,tests/fixtures/bin/%,$(wildcard tests/fixtures/*.c))

# Fixtures are static: their system call sequences do not depend on ld.so.
tests/fixtures/bin/%: tests/fixtures/%.c
	@mkdir -p tests/fixtures/bin
	$(CC) -O1 -Wall -Wextra -static -o $@ $<

tests-fixtures: $(FIXTURES)

e2e: ebph tests-fixtures
	sh tests/e2e.sh

test: ebph tests/unit tests-fixtures
	CK_DEFAULT_TIMEOUT=60 ./tests/unit
	sh tests/e2e.sh

install: ebph
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/ebph
	install -m 0755 ebph $(DESTDIR)$(SBINDIR)/ebph
	install -m 0644 man/ebph.8 $(DESTDIR)$(MANDIR)/man8/ebph.8
	install -m 0644 config/ebph.yaml $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml.example

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ebph $(DESTDIR)$(MANDIR)/man8/ebph.8
	rm -f $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml.example
	-rmdir $(DESTDIR)$(SYSCONFDIR)/ebph 2>/dev/null

clean:
	rm -rf ebph tests/unit gen tests/fixtures/bin bench/bin

# make bench, make bench-quick, make bench-build (see bench/README or README.md)
-include bench/bench.mk
