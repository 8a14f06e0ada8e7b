"""Recomputes `prism eval`'s default metrics with NumPy, independently.

Reads the checkpoint's sae_weights.safetensors and the dataset's matrix with
plain NumPy (the formats of docs/formats.md), runs the TopK forward in
float64 and computes SCIENCE.md's definitions with two passes over the whole
set, then compares with the metrics JSON that `prism eval` wrote.

usage: eval_reference.py RUN_DIR DATA.pemb ALL.json HOLDOUT.json SMALL.json
       eval_reference.py --vlsae RUN_DIR DATA.pemb ALL.json
  ALL.json      prism eval RUN_DIR --split all
  HOLDOUT.json  prism eval RUN_DIR --split holdout
  SMALL.json    prism eval RUN_DIR --split all with another batch size

The TopK run is eval-topk.sae (k = 4); --vlsae checks eval-vlsae.sae (k = 8:
a distance encoder and one decoder per modality, chosen by the per-row
modality input that eval fills).

The data is `prism data synth` output: the first half of the rows are images,
the second half their captions (docs/cli.md).

Tolerances: prism runs the forward in float32, the reference in float64, so
the reconstructions differ by float32 rounding (~1e-7 relative): R² and FVU
agree to 1e-5, MSE to 1e-4 relative. Each row keeps its k largest
pre-activations; a near-tie between the k-th and (k+1)-th, or a
pre-activation within rounding of 0 (ReLU), can flip one entry of one row, so
L0 may differ by 1/rows per flip and the dead count by one latent; we allow
1e-3 and 1.
"""

import json
import math
import os
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(
            info["shape"])
    return tensors


def read_pemb_matrix(path, dim):
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:8] == b"PRISMEMB", "not a .pemb file"
    (version, length) = struct.unpack("<II", blob[8:16])
    assert version == 1
    offset = (16 + length + 63) // 64 * 64
    values = np.frombuffer(blob[offset:], dtype="<f4")
    assert values.size % dim == 0
    return values.reshape(-1, dim)


def latest_checkpoint(run):
    with open(os.path.join(run, "checkpoints", "latest")) as f:
        return os.path.join(run, "checkpoints", f.read().strip())


def metrics(x, xhat, z):
    """SCIENCE.md §3, two passes in float64."""
    sse = float(((x - xhat) ** 2).sum())
    per_dim = float(((x - x.mean(axis=0)) ** 2).sum())
    glob = float(((x - x.mean()) ** 2).sum())
    fired = (z != 0)
    return {
        "rows": x.shape[0],
        "r2_per_dim": 1 - sse / per_dim,
        "r2_global_scalar": 1 - (sse / x.size) / (glob / x.size),
        "fvu": sse / per_dim,
        "mse": sse / x.size,
        "l0": float(fired.sum(axis=1).mean()),
        "dead_latents": int((~fired.any(axis=0)).sum()),
        "dead_fraction": float((~fired.any(axis=0)).mean()),
    }


def compare(label, ours, ref, failures):
    for key in ("r2_per_dim", "r2_global_scalar", "fvu", "mse", "l0",
                "dead_latents"):
        a, b = ours[key], ref[key]
        if key == "mse":
            ok = abs(a - b) <= 1e-4 * abs(b)
        elif key == "l0":
            ok = abs(a - b) <= 1e-3
        elif key == "dead_latents":
            ok = abs(a - b) <= 1
        else:
            ok = abs(a - b) <= 1e-5
        print(f"{label} {key}: prism {a:.8g} numpy {b:.8g} "
              f"{'ok' if ok else 'MISMATCH'}")
        if not ok:
            failures.append(f"{label} {key}")
    if ours["rows"] != ref["rows"]:
        failures.append(f"{label} rows {ours['rows']} != {ref['rows']}")


