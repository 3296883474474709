#!/usr/bin/env python3
"""tests/json_check.py - the JSON reports agree with the text ones
(tests/test_json.sh).

    json_check.py ALL.TXT ALL.JSON

ALL.TXT is kalloc_report(f, "all"), ALL.JSON kalloc_report(f, "json:all"),
taken one after the other in one process.  The JSON must parse as one
object with a member per report of "all", in the text's order, and every
number the text shows must be the JSON's (the summary's kB its bytes / 1024),
except those that the first report's printing may move before the second
takes its snapshot: the RSS, and the zone event counters, which may only
grow.  Prints what differs; exit status 1 if anything does.
"""
import json
import re
import sys

errors = []


def same(what, text, js):
    if text != js:
        errors.append("%s: text %r, JSON %r" % (what, text, js))


def sections(text):
    out, name = {}, None
    for line in text.splitlines():
        m = re.match(r"^==> (\S+) <==$", line)
        if m:
            name = m.group(1)
            out[name] = []
        elif name is not None and line:
            out[name].append(line)
    return out


def check_buddyinfo(lines, js):
    for line in lines:
        f = line.replace(",", "").split()
        same("buddyinfo " + f[3], [int(x) for x in f[4:]], js[f[3]])


def check_pagetypeinfo(lines, js):
    same("pageblock order", int(lines[0].split()[-1]), js["page_block_order"])
    types = None
    for line in lines:
        m = re.match(r"^Node\s+\d+, zone\s+(\S+), type\s+(\S+)\s+(.*)$", line)
        if m:
            same("pagetypeinfo free %s %s" % (m.group(1), m.group(2)),
                 [int(x.lstrip(">")) for x in m.group(3).split()],
                 js["free"][m.group(1)][m.group(2)])
        elif line.startswith("Number of blocks type"):
            types = line.split()[4:]
        elif types and line.startswith("Node"):
            f = line.replace(",", "").split()
            same("pagetypeinfo blocks " + f[3], dict(zip(types, map(int, f[4:]))), js["blocks"][f[3]])


def check_zoneinfo(lines, js):
    zone, events = None, ("pgalloc", "pgfree", "pgalloc_fallback", "pgsteal_migratetype",
                          "sections_online", "pgreported", "pgreport_calls", "allocfail")
    for line in lines:
        f = line.split()
        if line.startswith("Node"):
            zone = f[3]
            continue
        z = js[zone]
        if f[0] == "pages" and f[1] == "free":
            same(zone + " free", int(f[2]), z["free"])
        elif f[0] in ("min", "low", "high", "spanned", "present", "managed", "start_pfn:"):
            same(zone + " " + f[0], int(f[1]), z[f[0].rstrip(":")])
        elif f[0] == "protection:":
            same(zone + " protection", [int(x) for x in re.findall(r"-?\d+", line)], z["protection"])
        elif f[0] in events:
            if not int(f[1]) <= z[f[0]]:
                errors.append("%s %s: text %s, JSON %s (events only grow)" % (zone, f[0], f[1], z[f[0]]))
        elif f[0] in ("count:", "high:", "batch:"):
            same(zone + " pagesets " + f[0], int(f[1]), z["pagesets"][f[0].rstrip(":")])
        elif len(f) == 2 and f[0] in z:
            same(zone + " " + f[0], int(f[1]), z[f[0]])


def check_slabinfo(lines, js):
    rows = [l.split() for l in lines[2:]]
    same("slabinfo caches", [r[0] for r in rows], [c["name"] for c in js["caches"]])
    keys = ("active_objs", "num_objs", "objsize", "objperslab", "pagesperslab")
    for r, c in zip(rows, js["caches"]):
        same("slabinfo " + r[0], [int(x) for x in r[1:6]] + [int(r[13]), int(r[14])],
             [c[k] for k in keys] + [c["active_slabs"], c["num_slabs"]])


def check_vmallocinfo(lines, js):
    text = [(int(a, 16), int(b, 16), int(s)) for a, b, s in
            (re.match(r"^0x([0-9a-f]+)-0x([0-9a-f]+)\s+(\d+)", l).groups() for l in lines)]
    same("vmallocinfo areas", text, [(a["start"], a["end"], a["size"]) for a in js["areas"]])


