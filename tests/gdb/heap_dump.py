# heap_dump.py - gdb's own picture of a glibc heap, for checking memviz.
#
#   gdb -batch -p PID -x tests/gdb/heap_dump.py      (the process stopped)
#
# Prints ONE line of JSON:
#
#   {"arenas":[{"name","addr","start","end","top","system_mem",
#               "chunks":[{"addr","size","flags","state","bin","bin_index"}]}],
#    "mmapped":[{"addr","size","flags","state":"mmapped","bin":null}],
#    "n_mmaps": N, "tcache_method": "tls"|"heap", "tcache_why": "...",
#    "notes":[anything that did not add up: a walk cut short, a count
#             that disagrees with its list, a free chunk in no bin ...]}
#
# or {"error": "..."} when it cannot (no libc debug info: libc6-dbg).
#
# Everything comes from glibc's debug info through gdb (the types
# struct malloc_chunk, struct malloc_state, heap_info,
# tcache_perthread_struct, the symbols main_arena, mp_ and the per-thread
# `tcache`), never from memviz's layout table, so the two are independent.
#
# state: inuse | free | top | mmapped; bin: tcache | fast | unsorted |
# small | large | null.  A chunk in the tcache or a fastbin is "free" with
# that bin (its neighbour's P bit still says in use).  glibc's bin numbers:
# 1 unsorted, 2..63 small, 64..126 large; bin_index is that number, the
# tcache index or the fastbin index.  A chunk that looks free by its
# neighbour's P bit but is in no bin gets state free, bin null and a note.
#
# Addresses are "0x..." strings, sizes are integers (without flag bits).
# Only x86-64 / glibc 2.26+ (tcache) with safe-linking (2.32+) is assumed:
#     next = (address_of_the_next_field >> 12) ^ stored_value

import json
import struct

import gdb

NOTES = []
MAX_CHUNKS = 10_000_000
MAX_LIST = 1_000_000


class Fail(Exception):
    pass


def hexa(v):
    return "0x%x" % v


def off(t, name):
    for f in t.fields():
        if f.name == name:
            return f.bitpos // 8
    raise Fail("no field %s in %s" % (name, t))


def lookup(names):
    for n in names:
        try:
            return gdb.lookup_type(n)
        except gdb.error:
            pass
    raise Fail("no type %s in the debug info (libc6-dbg installed?)" % names[0])


INF = gdb.selected_inferior()


def rd(addr, n):
    return bytes(INF.read_memory(addr, n))


def rd64(addr):
    return struct.unpack("<Q", rd(addr, 8))[0]


def rd16(addr):
    return struct.unpack("<H", rd(addr, 2))[0]


def evaluate(exprs):
    err = None
    for e in exprs:
        try:
            return gdb.parse_and_eval(e)
        except gdb.error as x:
            err = x
    raise Fail("cannot evaluate %s: %s" % (exprs[0], err))


