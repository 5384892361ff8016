# mmm — build, test, benchmark, install.  See README.md.
VERSION = 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc

# Debian packages: what the build, the tests and the benchmarks need.
DEPS_BUILD = gcc make libcsv-dev libjansson-dev libgsl-dev libopenblas-dev \
	libnlopt-dev
DEPS_TEST = bats jq
DEPS_BENCH = python3-pandas python3-numpy python3-scipy python3-sklearn \
	python3-statsmodels hyperfine time

ifeq ($(SANITIZE),1)
BUILD = build/san
BIN = build/san/bin
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -g -O1
else
BUILD = build/opt
BIN = bin
SANFLAGS =
endif

CFLAGS ?= -O2
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	-DMMM_VERSION='"$(VERSION)"' -Icommon $(CFLAGS) $(SANFLAGS)
LDFLAGS_ALL = -Wl,--as-needed $(SANFLAGS) $(LDFLAGS)
# Each tool pulls only the objects it references out of libmmm.a, and
# --as-needed drops every shared library those objects do not call.  GSL
# needs a CBLAS: OpenBLAS (3 ms to start) only for the tools that fit, GSL's
# own for the rest, so that mmm-predict starts in about a millisecond.
BLAS_mmm-train = -lopenblas
LDLIBS_ALL = -lcsv -ljansson -lgsl $(or $(BLAS_$(@F)),-lgslcblas) -lnlopt -lmvec -lm
LDLIBS_TEST = -lcsv -ljansson -lgsl -lopenblas -lnlopt -lmvec -lm

TOOLS = $(patsubst tools/%.c,%,$(wildcard tools/*.c))
COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:common/%.c=$(BUILD)/common/%.o)
LIB = $(BUILD)/libmmm.a
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Programs the bats suites run (generators of test input).
GEN_SRC = $(wildcard tests/gen/*.c)
GEN_BIN = $(GEN_SRC:tests/gen/%.c=$(BUILD)/tests/gen/%)

.PHONY: all check check-long deps deps-check bench demo install uninstall clean
.DELETE_ON_ERROR:

all: deps-check $(TOOLS:%=$(BIN)/%)

$(BUILD)/common/%.o: common/%.c $(wildcard common/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The vector kernels: -O3 to vectorise, no errno so that libm calls can be
# vector calls (vmath.c).
$(BUILD)/common/vmath.o: ALL_CFLAGS += -O3 -fno-math-errno
# The sampler's density and gradient: -O3 to vectorise its column loops.
$(BUILD)/common/mmmbayes.o: ALL_CFLAGS += -O3

$(LIB): $(COMMON_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN)/%: tools/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDFLAGS_ALL) $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS_ALL) \
		$(LDLIBS_TEST)

$(BUILD)/tests/gen/%: tests/gen/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDFLAGS_ALL) $(LDLIBS_TEST)

# Installs what is missing when run as root, else prints the one command.
deps:
	@sh tests/deps.sh install $(DEPS_BUILD) $(DEPS_TEST)

deps-check:
	@sh tests/deps.sh check $(DEPS_BUILD) || $(MAKE) --no-print-directory deps

check: all $(UNIT_BIN) $(GEN_BIN)
	@sh tests/deps.sh check $(DEPS_TEST) || $(MAKE) --no-print-directory deps
	@MMM_BIN=$(CURDIR)/$(BIN) MMM_UNIT="$(UNIT_BIN)" \
		MMM_GEN=$(CURDIR)/$(BUILD)/tests/gen sh tests/run.sh

check-long: all $(UNIT_BIN) $(GEN_BIN)
	@MMM_LONG=1 MMM_BIN=$(CURDIR)/$(BIN) MMM_UNIT="$(UNIT_BIN)" \
		MMM_GEN=$(CURDIR)/$(BUILD)/tests/gen sh tests/run.sh

bench: all $(LIB)
	@sh tests/deps.sh check $(DEPS_BENCH) || sh tests/deps.sh install $(DEPS_BENCH)
	bash bench/run.sh

demo: all
	@sh tests/deps.sh check jq || $(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -C examples demo MMM_BIN=$(CURDIR)/$(BIN)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(TOOLS:%=$(BIN)/%) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(PREFIX)/share/man/man7
	for t in $(TOOLS); do install -m 644 completions/mmm.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$t; done
	install -m 644 completions/_mmm $(DESTDIR)$(PREFIX)/share/zsh/site-functions

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(PREFIX)/bin/%) \
		$(TOOLS:%=$(DESTDIR)$(PREFIX)/share/man/man1/%.1) \
		$(DESTDIR)$(PREFIX)/share/man/man7/mmm.7 \
		$(DESTDIR)$(PREFIX)/share/man/man5/mmm-model.5 \
		$(TOOLS:%=$(DESTDIR)$(PREFIX)/share/bash-completion/completions/%) \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mmm

clean:
	rm -rf bin build
