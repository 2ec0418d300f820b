# stack_dump.py - gdb's own picture of every thread's stack, for checking
# memviz's stack model (tests/t_stack_gdb.sh, tests/t_stack_dangling.sh).
#
#   gdb -batch -nx -p PID -x tests/gdb/stack_dump.py         (attach)
#   gdb -batch -nx -ex run ... -ex 'source tests/gdb/stack_dump.py'  (at a stop)
#
# Prints ONE line of JSON on stdout (or writes it to $STACK_DUMP_OUT):
#
#   {"pid": N, "selected_tid": N,
#    "threads":[{"num": 1, "tid": 812, "name": "stack_frames",
#      "stop_reason": "..." (why gdb's walk ended, "" when it ended cleanly),
#      "frames":[{"level": 0, "type": "normal|inline|sigtramp|...",
#        "fn": "recurse" (gdb's name, as bt prints it) or null,
#        "fn_names": [other names of the same function: its symbol's
#                     linkage name, the ELF symbol at its entry],
#        "entry": "0x..." (the function's first address) or null,
#        "file": "demos/stack_frames.c", "line": 44, "object": "/abs/path",
#        "pc": "0x..." (frame 0: rip; callers: the return address, as bt),
#        "sp": "0x...", "cfa": "0x..." ("frame at", or "Previous frame's
#        sp" for the outermost frame, whose "frame at" gdb prints as 0),
#        "frame_at": "0x...", "prev_sp": "0x...",
#        "ret_addr": "0x..." ("saved rip") or null (<not saved>),
#        "ret_slot": "0x..." ("rip at" of "Saved registers") or null,
#        "saved": {"rbp": "0x...", ...} (the other saved registers),
#        "symtab": true if gdb has debug info for the frame,
#        "args":   [{"name": "n", "value": "3", "entry": false,
#                    "type": "int", "size": 4, "addr": "0x..." or null}],
#        "locals": [{"name": "p", "value": "0x5555555592a0 \"hi\"", ...}]}]}],
#    "globals": [{"name": "g_data", "kind": "global|static", "type": "int",
#                 "size": 4, "addr": "0x...", "value": "42",
#                 "file": "demos/dangling.c"}]   (only with $STACK_DUMP_GLOBALS=1:
#                 the variables at file scope of the executable's own
#                 source files, from their symtabs' global and static
#                 blocks; values as `print` shows them)
#    "notes": [anything that could not be read]}
#
# Everything comes from gdb's commands, as a person would see them:
# `info frame` (parsed) for the CFA and the saved registers, `info args`
# and `info locals` (parsed "name = value" lines) for the variables, with
# `set print pretty off` and `set width 0` so each value is one line.
# Printing options are gdb's defaults otherwise (print elements 200,
# repeats 10, symbol on), the ones memviz imitates.
#
# "type", "size" and "addr" of a variable come from gdb's Python API
# (str(symbol.type), its sizeof, and the address of symbol.value(frame):
# null when it lives in a register or is optimized out), matched to the
# printed lines by name in the same order (gdb walks the blocks the same
# way for both); a line the API did not give has them absent and a note.
# So do "block" (the rank of the variable's block, 0 = the innermost one
# holding the pc; gdb prints innermost first), "fn_block" (the function's
# own block: gdb keeps its symbols in source order, those of a nested
# lexical block in a hash table, so their order there is the hash's) and
# "label" (a C label without an address, which gdb lists as a local).
#
# Frames: every frame gdb unwinds, past main (`set backtrace past-main
# on`) down to _start or clone3; at most $STACK_DUMP_MAX per thread
# (default 5000).  Entry values: `set print entry-values no`, so `info
# args` prints each argument's value at the pc (gdb still evaluates a
# location that says DW_OP_entry_value through the caller's call site);
# if gdb prints a "name@entry = V" line anyway, it is kept with
# "entry": true and the name without "@entry".

import json
import os
import re

import gdb

NOTES = []
MAX_FRAMES = int(os.environ.get("STACK_DUMP_MAX", "5000"))

# "name = value" (a name may be "name@entry"); values are one line each
VAR_RE = re.compile(r"^([A-Za-z_$][\w$]*)(@entry)? = (.*)$")
NO_VARS = ("No arguments.", "No locals.", "No symbol table info available.")
HEX = r"(0x[0-9a-f]+)"

TYPES = {}
for _n in ("NORMAL", "DUMMY", "INLINE", "TAILCALL", "SIGTRAMP", "ARCH", "SENTINEL"):
    _v = getattr(gdb, _n + "_FRAME", None)
    if _v is not None:
        TYPES[_v] = _n.lower()


def hexa(v):
    return None if v is None else "0x%x" % v