# -- types and constants from the debug info --------------------------------
def layout():
    L = {}
    tc = lookup(["struct malloc_chunk"])
    L["chunk_t"] = tc
    L["o_prev_size"] = off(tc, "mchunk_prev_size")
    L["o_size"] = off(tc, "mchunk_size")
    L["o_fd"] = off(tc, "fd")
    L["o_bk"] = off(tc, "bk")
    L["SIZE_SZ"] = tc.fields()[1].type.sizeof
    # MALLOC_ALIGNMENT on x86-64: 16 (2 * SIZE_SZ, also alignof(long double))
    L["ALIGN"] = max(2 * L["SIZE_SZ"], 16)
    L["MINSIZE"] = (L["o_fd"] + 2 * L["SIZE_SZ"] + L["ALIGN"] - 1) & ~(L["ALIGN"] - 1)
    ts = lookup(["struct malloc_state"])
    L["state_t"] = ts
    L["o_fastbins"] = off(ts, "fastbinsY")
    L["o_bins"] = off(ts, "bins")
    for f in ts.fields():
        if f.name == "fastbinsY":
            L["NFASTBINS"] = f.type.sizeof // f.type.target().sizeof
        if f.name == "bins":
            L["NBINS"] = (f.type.sizeof // f.type.target().sizeof) // 2 + 1
    th = lookup(["heap_info", "struct _heap_info"])
    L["heap_info_t"] = th
    L["o_h_size"] = off(th, "size")
    L["o_h_prev"] = off(th, "prev")
    L["o_h_ar"] = off(th, "ar_ptr")
    tt = lookup(["tcache_perthread_struct", "struct tcache_perthread_struct"])
    L["tcache_t"] = tt
    L["o_counts"] = off(tt, "counts")
    L["o_entries"] = off(tt, "entries")
    for f in tt.fields():
        if f.name == "counts":
            L["TCACHE_BINS"] = f.type.sizeof // f.type.target().sizeof
            L["count_sz"] = f.type.target().sizeof
    te = lookup(["tcache_entry", "struct tcache_entry"])
    L["o_next"] = off(te, "next")
    return L


def align_up(v, a):
    return (v + a - 1) & ~(a - 1)


# -- bins -------------------------------------------------------------------
def read_count(L, base, i):
    a = base + L["o_counts"] + i * L["count_sz"]
    return rd16(a) if L["count_sz"] == 2 else rd(a, 1)[0]


def tcache_walk(L, tc, binof, who):
    """Mark every chunk in the tcache_perthread_struct at tc."""
    ok = True
    for i in range(L["TCACHE_BINS"]):
        cnt = read_count(L, tc, i)
        e = rd64(tc + L["o_entries"] + 8 * i)
        n = 0
        while e and n < MAX_LIST:
            chunk = e - L["o_fd"]  # the entry is the user pointer
            binof[chunk] = ("tcache", i)
            n += 1
            try:
                raw = rd64(e + L["o_next"])
            except gdb.MemoryError:
                NOTES.append("%s tcache[%d]: unreadable entry %s" % (who, i, hexa(e)))
                ok = False
                break
            e = ((e + L["o_next"]) >> 12) ^ raw
            if n > cnt + 1:
                break
        if n != cnt:
            NOTES.append("%s tcache[%d]: count %d, list %d" % (who, i, cnt, n))
            ok = False
    return ok


def fast_walk(L, ar, binof, who):
    for i in range(L["NFASTBINS"]):
        p = rd64(ar + L["o_fastbins"] + 8 * i)
        n = 0
        while p and n < MAX_LIST:
            binof[p] = ("fast", i)
            n += 1
            raw = rd64(p + L["o_fd"])
            p = ((p + L["o_fd"]) >> 12) ^ raw
        if p:
            NOTES.append("%s fastbin %d: longer than %d" % (who, i, MAX_LIST))


def bins_walk(L, ar, binof, who):
    for i in range(1, L["NBINS"]):
        head = ar + L["o_bins"] + (i - 1) * 2 * 8 - L["o_fd"]
        kind = "unsorted" if i == 1 else "small" if i < 64 else "large"
        p = rd64(head + L["o_fd"])
        n = 0
        while p != head and p and n < MAX_LIST:
            binof[p] = (kind, i)
            n += 1
            p = rd64(p + L["o_fd"])
        if p != head:
            NOTES.append("%s bin %d: list does not close" % (who, i))


def thread_tcaches(L):
    """The tcache pointer of every thread, through its TLS."""
    out = []
    cur = gdb.selected_thread()
    for th in sorted(INF.threads(), key=lambda t: t.num):
        th.switch()
        v = evaluate(["'malloc.c'::tcache", "tcache"])
        out.append((th.ptid[1], int(v)))
    if cur is not None:
        cur.switch()
    return out


# -- chunk walk ---------------------------------------------------------------
def flags_str(raw):
    return ("P" if raw & 1 else "") + ("M" if raw & 2 else "") + ("A" if raw & 4 else "")


def walk(L, start, end, top, binof, who):
    """The chunks from start to end (top's end); bounded and validated."""
    chunks = []
    if end <= start:
        NOTES.append("%s: empty span %s..%s" % (who, hexa(start), hexa(end)))
        return chunks
    mem = rd(start, end - start)
    p = start
    while p < end and len(chunks) < MAX_CHUNKS:
        o = p - start
        if o + 16 > len(mem):
            NOTES.append("%s: header past the end at %s" % (who, hexa(p)))
            break
        raw = struct.unpack_from("<Q", mem, o + L["o_size"])[0]
        size = raw & ~7
        if size < L["MINSIZE"] or size % L["ALIGN"] or p + size > end:
            NOTES.append("%s: bad size 0x%x at %s" % (who, raw, hexa(p)))
            break
        c = {"addr": hexa(p), "size": size, "flags": flags_str(raw),
             "state": None, "bin": None, "bin_index": -1}
        if p == top:
            c["state"] = "top"
        elif p in binof:
            c["state"] = "free"
            c["bin"], c["bin_index"] = binof[p]
        else:
            nxt = p + size
            no = nxt - start
            if no + 16 <= len(mem):
                nraw = struct.unpack_from("<Q", mem, no + L["o_size"])[0]
                free = not (nraw & 1)
            else:
                free = False
            c["state"] = "free" if free else "inuse"
            if free:
                NOTES.append("%s: %s is free by its neighbour's P bit but in no bin"
                             % (who, hexa(p)))
        chunks.append(c)
        p += size
    return chunks


def proc_maps(pid):
    out = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            w = line.split()
            lo, hi = (int(x, 16) for x in w[0].split("-"))
            out.append((lo, hi, w[1], w[5] if len(w) > 5 else ""))
    return out


def find_mmapped(L, pid, exclude):
    """Chunks with M set: each heads an anonymous rw mapping of its own
    (the kernel may merge neighbouring ones into one line of maps, so
    every page start is tried)."""
    found = []
    for lo, hi, perms, path in proc_maps(pid):
        if not perms.startswith("rw") or path:
            continue
        if any(lo < e and s < hi for s, e in exclude):
            continue
        try:
            mem = rd(lo, hi - lo)
        except gdb.MemoryError:
            continue
        o = 0
        while o + 16 <= len(mem):
            prev = struct.unpack_from("<Q", mem, o + L["o_prev_size"])[0]
            raw = struct.unpack_from("<Q", mem, o + L["o_size"])[0]
            size = raw & ~7
            if (raw & 7) == 2 and prev == 0 and size >= 4096 and size % 4096 == 0 \
                    and o + size <= len(mem):
                found.append({"addr": hexa(lo + o), "size": size, "flags": flags_str(raw),
                              "state": "mmapped", "bin": None, "bin_index": -1})
                o += size
            else:
                o += 4096
    return found


def main():
    L = layout()
    try:
        main_arena = int(evaluate(["&main_arena", "&'malloc.c'::main_arena"]))
    except Fail as e:
        raise Fail("no main_arena symbol (is libc6-dbg installed?): %s" % e)
    mp = evaluate(["mp_", "'malloc.c'::mp_"])
    n_mmaps = int(mp["n_mmaps"])
    sbrk_base = int(mp["sbrk_base"])
    hp = int(mp["hp_pagesize"]) if any(f.name == "hp_pagesize" for f in mp.type.fields()) else 0
    heap_max = hp * 4 if hp else 2 * 4 * 1024 * 1024 * gdb.lookup_type("long").sizeof
    pid = INF.pid

    # the arenas, main first, in the order of the next ring
    ars = []
    a = main_arena
    while True:
        ars.append(a)
        a = rd64(a + off(L["state_t"], "next"))
        if a == main_arena or a == 0 or len(ars) > 4096:
            break

    binof = {}
    for i, a in enumerate(ars):
        who = "main" if a == main_arena else "arena %d" % i
        fast_walk(L, a, binof, who)
        bins_walk(L, a, binof, who)

    # each thread's tcache through its TLS variable; failing that (no
    # libthread_db), the tcache_perthread_struct at each arena's first chunk
    # (misses the tcaches of threads that share an arena they did not make)
    method, why = "tls", ""
    try:
        tcs = thread_tcaches(L)
    except (Fail, gdb.error) as e:
        method, why = "heap", "tcache through TLS failed: %s" % e
        tcs = []
    for tid, tc in tcs:
        if tc:
            tcache_walk(L, tc, binof, "thread %d" % tid)

    arenas = []
    spans = []
    for i, a in enumerate(ars):
        st = gdb.Value(a).cast(L["state_t"].pointer()).dereference()
        top = int(st["top"])
        system_mem = int(st["system_mem"])
        top_size = rd64(top + L["o_size"]) & ~7
        who = "main" if a == main_arena else "arena %d" % i
        segs = []
        if a == main_arena:
            if sbrk_base == 0:  # no malloc yet
                arenas.append({"name": who, "addr": hexa(a), "start": "0x0", "end": "0x0",
                               "top": hexa(top), "system_mem": system_mem, "chunks": []})
                continue
            segs.append((align_up(sbrk_base, L["ALIGN"]), top + top_size))
        else:
            h = top & ~(heap_max - 1)
            n = 0
            while h and n < 4096:
                hsize = rd64(h + L["o_h_size"])
                if rd64(h + L["o_h_ar"]) != a:
                    NOTES.append("%s: heap_info %s has another ar_ptr" % (who, hexa(h)))
                    break
                if h + L["heap_info_t"].sizeof == a:      # the arena's first heap
                    s = align_up(a + L["state_t"].sizeof, L["ALIGN"])
                else:
                    s = align_up(h + L["heap_info_t"].sizeof, L["ALIGN"])
                e = top + top_size if top & ~(heap_max - 1) == h else h + hsize
                segs.append((s, e))
                h = rd64(h + L["o_h_prev"])
                n += 1
            segs.reverse()
        if not segs:
            NOTES.append("%s: no heap found for top %s" % (who, hexa(top)))
            continue
        if method == "heap":
            s0 = segs[0][0]
            first = rd64(s0 + L["o_size"]) & ~7
            if first == align_up(L["tcache_t"].sizeof + L["SIZE_SZ"], L["ALIGN"]):
                tcache_walk(L, s0 + L["o_fd"], binof, who)
        chunks = []
        for s, e in segs:
            chunks += walk(L, s, e, top, binof, who)
            spans.append((s & ~(heap_max - 1) if a != main_arena else s, e))
        total = sum(c["size"] for c in chunks)
        span = sum(e - s for s, e in segs)
        if total != span:
            NOTES.append("%s: chunk sizes sum to 0x%x, span 0x%x" % (who, total, span))
        arenas.append({"name": who, "addr": hexa(a), "start": hexa(segs[0][0]),
                       "end": hexa(segs[-1][1]), "top": hexa(top),
                       "system_mem": system_mem, "chunks": chunks})

    mm = find_mmapped(L, pid, spans)
    if len(mm) != n_mmaps:
        NOTES.append("found %d mmapped chunks, mp_.n_mmaps says %d" % (len(mm), n_mmaps))
    return {"arenas": arenas, "mmapped": mm, "n_mmaps": n_mmaps,
            "tcache_method": method, "tcache_why": why, "notes": NOTES}


try:
    res = main()
except Fail as e:
    res = {"error": str(e)}
except gdb.error as e:
    res = {"error": "gdb: %s" % e}
print(json.dumps(res))
