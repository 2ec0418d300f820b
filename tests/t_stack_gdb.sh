#!/usr/bin/env bash
# memviz's stack model agrees with gdb's, frame for frame: function, pc,
# sp, CFA (gdb's "frame at"), return address and its slot, the registers
# each frame saved and where (gdb's "Saved registers"), file and line, and
# the text of every argument and local (`info args`, `info locals`), with
# type, size and address; past main down to _start or clone3 (gdb with
# `set backtrace past-main on`).  gdb's side is tests/gdb/stack_dump.py.
#
# Scenarios (STACK_GDB_SCENARIOS="..." picks some):
#   O0       demos/stack_frames 10 wait: main -> outer -> middle (array and
#            a pointer into it) -> many_args (8 args, g and h on the stack)
#            -> recurse x 11 -> wait_here -> read() inside libc
#   O2       the same built -O2 -fomit-frame-pointer (stack_frames_O2):
#            only CFI can unwind it; arguments live in registers and
#            location lists, several are <optimized out>
#   threads  demos/threads 3 wait: four workers each blocked in read()
#            under its own recursion (dive, 2 to 5 deep), main blocked in
#            pthread_join (libc frames with inlined functions and a tail
#            call)
#   malloc   launched, stopped at malloc's entry called from the bottom of
#            the recursion (a frame inside libc at a breakpoint)
#
# How the same stop is had:
#   attach (O0, O2, threads): the demo blocks and prints "ready"; memviz
#     attaches (-p, --max-stops 1), records every thread's stack in its
#     start record and detaches; then gdb attaches to the same process and
#     dumps the same stacks.  Same process, same addresses, nothing ran in
#     between but the restart of the blocking read(): every field is
#     compared exactly.
#   malloc: memviz launches with --no-aslr --break malloc; gdb runs the demo
#     (address randomization off as well, so code addresses agree) with
#     `break recurse if n==0`, then `break malloc`, continue.  The two
#     processes have different environments, so their stacks sit at
#     different addresses: stack addresses are compared relative to main's
#     CFA (frame CFAs and sp, and stack pointers inside values), slots
#     relative to their own frame's CFA; code addresses exactly.  gdb puts
#     its malloc breakpoint after the prologue when the line table says
#     there is one: frame 0's saved registers and locals are compared only
#     when the two pcs are equal (they are with this libc), its arguments
#     always (bytes = 16).
#
# The executable's globals (stack.globals) are compared too, in the attach
# scenarios: every variable at file scope of the program's own source files
# (gdb's symtab blocks), kind, type, size, address and value.
#
# Where gdb and memviz legitimately differ, and what is compared instead:
#   - Inlined functions: gdb shows each inlined call as a frame of its own
#     (type "inline", same CFA as the function it was inlined into); memviz
#     has one frame per real frame on the stack.  gdb's inline frames are
#     folded into the real frame that holds them: that frame's function is
#     gdb's non-inline one, and its file:line is that of gdb's innermost
#     frame of the group (the line table's line at the pc).  The inlined
#     functions' own variables are not compared (memviz's contract has no
#     inline frames); the real frame's `info args`/`info locals` are.
#   - Tail calls: gdb may show a "tailcall" frame, made up from DWARF call
#     site info for a function that jumped to its callee and is no longer
#     on the stack.  It has no frame of its own to compare: dropped.
#   - Names: gdb prints glibc's internal alias (__GI___libc_read); memviz
#     may print the DWARF name (__libc_read) or the ELF symbol (read).  Any
#     name gdb knows for the function's entry is accepted: its symbol's
#     names, that without the __GI_ prefix, and `info symbol` at the entry.
#   - The outermost frame (_start, clone3): gdb prints "frame at 0x0" and
#     "saved rip = <not saved>"; its CFA is gdb's "Previous frame's sp" and
#     memviz's ret_addr must be 0 (or absent); its ret_slot is not compared.
#   - `info args` prints the value at the pc (`set print entry-values no`);
#     a "name@entry = V" line, should gdb print one, counts as name = V.
#   - Object paths: compared after resolving symlinks (/lib -> /usr/lib).
#
# VERBOSE=1 prints both stacks side by side; KEEP_TMP=1 keeps the files.
. tests/lib.sh
need_memviz
need_cmd gdb
need_attach
for d in stack_frames stack_frames_O2 threads; do
	[ -x demos/$d ] || fail "demos/$d is not built (make)"
