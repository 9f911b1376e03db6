# evkit - one flat Makefile.  Programs are cmd/*.c, each linked with every
# module in lib/ (archived into libevkit.a).  C unit tests are
# tests/unit/test_*.c; test drivers used by the bats suites are
# tests/tools/*.c.  Build output goes to $(BUILD) (build/, or build-asan/).

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/evkit
BUILD	?= build

CC	?= cc
CXX	?= c++
CFLAGS	?= -O2 -g
# Warnings live apart from CFLAGS so a user's CFLAGS cannot drop them.
WARN	= -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wpointer-arith -Wwrite-strings -Wformat=2 \
	  -Wvla -Wcast-qual -fno-common
ifdef WERROR
WARN	+= -Werror
endif
PKGS	= jansson libpcre2-8 yaml-0.1 libmaxminddb libcrypto simdjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
EV_CFLAGS = -std=c11 -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) $(WARN) \
	    -DEV_DATADIR='"$(DATADIR)"'
EV_LIBS	= $(PKG_LIBS) -lcsv -lm -lstdc++
# The C++ files (lib/ev_dtoa.cc over std::to_chars, lib/ev_jidx.cc over
# simdjson) are built with C++ warnings; CFLAGS (optimisation, sanitizers)
# apply to them as well.
CXXWARN	= -Wall -Wextra -Wpedantic -Wshadow -Wcast-qual
ifdef WERROR
CXXWARN	+= -Werror
endif
EV_CXXFLAGS = -std=c++17 -Ilib $(PKG_CFLAGS) $(CXXWARN) -fno-exceptions \
	      -fno-rtti

PROGS	= $(patsubst cmd/%.c,$(BUILD)/%,$(wildcard cmd/*.c))
LIBSRC	= $(wildcard lib/*.c)
LIBOBJ	= $(patsubst lib/%.c,$(BUILD)/obj/%.o,$(LIBSRC)) \
	  $(patsubst lib/%.cc,$(BUILD)/obj/%.o,$(wildcard lib/*.cc))
LIBA	= $(BUILD)/libevkit.a
UNITS	= $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
TOOLS	= $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))
FUZZERS	= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
MANS	= $(wildcard man/*.1 man/*.7)
HDRS	= $(wildcard lib/*.h)

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=undefined

.PHONY: all testbin check check-slow test unit bats asan install uninstall clean demo bench \
	profile fuzz deps deps-test lint backtest-real
.DEFAULT_GOAL := all

all: $(PROGS)

# What the test suite runs besides the programs.
testbin: $(PROGS) $(UNITS) $(TOOLS)

$(BUILD)/obj/%.o: lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(EV_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: lib/%.cc $(HDRS)
	@mkdir -p $(@D)
	$(CXX) $(EV_CXXFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%: cmd/%.c $(LIBA) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(EV_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(EV_LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(LIBA) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(EV_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(EV_LIBS)

# Test drivers may also use libpng (when installed: it is a test dependency).
TOOL_LIBS := $(shell pkg-config --libs libpng 2>/dev/null)
$(BUILD)/tools/%: tests/tools/%.c $(LIBA) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(EV_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(EV_LIBS) $(TOOL_LIBS)

# The README's test command.  It installs what the tests need (as root; else
# it prints the apt-get line), builds, runs the C unit tests, then every bats
# suite, and ends with one "N passed, N failed, N skipped" line.
check: deps-test testbin
	@scripts/run-tests $(BUILD)

# The slow tier: statistical suites that take minutes of CPU (CI runs it).
check-slow: deps-test testbin
	@scripts/run-tests $(BUILD) slow

# The same suite without the dependency step (used by asan and by hand).
test: testbin
	@scripts/run-tests $(BUILD)

deps-test:
	@scripts/install-deps --test
deps:
	@scripts/install-deps

# The whole suite again under AddressSanitizer and UBSan.
asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" test

lint:
	mandoc -Tlint -W warning $(MANS)

install: $(PROGS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)
	for p in $(PROGS); do install -m 755 $$p $(DESTDIR)$(BINDIR)/; done
	for m in man/*.1; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in man/*.7; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done
	cp -R schemas $(DESTDIR)$(DATADIR)/

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$${p##*/}; done
	for m in $(MANS); do n=$${m##*/}; rm -f $(DESTDIR)$(MANDIR)/man$${n##*.}/$$n; done
	rm -rf $(DESTDIR)$(DATADIR)

demo:
	@scripts/install-deps
	@$(MAKE) --no-print-directory all
	@scripts/demo $(BUILD)

# ev-detect's backtest over the real labelled series of
# $EVKIT_TESTDATA/cloud-monitoring-dataset, as a table.
backtest-real: $(PROGS)
	@scripts/detect-real $(BUILD)

bench: testbin
	@scripts/install-deps --bench
	@scripts/bench $(BUILD)

profile: testbin
	@scripts/install-deps --bench
	@scripts/profile-stages $(BUILD)

fuzz:
	@scripts/install-deps --fuzz
	@scripts/fuzz

clean:
	rm -rf build build-asan build-fuzz
