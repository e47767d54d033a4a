#!/usr/bin/env python3
"""Where a GPU run's time goes, by kernel: Nsight Compute's CSV (ncu --csv --print-units base
--metrics gpu__time_duration.sum ...) summed per kernel name, heaviest first, with each name's
launches, total and mean time and share of all kernel time. cuBLAS's GEMM kernels appear under
their own names, so the GEMMs' share and the rest's are read off one table.
Usage: ncu_summary.py CSV [TOP]   (TOP: rows to print, default 25)"""
import csv
import sys
from collections import defaultdict

UNIT_NS = {"nsecond": 1.0, "ns": 1.0, "usecond": 1e3, "us": 1e3, "msecond": 1e6, "ms": 1e6,
           "second": 1e9, "s": 1e9}


def column(header, *names):
    low = [h.strip().lower() for h in header]
    for name in names:
        if name in low:
            return low.index(name)
    sys.exit(f"ncu_summary: no column {names[0]!r} in the CSV header: {header}")


def rows_of(path):
    with open(path, newline="") as f:
        lines = [line for line in f if line.startswith('"')]  # ncu's own notes are unquoted
    table = list(csv.reader(lines))
    if not table:
        sys.exit(f"ncu_summary: {path} holds no CSV rows (did ncu profile any kernel?)")
    return table[0], table[1:]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split("Usage: ")[1])
    header, rows = rows_of(sys.argv[1])
    top = int(sys.argv[2]) if len(sys.argv) == 3 else 25
    k_name = column(header, "kernel name", "name")
    m_name = column(header, "metric name")
    m_unit = column(header, "metric unit")
    m_value = column(header, "metric value")
    total, count = defaultdict(float), defaultdict(int)
    for r in rows:
        if len(r) <= m_value or r[m_name] != "gpu__time_duration.sum":
            continue
        scale = UNIT_NS.get(r[m_unit].strip().lower())
        if scale is None:
            sys.exit(f"ncu_summary: unknown time unit {r[m_unit]!r}")
        name = r[k_name].split("(")[0].strip().removeprefix("void ")  # the arguments say little
        total[name] += float(r[m_value].replace(",", "")) * scale
        count[name] += 1
    all_ns = sum(total.values())
    if not all_ns:
        sys.exit("ncu_summary: no gpu__time_duration.sum values")
    print(f"{sum(count.values())} launches, {all_ns / 1e6:.2f} ms of kernel time in all")
    print(f"{'share':>6} {'total ms':>9} {'launches':>8} {'mean us':>8}  kernel")
    for name in sorted(total, key=total.get, reverse=True)[:top]:
        t = total[name]
        print(f"{100 * t / all_ns:5.1f}% {t / 1e6:9.3f} {count[name]:8d} "
              f"{t / 1e3 / count[name]:8.1f}  {name[:90]}")


if __name__ == "__main__":
    main()