def vlsae_main():
    run, data, all_path = sys.argv[2:5]
    w = read_safetensors(
        os.path.join(latest_checkpoint(run), "sae_weights.safetensors"))
    W = w["W"].astype(np.float64)
    n, d = W.shape
    k = 8
    with open(all_path) as f:
        ours = json.load(f)
    x = read_pemb_matrix(data, d).astype(np.float64)
    rows = x.shape[0]
    half = rows // 2
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    wn = W / np.linalg.norm(W, axis=1, keepdims=True)
    dist = np.sqrt(np.maximum(
        (xn ** 2).sum(1)[:, None] + (wn ** 2).sum(1)[None, :] - 2 * xn @ wn.T,
        0))
    a = 2 - dist
    z = np.zeros_like(a)
    top = np.argpartition(-a, k - 1, axis=1)[:, :k]
    np.put_along_axis(z, top, np.take_along_axis(a, top, axis=1), axis=1)
    xhat = np.empty_like(x)
    xhat[:half] = z[:half] @ w["W_img"] + w["b_img"]
    xhat[half:] = z[half:] @ w["W_txt"] + w["b_txt"]
    failures = []
    compare("vlsae all", ours["metrics"], metrics(x, xhat, z), failures)
    for name, rows_of in {"image": slice(0, half),
                          "text": slice(half, rows)}.items():
        compare("vlsae " + name, ours["by_modality"][name],
                metrics(x[rows_of], xhat[rows_of], z[rows_of]), failures)
    if failures:
        print("FAILED: " + ", ".join(failures))
        sys.exit(1)
    print("prism eval (vlsae) matches numpy")


def main():
    if sys.argv[1] == "--vlsae":
        return vlsae_main()
    run, data, all_path, holdout_path, small_path = sys.argv[1:6]
    weights = read_safetensors(
        os.path.join(latest_checkpoint(run), "sae_weights.safetensors"))
    W_enc = weights["W_enc"].astype(np.float64)
    b_enc = weights["b_enc"].astype(np.float64)
    W_dec = weights["W_dec"].astype(np.float64)
    b_dec = weights["b_dec"].astype(np.float64)
    d, n = W_enc.shape
    with open(all_path) as f:
        ours = json.load(f)
    k = 4
    x = read_pemb_matrix(data, d).astype(np.float64)
    rows = x.shape[0]
    assert ours["rows"] == rows and ours["dim"] == d and ours["latents"] == n

    pre = (x - b_dec) @ W_enc + b_enc
    act = np.maximum(pre, 0)
    z = np.zeros_like(act)
    top = np.argpartition(-act, k - 1, axis=1)[:, :k]
    np.put_along_axis(z, top, np.take_along_axis(act, top, axis=1), axis=1)
    xhat = z @ W_dec + b_dec

    failures = []
    compare("all", ours["metrics"], metrics(x, xhat, z), failures)
    half = rows // 2
    groups = {"image": slice(0, half), "text": slice(half, rows)}
    for name, rows_of in groups.items():
        compare(name, ours["by_modality"][name],
                metrics(x[rows_of], xhat[rows_of], z[rows_of]), failures)

    # The two definitions differ on data with a modality offset.
    m = ours["metrics"]
    print(f"definitions differ: {abs(m['r2_per_dim'] - m['r2_global_scalar']) > 1e-3}")

    # Another batch size: the same figures up to float32 GEMM blocking.
    with open(small_path) as f:
        small = json.load(f)
    worst = max(abs(small["metrics"][key] - m[key])
                for key in ("r2_per_dim", "r2_global_scalar", "l0"))
    same = worst <= 1e-6 and small["metrics"]["dead_latents"] == m["dead_latents"]
    print(f"batch {small['batch']} vs {ours['batch']}: max difference "
          f"{worst:.2g} {'ok' if same else 'MISMATCH'}")
    if not same:
        failures.append("batch independence")

    # The held-out split: a quarter of the pairs, both rows of each.
    with open(holdout_path) as f:
        held = json.load(f)
    pairs = round(held["holdout_fraction"] * half)
    ok = (held["split"] == "holdout" and held["rows"] == 2 * pairs and
          held["by_modality"]["image"]["rows"] == pairs and
          held["by_modality"]["text"]["rows"] == pairs and
          math.isfinite(held["metrics"]["r2_per_dim"]))
    print(f"holdout: {held['rows']} rows ({pairs} pairs) "
          f"{'ok' if ok else 'MISMATCH'}")
    if not ok:
        failures.append("holdout")

    if failures:
        print("FAILED: " + ", ".join(failures))
        sys.exit(1)
    print("prism eval matches numpy")


if __name__ == "__main__":
    main()