done

export LC_ALL=C
# gdb prints strings in its locale's charset; memviz's values are UTF-8
GDB=(env LC_ALL=C.UTF-8 timeout -k 5 "${MV_TIMEOUT:-60}" gdb -batch -nx -q)
SCENARIOS=${STACK_GDB_SCENARIOS:-"O0 O2 threads malloc"}

# libc6-dbg: without it gdb (and memviz) see no variables inside libc
libc=$(ldd demos/stack_frames | awk '$1 ~ /^libc\.so/ { print $3 }')
"${GDB[@]}" -ex 'info scope __libc_read' "$libc" </dev/null 2>&1 | grep -q 'Symbol fd is' ||
	skip "gdb has no debug info for $libc (apt-get install libc6-dbg)"

cat >"$T/compare.py" <<'EOF'
# compare.py MODE GDBJSON MEMVIZJSONL [GDBJSON2]: MODE same (one process,
# one stop: exact) or malloc (other processes: stack addresses relative to
# main's CFA; GDBJSON2, a second gdb run in another environment, tells
# which values differ from process to process and cannot be compared)
import json, os, re, sys

mode, gdb_file, mv_file = sys.argv[1:4]
gdb2_file = sys.argv[4] if len(sys.argv) > 4 else None
verbose = os.environ.get("VERBOSE") == "1"
MAXERR = int(os.environ.get("STACK_GDB_MAXERR", "40"))
errs = []
stats = {"frames": 0, "vars": 0}


def err(msg, cat="other"):
    errs.append((cat, msg))


def num(v):
    if v is None:
        return None
    if isinstance(v, int):
        return v
    v = str(v).strip()
    return int(v, 16) if v.lower().startswith("0x") else int(v)


def finish():
    """All the differences if they are few (or VERBOSE=1), else by kind: how
    many of each and the first three."""
    if verbose or len(errs) <= MAXERR:
        for _, e in errs:
            print("  " + e)
    else:
        cats = []
        for c, _ in errs:
            if c not in cats:
                cats.append(c)
        for c in cats:
            mine = [e for k, e in errs if k == c]
            print("  %s: %d difference%s" % (c, len(mine), "s" if len(mine) > 1 else ""))
            for e in mine[:3]:
                print("    " + e)
            if len(mine) > 3:
                print("    ...")
    if skipped:
        print("  values not compared (they differ between two gdb runs): %s"
              % ", ".join(skipped))
    if labels:
        print("  not compared: C labels gdb lists as locals: %s" % ", ".join(labels))
    if tailcall:
        print("  <optimized out> in memviz, known to gdb through a tail-call frame: %s"
              % ", ".join(tailcall))
    print("  compared %d frames, %d variables: %d differences"
          % (stats["frames"], stats["vars"], len(errs)))
    sys.exit(1 if errs else 0)


G = json.load(open(gdb_file))
if "error" in G:
    err("gdb: " + G["error"])
    finish()
for n in G.get("notes", []):
    err("gdb script: " + n)
R = [json.loads(l) for l in open(mv_file) if l.strip()]


# ---- which memviz record --------------------------------------------------
def pick():
    if mode == "same":
        return R[0] if R else None
    brk = [r for r in R if (r.get("event") or {}).get("kind") == "break"]
    for r in brk:
        for t in (r.get("stack") or {}).get("threads", []):
            fr = t.get("frames") or []
            if t.get("tid") == r.get("tid") and len(fr) > 1 and fr[1].get("fn") == "recurse":
                return r
    if brk:
        err("no break record whose frame 1 is recurse; comparing the first of %d"
            % len(brk))
        return brk[0]
    return None


rec = pick()
if rec is None or "stack" not in rec:
    err("memviz: no record with a stack (%d records)" % len(R))
    finish()
