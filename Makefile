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
CPPFLAGS += -Icommon -Iscs -Ilinks -Isoda -I/usr/include/iniparser \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	    -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
WARN	 = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	   -Wshadow -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 $(WARN)
LDLIBS	+= -lfcgi -liniparser $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif

COMMON_SRC = $(wildcard common/*.c)
SCS_SRC	   = $(wildcard scs/*.c)
LINKS_SRC  = $(wildcard links/*.c)
SODA_SRC   = $(wildcard soda/*.c)
COMMON_OBJ = $(COMMON_SRC:%.c=$(BUILD)/%.o)
SCS_OBJ	   = $(SCS_SRC:%.c=$(BUILD)/%.o)
LINKS_OBJ  = $(LINKS_SRC:%.c=$(BUILD)/%.o)
SODA_OBJ   = $(SODA_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC   = $(wildcard tests/unit/*.c)
PROGRAMS   = $(BUILD)/scs.fcgi $(BUILD)/links.fcgi $(BUILD)/soda-proxy.fcgi

.PHONY: all run stop test unit integration asan valgrind fuzz bench deps \
	clean

all: $(PROGRAMS)

$(BUILD)/%.o: %.c $(wildcard common/*.h scs/*.h links/*.h soda/*.h) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	@$(AR) rcs $@ $^

$(BUILD)/libscs.a: $(SCS_OBJ)
	@$(AR) rcs $@ $^

$(BUILD)/liblinks.a: $(LINKS_OBJ)
	@$(AR) rcs $@ $^

$(BUILD)/libsoda.a: $(SODA_OBJ)
	@$(AR) rcs $@ $^

$(BUILD)/scs.fcgi: $(BUILD)/fcgi/scs_main.o $(BUILD)/libscs.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/links.fcgi: $(BUILD)/fcgi/links_main.o $(BUILD)/liblinks.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/soda-proxy.fcgi: $(BUILD)/fcgi/soda_main.o $(BUILD)/libsoda.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libscs.a $(BUILD)/liblinks.a $(BUILD)/libsoda.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit -pthread

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

clean:
	rm -rf build
