# rucio-ivoa-fcgi
#
#   make            build the programs into build/
#   make run        start the local stack (PostgreSQL, the programs, nginx)
#   make stop       stop what "make run" started
#   make test       unit, install and integration tests (installs what is
#                   missing)
#   make asan       the same tests against an ASan/UBSan build
#   make valgrind   unit tests under valgrind, failing on any report
#   make fuzz       the fuzz targets, for FUZZ_SECONDS each
#   make bench      the benchmark against a stack of its own
#   make soak       every endpoint at once under faults, SOAK_SECONDS (600);
#                   SAN=1: against the sanitizer build, 120 s by default
#   make install    install the programs, configuration, units, nginx files,
#                   SQL and manual pages (PREFIX, DESTDIR...; see below)
#   make uninstall  remove them again, but for the configuration file
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
#   fcgi/tap/      also the ADQL grammar, which bison and flex turn into
#                  C in $(BUILD)/fcgi/tap/gen (build products, not sources)
#   fcgi/tap-runner/  tap-runner, the daemon that runs TAP's async jobs:
#                  not a FastCGI program, but it runs queries through
#                  libtap.a, the one copy tap.fcgi uses too
# Each folder sees only the headers it may use: the core compiles without
# the lake's, and the cone search without either the lake's or another
# program's.
CORE_SRC   = $(wildcard common/*.c)
LAKE_SRC   = $(wildcard common/lake/*.c)
CORE_OBJ   = $(CORE_SRC:%.c=$(BUILD)/%.o)
LAKE_OBJ   = $(LAKE_SRC:%.c=$(BUILD)/%.o)
PROGS	   = scs links soda tap
prog_src   = $(filter-out fcgi/$(1)/main.c,$(wildcard fcgi/$(1)/*.c))
prog_obj   = $(patsubst %.c,$(BUILD)/%.o,$(call prog_src,$(1)))
UNIT_SRC   = $(wildcard tests/unit/*.c)
FUZZ_SRC   = $(wildcard tests/fuzz/*.c)
BENCH_SRC  = $(wildcard tests/bench/*.c)
TAP_GEN    = $(BUILD)/fcgi/tap/gen
TAP_GEN_OBJ = $(TAP_GEN)/adql_gram.o $(TAP_GEN)/adql_lex.o
PROGRAMS   = $(BUILD)/scs.fcgi $(BUILD)/links.fcgi $(BUILD)/soda-proxy.fcgi \
	     $(BUILD)/tap.fcgi $(BUILD)/tap-runner
RUNNER_SRC = $(wildcard fcgi/tap-runner/*.c)
RUNNER_OBJ = $(RUNNER_SRC:%.c=$(BUILD)/%.o)

$(CORE_OBJ): INC = -Icommon
$(LAKE_OBJ): INC = -Icommon -Icommon/lake
$(BUILD)/fcgi/scs/%.o: INC = -Icommon -Ifcgi/scs
$(BUILD)/fcgi/links/%.o: INC = -Icommon -Icommon/lake -Ifcgi/links
$(BUILD)/fcgi/soda/%.o: INC = -Icommon -Icommon/lake -Ifcgi/soda
$(BUILD)/fcgi/tap/%.o: INC = -Icommon -Ifcgi/tap -I$(TAP_GEN)
$(BUILD)/fcgi/tap-runner/%.o: INC = -Icommon -Ifcgi/tap -Ifcgi/tap-runner
$(BUILD)/tests/%.o: INC = -Icommon -Icommon/lake $(PROGS:%=-Ifcgi/%) \
	-Ifcgi/tap-runner

.PHONY: all run stop test unit integration install-test asan valgrind \
	fuzz bench soak soak-smoke deps install uninstall clean

all: $(PROGRAMS)

# No built-in yacc or lex rule may write C next to the grammar.
%.c: %.y
%.c: %.l

$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(INC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Header dependencies, as the compiler wrote them (-MMD).
-include $(patsubst %.c,$(BUILD)/%.d,$(CORE_SRC) $(LAKE_SRC) \
	$(wildcard fcgi/*/*.c) $(UNIT_SRC) $(FUZZ_SRC) $(BENCH_SRC)) \
	$(TAP_GEN_OBJ:.o=.d)