M = rec["stack"]


# ---- gdb's frames as real frames -------------------------------------------
def physical(frames):
    """Fold inline frames into the real frame holding them; drop tail-call
    frames.  Each real frame gets "inl": the inline frames folded in,
    innermost first, and "tail": the tail-call frames gdb made up between
    it and its caller."""
    out, pend = [], []
    for f in frames:
        if f["type"] == "inline":
            pend.append(f)
        elif f["type"] == "tailcall":
            if out:
                out[-1]["tail"].append(f)
        else:
            g = dict(f)
            g["inl"], g["tail"] = pend, []
            out.append(g)
            pend = []
    if pend:
        err("gdb: inline frames with no real frame under them: %s"
            % [f["fn"] for f in pend])
    return out


def names(g):
    s = set(n for n in [g["fn"]] + g.get("fn_names", []) if n)
    s |= set(n[5:] for n in s if n.startswith("__GI_"))
    return s


# stack addresses: exact for one process; relative to main's CFA for two
def main_cfa(frames, key):
    for f in frames:
        if f.get(key) == "main":
            return num(f.get("cfa"))
    return None


STACK_WIN = 64 << 20


def stack_rel(v, base):
    if base is None or v is None:
        return v
    return "main_cfa%+#x" % (v - base)


def norm_value(s, base):
    """In malloc mode, stack addresses inside a value's text as offsets from
    main's CFA (the two processes' stacks differ by their environments)."""
    if mode == "same" or base is None or s is None:
        return s
    def sub(m):
        t = m.group(0)
        v = int(t, 16) if t.startswith("0x") else int(t)
        return stack_rel(v, base) if abs(v - base) < STACK_WIN else t
    # hex, and decimal too: an uninitialized long may hold a stack address
    return re.sub(r"0x[0-9a-f]+|\b\d{10,}\b", sub, s)


def same_file(a, b):
    def n(p):
        p = os.path.normpath(p)
        while p.startswith("../") or p.startswith("./"):
            p = p.split("/", 1)[1]
        return p
    if not a or not b:
        return not a and not b
    a, b = n(a), n(b)
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def real(p):
    return os.path.realpath(p) if p else p


def by_name(mv, gv):
    """Pair the k-th variable of a name in mv with the k-th of gv."""
    seen, gi, out = {}, {}, []
    for v in gv:
        gi.setdefault(v["name"], []).append(v)
    for v in mv:
        k = seen.get(v.get("name"), 0)
        seen[v.get("name")] = k + 1
        if k < len(gi.get(v.get("name"), [])):
            out.append((v, gi[v.get("name")][k]))
    return out


def pair_vars(mv, gv):
    """Pair memviz's variables with gdb's block by block (gdb prints the
    innermost block holding the pc first): in the function's own block in
    order, in a nested lexical block as a multiset (gdb keeps those in a
    hash table: its order there is not the program's).  None when the
    names do not agree."""
    if any("block" not in w for w in gv):
        return list(zip(mv, gv)) if [v.get("name") for v in mv] == [w["name"] for w in gv] else None
    groups = []
    for w in gv:
        if groups and groups[-1][0] == w["block"]:
            groups[-1][2].append(w)
        else:
            groups.append((w["block"], w["fn_block"], [w]))
    out, i = [], 0
    for _, fn_block, ws in groups:
        chunk = mv[i:i + len(ws)]
        i += len(ws)
        mn, gn = [v.get("name") for v in chunk], [w["name"] for w in ws]
        if fn_block and mn == gn:
            out += list(zip(chunk, ws))
        elif not fn_block and sorted(mn, key=str) == sorted(gn, key=str):
            out += by_name(chunk, ws)
        else:
            return None
    return out if i == len(mv) else None


def show_blocks(gv):
    """gdb's variables with their blocks: [a, b] {c, d} (an ordered
    function block in [], a hashed lexical block in {})."""
    parts, cur = [], None
    for w in gv:
        if cur is None or cur[0] != w.get("block"):
            cur = (w.get("block"), w.get("fn_block", True), [])
            parts.append(cur)
        cur[2].append(w["name"])
    return " ".join(("[%s]" if fb else "{%s}") % ", ".join(n) for _, fb, n in parts)


