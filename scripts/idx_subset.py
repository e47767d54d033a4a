#!/usr/bin/env python3
"""The first records of MNIST-format IDX files (images and labels of each split), for the device
machine, which has no datasets. A file read gzipped (NAME.gz) is written gzipped.

Usage: idx_subset.py SRC DST train=N t10k=M
IDX: a magic number whose last byte is the dimension count, the counts as big-endian int32, then
the records."""
import gzip
import os
import struct
import sys


def read(path):
    if os.path.exists(path):
        return open(path, "rb").read(), False
    return gzip.open(path + ".gz").read(), True


def subset(src, dst, name, n):
    data, zipped = read(os.path.join(src, name))
    dims = data[3]
    shape = list(struct.unpack(">" + "i" * dims, data[4:4 + 4 * dims]))
    record = 1
    for d in shape[1:]:
        record *= d
    head = 4 + 4 * dims
    shape[0] = n
    out = data[:4] + struct.pack(">" + "i" * dims, *shape) + data[head:head + n * record]
    target = os.path.join(dst, name + (".gz" if zipped else ""))
    with (gzip.open(target, "wb") if zipped else open(target, "wb")) as f:
        f.write(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    for arg in sys.argv[3:]:
        split, n = arg.split("=")
        for what in ("images-idx3", "labels-idx1"):
            subset(src, dst, f"{split}-{what}-ubyte", int(n))


main()
