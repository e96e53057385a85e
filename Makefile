# recgate — build, test and install.
#   make run      install missing packages, build, play the demo meeting
#   make check    install missing packages, build, run every test
#   make check SANITIZE=1   the same under ASan + UBSan
#   make fuzz     run every libFuzzer target (FUZZ_SECONDS each)
#   make bench    run the benchmarks under tests/bench/
#   make install PREFIX=/usr/local [DESTDIR=...]   (make uninstall: the same)
#   make readme   rewrite README.md's command reference from docs/cli/

PREFIX    ?= /usr/local
# /usr installs the way a distribution package would (/etc, systemd's own
# unit folder); any other prefix keeps everything under PREFIX.
ifeq ($(PREFIX),/usr)
SYSCONFDIR     ?= /etc
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
else
SYSCONFDIR     ?= $(PREFIX)/etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
endif
SANITIZE  ?= 0
ifeq ($(SANITIZE),1)
BUILD     ?= build-san
else
BUILD     ?= build
endif
CC        ?= cc
FUZZ_CC   ?= clang
FUZZ_SECONDS ?= 20

PKGS := libcurl openssl libcjson libxml-2.0 gstreamer-1.0 gstreamer-app-1.0 \
        gstreamer-audio-1.0 icu-uc icu-i18n
# What loadable shim modules (build/shims/NAME.so) link: the WebRTC stack
# stays out of librecgate.
SHIM_PKGS := libcurl libcjson glib-2.0 gstreamer-1.0 gstreamer-app-1.0 \
             gstreamer-webrtc-1.0 gstreamer-sdp-1.0 gstreamer-rtp-1.0
# Debian packages needed to build and test (make deps installs the missing ones).
DEB_PKGS := build-essential pkg-config clang libclang-rt-14-dev \
            libcurl4-openssl-dev libssl-dev libcjson-dev libxml2-dev libcunit1-dev libicu-dev \
            libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev \
            gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-tools \
            age ffmpeg jq chromium \
            libgstreamer-plugins-bad1.0-dev gstreamer1.0-plugins-bad gstreamer1.0-nice janus janus-demos \
            libmicrohttpd-dev libnats-dev nats-server
DEB_PKGS += nginx libnginx-mod-http-dav-ext openssl curl iproute2 util-linux nodejs
# man pages rendered and unit files verified by tests/e2e/install.sh
DEB_PKGS += groff man-db systemd bash-completion
# Debian's npm conflicts with a Node.js that already ships its own npm.
DEB_PKGS += $(if $(shell command -v npm 2>/dev/null),,npm)
# npm packages for tests (make deps installs them into .deps/npm).
NPM_PKGS := s3rver@3.7.1 puppeteer-core@23 kubernetes-models@5.1.0 @kubernetes-models/keda@2.0.0 yaml@2.9.1

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread -ldl
SHIM_CFLAGS = $(shell pkg-config --cflags $(SHIM_PKGS) 2>/dev/null)
SHIM_LIBS   = $(shell pkg-config --libs $(SHIM_PKGS) 2>/dev/null) -lm -lpthread
CUNIT_LIBS = $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
# Hidden by default: only RG_EXPORT functions (include/recgate) leave
# librecgate.so, and config/librecgate.map says so again at link time.
CFLAGS   += -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden $(WARN)
CPPFLAGS += -Iinclude $(PKG_CFLAGS)

