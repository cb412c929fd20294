# chattcp: `make` builds build/chattcp; see README.md for the other targets.
CC ?= cc
include mk/libs.mk
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wno-unused-parameter -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS := $(PKG_LIBS) -lm

BUILD ?= build
SRCS := $(shell find src -name '*.c' | sort)
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o)
# Built-in cases and assets become C arrays at build time (scripts/embed.sh).
GEN := $(BUILD)/gen/cases_data.c $(BUILD)/gen/web_assets.c
GEN_OBJS := $(GEN:%.c=%.o)

.PHONY: all test check asan fuzz bench clean print-libs install
# The man page and the completions are made from the binary's own help and command
# table (scripts/gen-man.sh, scripts/gen-completion.sh), so they cannot drift from it.
DOCS := $(BUILD)/chattcp.1 $(BUILD)/completion/chattcp.bash $(BUILD)/completion/_chattcp
all: $(BUILD)/chattcp $(DOCS)

$(BUILD)/chattcp.1: $(BUILD)/chattcp scripts/gen-man.sh
	sh scripts/gen-man.sh $(BUILD)/chattcp > $@.tmp && mv $@.tmp $@

$(BUILD)/completion/chattcp.bash: $(BUILD)/chattcp scripts/gen-completion.sh
	@mkdir -p $(dir $@)
	sh scripts/gen-completion.sh $(BUILD)/chattcp bash > $@.tmp && mv $@.tmp $@

$(BUILD)/completion/_chattcp: $(BUILD)/chattcp scripts/gen-completion.sh
	@mkdir -p $(dir $@)
	sh scripts/gen-completion.sh $(BUILD)/chattcp zsh > $@.tmp && mv $@.tmp $@

# make install PREFIX=/tmp/x (DESTDIR for packaging): the binary, the man page, the
# bash and zsh completions.
PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(BUILD)/chattcp $(DESTDIR)$(PREFIX)/bin/chattcp
	install -m 644 $(BUILD)/chattcp.1 $(DESTDIR)$(PREFIX)/share/man/man1/chattcp.1
	install -m 644 $(BUILD)/completion/chattcp.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/chattcp
	install -m 644 $(BUILD)/completion/_chattcp $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_chattcp

$(BUILD)/chattcp: $(OBJS) $(GEN_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/gen/cases_data.c: scripts/embed-cases.sh $(wildcard cases/*/capture.pcap cases/*/lesson.md)
	@mkdir -p $(dir $@)
	sh scripts/embed-cases.sh cases > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/web_assets.c: scripts/embed-web.sh $(shell find web -type f 2>/dev/null)
	@mkdir -p $(dir $@)
	sh scripts/embed-web.sh web > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -Isrc -c -o $@ $<

test: all
	tests/run.sh

# Everything CI runs: tests on the normal and the sanitizer build, and a fuzz smoke run.
check:
	tests/check.sh

asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" LDFLAGS="-fsanitize=address,undefined"

fuzz:
	$(MAKE) -f fuzz/Makefile

bench: all
	bench/run.sh

print-libs:
	@echo $(LDLIBS)

clean:
	rm -rf build build-asan build-fuzz

-include $(OBJS:.o=.d)