# The ADQL parser and lexer.  Their modules include the generated headers,
# so those exist before any of them compiles.
$(TAP_GEN)/adql_gram.c $(TAP_GEN)/adql_gram.h &: fcgi/tap/adql_gram.y
	@mkdir -p $(TAP_GEN)
	@echo "  BISON   $<"
	@bison -Wall -Werror -o $(TAP_GEN)/adql_gram.c \
	    --header=$(TAP_GEN)/adql_gram.h $<

$(TAP_GEN)/adql_lex.c $(TAP_GEN)/adql_lex.h &: fcgi/tap/adql_lex.l
	@mkdir -p $(TAP_GEN)
	@echo "  FLEX    $<"
	@flex -o $(TAP_GEN)/adql_lex.c --header-file=$(TAP_GEN)/adql_lex.h $<

$(call prog_obj,tap) $(RUNNER_OBJ) $(TAP_GEN_OBJ): | $(TAP_GEN)/adql_gram.h \
	$(TAP_GEN)/adql_lex.h

$(TAP_GEN)/%.o: $(TAP_GEN)/%.c Makefile
	@echo "  CC      $<"
	@$(CC) -Icommon -Ifcgi/tap -I$(TAP_GEN) $(CPPFLAGS) $(CFLAGS) \
	    -c -o $@ $<

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

$(BUILD)/libtap.a: $(call prog_obj,tap) $(TAP_GEN_OBJ)
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

$(BUILD)/tap.fcgi: $(BUILD)/fcgi/tap/main.o $(BUILD)/libtap.a \
		$(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Threads: one worker per [tap] runner_threads.
$(BUILD)/tap-runner: $(RUNNER_OBJ) $(BUILD)/libtap.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LDLIBS)

ALL_LIBS = $(PROGS:%=$(BUILD)/lib%.a) $(BUILD)/liblake.a $(BUILD)/libcommon.a

$(BUILD)/unit-tests: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit -pthread

