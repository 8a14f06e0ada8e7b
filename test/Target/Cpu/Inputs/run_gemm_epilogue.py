"""Runs gemm-epilogue-run.mlir's kernels through ctypes with 9 rows (more
rows than the tall product's 3 columns, fewer than the wide one's 40) and
compares each result with NumPy. Usage: run_gemm_epilogue.py LIB.so {float|double}"""
import ctypes
import sys

import numpy as np

lib_path, real = sys.argv[1], sys.argv[2]
dtype = np.float32 if real == "float" else np.float64
tolerance = 1e-5 if real == "float" else 1e-12
rng = np.random.default_rng(2)
B = 9
x = rng.standard_normal((B, 5)).astype(dtype)
w, b = rng.standard_normal((5, 3)).astype(dtype), rng.standard_normal(3).astype(dtype)
v, c = rng.standard_normal((5, 40)).astype(dtype), rng.standard_normal(40).astype(dtype)
outs = [np.zeros((B, 3), dtype), np.zeros((B, 3), dtype),
        np.zeros((B, 40), dtype), np.zeros((B, 40), dtype)]
buffers = [x, w, b, v, c] + outs
pointers = (ctypes.c_void_p * len(buffers))(
    *[a.ctypes.data_as(ctypes.c_void_p) for a in buffers])
lib = ctypes.CDLL(lib_path)
assert lib.prism_forward(pointers, (ctypes.c_int64 * 1)(B), None) == 0
x64 = x.astype(np.float64)
tall = x64 @ w + b
wide = x64 @ v + c
status = 0
for name, ours, ref in [("tall bias", outs[0], tall),
                        ("tall bias_relu", outs[1], np.maximum(tall, 0)),
                        ("wide bias", outs[2], wide),
                        ("wide bias_relu", outs[3], np.maximum(wide, 0))]:
    err = np.abs(ours - ref).max() / max(1.0, np.abs(ref).max())
    ok = err <= tolerance
    status |= not ok
    print(f"{name}: max relative error {err:.1e} {'ok' if ok else 'MISMATCH'}")
sys.exit(status)
