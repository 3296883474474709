#!/usr/bin/env python3
"""dicts.py - a python3 workload: build and drop dicts, check them.

Each round builds a table of records (dicts of str, int and list), two
indexes over it (str -> int, int -> tuple), deletes and re-inserts half of
one index, and drops everything.  Every figure is checked against a value
computed another way (arithmetic over range(), no dicts), so a broken
allocator fails the run instead of finishing fast.

bench/compare runs it twice: as is (CPython's pymalloc serves objects of up
to 512 bytes from its own arenas; malloc gets the dict tables, lists and
large strings) and with PYTHONMALLOC=malloc (every object through malloc).

    python3 dicts.py [records=100000] [rounds=3]
"""
import sys


def expected_score_sum(n):
    return sum((i * 2654435761) % 1000 for i in range(n))


def one_round(n, r):
    records = {}
    for i in range(n):
        records[i] = {
            "id": i,
            "name": "user%d-%d" % (i, r),
            "tags": [str(i % 7), str(i % 11), "r%d" % r],
            "score": (i * 2654435761) % 1000,
        }
    by_name = {rec["name"]: k for k, rec in records.items()}
    pairs = {k: (rec["score"], len(rec["tags"])) for k, rec in records.items()}

    # churn: drop every other key of one index and put it back
    for i in range(0, n, 2):
        del by_name["user%d-%d" % (i, r)]
    if len(by_name) != n - (n + 1) // 2:
        return "delete count"
    for i in range(0, n, 2):
        by_name["user%d-%d" % (i, r)] = i

    if len(records) != n or len(by_name) != n or len(pairs) != n:
        return "sizes"
    if sum(rec["score"] for rec in records.values()) != expected_score_sum(n):
        return "score sum"
    if sum(s for s, _ in pairs.values()) != expected_score_sum(n):
        return "pairs sum"
    if any(by_name["user%d-%d" % (i, r)] != i for i in range(0, n, 97)):
        return "index lookup"
    if sum(len(rec["name"]) for rec in records.values()) != \
            sum(len("user%d-%d" % (i, r)) for i in range(n)):
        return "name bytes"
    # a large joined string and its split, then dropped
    blob = ",".join(rec["name"] for rec in records.values())
    if len(blob.split(",")) != n:
        return "split"
    del records, by_name, pairs, blob
    return None


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for r in range(rounds):
        err = one_round(n, r)
        if err:
            print("dicts: FAIL: round %d: %s" % (r, err), file=sys.stderr)
            return 1
    print("dicts: OK records=%d rounds=%d" % (n, rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
