"""CPU against CUDA: trains each model the same number of steps from the same
seed on the same data with `prism train --target cpu` and `--target cuda`,
then compares the loss and L0 of every step (metrics.jsonl, --log-every 1)
and every tensor of the final checkpoints (weights and Adam state).

Usage: cuda_parity.py [options] WORKDIR PRISM STEPS MODEL.sae...

Each model trains on its own synthetic data (`prism data synth`, 4096 rows of
the model's `d`, 2d concepts, 4 active per row, seed 5).

Options (for the CUDA emulator, test/tools/cuda-emulator; without them the
script drives a real GPU as before):
  --nvcc PATH     compile each model to a CUDA program with `prismc
                  -emit=program -target=cuda -nvcc=PATH` (prismc beside
                  PRISM) and train that program, instead of letting `prism
                  train MODEL.sae --target cuda` compile it with nvcc
  --cuda-arch A   the -cuda-arch of that compilation (default sm_90)
  --env K=V       set K=V for the CUDA runs (repeatable), e.g.
                  LD_LIBRARY_PATH=<the mock libcuda.so.1's directory>
  --batch B       train both runs with --batch B
  --rows R        rows of the synthetic data (default 4096)
  --tag T         name the CUDA runs NAME-cuda-T, so that several
                  configurations share WORKDIR; the CPU run of a model and
                  its CUDA program (NAME-ARCH.prism) are made once per
                  WORKDIR and reused
For each model the line `training on ...` of the CUDA run is printed,
prefixed by the model's name.

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
import argparse
import json
import os
import re
import shutil
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


def train(prism, model, data, steps, target, out, options, env_extra=None):
    """Trains `model` into `out`; returns the CUDA run's `training on` line
    (None on the CPU)."""
    env = dict(os.environ, PRISM_CUDA_MATMUL="fp32")
    env.update(env_extra or {})
    command = [prism, "train", model, "--data", data, "--steps", str(steps),
               "--seed", "1", "--log-every", "1", "--target", target, "-o",
               out]
    if options.batch:
        command += ["--batch", str(options.batch)]
    result = subprocess.run(command, check=True, env=env,
                            stdout=subprocess.PIPE, universal_newlines=True)
    for line in result.stdout.splitlines():
        if line.startswith("training on "):
            return line
    return None


def compile_cuda(prism, model, options, out):
    """`model` compiled to a CUDA program with the chosen nvcc."""
    prismc = os.path.join(os.path.dirname(os.path.abspath(prism)), "prismc")
    subprocess.run([prismc, model, "-emit=program", "-target=cuda",
                    "-cuda-arch=" + options.cuda_arch, "-nvcc=" + options.nvcc,
                    "-o", out], check=True)
    return out


def synth(prism, model, workdir, rows):
    with open(model) as f:
        dim = int(re.search(r"\bd\s*=\s*(\d+)", f.read()).group(1))
    data = os.path.join(workdir, f"syn-{dim}-{rows}.pemb")
    if not os.path.exists(data):
        subprocess.run([prism, "data", "synth", "--rows", str(rows), "--dim",
                        str(dim), "--concepts", str(2 * dim), "--k-active",
                        "4", "--seed", "5", "-o", data], check=True,
                       stdout=subprocess.DEVNULL)
    return data


def trained(run, steps):
    """Whether `run` holds a finished run of `steps` steps."""
    try:
        return len(metrics(run)) == steps and checkpoint(run)
    except (OSError, IndexError):
        return False


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="CPU against CUDA training parity")
    parser.add_argument("--nvcc")
    parser.add_argument("--cuda-arch", default="sm_90")
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--batch", type=int)
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--tag", default="")
    parser.add_argument("workdir")
    parser.add_argument("prism")
    parser.add_argument("steps", type=int)
    parser.add_argument("models", nargs="+")
    options = parser.parse_args(argv)
    options.cuda_env = {}
    for assignment in options.env:
        key, equals, value = assignment.partition("=")
        if not equals or not key:
            parser.error(f"--env takes K=V, not '{assignment}'")
        options.cuda_env[key] = value
    return options


def main():
    options = parse_args(sys.argv[1:])
    workdir, prism, steps = options.workdir, options.prism, options.steps
    ok = True
    for model in options.models:
        name = os.path.splitext(os.path.basename(model))[0]
        data = synth(prism, model, workdir, options.rows)
        suffix = "-" + options.tag if options.tag else ""
        batch = f"-b{options.batch}" if options.batch else ""
        runs = {"cpu": os.path.join(workdir, name + "-cpu" + batch),
                "cuda": os.path.join(workdir, name + "-cuda" + suffix)}
        if not trained(runs["cpu"], steps):
            shutil.rmtree(runs["cpu"], ignore_errors=True)
            train(prism, model, data, steps, "cpu", runs["cpu"], options)
        program = model
        if options.nvcc:
            program = os.path.join(workdir,
                                   f"{name}-{options.cuda_arch}.prism")
            if not os.path.exists(program):
                compile_cuda(prism, model, options, program)
        device = train(prism, program, data, steps, "cuda", runs["cuda"],
                       options, options.cuda_env)
        if device:
            print(f"{name}: {device}")
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