def cmp_vars(who, mvars, g, mbase, gbase, do_locals):
    kinds = [v.get("kind") for v in mvars]
    bad = [k for k in kinds if k not in ("param", "local", "static")]
    if bad:
        err("%s: var kinds %s (want param, local or static)" % (who, bad), "var kinds")
    first_local = min([kinds.index(k) for k in ("local", "static") if k in kinds] or [len(kinds)])
    if "param" in kinds[first_local:]:
        err("%s: a param after a local (gdb's order: args, then locals): %s"
            % (who, [(v.get("name"), v.get("kind")) for v in mvars]), "var order")
    if not g["symtab"]:
        if mvars:
            err("%s: gdb has no debug info here, memviz lists %s"
                % (who, [v.get("name") for v in mvars]), "vars without debug info")
        return
    short = who.split(" ", 2)[2] if who.count(" ") > 1 else who
    # gdb lists a C label without an address as a local: not a variable
    for w in g["locals"]:
        if w.get("label"):
            labels.append("%s %s" % (short, w["name"]))
    lists = [("arg", [v for v in mvars if v.get("kind") == "param"], g["args"])]
    if do_locals:
        # gdb's info locals lists a function's statics among its locals
        lists.append(("local", [v for v in mvars if v.get("kind") in ("local", "static")],
                      [w for w in g["locals"] if not w.get("label")]))
    for what, mv, gv in lists:
        pairs = pair_vars(mv, gv)
        if pairs is None:
            err("%s: %ss: memviz %s, gdb %s" % (who, what, [v.get("name") for v in mv],
                                               show_blocks(gv)), "var names")
            pairs = by_name(mv, gv)
        for v, w in pairs:
            stats["vars"] += 1
            vw = "%s: %s %s" % (who, what, w["name"])
            mval, gval = norm_value(v.get("value"), mbase), norm_value(w["value"], gbase)
            if (who, what, gv.index(w)) in UNSTABLE:
                skipped.append("%s %s" % (short, w["name"]))
            elif mval != gval and g["tail"] and mval == "<optimized out>":
                # gdb found it through the tail-call frame it made up from
                # DW_TAG_call_site (a DW_OP_entry_value of the function that
                # jumped here); memviz's caller frame is the one below that
                tailcall.append("%s %s" % (short, w["name"]))
            elif mval != gval:
                err("%s = %r, gdb %r%s" % (vw, mval, gval,
                                           " (gdb: value at entry)" if w.get("entry") else ""), "values")
            if "type" in w and v.get("type") != w["type"]:
                err("%s: type %r, gdb %r" % (vw, v.get("type"), w["type"]), "types")
            if "size" in w and v.get("size") != w["size"]:
                err("%s: size %r, gdb %r" % (vw, v.get("size"), w["size"]), "sizes")
            if "addr" in w:
                ma = stack_rel(num(v.get("addr")), mbase) if mode != "same" else num(v.get("addr"))
                ga = stack_rel(num(w["addr"]), gbase) if mode != "same" else num(w["addr"])
                if mode != "same" and ga is not None and abs(num(w["addr"]) - gbase) >= STACK_WIN:
                    ma, ga = num(v.get("addr")), num(w["addr"])   # a static: exact
                if ma != ga:
                    err("%s: addr %s, gdb %s" % (vw, v.get("addr"), w["addr"]), "var addresses")


# Values that differ between two gdb runs of the same stop (uninitialized
# memory, the stack protector's canary, glibc's mangled pointers in a
# jmp_buf): they belong to the process, not to the program, so memviz's
# process cannot be expected to have them.  Key: (who, arg|local, index
# in gdb's list).
UNSTABLE = set()
skipped, labels, tailcall = [], [], []


