# memviz - see README.md.  `make` builds memviz and the demos; `make test`
# runs the suite; `make run` the guided tour; `make deps` installs what is
# missing (Debian 12).

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes
# Debian's libdwarf-dev (the 20210528 API) keeps its headers in a subdirectory.
CPPFLAGS += -std=c11 -D_GNU_SOURCE -Iinclude -I/usr/include/libdwarf
LDLIBS  := -ldwarf -lelf -lz -lncursesw

BUILD   := build
SRCS    := $(wildcard src/*.c)
OBJS    := $(SRCS:src/%.c=$(BUILD)/%.o)
LIBOBJS := $(filter-out $(BUILD)/main.o,$(OBJS))

DEMO_SRCS := $(wildcard demos/*.c)
DEMOS     := $(DEMO_SRCS:.c=) demos/stack_frames_O2
DEMO_CFLAGS := -g -O0 -fno-omit-frame-pointer -pthread -Wall -Wextra -Werror

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNITS     := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all demos test asan bench run deps fuzz fuzz-smoke clean check-deps
all: memviz demos $(UNITS)

memviz: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

# test_heap_tags runs the teaching allocator in-process (#include of tags.c)
$(BUILD)/tests/test_heap_tags: demos/lib/tags.c demos/lib/tags.h
$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS) $(wildcard tests/unit/*.h) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(LIBOBJS) $(LDLIBS)

demos: $(DEMOS)
demos/%: demos/%.c demos/truth.h
	$(CC) $(DEMO_CFLAGS) -o $@ $(filter %.c,$^)
# The boundary-tag allocator of demos/lib is linked into the demos using it
# (demos/lib/*.c are not demos themselves: DEMO_SRCS is demos/*.c only).
demos/fit_strategies: demos/fit_strategies.c demos/lib/tags.c demos/lib/tags.h demos/truth.h
	$(CC) $(DEMO_CFLAGS) -o $@ $(filter %.c,$^)
demos/stack_frames_O2: demos/stack_frames.c demos/truth.h
	$(CC) -g -O2 -fomit-frame-pointer -pthread -Wall -Wextra -Werror -o $@ $(filter %.c,$^)

# Install the Debian packages memviz, its tests and its benchmark need.
DEB_PKGS := build-essential pkg-config libncurses-dev libelf-dev libdwarf-dev \
	zlib1g-dev gdb tmux ltrace libc6-dbg bc python3 clang asciinema procps
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

test: deps all fuzz
	tests/run.sh

asan: deps
	$(MAKE) clean
	$(MAKE) all CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/run.sh

bench: deps all $(BUILD)/bench/bare_tracer $(BUILD)/bench/heap_walk $(BUILD)/bench/stack_walk \
	$(BUILD)/bench/ui_draw
	tests/bench.sh

$(BUILD)/bench/%: tests/bench/%.c $(LIBOBJS) $(wildcard tests/bench/*.h) tests/unit/demo_wait.h
	mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(LIBOBJS) $(LDLIBS)

run: deps all
	./memviz

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# The library is compiled once with the fuzzing instrumentation and linked
# into every harness (each harness compiling all of src/ took minutes).
FUZZ_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS := $(LIBOBJS:$(BUILD)/%.o=$(BUILD)/fuzz/obj/%.o)
fuzz: $(FUZZERS)
.SECONDARY: $(FUZZ_OBJS)
$(BUILD)/fuzz/obj/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p $(BUILD)/fuzz/obj
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# Each fuzzer a few seconds on its seed corpus (tests/t_fuzz_smoke.sh, also
# part of `make test`).
fuzz-smoke: fuzz
	tests/run.sh fuzz_smoke

clean:
	rm -rf $(BUILD) memviz $(DEMOS) tests/out
