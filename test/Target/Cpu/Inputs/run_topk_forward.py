"""Runs the C++ emitted for topk-forward.mlir through ctypes and compares it
with NumPy on random data: the emitted kernels against an independent
reference. Usage: run_topk_forward.py LIB.so {float|double}"""
import ctypes
import sys

import numpy as np

lib_path, real = sys.argv[1], sys.argv[2]
dtype = np.float32 if real == "float" else np.float64
tolerance = 1e-5 if real == "float" else 1e-12

rng = np.random.default_rng(7)
B, d, n, k = 37, 4, 6, 2
x = rng.standard_normal((B, d)).astype(dtype)
W_enc = rng.standard_normal((d, n)).astype(dtype)
b_enc = rng.standard_normal(n).astype(dtype)
W_dec = rng.standard_normal((n, d)).astype(dtype)
b_dec = rng.standard_normal(d).astype(dtype)
z = np.zeros((B, n), dtype)
xhat = np.zeros((B, d), dtype)
loss = np.zeros((), dtype)

# Buffer order: arguments, then results, as the emitter lays them out.
buffers = [x, W_enc, b_enc, W_dec, b_dec, z, xhat, loss]
pointers = (ctypes.c_void_p * len(buffers))(
    *[b.ctypes.data_as(ctypes.c_void_p) for b in buffers])
dims = (ctypes.c_int64 * 1)(B)
lib = ctypes.CDLL(lib_path)
assert lib.prism_forward(pointers, dims, None) == 0

# The reference, in float64.
pre = x.astype(np.float64) @ W_enc + b_enc
order = np.argsort(-pre, axis=1, kind="stable")[:, :k]
z_ref = np.zeros((B, n))
np.put_along_axis(z_ref, order, np.take_along_axis(pre, order, axis=1), 1)
xhat_ref = z_ref @ W_dec + b_dec
loss_ref = ((xhat_ref - x) ** 2).sum()

for name, ours, ref in [("z", z, z_ref), ("xhat", xhat, xhat_ref),
                        ("loss", loss, loss_ref)]:
    err = np.max(np.abs(ours - ref)) / max(1.0, np.max(np.abs(ref)))
    status = "ok" if err <= tolerance else "MISMATCH"
    print(f"{real} {name}: max relative error {err:.1e} {status}")
    if err > tolerance:
        sys.exit(1)
