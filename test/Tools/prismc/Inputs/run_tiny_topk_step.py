"""Calls the kernels of Inputs/tiny-topk.mlir through ctypes, laid out by
prismc's -layout JSON, and compares two Adam steps and a forward pass with a
NumPy reference in float64. Usage: run_tiny_topk_step.py KERNELS.so LAYOUT.json
"""

import ctypes
import json
import sys

import numpy as np

B, D, N, K = 5, 4, 6, 2
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8

so = ctypes.CDLL(sys.argv[1])
with open(sys.argv[2]) as f:
    layout = json.load(f)
buffers = layout["buffers"]
index = {b["name"]: i for i, b in enumerate(buffers)}


def call(entry_name, values, scalars=None):
    """Runs entry point `entry_name` over float32 copies of `values` (by
    buffer name); returns every buffer afterwards, by name."""
    entry = next(e for e in layout["entries"] if e["name"] == entry_name)
    storage = []
    for b in buffers:
        shape = [B if s == -1 else s for s in b["shape"]]
        init = values.get(b["name"])
        array = (np.zeros(shape, np.float32) if init is None
                 else np.ascontiguousarray(init, np.float32).reshape(shape))
        storage.append(array)
    pointers = (ctypes.c_void_p * len(storage))(
        *[a.ctypes.data_as(ctypes.c_void_p) for a in storage])
    dims = (ctypes.c_int64 * 1)(B)
    names = entry["scalars"]
    scalar_values = (ctypes.c_float * max(1, len(names)))(
        *[scalars[n] for n in names])
    fn = getattr(so, entry["symbol"])
    fn.restype = ctypes.c_int
    rc = fn(pointers, dims, scalar_values)
    assert rc == 0, f"{entry['symbol']} returned {rc}"
    return {b["name"]: storage[i] for i, b in enumerate(buffers)}


def reference_forward(p, x):
    xc = x - p["b_dec"]
    pre = xc @ p["W_enc"] + p["b_enc"]
    # The k largest, descending, ties to the lower index.
    idx = np.argsort(-pre, axis=1, kind="stable")[:, :K]
    v = np.take_along_axis(pre, idx, axis=1)
    vr = np.maximum(v, 0)
    xhat = p["b_dec"] + np.einsum("bj,bjc->bc", vr, p["W_dec"][idx])
    z = np.zeros((B, N))
    np.put_along_axis(z, idx, vr, axis=1)
    return xc, idx, v, vr, xhat, z


def reference_step(p, state, x, lr, t):
    xc, idx, v, vr, xhat, z = reference_forward(p, x)
    loss = np.sum((xhat - x) ** 2) / B
    g = 2 * (xhat - x) / B
    grads = {}
    grads["W_dec"] = np.zeros((N, D))
    for b in range(B):
        for j in range(K):
            grads["W_dec"][idx[b, j]] += vr[b, j] * g[b]
    gvr = np.einsum("bc,bjc->bj", g, p["W_dec"][idx])
    gv = np.where(v > 0, gvr, 0)
    gpre = np.zeros((B, N))
    np.put_along_axis(gpre, idx, gv, axis=1)
    grads["W_enc"] = xc.T @ gpre
    grads["b_enc"] = gpre.sum(axis=0)
    grads["b_dec"] = (g - gpre @ p["W_enc"].T).sum(axis=0)
    w = p["W_dec"]
    grads["W_dec"] -= np.sum(grads["W_dec"] * w, axis=1, keepdims=True) * w
    bc1, bc2 = 1 - BETA1 ** t, 1 - BETA2 ** t
    new_p, new_state = {}, {}
    for name, grad in grads.items():
        m = BETA1 * state["adam.m." + name] + (1 - BETA1) * grad
        s = BETA2 * state["adam.v." + name] + (1 - BETA2) * grad ** 2
        new_p[name] = p[name] - lr * ((m / bc1) / (np.sqrt(s / bc2) + EPS))
        new_state["adam.m." + name], new_state["adam.v." + name] = m, s
    new_p["W_dec"] /= np.linalg.norm(new_p["W_dec"], axis=1, keepdims=True)
    outputs = {"loss": loss, "l0": np.count_nonzero(vr) / B,
               "fired": (z != 0).any(axis=0).astype(np.float64)}
    return new_p, new_state, outputs


def check(what, got, want, tol=2e-4):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    err = np.max(np.abs(got - want) / (np.abs(want) + 1e-3)) if want.size else 0
    status = "ok" if err <= tol else "MISMATCH"
    print(f"{what}: max relative error {err:.2e} {status}")
    if err > tol:
        print("  got ", got.ravel()[:12], "\n  want", want.ravel()[:12])
    return err <= tol


rng = np.random.default_rng(7)
x = rng.normal(size=(B, D))
params = {
    "b_dec": rng.normal(size=D) * 0.1,
    "W_enc": rng.normal(size=(D, N)),
    "b_enc": rng.normal(size=N) * 0.1,
}
params["W_dec"] = params["W_enc"].T / np.linalg.norm(params["W_enc"].T, axis=1,
                                                      keepdims=True)
# Float32 inputs, so both sides start from the same values.
params = {k: v.astype(np.float32).astype(np.float64) for k, v in params.items()}
x = x.astype(np.float32).astype(np.float64)
state = {f"adam.{mv}.{p}": np.zeros_like(v) for p, v in params.items()
         for mv in "mv"}

ok = True
after = call("forward", {"x": x, **params})
_, _, _, _, xhat, z = reference_forward(params, x)
ok &= check("forward xhat", after["xhat"], xhat)
ok &= check("forward z", after["z"], z)

got_params, got_state = dict(params), dict(state)
for t, lr in ((1, 0.01), (2, 0.005)):
    scalars = {"lr": lr, "bias_correction1": 1 - BETA1 ** t,
               "bias_correction2": 1 - BETA2 ** t}
    after = call("train_step", {"x": x, **got_params, **got_state}, scalars)
    params, state, outputs = reference_step(params, state, x, lr, t)
    for name, want in outputs.items():
        ok &= check(f"step {t} {name}", after[name], want)
    for name in params:
        ok &= check(f"step {t} {name}", after[name], params[name])
    for name in state:
        ok &= check(f"step {t} {name}", after[name], state[name])
    got_params = {n: after[n] for n in params}
    got_state = {n: after[n] for n in state}
print("all ok" if ok else "FAILED")
sys.exit(0 if ok else 1)