def find_unstable(g1, g2):
    t1 = [t for t in g1["threads"] if t["tid"] == g1["selected_tid"]]
    t2 = [t for t in g2["threads"] if t["tid"] == g2["selected_tid"]]
    if not t1 or not t2:
        return
    p1, p2 = physical(t1[0]["frames"]), physical(t2[0]["frames"])
    b1, b2 = main_cfa(p1, "fn"), main_cfa(p2, "fn")
    if [f["fn"] for f in p1] != [f["fn"] for f in p2]:
        err("the two gdb runs stopped in different stacks")
        return
    for k, (f1, f2) in enumerate(zip(p1, p2)):
        who = "thread %s #%d %s" % (t1[0]["tid"], k, f1["fn"])
        for what, key in (("arg", "args"), ("local", "locals")):
            l1 = [w for w in f1[key] if not w.get("label")]
            l2 = [w for w in f2[key] if not w.get("label")]
            for i, (a, b) in enumerate(zip(l1, l2)):
                if norm_value(a["value"], b1) != norm_value(b["value"], b2):
                    UNSTABLE.add((who, what, i))


def cmp_frame(who, k, m, g, gnext, mbase, gbase):
    stats["frames"] += 1
    fn = m.get("fn")
    if fn not in names(g):
        err("%s: fn %r, gdb %r (also known as %s)" % (who, fn, g["fn"], sorted(names(g) - {g["fn"]})), "fn")
    # pc: frame 0's is rip; a caller's the return address into it
    if mode == "malloc" and k == 0:
        if num(m.get("pc")) != num(g["entry"]):
            err("%s: pc %s, not malloc's entry %s" % (who, m.get("pc"), g["entry"]), "pc")
    elif num(m.get("pc")) != num(g["pc"]):
        err("%s: pc %s, gdb %s" % (who, m.get("pc"), g["pc"]), "pc")
    same_pc = num(m.get("pc")) == num(g["pc"])
    rel = (lambda v, b: num(v)) if mode == "same" else (lambda v, b: stack_rel(num(v), b))
    for key in ("cfa", "sp"):
        if rel(m.get(key), mbase) != rel(g[key], gbase):
            err("%s: %s %s, gdb %s%s" % (who, key, m.get(key), g[key],
                "" if mode == "same" else " (relative to main's CFA: %s, gdb %s)"
                % (rel(m.get(key), mbase), rel(g[key], gbase))), key)
    # return address and its slot.  Under a tail-call frame gdb's "saved
    # rip" is that made-up frame's pc and it lists no "rip at": the slot
    # (cfa - 8) holds the real caller's pc, which memviz must give.
    if g["tail"]:
        if num(m.get("ret_addr")) != num(gnext["pc"] if gnext else 0):
            err("%s: ret_addr %s, want the caller's pc %s (gdb: tail call from %s between)"
                % (who, m.get("ret_addr"), gnext and gnext["pc"], [f["fn"] for f in g["tail"]]), "ret_addr")
        if num(m.get("ret_slot")) != num(m.get("cfa") or 0) - 8:
            err("%s: ret_slot %s, not cfa - 8" % (who, m.get("ret_slot")), "ret_slot")
    elif g["ret_addr"] is None:
        if num(m.get("ret_addr") or 0) != 0:
            err("%s: ret_addr %s, gdb: outermost (<not saved>)" % (who, m.get("ret_addr")), "ret_addr")
    else:
        if num(m.get("ret_addr")) != num(g["ret_addr"]):
            err("%s: ret_addr %s, gdb's saved rip %s" % (who, m.get("ret_addr"), g["ret_addr"]), "ret_addr")
        if gnext is not None and num(g["ret_addr"]) != num(gnext["pc"]):
            err("%s: gdb itself: saved rip %s, caller's pc %s" % (who, g["ret_addr"], gnext["pc"]), "gdb itself")
        if g["ret_slot"] is not None:
            mo = num(m.get("ret_slot")) - num(m.get("cfa")) if m.get("ret_slot") and m.get("cfa") else None
            go = num(g["ret_slot"]) - num(g["cfa"])
            if (mode == "same" and num(m.get("ret_slot")) != num(g["ret_slot"])) or mo != go:
                err("%s: ret_slot %s, gdb's rip at %s" % (who, m.get("ret_slot"), g["ret_slot"]), "ret_slot")
    # callee-saved registers this frame saved (not rip: that is ret_slot)
    if k > 0 or same_pc or mode == "same":
        # one process: the slots themselves; two: their offsets from the CFA
        mc = 0 if mode == "same" else num(m.get("cfa") or 0)
        gc = 0 if mode == "same" else num(g["cfa"])
        ms = {s.get("reg"): num(s.get("slot") or 0) - mc
              for s in m.get("saved") or [] if s.get("reg") != "rip"}
        gs = {r: num(a) - gc for r, a in g["saved"].items()}
        if ms != gs:
            fmt = lambda d: ", ".join(("%s at %#x" if mode == "same" else "%s at cfa%+d")
                                      % (r, d[r]) for r in sorted(d)) or "none"
            err("%s: saved %s; gdb %s" % (who, fmt(ms), fmt(gs)), "saved")
    how = m.get("how")
    if how != ("regs" if k == 0 else "cfi"):
        err("%s: how %r, want %r (every object here has CFI)" % (who, how, "regs" if k == 0 else "cfi"), "how")
    # source position: of the innermost inline frame at this pc, if any
    src = g["inl"][0] if g["inl"] else g
    if not same_file(m.get("file"), src["file"]) or (m.get("line") or 0) != (src["line"] or 0):
        err("%s: at %s:%s, gdb %s:%s" % (who, m.get("file"), m.get("line"), src["file"], src["line"]), "file:line")
    if g.get("object") and real(m.get("object")) != real(g["object"]):
        err("%s: object %s, gdb %s" % (who, m.get("object"), g["object"]), "object")
    cmp_vars(who, m.get("vars") or [], g, mbase, gbase, k > 0 or same_pc or mode == "same")


