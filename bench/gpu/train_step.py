#!/usr/bin/python3
"""GPU benchmark: Prism's CUDA TopK train step against the PyTorch references.

Two phases, because the GPU machines have no MLIR (no prismc):

  prepare (here, where prismc is built):
      /usr/bin/python3 bench/gpu/train_step.py --prepare DIR
    compiles bench/gpu/topk_bench.sae (the semantics of
    ../shared/bench/torch_reference.py) with `prismc -emit=program -target=cuda`
    for each configuration below, and copies `prism` with the shared libraries
    it needs that are not part of the C runtime into DIR/bin and DIR/lib, and
    this script and the reference into DIR.

  run (on the GPU machine, in one script so both sides share the device):
      python3 DIR/train_step.py --run DIR [--steps 200] [--json OUT]
    for each configuration: synthesises 16 batches of unit-norm rows
    (`prism data synth`), trains `--steps` steps with `prism train --target
    cuda` (the data resident on the GPU, the step a captured CUDA graph) and
    takes the step time from the throughput metrics.jsonl logs over the second
    half of the run (after warm-up and capture); then runs
    torch_reference.py --device cuda at the same shape and precision. Prints
    ms/step of ours and of each torch variant, torch_best/ours (target >= 2)
    and T_sol/T_ours (target >= 0.6), and writes them all as JSON.

Configurations: d=768 k=32 B=4096 with n=32768 TF32 (the headline), n=32768
BF16 and n=16384 TF32.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = [
    {"n": 32768, "matmul": "tf32"},
    {"n": 32768, "matmul": "bf16"},
    {"n": 16384, "matmul": "tf32"},
]
D, K, BATCH = 768, 32, 4096


def name_of(config):
    return f"topk-n{config['n']}-{config['matmul']}"


def prepare(out, build, torch_ref):
    if not os.path.exists(torch_ref):
        raise SystemExit(f"the PyTorch reference is not at {torch_ref}; pass "
                         "--torch-ref PATH (../shared/bench/torch_reference.py "
                         "beside the checkout)")
    prismc = os.path.join(build, "bin", "prismc")
    prism = os.path.join(build, "bin", "prism")
    os.makedirs(os.path.join(out, "bin"), exist_ok=True)
    os.makedirs(os.path.join(out, "lib"), exist_ok=True)
    with open(os.path.join(HERE, "topk_bench.sae")) as f:
        source = f.read()
    for config in CONFIGS:
        text = re.sub(r"model topk_bench\(d = \d+, n = \d+, k = \d+\)",
                      f"model topk_bench(d = {D}, n = {config['n']}, k = {K})",
                      source)
        text = re.sub(r"matmul = \w+", f"matmul = {config['matmul']}", text)
        sae = os.path.join(out, name_of(config) + ".sae")
        with open(sae, "w") as f:
            f.write(text)
        subprocess.run([prismc, sae, "-emit=program", "-target=cuda", "-o",
                        sae[:-4] + ".prism"], check=True)
    shutil.copy2(prism, os.path.join(out, "bin", "prism"))
    # The libraries prism links beyond the C runtime (OpenBLAS, LAPACKE,
    # gfortran, ...); glibc, libstdc++ and libgcc are on every machine.
    system = ("libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so",
              "ld-linux", "libstdc++.so", "libgcc_s.so", "linux-vdso")
    listing = subprocess.run(["ldd", prism], check=True, capture_output=True,
                             text=True).stdout
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+) => (\S+)", line)
        if match and not match.group(1).startswith(system):
            shutil.copy2(match.group(2), os.path.join(out, "lib"))
    shutil.copy2(os.path.abspath(__file__), out)
    shutil.copy2(torch_ref, out)
    print(f"prepared {out}: {', '.join(name_of(c) for c in CONFIGS)}")


def ours(out, config, steps, work):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.path.join(out, "lib") + ":" + env.get(
        "LD_LIBRARY_PATH", "")
    prism = os.path.join(out, "bin", "prism")
    data = os.path.join(work, "data.pemb")
    if not os.path.exists(data):
        subprocess.run([prism, "data", "synth", "--rows", str(16 * BATCH),
                        "--dim", str(D), "--concepts", "8192", "--k-active",
                        str(K), "--seed", "1", "-o", data], check=True,
                       env=env, stdout=subprocess.DEVNULL)
    run = os.path.join(work, name_of(config))
    shutil.rmtree(run, ignore_errors=True)
    log = subprocess.run([prism, "train",
                          os.path.join(out, name_of(config) + ".prism"),
                          "--data", data, "--steps", str(steps), "--batch",
                          str(BATCH), "--log-every", str(steps // 2),
                          "--target", "cuda", "-o", run], check=True, env=env,
                         capture_output=True, text=True).stdout
    device = next((line for line in log.splitlines()
                   if line.startswith("training on ")), "")
    with open(os.path.join(run, "metrics.jsonl")) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return {"ours_ms": 1e3 / lines[-1]["steps_per_s"], "device_line": device,
            "loss_last": lines[-1]["loss"]}


def fmt(value, spec=".2f"):
    return "-" if value is None else format(value, spec)


def run_all(out, steps, json_path):
    work = os.path.join(out, "work")
    os.makedirs(work, exist_ok=True)
    results = []
    for config in CONFIGS:
        mine = ours(out, config, steps, work)
        ref_json = os.path.join(work, name_of(config) + "-torch.json")
        subprocess.run([sys.executable, os.path.join(out, "torch_reference.py"),
                        "--device", "cuda", "--d", str(D), "--n",
                        str(config["n"]), "--k", str(K), "--batch", str(BATCH),
                        "--precision", config["matmul"], "--json", ref_json],
                       check=True, stdout=subprocess.DEVNULL)
        with open(ref_json) as f:
            ref = json.load(f)
        ran = [ref.get(f"{v}_ms") for v in ("dense", "sparse", "compile")]
        ran = [ms for ms in ran if ms is not None]
        best = min(ran) if ran else None
        T = mine["ours_ms"]
        result = {**config, "d": D, "k": K, "batch": BATCH, **mine,
                  "torch": ref, "torch_best_ms": best,
                  "ratio_torch_best_over_ours": best / T if best else None,
                  "sol_ms": ref.get("sol_ms"),
                  "ratio_sol_over_ours": ref["sol_ms"] / T
                  if ref.get("sol_ms") else None}
        results.append(result)
        print(f"TopK train step d={D} n={config['n']} k={K} B={BATCH} "
              f"{config['matmul']} on {ref.get('device')} "
              f"(torch {ref.get('torch')}); {mine['device_line']}")
        print(f"  prism (ours)            {fmt(T):>9s} ms")
        for v in ("dense", "sparse", "compile"):
            print(f"  torch {v:17s} {fmt(ref.get(f'{v}_ms')):>9s} ms")
        print(f"  torch_best / ours       {fmt(result['ratio_torch_best_over_ours']):>9s}"
              "    (target >= 2)")
        print(f"  T_sol / T_ours          {fmt(result['ratio_sol_over_ours']):>9s}"
              f"    (target >= 0.6; T_sol {fmt(ref.get('sol_ms'))} ms)")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", metavar="DIR")
    parser.add_argument("--build", default=os.path.join(
        os.path.dirname(os.path.dirname(HERE)), "build"))
    parser.add_argument("--torch-ref", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared",
        "bench", "torch_reference.py"))
    parser.add_argument("--run", metavar="DIR")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.prepare:
        prepare(os.path.abspath(args.prepare), args.build, args.torch_ref)
    elif args.run:
        run_all(os.path.abspath(args.run), args.steps, args.json)
    else:
        parser.error("give --prepare DIR or --run DIR")


if __name__ == "__main__":
    main()
