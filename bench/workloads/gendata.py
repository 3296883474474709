#!/usr/bin/env python3
"""gendata.py - input files for the real-program workloads, with the
expected results, generated deterministically (same seed, same bytes).

    gendata.py sort OUT_PREFIX MEGABYTES
        OUT_PREFIX.txt      lines of random words, about MEGABYTES MB
        OUT_PREFIX.sha256   sha256 of the file sorted bytewise (LC_ALL=C sort)

    gendata.py sql OUT_PREFIX ROWS
        OUT_PREFIX.sql      CREATE TABLE, ROWS inserts in one transaction,
                            an index, queries, an update, a delete, queries
        OUT_PREFIX.expected what `sqlite3 :memory: < OUT_PREFIX.sql` prints

The expected results are computed here in Python, independently of the
program under test, so bench/compare can check each run's output.
"""
import hashlib
import random
import sys

WORDS = None


def words(rng):
    global WORDS
    if WORDS is None:
        letters = "abcdefghijklmnopqrstuvwxyz"
        WORDS = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10)))
                 for _ in range(5000)]
    return WORDS


def gen_sort(prefix, megabytes):
    rng = random.Random(20240601)
    w = words(rng)
    target = int(megabytes * 1000 * 1000)
    lines = []
    size = 0
    while size < target:
        k = rng.randint(1, 12)
        line = (" ".join(rng.choice(w) for _ in range(k)) + " %d\n" % rng.randrange(10 ** 9)).encode()
        lines.append(line)
        size += len(line)
    with open(prefix + ".txt", "wb") as f:
        f.writelines(lines)
    lines.sort()
    h = hashlib.sha256()
    for line in lines:
        h.update(line)
    with open(prefix + ".sha256", "w") as f:
        f.write(h.hexdigest() + "\n")


def gen_sql(prefix, rows):
    rng = random.Random(424242)
    w = words(rng)
    data = []
    for i in range(1, rows + 1):
        a = rng.randrange(100000)
        b = "-".join(rng.choice(w) for _ in range(rng.randint(1, 6)))
        data.append((i, a, b))
    out = []
    exp = []
    out.append("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT);")
    out.append("BEGIN;")
    for i, a, b in data:
        out.append("INSERT INTO t VALUES(%d,%d,'%s');" % (i, a, b))
    out.append("COMMIT;")
    out.append("CREATE INDEX ta ON t(a);")
    out.append("CREATE INDEX tb ON t(b);")

    out.append("SELECT count(*), sum(a), sum(length(b)) FROM t;")
    exp.append("%d|%d|%d" % (len(data), sum(a for _, a, _ in data),
                             sum(len(b) for _, _, b in data)))

    out.append("SELECT a % 100 AS g, count(*), sum(a) FROM t GROUP BY g ORDER BY g LIMIT 5;")
    groups = {}
    for _, a, _ in data:
        c, s = groups.get(a % 100, (0, 0))
        groups[a % 100] = (c + 1, s + a)
    for g in sorted(groups)[:5]:
        exp.append("%d|%d|%d" % (g, groups[g][0], groups[g][1]))

    out.append("SELECT count(*) FROM t WHERE a BETWEEN 1000 AND 20000;")
    exp.append("%d" % sum(1 for _, a, _ in data if 1000 <= a <= 20000))

    out.append("SELECT b FROM t ORDER BY b, id LIMIT 3;")
    for _, _, b in sorted(data, key=lambda r: (r[2].encode(), r[0]))[:3]:
        exp.append(b)

    out.append("SELECT count(DISTINCT b) FROM t;")
    exp.append("%d" % len(set(b for _, _, b in data)))

    out.append("UPDATE t SET b = b || '-x' WHERE id % 10 = 0;")
    out.append("SELECT sum(length(b)) FROM t;")
    exp.append("%d" % sum(len(b) + (2 if i % 10 == 0 else 0) for i, _, b in data))

    out.append("DELETE FROM t WHERE id % 3 = 0;")
    out.append("SELECT count(*), sum(a) FROM t;")
    kept = [(i, a, b) for i, a, b in data if i % 3 != 0]
    exp.append("%d|%d" % (len(kept), sum(a for _, a, _ in kept)))

    # a self-join through the index: many short-lived result rows
    out.append("SELECT count(*) FROM t AS x JOIN t AS y ON y.a = x.a + 1 WHERE x.id % 7 = 0;")
    by_a = {}
    for _, a, _ in kept:
        by_a[a] = by_a.get(a, 0) + 1
    exp.append("%d" % sum(by_a.get(a + 1, 0) for i, a, _ in kept if i % 7 == 0))

    with open(prefix + ".sql", "w") as f:
        f.write("\n".join(out) + "\n")
    with open(prefix + ".expected", "w") as f:
        f.write("\n".join(exp) + "\n")


def main(argv):
    if len(argv) != 4 or argv[1] not in ("sort", "sql"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "sort":
        gen_sort(argv[2], float(argv[3]))
    else:
        gen_sql(argv[2], int(argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
