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

.PHONY: all test check asan fuzz bench clean print-libs
all: $(BUILD)/chattcp

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