# Layers of plugin/ and what each may include (docs/design.md). A file sees
# only its own layer's headers and those below it, so a stray include of a
# higher layer fails to compile instead of growing a cycle.
LAYER_util      := util
LAYER_policy    := policy util
LAYER_gate      := gate policy util
LAYER_audit     := audit util
LAYER_recording := recording audit policy util
LAYER_upload    := upload recording audit policy util
LAYER_session   := session gate recording upload audit policy util
LAYER_rights    := rights recording upload audit policy util
LAYER_service   := service policy util
LAYER_cli       := cli service session rights gate recording upload audit policy util
LAYERS          := util policy gate audit recording upload session rights
layer_inc = $(foreach l,$(LAYER_$(1)),-Iplugin/$(l))
$(foreach l,$(LAYERS) service cli,$(eval $(BUILD)/plugin/$(l)/%.o: CPPFLAGS += $(call layer_inc,$(l))))
# The command table and usage texts, generated from docs/cli/ (below).
$(BUILD)/plugin/cli/%.o: CPPFLAGS += -I$(BUILD)/gen
$(foreach l,$(LAYERS) service,$(eval $(BUILD)/fuzzobj/plugin/$(l)/%.o: CPPFLAGS += $(call layer_inc,$(l))))
# Shims see the public headers only (plus their own folder).
$(BUILD)/sdk-shims/%.o $(BUILD)/fuzzobj/sdk-shims/%.o: CPPFLAGS += -Isdk-shims $(SHIM_CFLAGS)
# Where `recgate run --platform NAME` looks for NAME.so by default.
SHIM_DIR := $(PREFIX)/lib/recgate/shims
$(BUILD)/plugin/session/registry.o $(BUILD)/fuzzobj/plugin/session/registry.o: \
  CPPFLAGS += -DRG_SHIM_DIR='"$(SHIM_DIR)"'
# The browser shim's JavaScript adapters (docs/writing-a-shim.md).
$(BUILD)/sdk-shims/browser/bpage.o: \
  CPPFLAGS += -DRG_ADAPTER_DIR='"$(PREFIX)/share/recgate/adapters"'
# Tests, fuzzers and benchmarks look inside every layer.
ALL_INC := $(call layer_inc,cli) -Isdk-shims $(SHIM_CFLAGS)
$(BUILD)/tests/%.o: CPPFLAGS += $(ALL_INC)

ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

# The service (recgate serve / worker) is part of the command, not of the
# library: users of librecgate do not link libmicrohttpd or libnats.
CLI_SRC  := $(wildcard plugin/cli/*.c) $(wildcard plugin/service/*.c)
SVC_PKGS := libmicrohttpd libnats
SVC_LIBS  = $(shell pkg-config --libs $(SVC_PKGS) 2>/dev/null)
# The sim is built into the library (the embedded default); every other
# sdk-shims/NAME with C sources is a module $(BUILD)/shims/NAME.so, loaded
# at run time (docs/writing-a-shim.md). skeleton, the writer's example, is
# built here for the conformance suite but installed as source only.
BUILTIN_SHIMS := sim
SHIM_MODULES := $(sort $(filter-out $(BUILTIN_SHIMS),\
                  $(notdir $(patsubst %/,%,$(dir $(wildcard sdk-shims/*/*.c))))))
