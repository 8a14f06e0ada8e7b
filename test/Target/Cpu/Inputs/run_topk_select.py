"""Runs topk-select-run.mlir's kernels through ctypes on rows built to
stress the selection (many ties, NaN, negative entries, Gaussian rows) and
compares the chosen columns and values with NumPy's stable argsort.
Usage: run_topk_select.py LIB.so"""
import ctypes
import sys

import numpy as np

rng = np.random.default_rng(11)
B, n, k = 600, 301, 7
x = rng.standard_normal((B, n)).astype(np.float32)
x[: B // 3] = rng.integers(-3, 4, size=(B // 3, n))  # ties everywhere
x[B // 3 : 2 * B // 3] = np.round(x[B // 3 : 2 * B // 3])  # |x| ties
x[rng.random((B, n)) < 0.02] = np.nan
x[5, :] = np.nan  # a row of NaN: the first k columns
outputs = [np.zeros((B, k), np.float32), np.zeros((B, k), np.int32),
           np.zeros((B, k), np.float32), np.zeros((B, k), np.int32)]
buffers = [x] + outputs
pointers = (ctypes.c_void_p * len(buffers))(
    *[b.ctypes.data_as(ctypes.c_void_p) for b in buffers])
lib = ctypes.CDLL(sys.argv[1])
assert lib.prism_forward(pointers, (ctypes.c_int64 * 1)(B), None) == 0

status = 0
for label, key, values, indices in [("by value", x, outputs[0], outputs[1]),
                                    ("by |value|", np.abs(x), outputs[2], outputs[3])]:
    ranked = np.where(np.isnan(key), -np.inf, key)
    order = np.argsort(-ranked, axis=1, kind="stable")[:, :k]
    expected = np.take_along_axis(x, order, axis=1)
    bad = ~((indices == order).all(axis=1) &
            ((values == expected) | (np.isnan(values) & np.isnan(expected))).all(axis=1))
    print(f"{label}: {B} rows, {int(bad.sum())} mismatched")
    status |= int(bad.any())
sys.exit(status)
