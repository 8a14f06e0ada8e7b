"""Streams a dataset through the compiled metrics entry points of
metrics_topk.sae (init, every pass over batches of uneven size, finalize) and
compares each metric with NumPy computing the block's formulas on the whole
dataset at once, in float64.

Usage: check_metrics.py MODEL.sae WORKDIR PRISMC"""
import sys

import numpy as np

from prism_ctypes import Program

sae, workdir, prismc = sys.argv[1:4]
prog = Program.build(sae, workdir, real="double", prismc=prismc, model="topk")
entries = prog.entries
passes = sorted(e for e in entries if e.startswith("metrics.concepts.pass"))
print("passes:", " ".join(p.rsplit(".", 1)[1] for p in passes))

rng = np.random.default_rng(3)
rows, d, n, k = 203, 8, 24, 4
x = rng.standard_normal((rows, d))
modality = rng.choice([1.0, 2.0], size=rows)  # 1 image, 2 text
params = {
    "b_dec": rng.standard_normal(d) * 0.1,
    "W_enc": rng.standard_normal((d, n)) / np.sqrt(d),
    "b_enc": rng.standard_normal(n) * 0.1,
    "W_dec": rng.standard_normal((n, d)),
}
params["b_enc"][:3] = -100.0  # latents 0-2 never fire: dead
params["W_dec"] /= np.linalg.norm(params["W_dec"], axis=1, keepdims=True)
accumulators = [b for b in prog.names if b.startswith("metrics.concepts.acc")]

saved = {}
def run_on(batch_rows, entry):
    """Runs `entry` on rows `batch_rows`, keeping the accumulators."""
    global saved
    prog.set_batch(len(batch_rows))
    for name, value in params.items():
        prog.set(name, value)
    for name, value in saved.items():
        prog.set(name, value)
    if "x" in prog.reads(entry):
        prog.set("x", x[batch_rows])
    if "modality" in prog.reads(entry):
        prog.set("modality", modality[batch_rows])
    prog.run(entry)
    saved = {name: prog[name].copy() for name in accumulators}

run_on(np.arange(0), "metrics.concepts.init")
bounds = [0, 64, 128, 192, rows]  # the last batch has 11 rows
for entry in passes:
    for lo, hi in zip(bounds, bounds[1:]):
        run_on(np.arange(lo, hi), entry)
run_on(np.arange(0), "metrics.concepts.finalize")
ours = {name.split(".")[-1]: prog[name] for name in prog.names
        if name.startswith("metrics.concepts.") and ".acc" not in name}

# The reference on all rows at once.
pre = (x - params["b_dec"]) @ params["W_enc"] + params["b_enc"]
act = np.maximum(pre, 0)
order = np.argsort(-act, axis=1, kind="stable")[:, :k]
z = np.zeros_like(act)
np.put_along_axis(z, order, np.take_along_axis(act, order, axis=1), axis=1)
xhat = z @ params["W_dec"] + params["b_dec"]
image, text = modality == 1.0, modality == 2.0
np.seterr(invalid="ignore")  # a dead latent's modality is 0 / 0
ref = {
    "r2": 1 - ((x - xhat) ** 2).sum() / ((x - x.mean(axis=0)) ** 2).sum(),
    "r2_global": 1 - ((x - xhat) ** 2).mean() / ((x - x.mean()) ** 2).mean(),
    "l0": (z != 0).sum(axis=1).mean(),
    "dead": (z.max(axis=0) <= 0).mean(),
    "energy": z.mean(axis=0),
    "modality": z[image].mean(axis=0) /
                (z[image].mean(axis=0) + z[text].mean(axis=0)),
    "total": z.sum(),
    "norms": np.sqrt(((x - xhat) ** 2).sum(axis=0)),
    "peak": x.max(),
    "spread": z.var(axis=0),
    "decoder": np.linalg.norm(params["W_dec"], axis=1),
}
assert ref["dead"] > 0, "the test should have dead latents"
failed = False
for name, expected in ref.items():
    got = ours[name]
    both_nan = np.isnan(expected) & np.isnan(got)
    err = np.max(np.where(both_nan, 0, np.abs(got - expected)) /
                 np.maximum(1, np.abs(np.nan_to_num(expected))))
    ok = err <= 1e-12 and np.array_equal(np.isnan(got), np.isnan(expected))
    failed |= not ok
    print(f"{name} {np.shape(got)}: max error {err:.1e} {'ok' if ok else 'MISMATCH'}")
sys.exit(1 if failed else 0)
