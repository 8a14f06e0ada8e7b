"""Checks `prism eval` of BatchTopK runs against NumPy and across --batch.

usage: batchtopk_eval_check.py RUN DATA.pemb B64.json B1000.json
                               SHORT_RUN SHORT64.json SHORT1000.json

RUN trained past the threshold's warm-up (1000 steps), so eval runs `infer`:
z = v * (v > theta), v = relu((x - b_dec) W_enc + b_enc), theta read from
the checkpoint's state.safetensors (tensor `batchtopk.theta`, metadata `batchtopk.theta.ema` /
`batchtopk.theta.samples`). The figures are recomputed here in float64 from the
checkpoint and the dataset, and must agree for --batch 64 and 1000 (up to
float32 GEMM blocking: 1e-6). The checkpoint must also export theta the
SAELens way: cfg.json architecture "jumprelu" and sae_weights' `threshold`
[d_sae] filled with theta.

SHORT_RUN stopped inside the warm-up: eval keeps the batch rule, says so in
the JSON, and its figures do depend on --batch (which is why the threshold
exists), so the same comparison that passes above must fail there.
"""
import json
import os
import struct
import sys

import numpy as np

run, data, b64, b1000, short_run, short64, short1000 = sys.argv[1:8]
failures = []


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    body = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(
            info["shape"])
    return tensors, header.get("__metadata__", {})


def read_pemb_matrix(path, dim):
    with open(path, "rb") as f:
        blob = f.read()
    (_, length) = struct.unpack("<II", blob[8:16])
    offset = (16 + length + 63) // 64 * 64
    return np.frombuffer(blob[offset:], dtype="<f4").reshape(-1, dim)


def latest(run_dir):
    with open(os.path.join(run_dir, "checkpoints", "latest")) as f:
        return os.path.join(run_dir, "checkpoints", f.read().strip())


def load(path):
    with open(path) as f:
        return json.load(f)


def worst_difference(a, b):
    return max(abs(a["metrics"][key] - b["metrics"][key])
               for key in ("r2_per_dim", "r2_global_scalar", "mse", "l0"))


ckpt = latest(run)
weights, _ = read_safetensors(os.path.join(ckpt, "sae_weights.safetensors"))
state, meta = read_safetensors(os.path.join(ckpt, "state.safetensors"))
with open(os.path.join(ckpt, "cfg.json")) as f:
    cfg = json.load(f)
theta = float(state["batchtopk.theta"])
ema = float.fromhex(meta["batchtopk.theta.ema"])
print(f"batchtopk.theta {theta:.6g} after {meta['batchtopk.theta.samples']} samples "
      f"(step {meta['step']})")
if np.float32(ema) != np.float32(theta) or not theta > 0:
    failures.append(f"state tensor theta {theta!r} != float(batchtopk.theta.ema) {ema!r}")
if int(meta["batchtopk.theta.samples"]) != int(meta["step"]) - 1000:
    failures.append("every step after the warm-up should have sampled theta")
exported = weights.get("threshold")
sae_ok = (cfg["architecture"] == "jumprelu" and exported is not None
          and exported.shape == (cfg["d_sae"],)
          and np.all(exported == np.float32(theta)))
print(f"SAELens export: architecture {cfg['architecture']}, threshold "
      f"{'[%d] = theta' % exported.shape[0] if exported is not None else 'missing'}"
      f" {'ok' if sae_ok else 'MISMATCH'}")
if not sae_ok:
    failures.append("SAELens export")

W_enc, b_enc = weights["W_enc"].astype(np.float64), weights["b_enc"]
W_dec, b_dec = weights["W_dec"].astype(np.float64), weights["b_dec"]
d = W_enc.shape[0]
x = read_pemb_matrix(data, d).astype(np.float64)
v = np.maximum((x - b_dec) @ W_enc + b_enc, 0)
z = v * (v > theta)
xhat = z @ W_dec + b_dec
sse = float(((x - xhat) ** 2).sum())
ref = {"r2_per_dim": 1 - sse / float(((x - x.mean(axis=0)) ** 2).sum()),
       "mse": sse / x.size, "l0": float((z != 0).sum(axis=1).mean())}

for path in (b64, b1000):
    ours = load(path)
    sel = ours["selection"]
    ok = (sel["rule"] == "threshold" and sel["entry_point"] == "infer"
          and sel["thresholds"].get("batchtopk.theta") == theta)
    print(f"batch {ours['batch']}: selection {sel['rule']} via "
          f"{sel['entry_point']} {'ok' if ok else 'MISMATCH'}")
    if not ok:
        failures.append(f"selection at batch {ours['batch']}")
    for key, tol in (("r2_per_dim", 1e-5), ("mse", 1e-4 * ref["mse"]),
                     ("l0", 1e-3)):
        a, b = ours["metrics"][key], ref[key]
        ok = abs(a - b) <= tol
        print(f"batch {ours['batch']} {key}: prism {a:.8g} numpy {b:.8g} "
              f"{'ok' if ok else 'MISMATCH'}")
        if not ok:
            failures.append(f"batch {ours['batch']} {key}")
worst = worst_difference(load(b64), load(b1000))
same = worst <= 1e-6
print(f"threshold rule, batch 64 vs 1000: max difference {worst:.2g} "
      f"{'ok' if same else 'MISMATCH'}")
if not same:
    failures.append("the threshold rule depends on the batch")

s64, s1000 = load(short64), load(short1000)
rules = {s64["selection"]["rule"], s1000["selection"]["rule"]}
notice = any("not estimated yet" in w for w in s64["warnings"])
print(f"short run: selection {sorted(rules)}, notice in warnings {notice}")
if rules != {"batch"} or not notice:
    failures.append("short run selection")
worst = worst_difference(s64, s1000)
print(f"batch rule, batch 64 vs 1000: max difference {worst:.2g} "
      f"{'differs, as expected' if worst > 1e-6 else 'SAME'}")
if worst <= 1e-6:
    failures.append("the batch rule did not depend on the batch")

if failures:
    sys.exit("FAILED: " + ", ".join(failures))
print("batchtopk eval: all ok")