def check_brk(lines, js):
    t = dict(l.split(":", 1) for l in lines)
    same("brk start_brk", int(t["start_brk"], 16), js["start_brk"])
    same("brk brk", int(t["brk"], 16), js["brk"])
    same("brk size", int(t["size"].split()[0]), js["size"])
    same("brk pages", [int(x) for x in re.findall(r"\d+", t["pages"])],
         [js["pages"]] + [js["pages_by_zone"][z] for z in ("DMA", "Normal", "HighMem")])
    same("brk peak pages", int(t["peak pages"]), js["peak_pages"])


def check_kfence(lines, js):
    for line in lines:
        k, v = line.rsplit(":", 1)
        same("kfence " + k, int(v), int(js[k]))


def check_options(lines, js):
    for line in lines:
        k, v = line.split("=", 1)
        same("option " + k, v, str(js[k]))


def check_meminfo(lines, js):
    for line in lines:
        k, v = line.split(":", 1)
        same("meminfo " + k, int(v.split()[0]), int(js[k]))


def check_vmstat(lines, js):
    for line in lines:
        k, v = line.split()
        if k.startswith("nr_"):
            same("vmstat " + k, int(v), int(js[k]))
        elif not int(v) <= int(js[k]):
            errors.append("vmstat %s: text %s, JSON %s (events only grow)" % (k, v, js[k]))


def check_totals(lines, js):
    for line in lines:
        f = line.split()
        if f and (f[0] in js["zones"] or f[0] == "total"):
            row = js["zones"][f[0]] if f[0] != "total" else js["total"]
            on, total = f[7].split("/")
            same("totals " + f[0], [int(x) for x in f[1:7]] + [int(on), int(total)],
                 [row[k] for k in ("present", "managed", "free", "allocated", "pcp", "reported",
                                   "sections_online", "sections_total")])
        m = re.match(r"^slab:\s+(\d+) objects in use, (\d+) kB", line)
        if m:
            same("totals slab objects", int(m.group(1)), js["slab_objects"])
            same("totals slab kB", int(m.group(2)), js["slab_bytes"] >> 10)
        m = re.match(r"^foreign frees: (\d+)", line)
        if m:
            same("totals foreign frees", int(m.group(1)), js["foreign_frees"])


def check_summary(lines, js):
    keys = {"slab objects": "slab_objects", "page blocks": "page_blocks", "vmalloc": "vmalloc",
            "brk": "brk", "total": "total", "slabs": "slabs", "other": "other"}
    over = {"slab: free objects in slabs": "slab_free_objects",
            "slab: objects in sheaves": "slab_sheaves",
            "slab: metadata, padding, tails": "slab_metadata",
            "slab: kalloc's own objects": "slab_kalloc_objects",
            "vmalloc: areas kept for reuse": "vmalloc_area_cache", "pcp lists": "pcp_lists",
            "free, not given back yet": "free_not_given_back"}
    section = None
    for line in lines:
        if not line.startswith("  "):
            section = {"in": "in_use", "held": "held", "allocator": "overhead",
                       "host": "host"}[line.split()[0]]
            continue
        label, rest = re.match(r"^  (.+?)\s{2,}(\d.*)$", line).groups()
        kb = [int(x) for x in re.findall(r"(\d+) kB", rest)]
        if section in ("in_use", "held"):
            row = js[section][keys[label]]
            same("summary %s %s" % (section, label), kb,
                 [row["now"] >> 10] + ([row["peak"] >> 10] if "peak" in row else []))
        elif section == "overhead" and label in over:
            same("summary " + label, kb[0], js["overhead"][over[label]] >> 10)


def main():
    text = sections(open(sys.argv[1]).read())
    js = json.load(open(sys.argv[2]))
    names = [k for k in js if k != "kalloc"]
    same("the reports, in order", list(text), names)
    for key in ("version", "pid", "program", "time"):
        if key not in js.get("kalloc", {}):
            errors.append("no kalloc.%s in the JSON" % key)
    for name, lines in text.items():
        check = globals().get("check_" + name)
        if check and name in js:
            check(lines, js[name])
    for e in errors:
        print("json_check: " + e)
    print("json_check: %d reports compared, %d differences" % (len(text), len(errors)))
    return 1 if errors else 0


sys.exit(main())
