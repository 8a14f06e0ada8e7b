"""Checks the entry points a BatchTopK model gets for its inference threshold
against NumPy (docs/lowering.md, "BatchTopK at inference"):

- train_step's `batchtopk.theta.min_kept`: the smallest activation the batch rule
  kept, i.e. the smallest positive entry among the B*k largest of
  relu(pre) over the whole batch (ties to the lower row-major index), +inf
  when the batch kept nothing positive;
- `infer`: the forward with batchtopk(v, k) replaced by v * (v > theta), theta
  the ModelState `batchtopk.theta`, so that each row's code is its own.

usage: batchtopk_threshold.py MODEL.sae WORKDIR PRISMC
MODEL.sae is test/Integration/Inputs/batchtopk.sae (d = 8, n = 24, k = 4).
The kernels are built in double, so the comparisons hold to 1e-12; the
NumPy reference is written from the definitions, not from the kernels.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prism_ctypes import Program, bias_corrections, unit_rows  # noqa: E402

SAE, WORKDIR, PRISMC = sys.argv[1:4]
B, D, N, K = 16, 8, 24, 4
TOL = 1e-12
failures = []

prog = Program.build(SAE, WORKDIR, real="double", prismc=PRISMC)
layout = {b["name"]: b for b in prog.layout["buffers"]}
for name, role, shape in [("batchtopk.theta", "ModelState", []),
                          ("batchtopk.theta.min_kept", "Output", [])]:
    got = (layout.get(name, {}).get("role"), layout.get(name, {}).get("shape"))
    print(f"buffer {name}: {got[0]} {got[1]}")
    if got != (role, shape):
        failures.append(f"buffer {name} is {got}, expected {(role, shape)}")
if "batchtopk.theta.min_kept" not in prog.writes("train_step"):
    failures.append("train_step does not write batchtopk.theta.min_kept")
if "batchtopk.theta" not in prog.reads("infer") or "batchtopk.theta" in prog.reads("forward"):
    failures.append("theta must be read by infer and not by forward")


def draw(seed, b_enc_shift=0.0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, D))
    w_enc = rng.normal(size=(D, N)) / np.sqrt(D)
    p = {"b_dec": rng.normal(size=D) * 0.1, "W_enc": w_enc,
         "b_enc": rng.normal(size=N) * 0.1 + b_enc_shift,
         "W_dec": unit_rows(w_enc.T.copy())}
    return x, p


def activations(x, p):
    return np.maximum((x - p["b_dec"]) @ p["W_enc"] + p["b_enc"], 0.0)


def min_kept(v):
    flat = v.ravel()
    order = np.argsort(-flat, kind="stable")  # ties: lower index first
    kept = flat[order[:B * K]]
    positive = kept[kept > 0]
    return positive.min() if positive.size else np.inf, flat[order]


def load(x, p):
    prog.set_batch(x.shape[0])
    prog.set("x", x)
    for name, value in p.items():
        prog.set(name, value)


# The smallest kept activation: a dense batch, a sparse one (fewer positive
# entries than B*k, so zeros are kept too) and one with nothing positive.
for label, shift in [("dense", 0.0), ("sparse", -1.2), ("empty", -100.0)]:
    x, p = draw(3, shift)
    v = activations(x, p)
    ref, ranked = min_kept(v)
    load(x, p)
    prog.run("train_step", lr=1e-3, **bias_corrections(0.9, 0.999, 1))
    got = float(prog["batchtopk.theta.min_kept"])
    positives = int((v > 0).sum())
    # The B*k-th and (B*k+1)-th values must be apart for the rule to be
    # unambiguous in floating point.
    gap = ranked[B * K - 1] - ranked[B * K]
    print(f"{label}: {positives} positive of {B * N}, keep {B * K}: "
          f"min_kept {got!r}, NumPy {ref!r}")
    if np.isinf(ref):
        ok = np.isinf(got) and got > 0
    else:
        ok = abs(got - ref) <= TOL * max(1.0, abs(ref)) and (
            gap > 1e-9 or positives < B * K)
    if not ok:
        failures.append(f"min_kept ({label})")

# infer: each row keeps its entries above theta, whatever the batch.
x, p = draw(4)
v = activations(x, p)
theta = float(np.median(v[v > 0]))
load(x, p)
prog.set("batchtopk.theta", np.array(theta))
prog.run("infer")
z_ref = v * (v > theta)
xhat_ref = z_ref @ p["W_dec"] + p["b_dec"]
for name, ref in [("z", z_ref), ("xhat", xhat_ref)]:
    err = float(np.max(np.abs(prog[name] - ref)))
    print(f"infer {name} vs NumPy (theta {theta:.4f}): max error {err:.1e}")
    if err > TOL:
        failures.append(f"infer {name}")
l0 = float((prog["z"] != 0).sum(axis=1).mean())
print(f"infer L0 {l0:.3f}, NumPy {float((z_ref != 0).sum(axis=1).mean()):.3f}")
whole = prog["z"].copy()
prog.run("forward")
batch_rule = prog["z"].copy()
print(f"forward (batch rule) keeps {int((batch_rule != 0).sum())} entries, "
      f"infer {int((whole != 0).sum())}")
if np.array_equal(batch_rule, whole):
    failures.append("infer and forward agree: the threshold changed nothing")
# Rows 0..4 alone give the same codes as inside the batch of 16.
part_x = x[:5]
load(part_x, p)
prog.set("batchtopk.theta", np.array(theta))
prog.run("infer")
err = float(np.max(np.abs(prog["z"] - whole[:5])))
print(f"infer of 5 rows vs the same rows in 16: max difference {err:.1e}")
if err > TOL:
    failures.append("infer depends on the batch")

if failures:
    sys.exit("FAILED: " + ", ".join(failures))
print("batchtopk threshold: all ok")