# The ADQL translation micro-benchmark (make bench).
$(BUILD)/adql-bench: $(BUILD)/tests/bench/adql_bench.o $(BUILD)/libtap.a \
		$(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(ALL_LIBS)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# Dependencies: installed with apt-get when missing (see tools/deps.sh).
deps:
	@tools/deps.sh

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

integration: all
	tools/run-integration.sh $(BUILD)

# make install and uninstall into folders of their own (no stack needed).
install-test: all
	MAKE="$(MAKE)" BUILD="$(BUILD)" tests/install/test_install.sh

test: deps
	$(MAKE) unit install-test integration soak-smoke

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
	tools/bench-tap.sh
	tools/bench-links.sh
	tools/bench-soda.sh
	tools/bench-sync.sh

# Every endpoint at once under a fault schedule (SOAK_SECONDS, default 600).
ifeq ($(SAN),1)
soak: deps
	$(MAKE) BUILD=build/asan SAN=1 all
	BUILD=build/asan SOAK_SAN=1 SOAK_SECONDS=$${SOAK_SECONDS:-120} tools/soak.sh
else
soak: deps all
	tools/soak.sh
endif

# The soak's machinery proven in a minute with two faults (part of test).
soak-smoke: all
	SOAK_SECONDS=60 SOAK_WARMUP=10 SOAK_ROWS=20000 \
	    SOAK_SCHEDULE=tests/soak/smoke.txt BUILD=$(BUILD) tools/soak.sh

clean:
	rm -rf build

# --- Installation -----------------------------------------------------------
# make && sudo make install; DESTDIR stages the whole tree under a folder
# (packages, the install test) without changing the paths written into
# the installed files.  Plain "=", not "?=": a PREFIX or DATADIR in the
# environment (some toolchains export one) must not move the install.
PREFIX		= /usr/local
# sbin: the programs are daemons that the system starts (spawn-fcgi,
# systemd), not commands for users, as fcgiwrap, slowcgi and php-fpm are
# installed; their manual pages are in section 8 accordingly.
BINDIR		= $(PREFIX)/sbin
SYSCONFDIR	= /etc
# systemd reads units from /usr/local/lib/systemd/system as well as
# /lib/systemd/system, so this works for both usual prefixes; with any
# other PREFIX give SYSTEMDDIR=/etc/systemd/system.
SYSTEMDDIR	= $(PREFIX)/lib/systemd/system
MANDIR		= $(PREFIX)/share/man
DATADIR		= $(PREFIX)/share/rucio-ivoa-fcgi
# The configuration holds credentials: owned by root, readable by the
# group the workers run as, and by nobody else (the web server least of
# all, which talks to the workers over their sockets).
SERVICE_USER	= rucio-ivoa
SERVICE_GROUP	= rucio-ivoa
# Who may connect to the workers' sockets: the web server.
WWW_USER	= www-data
WWW_GROUP	= www-data
SPAWN_FCGI	= /usr/bin/spawn-fcgi
INSTALL		= install

CONFDIR		= $(SYSCONFDIR)/rucio-ivoa
INST_UNITS	= $(notdir $(wildcard conf/systemd/*.service))
INST_NGINX	= rucio-ivoa.conf rucio-ivoa-locations.conf fastcgi-params.conf \
		  trusted-proxies.conf
INST_SQL	= $(notdir $(wildcard sql/*.sql))
INST_MAN5	= $(notdir $(wildcard man/*.5))
INST_MAN8	= $(notdir $(wildcard man/*.8))
STAGE		= $(BUILD)/install

# The files name their installed neighbours by the default layout
# (/usr/local/sbin, /etc/rucio-ivoa, /etc/nginx/rucio-ivoa/ for a
# checkout's nginx files); these rewrite them for the layout chosen.
SED_UNIT = -e 's|/usr/local/sbin/|$(BINDIR)/|g' \
	   -e 's|/etc/rucio-ivoa/|$(CONFDIR)/|g' \
	   -e 's|/usr/bin/spawn-fcgi|$(SPAWN_FCGI)|g' \
	   -e 's|--reuid=rucio-ivoa|--reuid=$(SERVICE_USER)|g' \
	   -e 's|--regid=rucio-ivoa|--regid=$(SERVICE_GROUP)|g' \
	   -e 's| -u rucio-ivoa | -u $(SERVICE_USER) |g' \
	   -e 's| -g rucio-ivoa | -g $(SERVICE_GROUP) |g' \
	   -e 's|-U www-data -G www-data|-U $(WWW_USER) -G $(WWW_GROUP)|g'
SED_NGINX = -e 's|/etc/nginx/rucio-ivoa/|$(DATADIR)/nginx/|g' \
	    -e 's|/usr/local/share/rucio-ivoa-fcgi|$(DATADIR)|g' \
	    -e 's|^\([[:space:]]*include[[:space:]]*\)rucio-ivoa/|\1$(DATADIR)/nginx/|'
SED_MAN = -e 's|/usr/local/sbin|$(BINDIR)|g' \
	  -e 's|/usr/local/share/rucio-ivoa-fcgi|$(DATADIR)|g' \
	  -e 's|/usr/local/lib/systemd/system|$(SYSTEMDDIR)|g'

# Ownership of the configuration: root and SERVICE_GROUP when installing
# as root; a staged install as root without that group (a package build)
# and one by another user leave it to whoever installs the result.  A
# live install as root without the group stops before copying anything:
# the workers could not read their configuration.
conf_owner = if [ "$$(id -u)" -ne 0 ]; then own=; \
	elif getent group '$(SERVICE_GROUP)' >/dev/null; then \
		own='-o root -g $(SERVICE_GROUP)'; \
	elif [ -n '$(DESTDIR)' ]; then own=; \
	else echo "install: there is no group $(SERVICE_GROUP): create the" \
	    "service user first (README.md, Install), or give SERVICE_GROUP=" >&2; \
		exit 1; \
	fi

install: all
	@$(conf_owner); [ -n "$$own" ] || echo "install: not setting the" \
	    "configuration's owner (not root, or a staged install)"
	@rm -rf $(STAGE) && mkdir -p $(STAGE)/systemd $(STAGE)/nginx $(STAGE)/man
	@for f in $(INST_UNITS); do \
		sed $(SED_UNIT) conf/systemd/$$f >$(STAGE)/systemd/$$f || exit 1; \
	done
	@for f in $(INST_NGINX); do \
		sed $(SED_NGINX) nginx/$$f >$(STAGE)/nginx/$$f || exit 1; \
	done
	@for f in $(INST_MAN5) $(INST_MAN8); do \
		sed $(SED_MAN) man/$$f >$(STAGE)/man/$$f || exit 1; \
	done
	$(INSTALL) -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSTEMDDIR) \
	    $(DESTDIR)$(DATADIR)/nginx $(DESTDIR)$(DATADIR)/sql \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(CONFDIR)
	$(INSTALL) -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 $(INST_UNITS:%=$(STAGE)/systemd/%) $(DESTDIR)$(SYSTEMDDIR)
	$(INSTALL) -m 644 $(INST_NGINX:%=$(STAGE)/nginx/%) $(DESTDIR)$(DATADIR)/nginx
	$(INSTALL) -m 644 $(INST_SQL:%=sql/%) $(DESTDIR)$(DATADIR)/sql
	$(INSTALL) -m 644 $(INST_MAN5:%=$(STAGE)/man/%) $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 644 $(INST_MAN8:%=$(STAGE)/man/%) $(DESTDIR)$(MANDIR)/man8
	@# An operator's configuration is never replaced: the new example goes
	@# beside it, for comparison, unless the two are the same.
	@$(conf_owner); ini='$(DESTDIR)$(CONFDIR)/rucio-ivoa.ini'; \
	if [ ! -e "$$ini" ]; then \
		echo "$(INSTALL) -m 640 $$own conf/rucio-ivoa.ini $$ini"; \
		$(INSTALL) -m 640 $$own conf/rucio-ivoa.ini "$$ini"; \
	elif cmp -s conf/rucio-ivoa.ini "$$ini"; then \
		rm -f "$$ini.new"; \
	else \
		$(INSTALL) -m 640 $$own conf/rucio-ivoa.ini "$$ini.new"; \
		echo "install: kept $(CONFDIR)/rucio-ivoa.ini as it is; the" \
		    "example of this version is rucio-ivoa.ini.new beside it"; \
	fi
	@[ -n '$(DESTDIR)' ] || echo "install: done; now systemctl" \
	    "daemon-reload, and see README.md, Install"

uninstall:
	rm -f $(PROGRAMS:$(BUILD)/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(INST_UNITS:%=$(DESTDIR)$(SYSTEMDDIR)/%)
	rm -f $(INST_NGINX:%=$(DESTDIR)$(DATADIR)/nginx/%)
	rm -f $(INST_SQL:%=$(DESTDIR)$(DATADIR)/sql/%)
	rm -f $(INST_MAN5:%=$(DESTDIR)$(MANDIR)/man5/%)
	rm -f $(INST_MAN8:%=$(DESTDIR)$(MANDIR)/man8/%)
	rm -f $(DESTDIR)$(CONFDIR)/rucio-ivoa.ini.new
	rmdir $(DESTDIR)$(DATADIR)/nginx $(DESTDIR)$(DATADIR)/sql \
	    $(DESTDIR)$(DATADIR) 2>/dev/null || true
	@[ ! -e '$(DESTDIR)$(CONFDIR)/rucio-ivoa.ini' ] || echo "uninstall:" \
	    "kept $(CONFDIR)/rucio-ivoa.ini, which may hold your settings"
