#!/usr/bin/python3
"""CPU benchmark: Prism's compiled TopK train_step against the PyTorch references.

One run (see bench/README.md and docs/performance.md):
  1. compiles bench/cpu/topk_reference.sae (the semantics of
     ../shared/bench/torch_reference.py) with `prismc -emit=cpp -layout=...` and the
     host C++ compiler into a shared object;
  2. times its `prism_train_step` through ctypes in a subprocess that does nothing
     else (warm-up, then the median of --steps calls), and reads that process's
     peak RSS (VmHWM);
  3. runs ../shared/bench/torch_reference.py --device cpu as a subprocess (it uses
     every core) at the same shape;
  4. prints a table: ms/step of ours and of each torch variant, torch_best/ours,
     T_sol (the reference's encoder-GEMM time + byte floor) and T_sol/T_ours.

Usage: /usr/bin/python3 bench/cpu/train_step.py [--d 512] [--n 4096] [--k 32]
           [--batch 1024] [--steps 30] [--warmup 5] [--json OUT] [--keep DIR]
       /usr/bin/python3 bench/cpu/train_step.py --worker K.so L.json ...   (internal;
           also the process to put under `perf record`)
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BETA1, BETA2 = 0.9, 0.999  # Adam's defaults, as compiled into the step
LR = 1e-4                  # the reference's learning rate


def proc_status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0  # kB -> MiB
    return None


def worker(a):
    """Times prism_train_step; run in its own process so that its peak RSS is ours alone."""
    import numpy as np

    rss_base = proc_status("VmRSS")
    with open(a.layout) as f:
        layout = json.load(f)
    bufs = layout["buffers"]
    entry = next(e for e in layout["entries"] if e["name"] == "train_step")
    index = {b["name"]: i for i, b in enumerate(bufs)}
    B, d, n = a.batch, a.d, a.n

    def aligned(count):
        raw = np.zeros(count + 16, dtype=np.float32)
        off = (-raw.ctypes.data % 64) // 4
        return raw[off:off + count]

    storage = []
    for b in bufs:
        shape = [B if s == -1 else s for s in b["shape"]]
        count = 1
        for s in shape:
            count *= s
        storage.append(aligned(count).reshape(shape))

    # Same initialisation as the reference: W_enc ~ N(0, 1/d), W_dec = W_enc^T with unit rows.
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((d, n)) / np.sqrt(d)).astype(np.float32)
    storage[index["W_enc"]][...] = w
    wd = w.T / np.linalg.norm(w.T, axis=1, keepdims=True)
    storage[index["W_dec"]][...] = wd
    # Data like the reference's: 16 batches of unit-norm Gaussian rows; x points into it.
    nb = 16
    data = aligned(nb * B * d).reshape(nb * B, d)
    data[...] = rng.standard_normal((nb * B, d)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)

    lib = ctypes.CDLL(os.path.abspath(a.worker))
    fn = lib.prism_train_step
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64),
                   ctypes.POINTER(ctypes.c_float)]
    ptrs = (ctypes.c_void_p * len(bufs))(*[s.ctypes.data for s in storage])
    dims = (ctypes.c_int64 * 1)(B)
    xi = index["x"]
    loss = storage[index["loss"]]
    losses, times = [], []
    for t in range(1, a.warmup + a.steps + 1):
        sc = {"lr": LR, "bias_correction1": 1 - BETA1 ** t, "bias_correction2": 1 - BETA2 ** t}
        scalars = (ctypes.c_float * len(entry["scalars"]))(*[sc[s] for s in entry["scalars"]])
        ptrs[xi] = data[((t - 1) % nb) * B:].ctypes.data
        t0 = time.perf_counter()
        rc = fn(ptrs, dims, scalars)
        dt = (time.perf_counter() - t0) * 1e3
        if rc != 0:
            raise SystemExit(f"prism_train_step returned {rc} at step {t}")
        losses.append(float(loss.reshape(-1)[0]))
        if t > a.warmup:
            times.append(dt)
    if not all(np.isfinite(losses)):
        raise SystemExit(f"non-finite loss: {losses}")
    print(json.dumps({
        "ours_ms": statistics.median(times), "ours_min_ms": min(times),
        "ours_mean_ms": statistics.mean(times), "steps_timed": len(times),
        "loss_first": losses[0], "loss_last": losses[-1],
        "peak_rss_MiB": proc_status("VmHWM"), "baseline_rss_MiB": rss_base,
        "omp_threads": os.environ.get("OMP_NUM_THREADS", f"default ({os.cpu_count()} cores)"),
    }))


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}")
        raise SystemExit(f"failed ({r.returncode}): {cmd[0]}")
    return r.stdout


def fmt(v, spec=".2f"):
    return "-" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--d", type=int, default=512)
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=30, help="timed steps (median of these)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--prismc", default=os.path.join(REPO, "build-me", "bin", "prismc"))
    ap.add_argument("--cxx", default=os.environ.get("PRISM_CXX", "c++"))
    ap.add_argument("--torch-ref", default=os.path.join(os.path.dirname(REPO), "shared", "bench",
                                                        "torch_reference.py"))
    ap.add_argument("--torch-steps", type=int, default=100)
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--openblas-coretype", default="inherit",
                    help="OPENBLAS_CORETYPE for both our step and torch (both load Debian's "
                         "OpenBLAS): inherit = this environment's (default), detect = unset, "
                         "so that OpenBLAS picks the kernels for the CPU, or a core name")
    ap.add_argument("--keep", help="build in this directory and keep it (default: a temporary one)")
    ap.add_argument("--json", help="write all figures to this file")
    ap.add_argument("--worker", metavar="K.so", help=argparse.SUPPRESS)
    ap.add_argument("--layout", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker(a)

    # Both subprocesses inherit it. Some environments set it (this VM's sets
    # Haswell: AVX2 kernels on an AVX-512 CPU, the encoder GEMM at 21 ms
    # instead of 12 ms with OpenBLAS's own choice, Cooperlake).
    core = a.openblas_coretype
    if core == "detect":
        os.environ.pop("OPENBLAS_CORETYPE", None)
    elif core != "inherit":
        os.environ["OPENBLAS_CORETYPE"] = core
    core = os.environ.get("OPENBLAS_CORETYPE", "unset (OpenBLAS detects)")

    work = a.keep or tempfile.mkdtemp(prefix="prism-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        # 1. The model at the requested shape (the file is written for d=512, n=4096, k=32).
        with open(os.path.join(HERE, "topk_reference.sae")) as f:
            src = f.read()
        src, count = re.subn(r"model topk_reference\(d = \d+, n = \d+, k = \d+\)",
                             f"model topk_reference(d = {a.d}, n = {a.n}, k = {a.k})", src)
        assert count == 1
        sae = os.path.join(work, "topk_reference.sae")
        with open(sae, "w") as f:
            f.write(src)
        cpp, lay, so = (os.path.join(work, x) for x in ("K.cpp", "L.json", "K.so"))
        t0 = time.perf_counter()
        run([a.prismc, sae, "-emit=cpp", f"-layout={lay}", "-o", cpp])
        run([a.cxx, "-O3", "-march=x86-64-v2", "-fno-math-errno", "-fopenmp", "-fPIC", "-shared",
             "-I/usr/include/x86_64-linux-gnu/openblas-pthread", cpp, "-o", so, "-lopenblas"])
        build_s = time.perf_counter() - t0

        # 2. Our step, alone in a subprocess.
        ours = json.loads(run([sys.executable, os.path.abspath(__file__), "--worker", so,
                               "--layout", lay, "--d", str(a.d), "--n", str(a.n), "--k", str(a.k),
                               "--batch", str(a.batch), "--steps", str(a.steps),
                               "--warmup", str(a.warmup)]))

        # 3. The PyTorch references, as they are.
        ref = {}
        if not a.skip_torch:
            rj = os.path.join(work, "torch.json")
            run(["/usr/bin/python3", a.torch_ref, "--device", "cpu", "--d", str(a.d), "--n", str(a.n),
                 "--k", str(a.k), "--batch", str(a.batch), "--precision", "fp32",
                 "--steps", str(a.torch_steps), "--json", rj])
            with open(rj) as f:
                ref = json.load(f)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)

    # 4. The table.
    T = ours["ours_ms"]
    variants = [(v, ref.get(f"{v}_ms")) for v in ("dense", "sparse", "compile")]
    ran = [ms for _, ms in variants if ms is not None]
    best = min(ran) if ran else None
    sol = ref.get("sol_ms")
    res = {"d": a.d, "n": a.n, "k": a.k, "batch": a.batch, "cores": os.cpu_count(),
           "build_s": build_s, **ours, "torch": ref,
           "torch_best_ms": best, "ratio_torch_best_over_ours": best / T if best else None,
           "sol_ms": sol, "ratio_sol_over_ours": sol / T if sol else None}
    res["openblas_coretype"] = core
    print(f"TopK train step, d={a.d} n={a.n} k={a.k} B={a.batch} fp32, {os.cpu_count()} cores"
          f" (torch {ref.get('torch', '-')}, {ref.get('threads', '-')} threads;"
          f" OPENBLAS_CORETYPE {core} for both)")
    print(f"{'':34s} {'ms/step':>9s}")
    print(f"{'prism (ours, median of ' + str(ours['steps_timed']) + ')':34s} {T:9.2f}")
    for v, ms in variants:
        note = ""
        if ms is None:
            note = "  (" + (ref.get(f"{v}_error") or ("not run" if not ref else "unavailable in this torch")) + ")"
        print(f"{'torch ' + v:34s} {fmt(ms):>9s}{note}")
    print(f"{'torch_best / ours':34s} {fmt(res['ratio_torch_best_over_ours']):>9s}   (target >= 4)")
    print(f"{'T_sol = gemm_enc + byte floor':34s} {fmt(sol):>9s}   "
          f"(gemm_enc {fmt(ref.get('gemm_enc_ms'))} ms, copy {fmt(ref.get('copy_GBps'), '.1f')} GB/s)")
    print(f"{'T_sol / T_ours':34s} {fmt(res['ratio_sol_over_ours']):>9s}   (target >= 0.5)")
    print(f"{'peak RSS of our step process':34s} {ours['peak_rss_MiB']:9.1f} MiB"
          f"   (python+numpy before loading: {ours['baseline_rss_MiB']:.1f} MiB)")
    print(f"loss {ours['loss_first']:.4g} -> {ours['loss_last']:.4g} over "
          f"{a.warmup + a.steps} steps; build {build_s:.1f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
