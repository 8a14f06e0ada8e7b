"""Checks the compiled metrics block of `prism eval --metrics` (eval-metrics.test):
its scalars against prism eval's built-in metrics of the same run (a separate
implementation, runtime/src/metrics/EvalMetrics.cpp), and its per-concept
energy and modality score against NumPy's float64 TopK forward of the
checkpoint over the dataset (eval_reference.py's readers).

usage: eval_metrics_reference.py RUN_DIR DATA.pemb METRICS.json

Tolerances: float32 against float64, as in eval_reference.py: 1e-5 for R²,
energy within 1e-5 of its scale; a near-tie can flip one entry of one row,
which moves one latent's modality score, so that score may differ on at most
one latent."""
import json
import os
import sys

import numpy as np

from eval_reference import latest_checkpoint, read_pemb_matrix, read_safetensors

run, data, path = sys.argv[1:4]
with open(path) as f:
    ours = json.load(f)
block = ours["model_metrics"]["concepts"]
got = block["metrics"]
builtin = ours["metrics"]
failures = []

def check(label, ok, detail):
    print(f"{label}: {detail} {'ok' if ok else 'MISMATCH'}")
    if not ok:
        failures.append(label)

check("passes", block["passes"] == 2, f"{block['passes']}")
for name, key, tol in [("r2", "r2_per_dim", 1e-5), ("r2_global", "r2_global_scalar", 1e-5),
                       ("l0", "l0", 1e-6), ("dead", "dead_fraction", 1e-7)]:
    diff = abs(got[name] - builtin[key])
    check(f"{name} vs built-in {key}", diff <= tol, f"{got[name]:.6f} vs {builtin[key]:.6f}")

w = read_safetensors(os.path.join(latest_checkpoint(run), "sae_weights.safetensors"))
W_enc, b_enc, W_dec, b_dec = (w[k].astype(np.float64) for k in ("W_enc", "b_enc", "W_dec", "b_dec"))
d, n = W_enc.shape
x = read_pemb_matrix(data, d).astype(np.float64)
act = np.maximum((x - b_dec) @ W_enc + b_enc, 0)
k = 4
z = np.zeros_like(act)
top = np.argpartition(-act, k - 1, axis=1)[:, :k]
np.put_along_axis(z, top, np.take_along_axis(act, top, axis=1), axis=1)
half = x.shape[0] // 2  # synth data: images, then their captions
energy = np.array(got["energy"], dtype=float)
scale = max(1e-12, np.abs(z.mean(axis=0)).max())
check("energy", np.abs(energy - z.mean(axis=0)).max() <= 1e-5 * scale,
      f"max difference {np.abs(energy - z.mean(axis=0)).max():.2e}")
with np.errstate(invalid="ignore"):
    ref = z[:half].mean(axis=0) / (z[:half].mean(axis=0) + z[half:].mean(axis=0))
score = np.array([np.nan if v is None else v for v in got["modality"]], dtype=float)
same_nan = np.isnan(score) == np.isnan(ref)
close = np.where(np.isnan(ref) | np.isnan(score), True, np.abs(score - np.nan_to_num(ref)) <= 1e-4)
bad = int((~(same_nan & close)).sum())
check("modality", bad <= 1, f"{int(np.isnan(ref).sum())} undefined (dead), {bad} latents differ")
sys.exit(1 if failures else 0)