def show(t, gph):
    print("  thread %s: memviz %d frames (end %r), gdb %d real frames (%s)"
          % (t.get("tid"), len(t.get("frames") or []), t.get("end"), len(gph),
             G_reason.get(t.get("tid"))))
    fr = t.get("frames") or []
    for i in range(max(len(fr), len(gph))):
        a = fr[i] if i < len(fr) else {}
        b = gph[i] if i < len(gph) else {}
        print("   #%-3d %-28s cfa %-16s | %-28s cfa %s" % (
            i, a.get("fn"), a.get("cfa"), (b.get("fn") or "") +
            ("" if not b.get("inl") else " [+%d inline]" % len(b["inl"])), b.get("cfa")))


mt = {t.get("tid"): t for t in M.get("threads", [])}
G_reason = {t["tid"]: t["stop_reason"] for t in G["threads"]}
if mode == "same":
    want = G["threads"]
    if sorted(mt) != sorted(t["tid"] for t in want):
        err("threads: memviz %s, gdb %s" % (sorted(mt), sorted(t["tid"] for t in want)), "threads")
else:
    # the thread stopped at malloc, on each side
    want = [t for t in G["threads"] if t["tid"] == G["selected_tid"]]
    mt = {want[0]["tid"]: mt.get(rec.get("tid"), {})} if want else {}

def cmp_globals(mg, gg):
    """The executable's file-scope variables gdb knows, against memviz's
    stack.globals: kind, type, size, address, value.  memviz may list
    more, function statics (kind static), which gdb's blocks of file scope
    do not hold: those are not errors."""
    have = {}
    for g in mg:
        have.setdefault(g.get("name"), []).append(g)
    for w in gg:
        c = [g for g in have.get(w["name"], []) if g.get("kind") == w["kind"]]
        who = "global %s (%s)" % (w["name"], w["kind"])
        if len(c) != 1:
            err("%s: memviz has %d of it (kinds %s)" % (who, len(c),
                [g.get("kind") for g in have.get(w["name"], [])]), "globals")
            continue
        stats["vars"] += 1
        for key in ("type", "size", "addr", "value"):
            if c[0].get(key) != w[key]:
                err("%s: %s %r, gdb %r" % (who, key, c[0].get(key), w[key]), "globals")
    names = set(w["name"] for w in gg)
    extra = [g.get("name") for g in mg if g.get("name") not in names and g.get("kind") != "static"]
    if extra:
        err("globals memviz lists and gdb does not: %s" % extra, "globals")


