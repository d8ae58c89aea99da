# SPDX-License-Identifier: GPL-2.0-only
# Makefile: build, embed, test, bench, install and clean ebph.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -std=gnu11 -D_GNU_SOURCE -I. -Igen
# libbcc, libbpf, libyaml, zlib and libsystemd through pkg-config (any
# distribution's paths and sonames); without a .pc file, the plain library
# names. The pure modules (unit-tested) need libbpf (BTF), libyaml, zlib
# (CRC-32) and libsystemd (the journal, sink.c).
PKG_CONFIG ?= pkg-config
CFLAGS += $(foreach p,libbcc libbpf yaml-0.1 zlib libsystemd,$(shell $(PKG_CONFIG) --cflags $(p) 2>/dev/null))
PURE_LIBS = $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) \
	$(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml) \
	$(shell $(PKG_CONFIG) --libs zlib 2>/dev/null || echo -lz) \
	$(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null || echo -lsystemd)
LDLIBS = $(shell $(PKG_CONFIG) --libs libbcc 2>/dev/null || echo -lbcc) $(PURE_LIBS)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS += -DEBPH_VERSION='"$(VERSION)"'

# Pure modules: no libbcc, unit-tested without root (sink.c: libsystemd).
PURE_SRCS = config.c btf.c output.c fill.c syscalls.c cli.c store.c filter.c show.c attr.c trace.c replay.c sink.c lsm.c scope.c
# The sub-commands' rooms; tests/test_admin.c includes the pure ones.
ADMIN_PURE_SRCS = admin.c key.c view.c saved.c
ADMIN_SRCS = $(ADMIN_PURE_SRCS) pin.c live.c inspect.c steer.c request.c status.c
BIN_SRCS = ebph.c prog.c maps.c $(ADMIN_SRCS) record.c response.c $(PURE_SRCS)
GEN = gen/syscalls_gen.h gen/syscall_names.c gen/uring_names.c gen/embed.c
HDRS = ebph.h ph.h config.h btf.h output.h fill.h prog.h syscalls.h cli.h store.h maps.h admin.h admin_int.h filter.h show.h attr.h trace.h replay.h record.h response.h sink.h lsm.h status.h scope.h gen/syscalls_gen.h gen/bcc_api.h

TEST_SRCS = $(wildcard tests/test_*.c)

.PHONY: all clean test unit e2e install uninstall tests-fixtures deb test-deb

all: ebph

gen/syscalls_gen.h gen/syscall_names.c: scripts/gen-syscalls.sh
	@mkdir -p gen
	CC="$(CC)" sh scripts/gen-syscalls.sh gen

gen/uring_names.c: scripts/gen-uring.sh
	@mkdir -p gen
	CC="$(CC)" sh scripts/gen-uring.sh gen

# Which form of bcc's C API the installed headers declare (bcc 0.18 to 0.26+).
gen/bcc_api.h: scripts/probe-bcc.sh
	@mkdir -p gen
	CC="$(CC)" CFLAGS="$(CFLAGS)" sh scripts/probe-bcc.sh $@

gen/embed.c: scripts/embed.sh ebph.bpf.c.in ebph.h ph.h record.bpf.c.in record.h
	@mkdir -p gen
	sh scripts/embed.sh $@ ebph.bpf.c.in ebph.h ph.h record.bpf.c.in record.h

ebph: $(BIN_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c $(HDRS)
	$(CC) $(CFLAGS) -o $@ $(BIN_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c $(LDFLAGS) $(LDLIBS)

gen/suites.h: $(TEST_SRCS)
	@mkdir -p gen
	sh scripts/gen-suites.sh $(TEST_SRCS) > $@

tests/unit: tests/unit.c $(TEST_SRCS) $(PURE_SRCS) $(ADMIN_PURE_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c gen/suites.h $(HDRS)
	$(CC) $(CFLAGS) -o $@ tests/unit.c $(TEST_SRCS) $(PURE_SRCS) gen/embed.c gen/syscall_names.c gen/uring_names.c \
		$(LDFLAGS) $(PURE_LIBS) $(CHECK_LIBS)

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

# The configuration is installed once: an edited /etc/ebph/ebph.yaml is kept.
install: ebph
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/ebph \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 ebph $(DESTDIR)$(SBINDIR)/ebph
	install -m 0644 man/ebph.8 $(DESTDIR)$(MANDIR)/man8/ebph.8
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		systemd/ebph.service.in > $(DESTDIR)$(UNITDIR)/ebph.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ebph.service
	install -m 0644 completions/ebph.bash $(DESTDIR)$(BASHCOMPDIR)/ebph
	if [ -e $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml (the default is config/ebph.yaml)"; \
	else \
		install -m 0644 config/ebph.yaml $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml; \
	fi

# The configuration goes only if it is still the default one.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ebph $(DESTDIR)$(MANDIR)/man8/ebph.8
	rm -f $(DESTDIR)$(UNITDIR)/ebph.service $(DESTDIR)$(BASHCOMPDIR)/ebph
	if cmp -s config/ebph.yaml $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml; then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/ebph/ebph.yaml: it differs from the default"; \
	fi
	-rmdir $(DESTDIR)$(SYSCONFDIR)/ebph 2>/dev/null

# make deb: a Debian package built by dpkg-buildpackage in a copy of the
# source tree (build-deb/), so that nothing is written outside this tree.
DEB_SRC = build-deb/ebph-$(VERSION)
deb:
	rm -rf build-deb
	mkdir -p $(DEB_SRC)
	{ git ls-files -co --exclude-standard 2>/dev/null || find . -type f ! -path './.git/*'; } | \
		grep -v '^build-deb/' | tar -cf - -T - | tar -xf - -C $(DEB_SRC)
	rm -rf $(DEB_SRC)/gen
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc
	@ls build-deb/*.deb

# Build, install, check, remove and purge the package (root; also part of
# make test, as tests/e2e_deb.sh).
test-deb:
	sh tests/e2e_deb.sh

clean:
	rm -rf ebph tests/unit gen build-deb tests/fixtures/bin bench/bin

# make eval: detection and false-positive rates on common binaries (minutes,
# root; not part of make test). EBPH=path evaluates another ebph binary.
EBPH ?= $(CURDIR)/ebph
.PHONY: eval
eval: $(if $(filter $(CURDIR)/ebph,$(EBPH)),ebph,)
	EBPH="$(EBPH)" sh eval/run.sh

# make bench, make bench-quick, make bench-build (see bench/README or README.md)
-include bench/bench.mk