SHIM_SO  := $(SHIM_MODULES:%=$(BUILD)/shims/%.so)
SHIM_SO_INSTALL := $(filter-out $(BUILD)/shims/skeleton.so,$(SHIM_SO))
shim_obj = $(patsubst %.c,$(BUILD)/%.o,$(wildcard sdk-shims/$(1)/*.c))
LIB_SRC  := $(foreach l,$(LAYERS),$(wildcard plugin/$(l)/*.c)) \
            $(foreach s,$(BUILTIN_SHIMS),$(wildcard sdk-shims/$(s)/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/%.o)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# docs/cli/*.txt -> usage header, man pages, README reference, completion.
VERSION    := $(shell sed -n 's/^\#define RG_VERSION_STRING "\(.*\)"/\1/p' include/recgate/recgate.h)
GEN        := $(BUILD)/gen
GEN_SRC    := $(wildcard docs/cli/*.txt) docs/cli/gen.sh docs/cli/gen.awk \
              docs/cli/md2man.awk docs/config.md include/recgate/recgate.h
CLI_NAMES  := $(patsubst docs/cli/%.txt,%,$(filter-out docs/cli/recgate.txt,$(wildcard docs/cli/*.txt)))
MAN1       := $(GEN)/recgate.1 $(CLI_NAMES:%=$(GEN)/recgate-%.1)
MAN5       := $(GEN)/recgate.json.5
UNITS      := recgate-purge.service recgate-purge.timer recgate-serve@.service

STATIC_LIB := $(BUILD)/librecgate.a
SHARED_LIB := $(BUILD)/librecgate.so
CLI        := $(BUILD)/recgate

.PHONY: all deps run check test fuzz fuzz-build bench install uninstall readme clean
# Keep objects make considers intermediate (tests, fuzz): no rebuilds, no
# noise at the end of a run.
.SECONDARY:
all: $(STATIC_LIB) $(SHARED_LIB) $(CLI) $(SHIM_SO) $(GEN)/cli_usage.h

deps:
	@sh .ci/deps.sh $(DEB_PKGS)
	@sh .ci/deps-npm.sh $(NPM_PKGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# One run writes every generated file; cli_usage.h stands for all of them.
$(GEN)/cli_usage.h: $(GEN_SRC)
	sh docs/cli/gen.sh $(GEN) $(VERSION)
$(GEN)/README-commands.md $(MAN1) $(MAN5) $(GEN)/recgate.bash: $(GEN)/cli_usage.h
$(CLI_OBJ): $(GEN)/cli_usage.h

# README.md's command reference is the generated one, between the markers.
readme: $(GEN)/cli_usage.h
	awk -v gen=$(GEN)/README-commands.md \
	  '/^<!-- commands:begin -->/ { print; while ((getline l < gen) > 0) print l; skip = 1; next } \
	   /^<!-- commands:end -->/ { skip = 0 } !skip' README.md > $(GEN)/README.md.new
	mv $(GEN)/README.md.new README.md

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

LIB_MAP := config/librecgate.map
$(SHARED_LIB): $(LIB_OBJ) $(LIB_MAP)
	$(CC) -shared -Wl,-soname,librecgate.so.0 -Wl,--version-script=$(LIB_MAP) $(LDFLAGS) \
	  -o $@ $(LIB_OBJ) $(PKG_LIBS)

# A shim module: its own objects and the platform's libraries; no symbol
# of librecgate (--no-undefined proves it), one export (RG_SHIM_MODULE).
.SECONDEXPANSION:
$(BUILD)/shims/%.so: $$(call shim_obj,$$*)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,--no-undefined $(LDFLAGS) -o $@ $^ $(SHIM_LIBS)

$(CLI): $(CLI_OBJ) $(STATIC_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC_LIB) $(PKG_LIBS) $(SVC_LIBS)

# A unit test or helper named after a shim module (test_janus,
# janus_participant) links that module's objects.
test_shim = $(filter $(1),$(SHIM_MODULES))
helper_shim = $(filter $(firstword $(subst _, ,$(1))),$(SHIM_MODULES))
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(TESTLIB_OBJ) $(STATIC_LIB) \
                       $$(foreach m,$$(call test_shim,$$*),$$(call shim_obj,$$(m)))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) \
	  $(foreach m,$(call test_shim,$*),$(call shim_obj,$(m)) $(SHIM_LIBS)) \
	  $(STATIC_LIB) $(PKG_LIBS) $(CUNIT_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/helpers/%.o $(TESTLIB_OBJ) $(STATIC_LIB) \
                  $$(foreach m,$$(call helper_shim,$$*),$$(call shim_obj,$$(m)))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) \
	  $(foreach m,$(call helper_shim,$*),$(call shim_obj,$(m)) $(SHIM_LIBS)) \
	  $(STATIC_LIB) $(PKG_LIBS)

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS)

# Fuzz targets: clang + libFuzzer + ASan/UBSan over the library sources,
# compiled once into $(BUILD)/fuzzobj and shared by every target.
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined
# The service's request parser is fuzzed too (it reads network input).
FUZZ_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzzobj/%.o) $(BUILD)/fuzzobj/plugin/service/svc_status.o
$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(CPPFLAGS) $(ALL_INC) -o $@ $< \
	  $(filter %.o,$^) $(PKG_LIBS)
# Parsers of shim modules: their objects on top of the library's.
$(BUILD)/fuzz/fuzz_jsettings: $(BUILD)/fuzzobj/sdk-shims/janus/jsettings.o
$(BUILD)/fuzz/fuzz_janus_names: $(BUILD)/fuzzobj/sdk-shims/janus/jnames.o
$(BUILD)/fuzz/fuzz_browser_msg: $(BUILD)/fuzzobj/sdk-shims/browser/bproto.o

# Test-only crash hooks (RG_TEST_CRASH_AT, recdir.h) exist only in
# $(BUILD)/tests/recgate-testhooks: the files that call them, rebuilt with
# -DRG_TEST_HOOKS and linked ahead of the archive. Never in the library.
HOOK_SRC := $(shell grep -l rg_recdir_crash_point $(LIB_SRC))
HOOK_OBJ := $(HOOK_SRC:%.c=$(BUILD)/testhooks/%.o)
HOOK_CLI := $(BUILD)/tests/recgate-testhooks
$(foreach l,$(LAYERS),$(eval $(BUILD)/testhooks/plugin/$(l)/%.o: CPPFLAGS += $(call layer_inc,$(l)) -DRG_TEST_HOOKS))
$(BUILD)/testhooks/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(HOOK_CLI): $(CLI_OBJ) $(HOOK_OBJ) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(HOOK_OBJ) $(STATIC_LIB) $(PKG_LIBS) $(SVC_LIBS)

# LD_PRELOAD fixtures for the e2e tests (tests/helpers/preload/NAME.c).
PRELOAD_SRC := $(wildcard tests/helpers/preload/*.c)
PRELOAD_SO  := $(PRELOAD_SRC:tests/helpers/preload/%.c=$(BUILD)/tests/lib%.so)
$(BUILD)/tests/lib%.so: tests/helpers/preload/%.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $< -ldl

# Benchmarks are built (not run) by every test run so they cannot rot.
test: all $(TEST_BIN) $(HELPER_BIN) $(PRELOAD_SO) $(BENCH_BIN) $(HOOK_CLI)
	@BUILD=$(BUILD) COUNTS=$(BUILD)/.counts sh tests/run-tests.sh $(TEST_BIN)

# Both halves always run; the last line adds them up for CI.
check: deps
	@rm -f $(BUILD)/.counts
	@$(MAKE) --no-print-directory test; t=$$?; \
	 $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$${FUZZ_CHECK_SECONDS:-5}; f=$$?; \
	 awk '{p += $$1; x += $$2; k += $$3} END {printf "check: %d passed, %d failed, %d skipped\n", p, x, k}' \
	   $(BUILD)/.counts; \
	 [ $$t -eq 0 ] && [ $$f -eq 0 ]

# The demo records for real: an organisation identity (to read recordings)
# and an audit key are made once under $(DEMO), the recording goes to
# $(DEMO)/recordings, encrypted to that identity.
DEMO := $(BUILD)/demo
run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(DEMO) && chmod 700 $(DEMO)
	@[ -f $(DEMO)/org.key ] || $(CLI) keygen -o $(DEMO)/org.key >/dev/null
	@[ -f $(DEMO)/audit.key ] || $(CLI) audit keygen -o $(DEMO)/audit.key >/dev/null 2>&1
	$(CLI) run --config config/recgate.json --scenario config/scenarios/demo.json \
	  --out $(DEMO)/recordings --audit-key $(DEMO)/audit.key \
	  --recipient "$$(grep -o 'age1[0-9a-z]*' $(DEMO)/org.key | head -1)" --json
	@rec=$$(ls -dt $(DEMO)/recordings/rec-* | head -1); \
	echo; echo "Recorded (encrypted) to $$rec. Try:"; \
	echo "  $(CLI) verify $$rec --identity $(DEMO)/org.key"; \
	echo "  $(CLI) audit verify $$rec/audit.log --key-file $(DEMO)/audit.key"; \
	echo "  $(CLI) export $$rec --identity $(DEMO)/org.key --audit-key $(DEMO)/audit.key -o $(DEMO)/meeting.ogg"; \
	echo "  $(CLI) report $$rec --identity $(DEMO)/org.key --audit-key $(DEMO)/audit.key -o $(DEMO)/report.html"

fuzz-build: $(FUZZ_BIN)
fuzz: fuzz-build
	@COUNTS=$(BUILD)/.counts sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

bench: all $(BENCH_BIN) $(HELPER_BIN) $(PRELOAD_SO)
	@BUILD=$(BUILD) sh tests/bench/run.sh $(BENCH_BIN)

# The policy goes to SYSCONFDIR/recgate only if there is none yet: an
# admin's policy is never overwritten (the example stays in share/doc).
install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/include/recgate $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/share/recgate $(DESTDIR)$(PREFIX)/share/doc/recgate \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/recgate
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(PREFIX)/lib/librecgate.so.0
	ln -sf librecgate.so.0 $(DESTDIR)$(PREFIX)/lib/librecgate.so
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/recgate
	install -d $(DESTDIR)$(SHIM_DIR)
	$(if $(SHIM_SO_INSTALL),install -m 755 $(SHIM_SO_INSTALL) $(DESTDIR)$(SHIM_DIR)/)
	install -m 644 include/recgate/*.h $(DESTDIR)$(PREFIX)/include/recgate/
	install -m 644 config/recgate.json $(DESTDIR)$(PREFIX)/share/recgate/
	install -d $(DESTDIR)$(PREFIX)/share/recgate/adapters
	install -m 644 sdk-shims/browser/adapters/*.js $(DESTDIR)$(PREFIX)/share/recgate/adapters/
	install -d $(DESTDIR)$(PREFIX)/share/recgate/skeleton
	install -m 644 sdk-shims/skeleton/skeleton.c sdk-shims/skeleton/Makefile \
	  $(DESTDIR)$(PREFIX)/share/recgate/skeleton/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBS@|$(PKG_LIBS)|g' -e 's|@VERSION@|$(VERSION)|g' \
	  config/recgate.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/recgate.pc
	install -m 644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 $(GEN)/recgate.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/recgate
	install -m 644 config/recgate.json README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/recgate/
	[ -e $(DESTDIR)$(SYSCONFDIR)/recgate/recgate.json ] || \
	  install -m 644 config/recgate.json $(DESTDIR)$(SYSCONFDIR)/recgate/recgate.json
	for u in $(UNITS); do \
	  sed -e 's|/usr/local/bin/|$(PREFIX)/bin/|g' -e 's|/etc/recgate/|$(SYSCONFDIR)/recgate/|g' \
	      -e 's|/usr/local/share/|$(PREFIX)/share/|g' config/$$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
	  chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; done

# Removes what install put there; the policy in SYSCONFDIR only while it is
# still the unchanged example (an admin's edits stay).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/recgate $(DESTDIR)$(PREFIX)/lib/librecgate.a \
	  $(DESTDIR)$(PREFIX)/lib/librecgate.so $(DESTDIR)$(PREFIX)/lib/librecgate.so.0 \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/recgate.pc \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/recgate \
	  $(DESTDIR)$(PREFIX)/share/man/man5/recgate.json.5 \
	  $(patsubst $(GEN)/%,$(DESTDIR)$(PREFIX)/share/man/man1/%,$(MAN1)) \
	  $(UNITS:%=$(DESTDIR)$(SYSTEMDUNITDIR)/%)
	rm -f $(patsubst $(BUILD)/shims/%,$(DESTDIR)$(SHIM_DIR)/%,$(SHIM_SO_INSTALL))
	rmdir $(DESTDIR)$(SHIM_DIR) $(DESTDIR)$(PREFIX)/lib/recgate 2>/dev/null || true
	rm -rf $(DESTDIR)$(PREFIX)/include/recgate $(DESTDIR)$(PREFIX)/share/recgate \
	  $(DESTDIR)$(PREFIX)/share/doc/recgate
	if cmp -s config/recgate.json $(DESTDIR)$(SYSCONFDIR)/recgate/recgate.json; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/recgate/recgate.json; \
	  rmdir $(DESTDIR)$(SYSCONFDIR)/recgate 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/recgate/recgate.json ]; then \
	  echo "kept $(DESTDIR)$(SYSCONFDIR)/recgate/recgate.json (changed by you)"; fi

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