if mode == "same" and "globals" in G:
    cmp_globals(M.get("globals") or [], G["globals"])
if gdb2_file:
    find_unstable(G, json.load(open(gdb2_file)))
for gt in want:
    t = mt.get(gt["tid"])
    if t is None:
        continue
    gph = physical(gt["frames"])
    fr = t.get("frames") or []
    tw = "thread %s" % gt["tid"]
    if verbose:
        show(t, gph)
    if not gph:
        err("%s: gdb has no frames" % tw)
        continue
    if mode == "same":
        if num(t.get("pc")) != num(gt["frames"][0]["pc"]):
            err("%s: pc %s, gdb %s" % (tw, t.get("pc"), gt["frames"][0]["pc"]), "pc")
        if num(t.get("sp")) != num(gt["frames"][0]["sp"]):
            err("%s: sp %s, gdb %s" % (tw, t.get("sp"), gt["frames"][0]["sp"]), "sp")
    if gt["stop_reason"] == "outermost" and t.get("end") != "outermost":
        err("%s: end %r, gdb's walk ended at the outermost frame" % (tw, t.get("end")), "end")
    if len(fr) != len(gph):
        err("%s: memviz %d frames [%s], gdb %d [%s]" % (
            tw, len(fr), ", ".join(str(f.get("fn")) for f in fr[:12]) + (" ..." if len(fr) > 12 else ""),
            len(gph), ", ".join(str(f["fn"]) for f in gph[:12]) + (" ..." if len(gph) > 12 else "")), "frame count")
    if mode == "same":
        mbase = gbase = None
    else:
        mbase, gbase = main_cfa(fr, "fn"), main_cfa(gph, "fn")
        if mbase is None or gbase is None:
            err("%s: no main frame (memviz %s, gdb %s): stack addresses not compared"
                % (tw, mbase, gbase))
            mbase = gbase = None
    for k in range(min(len(fr), len(gph))):
        cmp_frame("%s #%d %s" % (tw, k, gph[k]["fn"]), k, fr[k], gph[k],
                  gph[k + 1] if k + 1 < len(gph) else None, mbase, gbase)
finish()
EOF