def settings():
    for s in ("set print pretty off", "set width 0", "set height 0",
              "set print entry-values no", "set backtrace past-main on",
              "set backtrace past-entry off", "set pagination off",
              "set confirm off"):
        gdb.execute(s, to_string=True)


def parse_vars(text, who):
    """The "name = value" lines of `info args` / `info locals`."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.strip() in NO_VARS:
            continue
        m = VAR_RE.match(line)
        if m:
            out.append({"name": m.group(1), "value": m.group(3),
                        "entry": m.group(2) is not None})
        elif out:
            # a value gdb broke over lines after all: keep it whole
            out[-1]["value"] += "\n" + line
        else:
            NOTES.append("%s: unparsed line %r" % (who, line))
    return out


def run(cmd, who):
    try:
        return gdb.execute(cmd, to_string=True)
    except gdb.error as e:
        NOTES.append("%s: %s: %s" % (who, cmd, e))
        return ""


def parse_info_frame(text, d):
    """CFA, return address and saved registers from `info frame`."""
    m = re.search(r"frame at " + HEX, text)
    d["frame_at"] = m.group(1) if m else None
    m = re.search(r"Previous frame's sp is " + HEX, text)
    d["prev_sp"] = m.group(1) if m else None
    m = re.search(r"saved rip = " + HEX, text)
    d["ret_addr"] = m.group(1) if m else None
    d["cfa"] = d["frame_at"]
    if d["cfa"] in (None, "0x0"):
        d["cfa"] = d["prev_sp"]
    saved = {}
    i = text.find("Saved registers:")
    if i >= 0:
        for reg, addr in re.findall(r"(\w+) at " + HEX, text[i:]):
            saved[reg] = addr
    d["ret_slot"] = saved.pop("rip", None)
    d["saved"] = saved


def fn_info(f, d):
    """gdb's name of the frame's function and the other names it goes by."""
    d["fn"] = f.name()
    names = []
    d["entry"] = None
    fn = f.function()
    if fn is not None:
        for n in (fn.name, fn.linkage_name, fn.print_name):
            if n and n not in names:
                names.append(n)
        try:
            b = f.block()
            while b is not None and b.function is None:
                b = b.superblock
            if b is not None:
                d["entry"] = hexa(b.start)
        except RuntimeError:
            pass
    # the ELF symbol at the entry (or at pc when gdb has no DWARF)
    at = d["entry"] or hexa(f.pc())
    s = run("info symbol " + at, "info symbol")
    m = re.match(r"^(\S+)( \+ \d+)? in section", s)
    if m and m.group(1) not in names:
        names.append(m.group(1))
    d["fn_names"] = [n for n in names if n != d["fn"]]
    d["symtab"] = fn is not None


def is_label(sym, block):
    """gdb lists a C label that has no address (DW_TAG_label without
    DW_AT_low_pc) among `info locals`, as "NAME = <optimized out>" of type
    __CORE_ADDR: it is the symbol found in the label domain."""
    if str(sym.type) != "__CORE_ADDR":
        return False
    try:
        lab = gdb.lookup_symbol(sym.name, block, gdb.SYMBOL_LABEL_DOMAIN)[0]
    except gdb.error:
        return False
    # gdb.Symbol objects do not compare by identity: same file, line, class
    return (lab is not None and lab.line == sym.line and lab.addr_class == sym.addr_class
            and lab.symtab is not None and sym.symtab is not None
            and lab.symtab.filename == sym.symtab.filename)


def api_vars(f, who):
    """(args, locals) from the frame's blocks: innermost block first, as
    `info locals` prints them; each (name, type, size, addr, block: its
    block's rank from the innermost, fn_block: the function's own block,
    label)."""
    args, locs = [], []
    try:
        b = f.block()
    except RuntimeError:
        return args, locs
    rank = 0
    while b is not None:
        for sym in b:
            if not (sym.is_argument or sym.is_variable or sym.addr_class == gdb.SYMBOL_LOC_OPTIMIZED_OUT):
                continue
            d = {"name": sym.name, "type": str(sym.type), "size": sym.type.sizeof,
                 "addr": None, "block": rank, "fn_block": b.function is not None,
                 "label": is_label(sym, b)}
            try:
                v = sym.value(f)
                if not v.is_optimized_out and v.address is not None:
                    d["addr"] = hexa(int(v.address))
            except (gdb.error, RuntimeError) as e:
                NOTES.append("%s: %s: %s" % (who, sym.name, e))
            (args if sym.is_argument else locs).append(d)
        if b.function is not None:
            break
        b = b.superblock
        rank += 1
    return args, locs


def merge_api(printed, api, who):
    """Add type, size and addr to the printed variables, by name in order."""
    if [v["name"] for v in printed] != [v["name"] for v in api]:
        NOTES.append("%s: printed %s, the blocks hold %s" % (
            who, [v["name"] for v in printed], [v["name"] for v in api]))
        return
    for v, a in zip(printed, api):
        v.update(a)


def dump_frame(f, level, who):
    d = {"level": level, "type": TYPES.get(f.type(), str(f.type())),
         "pc": hexa(f.pc())}
    fn_info(f, d)
    sal = f.find_sal()
    d["file"] = sal.symtab.filename if sal.symtab else None
    d["line"] = sal.line if sal.symtab else 0
    d["object"] = None
    try:
        so = gdb.solib_name(f.pc())
        d["object"] = so if so else gdb.current_progspace().filename
    except Exception:  # noqa: BLE001 - only a label
        pass
    try:
        d["sp"] = hexa(int(f.read_register("rsp")) & (2**64 - 1))
    except (gdb.error, ValueError):
        d["sp"] = None
    f.select()
    w = "%s frame %d" % (who, level)
    parse_info_frame(run("info frame", w), d)
    d["args"] = parse_vars(run("info args", w), w + " args")
    d["locals"] = parse_vars(run("info locals", w), w + " locals")
    if d["symtab"]:
        a_args, a_locs = api_vars(f, w)
        merge_api(d["args"], a_args, w + " args")
        merge_api(d["locals"], a_locs, w + " locals")
    return d


def dump_thread(th):
    th.switch()
    who = "thread %d" % th.ptid[1]
    frames = []
    try:
        f = gdb.newest_frame()
    except gdb.error as e:
        NOTES.append("%s: %s" % (who, e))
        f = None
    last = None
    while f is not None and len(frames) < MAX_FRAMES:
        frames.append(dump_frame(f, len(frames), who))
        last = f
        try:
            f = f.older()
        except gdb.error as e:
            NOTES.append("%s: older(): %s" % (who, e))
            f = None
    reason = ""
    if last is not None and last.unwind_stop_reason() != gdb.FRAME_UNWIND_NO_REASON:
        reason = gdb.frame_stop_reason_string(last.unwind_stop_reason())
    if f is not None:
        reason = "frame limit %d" % MAX_FRAMES
    return {"num": th.num, "tid": th.ptid[1], "name": th.name,
            "stop_reason": reason, "frames": frames}


def exe_globals():
    """The file-scope variables of the executable's source files (not of
    libraries, and not the headers' or the C library's static objects)."""
    out, seen = [], set()
    exe = gdb.current_progspace().filename
    for obj in gdb.objfiles():
        if obj.filename != exe:
            continue
        names = set()
        for line in run("info sources", "info sources").splitlines():
            names.update(w.rstrip(",") for w in line.split() if w.endswith((".c", ".c,")))
        for src in sorted(names):
            if not os.path.exists(src):
                continue   # crt files and the like: not the program's own
            try:
                st = gdb.lookup_symtab(src) if hasattr(gdb, "lookup_symtab") else None
            except gdb.error:
                st = None
            if st is None:
                try:
                    st = gdb.decode_line(src + ":1")[1][0].symtab
                except (gdb.error, TypeError, IndexError):
                    NOTES.append("globals: no symtab for %s" % src)
                    continue
            for kind, block in (("global", st.global_block()), ("static", st.static_block())):
                for sym in block:
                    if not sym.is_variable or (sym.name, kind) in seen:
                        continue
                    seen.add((sym.name, kind))
                    d = {"name": sym.name, "kind": kind, "type": str(sym.type),
                         "size": sym.type.sizeof, "addr": None, "value": None,
                         "file": st.filename}
                    try:
                        v = sym.value()
                        d["addr"] = hexa(int(v.address)) if v.address is not None else None
                        d["value"] = v.format_string()
                    except (gdb.error, RuntimeError) as e:
                        NOTES.append("global %s: %s" % (sym.name, e))
                    out.append(d)
    return out


def main():
    settings()
    inf = gdb.selected_inferior()
    cur = gdb.selected_thread()
    threads = []
    for th in sorted(inf.threads(), key=lambda t: t.num):
        threads.append(dump_thread(th))
    if cur is not None:
        cur.switch()
    res = {"pid": inf.pid, "selected_tid": cur.ptid[1] if cur else None,
           "threads": threads, "notes": NOTES}
    if os.environ.get("STACK_DUMP_GLOBALS") == "1":
        res["globals"] = exe_globals()
    return res


try:
    RES = main()
except gdb.error as e:
    RES = {"error": "gdb: %s" % e, "notes": NOTES}
TEXT = json.dumps(RES)
if os.environ.get("STACK_DUMP_OUT"):
    with open(os.environ["STACK_DUMP_OUT"], "w") as fp:
        fp.write(TEXT + "\n")
else:
    print(TEXT)
