# SPDX-License-Identifier: ISC
# senderaudit — plain Makefile. `make`, `make test`, `make demo`,
# `make install PREFIX=... DESTDIR=...`, `make uninstall`, `make clean`.

PROG     = senderaudit
VERSION  = 0.2.0

# The shared test data (conformance suites, RDAP fixtures) the tests and the
# demo read: $SA_SHARED when set, else ../shared beside this checkout, else
# beside the checkout this one was cloned from (a clean clone elsewhere).
ORIGIN   := $(shell git config --get remote.origin.url 2>/dev/null)
SA_SHARED ?= $(firstword $(wildcard $(abspath ../shared) $(if $(ORIGIN),$(abspath $(ORIGIN)/../shared))))
export SA_SHARED
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
# Shell completions (completions/, written by scripts/completions.sh), where
# bash-completion, zsh and fish look for them.
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

CC      ?= cc
CFLAGS  ?= -O2 -g
WARNFLAGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
STDFLAGS  = -std=c11 -D_GNU_SOURCE -DSA_VERSION='"$(VERSION)"' -pthread
LIBS      = -lldns -lpsl -lcjson -lidn2 -lspf2 -lopendkim -lcurl -lssl -lcrypto -lm -pthread
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The release build's allocator: jemalloc (Debian's libjemalloc-dev) when
# it is installed, else glibc's. A batch spends a fifth less CPU in it
# (glibc's consolidates its free lists and locks blocks another thread
# frees). Linked statically: the shared library loads libstdc++ too, 2 ms
# more of every single audit's start-up (BENCHMARKS.md). `make
# MALLOC=glibc` or `MALLOC=tcmalloc` (libtcmalloc-minimal4) chooses. The
# test builds keep the sanitizers' and valgrind's own.
JEMALLOC_A := $(firstword $(wildcard /usr/lib/*/libjemalloc_pic.a /usr/lib/libjemalloc_pic.a /usr/local/lib/libjemalloc_pic.a))
MALLOC   ?= $(if $(JEMALLOC_A),jemalloc,glibc)
MALLOC_LIBS = $(if $(filter jemalloc,$(MALLOC)),$(if $(JEMALLOC_A),$(JEMALLOC_A),-ljemalloc))$(if $(filter tcmalloc,$(MALLOC)),-l:libtcmalloc_minimal.so.4)
$(if $(filter-out jemalloc tcmalloc glibc,$(MALLOC)),$(error MALLOC=$(MALLOC): jemalloc, tcmalloc or glibc))

SRCS     = $(sort $(wildcard lib/*/*.c checks/*.c report/*.c)) cli/main.c $(filter-out cli/main.c,$(sort $(wildcard cli/*.c)))
LIBSRCS  = $(filter-out cli/main.c,$(SRCS))
# Objects also depend on the Makefile: SA_VERSION and the flags come from it.
HDRS     = $(wildcard lib/*/*.h lib/*/*.def checks/*.h report/*.h cli/*.h checks/*.inc) Makefile
UNITSRCS = $(sort $(wildcard tests/unit/test_*.c))

REL      = build/release
SAN      = build/asan

all: $(REL)/$(PROG)

$(REL)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(STDFLAGS) $(WARNFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(REL)/$(PROG): $(SRCS:%.c=$(REL)/%.o)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(MALLOC_LIBS)
	@ln -sf $(REL)/$(PROG) $(PROG)

# The test build: warnings are errors, ASan + UBSan on.
$(SAN)/%.o: %.c $(HDRS) tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $<"
	@$(CC) $(STDFLAGS) $(WARNFLAGS) -Werror -O1 -g $(SANFLAGS) $(CPPFLAGS) -c -o $@ $<

$(SAN)/$(PROG): $(SRCS:%.c=$(SAN)/%.o)
	@echo "  LD+SAN  $@"
	@$(CC) $(SANFLAGS) -o $@ $^ $(LIBS)

$(SAN)/tests/unit/%: $(SAN)/tests/unit/%.o $(LIBSRCS:%.c=$(SAN)/%.o)
	@echo "  LD+SAN  $@"
	@$(CC) $(SANFLAGS) -o $@ $^ $(LIBS)

UNITBINS = $(UNITSRCS:%.c=$(SAN)/%)
# Small programs the suites drive (tests/tools/NAME.c -> $(SAN)/tests/tools/NAME),
# e.g. dnsq, which puts lib/dns through its paces for suite_dns_layer.sh.
TOOLS    = $(patsubst %.c,$(SAN)/%,$(wildcard tests/tools/*.c))

$(SAN)/tests/tools/%: $(SAN)/tests/tools/%.o $(LIBSRCS:%.c=$(SAN)/%.o)
	@echo "  LD+SAN  $@"
	@$(CC) $(SANFLAGS) -o $@ $^ $(LIBS)

# The valgrind build: no sanitizers (they do not mix with valgrind).
VG = build/valgrind
$(VG)/%.o: %.c $(HDRS) tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  CC+VG   $<"
	@$(CC) $(STDFLAGS) $(WARNFLAGS) -Werror -O1 -g $(CPPFLAGS) -c -o $@ $<

$(VG)/$(PROG): $(SRCS:%.c=$(VG)/%.o)
	@echo "  LD+VG   $@"
	@$(CC) -o $@ $^ $(LIBS)

$(VG)/tests/unit/%: $(VG)/tests/unit/%.o $(LIBSRCS:%.c=$(VG)/%.o)
	@echo "  LD+VG   $@"
	@$(CC) -o $@ $^ $(LIBS)

VGUNITBINS = $(UNITSRCS:%.c=$(VG)/%)
VGTOOLS    = $(patsubst %.c,$(VG)/%,$(wildcard tests/tools/*.c))

$(VG)/tests/tools/%: $(VG)/tests/tools/%.o $(LIBSRCS:%.c=$(VG)/%.o)
	@echo "  LD+VG   $@"
	@$(CC) -o $@ $^ $(LIBS)

deps:
	@sh scripts/deps.sh

check-build: deps $(SAN)/$(PROG) $(UNITBINS) $(TOOLS)

test: check-build fuzz-build
	@FUZZERS="$(FUZZERS)" SA_TOOLS=$(SAN)/tests/tools sh tests/run.sh $(SAN)/$(PROG) $(UNITBINS)

# The sweeps in full (SA_SWEEP=full): every question of the clean sender's
# audit under every fault, where `make test` runs a sample; each prints its
# violations and its summary line.
sweep: check-build
	@rc=0; for s in tests/suite_sweep_*.sh; do SA_SWEEP=full bash $$s $(SAN)/$(PROG) || rc=1; done; exit $$rc

# The whole suite under valgrind (leaks and memory errors fail it).
check-valgrind: deps $(VG)/$(PROG) $(VGUNITBINS) $(VGTOOLS)
	@SA_VALGRIND_BIN=$(VG)/$(PROG) SA_TOOLS=$(VG)/tests/tools SA_SLOW=1 sh tests/run.sh tests/valgrind-wrap.sh $(VGUNITBINS)

demo: deps $(REL)/$(PROG)
	@bash scripts/demo.sh $(REL)/$(PROG)

# Measurements (bench/): figures for README and BENCHMARKS.md.
DNSBENCH_SRCS = bench/dnsbench.c lib/net/dns.c lib/net/dnswire.c lib/proc/workpool.c lib/util/clock.c lib/util/names.c lib/util/text.c lib/util/xalloc.c
$(REL)/bench/dnsbench: $(DNSBENCH_SRCS) lib/net/dns.h
	@mkdir -p $(dir $@)
	$(CC) $(STDFLAGS) $(WARNFLAGS) -O2 -o $@ $(DNSBENCH_SRCS) -lldns -lunbound -lidn2 -pthread

bench: 
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(REL)/$(PROG) $(REL)/bench/dnsbench
	@bash bench/run.sh $(REL)

# Fuzzing (libFuzzer, clang): `make fuzz` runs every harness in fuzz/ for
# FUZZ_SECONDS; `make fuzz-smoke` (part of `make test`) a few seconds each and
# replays the inputs in fuzz/regressions/ so no harness rots.
FUZZ         = build/fuzz
FUZZERS      = $(patsubst fuzz/%.c,$(FUZZ)/%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 60
FUZZFLAGS    = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1

$(FUZZ)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC+FUZZ $<"
	@clang $(STDFLAGS) $(WARNFLAGS) -Werror $(FUZZFLAGS) $(CPPFLAGS) -c -o $@ $<

$(FUZZ)/fuzz_%: $(FUZZ)/obj/fuzz/fuzz_%.o $(LIBSRCS:%.c=$(FUZZ)/obj/%.o)
	@echo "  LD+FUZZ $@"
	@clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

fuzz-build: $(FUZZERS)

fuzz: deps fuzz-build
	@bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

fuzz-smoke: fuzz-build
	@bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# The tree's own rules: the man page lints clean, every source file has its
# SPDX line, and every C file is as clang-format (.clang-format) writes it.
CFILES = $(sort $(wildcard cli/*.[ch] checks/*.[ch] report/*.[ch] lib/*/*.[ch] tests/*.[ch] tests/*/*.[ch] fuzz/*.c bench/*.c))
lint:
	@mandoc -Tlint -W warning man/$(PROG).1
	@sh scripts/spdx.sh --check
	@clang-format --dry-run -Werror $(CFILES) 2>&1 | grep -m 20 . && exit 1 || echo "lint: $(words $(CFILES)) C files formatted, SPDX lines, man page clean"

install: $(REL)/$(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(REL)/$(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	install -m 644 man/$(PROG).1 $(DESTDIR)$(MANDIR)/man1/$(PROG).1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 completions/$(PROG).bash $(DESTDIR)$(BASHCOMPDIR)/$(PROG)
	install -m 644 completions/_$(PROG) $(DESTDIR)$(ZSHCOMPDIR)/_$(PROG)
	install -m 644 completions/$(PROG).fish $(DESTDIR)$(FISHCOMPDIR)/$(PROG).fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/$(PROG).1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/$(PROG) $(DESTDIR)$(ZSHCOMPDIR)/_$(PROG) $(DESTDIR)$(FISHCOMPDIR)/$(PROG).fish

# The shell completions, after an option or a check was added.
completions: $(REL)/$(PROG)
	@bash scripts/completions.sh $(REL)/$(PROG)

clean:
	rm -rf build $(PROG)

.PHONY: completions all deps check-build check-valgrind test sweep demo bench fuzz fuzz-build fuzz-smoke lint install uninstall clean
.SECONDARY:
