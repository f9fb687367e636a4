# cwrite: an Appwrite-compatible backend in C.
#   make            build build/release/cwrite
#   make run        install what is missing, build, serve on http://127.0.0.1:8080/v1
#   make test       install, build with ASan+UBSan, run unit, e2e and fuzz-corpus tests
#   make bench      install, build, run the benchmarks (see BENCHMARKS.md)
#   make fuzz       build the libFuzzer targets (clang); FUZZ=name TIME=60 make fuzz-run
#   make format     clang-format the sources

PKGS := libh2o-evloop jansson sqlite3 openssl libargon2 libxcrypt libcurl libmaxminddb zlib
CC ?= cc
SANITIZE ?=
MODE := $(if $(SANITIZE),san,release)
BUILD := build/$(MODE)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
        -Wvla -Wimplicit-fallthrough -Wno-unused-parameter -fno-common
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -DH2O_USE_EPOLL=1 -Isrc -I$(BUILD)/gen -pthread -MMD -MP $(WARN) \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lwslay -lm -pthread
ifeq ($(MODE),san)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=undefined
else
OPT := -O2 -g
endif
CFLAGS := $(CFLAGS_BASE) $(OPT) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT)

SRC := $(shell find src -name '*.c' ! -name main.c | sort)
GEN_SRC := $(BUILD)/gen/locale_data.c $(BUILD)/gen/mail_data.c
OBJ := $(SRC:%.c=$(BUILD)/%.o) $(GEN_SRC:%.c=%.o)
LIB := $(BUILD)/libcwrite.a
BIN := $(BUILD)/cwrite
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LOCALE_FILES := $(sort $(wildcard share/locale/*.json share/locale/translations/*.json))
MAIL_FILES := $(sort $(wildcard share/mail/*))

.PHONY: all run test unit e2e fuzz fuzz-replay bench format clean deps
all: $(BIN)

deps:
	@bash scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tools/bin2c: tools/bin2c.c
	@mkdir -p $(dir $@)
	@$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/locale_data.c: $(BUILD)/tools/bin2c $(LOCALE_FILES)
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/bin2c share/locale $(LOCALE_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/mail_data.c: $(BUILD)/tools/bin2c $(MAIL_FILES)
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/bin2c -n cw_embedded_mail share/mail $(MAIL_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%_data.o: $(BUILD)/gen/%_data.c
	@$(CC) $(CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(LIB): $(OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LIBS) -lcmocka

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) serve --listen 127.0.0.1:8080 --data ./data

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

e2e: $(BIN)
	cd tests/e2e && CWRITE_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 --test-reporter=spec .

# libFuzzer targets, built with clang into build/fuzz whatever SANITIZE says; `make test` replays
# each corpus once. The sources go into an instrumented library once, and each target links
# against it. clang warns about things gcc does not, so -Werror stays with the gcc builds.
FUZZ_DIR := build/fuzz
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_CFLAGS := $(filter-out -Werror -I$(BUILD)/gen,$(CFLAGS_BASE)) -I$(FUZZ_DIR)/gen -O1 -g \
               -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ := $(SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/gen/locale_data.o $(FUZZ_DIR)/gen/mail_data.o
FUZZ_LIB := $(FUZZ_DIR)/libcwrite.a

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC (fuzz) $<"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/gen/locale_data.c: $(BUILD)/tools/bin2c $(LOCALE_FILES)
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/bin2c share/locale $(LOCALE_FILES) > $@.tmp && mv $@.tmp $@

$(FUZZ_DIR)/gen/mail_data.c: $(BUILD)/tools/bin2c $(MAIL_FILES)
	@mkdir -p $(dir $@)
	@$(BUILD)/tools/bin2c -n cw_embedded_mail share/mail $(MAIL_FILES) > $@.tmp && mv $@.tmp $@

$(FUZZ_DIR)/gen/%_data.o: $(FUZZ_DIR)/gen/%_data.c
	@clang $(FUZZ_CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB)
	@echo "  LD $@"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LIBS)

fuzz: $(FUZZ_BIN)
fuzz-replay: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$${f#$(FUZZ_DIR)/fuzz_}; \
	    echo "== replay $$n corpus"; $$f -runs=0 fuzz/corpus/$$n >/dev/null 2>&1 || { $$f -runs=0 fuzz/corpus/$$n; exit 1; }; \
	    echo "$$n: corpus replayed"; done
# New inputs go to build/fuzz/corpus/NAME, crashes to build/fuzz/; the kept corpus in fuzz/corpus
# is curated by hand.
fuzz-run: $(FUZZ_DIR)/fuzz_$(FUZZ)
	@mkdir -p $(FUZZ_DIR)/corpus/$(FUZZ)
	$(FUZZ_DIR)/fuzz_$(FUZZ) -max_total_time=$(or $(TIME),60) -artifact_prefix=$(FUZZ_DIR)/ \
	    $(FUZZ_DIR)/corpus/$(FUZZ) fuzz/corpus/$(FUZZ)

test: deps
	@$(MAKE) --no-print-directory SANITIZE=address,undefined unit e2e
	@$(MAKE) --no-print-directory fuzz-replay

# The database benchmark's ceiling: the same operations straight on SQLite (bench/db.sh).
CEILING := $(BUILD)/bench/sqlite_ceiling

$(CEILING): bench/sqlite_ceiling.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -o $@ $< -lsqlite3 -lpthread

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(CEILING)
	bash bench/run.sh $(BIN) $(CEILING)

format:
	clang-format -i $$(find src tests/unit fuzz tools -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
