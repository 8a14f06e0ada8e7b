"""CPU against CUDA: trains each model the same number of steps from the same
seed on the same data with `prism train --target cpu` and `--target cuda`,
then compares the loss and L0 of every step (metrics.jsonl, --log-every 1)
and every tensor of the final checkpoints (weights and Adam state).

Usage: cuda_parity.py WORKDIR PRISM STEPS MODEL.sae...

Each model trains on its own synthetic data (`prism data synth`, 4096 rows of
the model's `d`, 2d concepts, 4 active per row, seed 5).

The GPU run computes its GEMMs in fp32 (PRISM_CUDA_MATMUL=fp32): TF32 rounds
GEMM inputs to 10 mantissa bits, a relative error of ~5e-4 per product,
which is a precision choice, not a fault. In fp32 the two runs differ only
in summation order (cuBLASLt and the block reductions against OpenBLAS and
OpenMP) and in the order of atomic additions in the sparse backward: a few
float32 ulps per step (~1e-6 relative), which Adam keeps relative, so after
STEPS steps of lr <= 3e-3 the parameters agree to ~1e-5. The thresholds
(1e-4 relative for each step's loss, 1e-4 absolute for the parameters and
the first moments, 1e-3 relative to the largest entry for the second
moments) leave room for that and are far below one wrong step (lr). A top-k
that flips on a near-tie shows as an L0 or loss jump at that step."""
import json
import os
import re
import struct
import subprocess
import sys

import numpy as np


def safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data[begin:end], dtype=np.float32).reshape(
            info["shape"])
    return out


def metrics(run):
    with open(os.path.join(run, "metrics.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def checkpoint(run):
    step = sorted(os.listdir(os.path.join(run, "checkpoints")))
    step = [s for s in step if s.startswith("step-")][-1]
    directory = os.path.join(run, "checkpoints", step)
    tensors = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".safetensors"):
            for key, value in safetensors(os.path.join(directory, name)).items():
                tensors[name + ":" + key] = value
    return tensors


def train(prism, model, data, steps, target, out):
    env = dict(os.environ, PRISM_CUDA_MATMUL="fp32")
    subprocess.run([prism, "train", model, "--data", data, "--steps",
                    str(steps), "--seed", "1", "--log-every", "1", "--target",
                    target, "-o", out], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def synth(prism, model, workdir):
    with open(model) as f:
        dim = int(re.search(r"\bd\s*=\s*(\d+)", f.read()).group(1))
    data = os.path.join(workdir, f"syn-{dim}.pemb")
    if not os.path.exists(data):
        subprocess.run([prism, "data", "synth", "--rows", "4096", "--dim",
                        str(dim), "--concepts", str(2 * dim), "--k-active",
                        "4", "--seed", "5", "-o", data], check=True,
                       stdout=subprocess.DEVNULL)
    return data


def main():
    workdir, prism, steps = sys.argv[1:4]
    ok = True
    for model in sys.argv[4:]:
        name = os.path.splitext(os.path.basename(model))[0]
        data = synth(prism, model, workdir)
        runs = {t: os.path.join(workdir, name + "-" + t) for t in ("cpu", "cuda")}
        for target, run in runs.items():
            train(prism, model, data, int(steps), target, run)
        cpu, gpu = metrics(runs["cpu"]), metrics(runs["cuda"])
        loss = max(abs(a["loss"] - b["loss"]) / max(abs(a["loss"]), 1e-12)
                   for a, b in zip(cpu, gpu))
        l0 = max(abs(a["l0"] - b["l0"]) for a, b in zip(cpu, gpu))
        failed = len(cpu) != len(gpu) or loss > 1e-4 or l0 > 1e-3
        print(f"{name}: {len(cpu)} steps, max relative loss deviation "
              f"{loss:.3g}, max L0 deviation {l0:.3g}")
        a, b = checkpoint(runs["cpu"]), checkpoint(runs["cuda"])
        if sorted(a) != sorted(b):
            print(f"{name}: checkpoints hold different tensors")
            failed = True
        for key in sorted(set(a) & set(b)):
            if ".v." in key or key.endswith("adam.v"):
                scale = max(float(np.abs(a[key]).max()), 1e-30)
                deviation = float(np.abs(a[key] - b[key]).max()) / scale
                bound = 1e-3
            else:
                deviation = float(np.abs(a[key] - b[key]).max()) if a[key].size else 0.0
                bound = 1e-4
            verdict = "ok" if deviation <= bound else "FAILED"
            failed |= deviation > bound
            print(f"{name}: {key}: max deviation {deviation:.3g} {verdict}")
        print(f"{name}: parity {'FAILED' if failed else 'ok'}")
        ok &= not failed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
