# rucio-ivoa-fcgi
#
#   make            build the programs into build/
#   make run        start the local stack (PostgreSQL, the programs, nginx)
#   make stop       stop what "make run" started
#   make test       unit and integration tests (installs what is missing)
#   make asan       the same tests against an ASan/UBSan build
#   make valgrind   unit tests under valgrind, failing on any report
#   make fuzz       the fuzz targets, for FUZZ_SECONDS each
#   make bench      the benchmark against a stack of its own
#
# Everything builds out of tree, in $(BUILD).

BUILD	?= build
CC	?= cc
PKGS	 = libpq mxml libcurl jansson libmaxminddb libcrypto
CPPFLAGS += -I/usr/include/iniparser \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	    -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
WARN	 = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	   -Wshadow -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 $(WARN) -MMD -MP
LDLIBS	+= -lfcgi -liniparser $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif
# The fuzz build (tools/fuzz.sh): clang, libFuzzer's coverage in every
# object, its main() only in the fuzz targets.
ifeq ($(SAN),fuzz)
CC	 = clang
CFLAGS	+= -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif

# The layout, one library per folder:
#   common/        the core every program links (libcommon.a)
#   common/lake/   the data-lake clients, for links and soda (liblake.a)
#   fcgi/NAME/     one program: main.c and its own modules (libNAME.a)
# Each folder sees only the headers it may use: the core compiles without
# the lake's, and the cone search without either the lake's or another
# program's.
CORE_SRC   = $(wildcard common/*.c)
LAKE_SRC   = $(wildcard common/lake/*.c)
CORE_OBJ   = $(CORE_SRC:%.c=$(BUILD)/%.o)
LAKE_OBJ   = $(LAKE_SRC:%.c=$(BUILD)/%.o)
PROGS	   = scs links soda
prog_src   = $(filter-out fcgi/$(1)/main.c,$(wildcard fcgi/$(1)/*.c))
prog_obj   = $(patsubst %.c,$(BUILD)/%.o,$(call prog_src,$(1)))
UNIT_SRC   = $(wildcard tests/unit/*.c)
FUZZ_SRC   = $(wildcard tests/fuzz/*.c)
PROGRAMS   = $(BUILD)/scs.fcgi $(BUILD)/links.fcgi $(BUILD)/soda-proxy.fcgi

$(CORE_OBJ): INC = -Icommon
$(LAKE_OBJ): INC = -Icommon -Icommon/lake
$(BUILD)/fcgi/scs/%.o: INC = -Icommon -Ifcgi/scs
$(BUILD)/fcgi/links/%.o: INC = -Icommon -Icommon/lake -Ifcgi/links
$(BUILD)/fcgi/soda/%.o: INC = -Icommon -Icommon/lake -Ifcgi/soda
$(BUILD)/tests/%.o: INC = -Icommon -Icommon/lake $(PROGS:%=-Ifcgi/%)

.PHONY: all run stop test unit integration asan valgrind fuzz bench deps \
	clean

all: $(PROGRAMS)

$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(INC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Header dependencies, as the compiler wrote them (-MMD).
-include $(patsubst %.c,$(BUILD)/%.d,$(CORE_SRC) $(LAKE_SRC) \
	$(wildcard fcgi/*/*.c) $(UNIT_SRC) $(FUZZ_SRC))

$(BUILD)/libcommon.a: $(CORE_OBJ)
	@$(AR) rcs $@ $^

$(BUILD)/liblake.a: $(LAKE_OBJ)
	@$(AR) rcs $@ $^

$(BUILD)/libscs.a: $(call prog_obj,scs)
	@$(AR) rcs $@ $^

$(BUILD)/liblinks.a: $(call prog_obj,links)
	@$(AR) rcs $@ $^

$(BUILD)/libsoda.a: $(call prog_obj,soda)
	@$(AR) rcs $@ $^

$(BUILD)/scs.fcgi: $(BUILD)/fcgi/scs/main.o $(BUILD)/libscs.a \
		$(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/links.fcgi: $(BUILD)/fcgi/links/main.o $(BUILD)/liblinks.a \
		$(BUILD)/liblake.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/soda-proxy.fcgi: $(BUILD)/fcgi/soda/main.o $(BUILD)/libsoda.a \
		$(BUILD)/liblake.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

ALL_LIBS = $(PROGS:%=$(BUILD)/lib%.a) $(BUILD)/liblake.a $(BUILD)/libcommon.a

$(BUILD)/unit-tests: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit -pthread

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(ALL_LIBS)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# Dependencies: installed with apt-get when missing (see tools/deps.sh).
deps:
	@tools/deps.sh

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

integration: all
	tools/run-integration.sh $(BUILD)

test: deps
	$(MAKE) unit integration

asan: deps
	$(MAKE) BUILD=build/asan SAN=1 unit integration

valgrind: deps $(BUILD)/unit-tests
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	    -q $(BUILD)/unit-tests

run: deps all
	tools/stack.sh start

stop:
	tools/stack.sh stop

FUZZ_SECONDS ?= 60
fuzz: deps
	tools/fuzz.sh $(FUZZ_SECONDS)

bench: deps all
	tools/bench.sh
	tools/bench-links.sh
	tools/bench-soda.sh
	tools/bench-sync.sh

clean:
	rm -rf build