# blocked PID: wait until every thread of PID sleeps in a system call
# (state S and a syscall number in /proc/PID/task/TID/syscall), so memviz
# and gdb stop it at the same place; 0 or 1 after 10 s.
blocked() {
	local i t ok
	for ((i = 0; i < 200; i++)); do
		ok=1
		for t in /proc/"$1"/task/*; do
			[ "$(sed 's/.*) //' "$t/stat" 2>/dev/null | cut -d' ' -f1)" = S ] &&
				grep -Eq '^[0-9]+ ' "$t/syscall" 2>/dev/null || ok=0
		done
		[ "$ok" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

# attach_scenario NAME DEMO ARG...: run DEMO ARG... (it blocks and prints
# "ready"), memviz -p, then gdb -p on the same stop; SIGUSR1 lets it end.
# Sets GJ and MJ; 1 (with a message) when it could not get both pictures.
attach_scenario() {
	local s=$1 pid st
	shift
	MJ=$T/$s.jsonl GJ=$T/$s.gdb.json DO=$T/$s.out
	"$@" </dev/null >"$DO" 2>"$T/$s.demo.err" &
	pid=$!
	BG_PIDS=$pid
	wait_for_line "$DO" '^ready$' 20
	if ! blocked "$pid"; then
		echo "$s: the demo's threads are not all blocked in a system call"
		return 1
	fi
	timeout -k 5 "${MV_TIMEOUT:-60}" "$MEMVIZ" -p "$pid" --json --fields stack --max-stops 1 \
		-o "$MJ" </dev/null >"$T/$s.mv.out" 2>"$T/$s.mv.err"
	st=$?
	if [ "$st" != 0 ] || [ ! -s "$MJ" ]; then
		echo "$s: memviz -p exited $st:"
		tail -n 5 "$T/$s.mv.err"
		return 1
	fi
	blocked "$pid" || { echo "$s: the demo did not block again after memviz detached"; return 1; }
	STACK_DUMP_GLOBALS=1 STACK_DUMP_OUT=$GJ "${GDB[@]}" -p "$pid" -x tests/gdb/stack_dump.py </dev/null \
		>"$T/$s.gdb.out" 2>"$T/$s.gdb.err"
	kill -USR1 "$pid"
	wait "$pid"
	st=$?
	BG_PIDS=
	if [ ! -s "$GJ" ]; then
		echo "$s: gdb wrote no JSON:"
		tail -n 5 "$T/$s.gdb.err" "$T/$s.gdb.out"
		return 1
	fi
	# the demo went on unharmed after both tools left
	if [ "$st" != 0 ]; then
		echo "$s: the demo exited $st after SIGUSR1 (want 0)"
		return 1
	fi
	return 0
}

# malloc_scenario: memviz and gdb each launch stack_frames 10 and stop at
# the malloc called at the bottom of the recursion.
malloc_scenario() {
	MJ=$T/malloc.jsonl GJ=$T/malloc.gdb.json GJ2=$T/malloc.gdb2.json
	memviz_json --no-aslr --fields event,stack --stop-on exit --break malloc -- stack_frames 10
	if [ "$STATUS" != 0 ]; then
		echo "malloc: memviz exited $STATUS:"
		tail -n 5 "$ERR"
		return 1
	fi
	cp "$JSON" "$MJ"
	gdb_malloc "$GJ" || return 1
	# the same in another environment (its stack 4 KiB lower): values
	# that differ between the two belong to the process (see compare.py)
	MEMVIZ_TEST_PAD=$(printf '%4096s' '') gdb_malloc "$GJ2"
}

# gdb_malloc FILE: gdb's stacks at malloc called by recurse(0), into FILE.
gdb_malloc() {
	STACK_DUMP_OUT=$1 "${GDB[@]}" -ex 'set startup-with-shell off' \
		-ex 'set disable-randomization on' -ex 'break recurse if n == 0' -ex run \
		-ex 'break malloc' -ex continue -ex 'source tests/gdb/stack_dump.py' -ex kill \
		--args demos/stack_frames 10 </dev/null >"$1.out" 2>"$1.err"
	if [ ! -s "$1" ]; then
		echo "malloc: gdb wrote no JSON:"
		tail -n 5 "$1.err" "$1.out"
		return 1
	fi
	# gdb's side must be the stop we mean: malloc(16) called by recurse(0)
	"$PY" - "$1" <<'PYEOF' || return 1
import json, sys
g = json.load(open(sys.argv[1]))
t = [t for t in g["threads"] if t["tid"] == g["selected_tid"]][0]["frames"]
ok = len(t) > 1 and "malloc" in t[0]["fn"] and t[1]["fn"] == "recurse" \
    and t[1]["args"] == [dict(t[1]["args"][0], value="0")] \
    and [a["value"] for a in t[0]["args"]] == ["16"]
if not ok:
    print("malloc: gdb did not stop in malloc(16) called by recurse(n=0): %s"
          % [(f["fn"], [a["value"] for a in f["args"]]) for f in t[:3]])
    sys.exit(1)
PYEOF
}

failed=""
for s in $SCENARIOS; do
	echo "== $s"
	case $s in
	O0) attach_scenario O0 demos/stack_frames 10 wait ;;
	O2) attach_scenario O2 demos/stack_frames_O2 10 wait ;;
	threads) attach_scenario threads demos/threads 3 wait ;;
	malloc) malloc_scenario ;;
	*) fail "unknown scenario $s" ;;
	esac || {
		failed="$failed $s"
		continue
	}
	if [ "$s" = malloc ]; then
		"$PY" "$T/compare.py" malloc "$GJ" "$MJ" "$GJ2" || failed="$failed $s"
	else
		"$PY" "$T/compare.py" same "$GJ" "$MJ" || failed="$failed $s"
	fi
done
[ -z "$failed" ] || fail "the stack differs from gdb's, or could not be checked, in:$failed"
exit 0
