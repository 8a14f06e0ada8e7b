#!/usr/bin/python3
"""`prism analyze` against planted answers and against NumPy/SciPy.

Makes `prism data synth` data (8000 image-caption pairs, d = 64, 64 planted
concepts: 32 image-only and 32 text-only, 16 bridges each joining an
image-only and a text-only concept whose directions meet at cosine 0.5;
uniform concept frequencies, so that no pair of concepts co-occurs often by
chance alone), trains Inputs/planted_topk_d64.sae on it
with two seeds, and on a copy whose columns are shuffled independently (the
same marginals, no concepts) with two seeds, then runs `prism analyze` on the
four runs and checks:

Known answers (the planted truth in synth.truth.json):
  - the learned concepts that match an image-only planted concept (Hungarian
    matching on cosine, matched cosine >= 0.9) have a modality score >= 0.9,
    those matching a text-only one <= 0.1;
  - the planted bridges whose two concepts are recovered, mapped to the
    learned concepts, are the top entries of the Bridge Score, above the
    largest entry of the shuffled-pairing null model; so are they in the
    cross-correlation form;
  - the two runs on the planted data are more stable than the two runs on the
    shuffled data, and their frequent concepts are stable where their rare
    ones are not (top energy decile against the lowest).

Independent references: the codes are recomputed with NumPy from the
checkpoint's weights (TopK: relu((x - b_dec) W_enc + b_enc), k largest), and
from them R² (both definitions), L0, the dead fraction, every concept's energy
and modality score, the Bridge Score's top entries (dense NumPy over n x n),
their cross-correlation and the per-concept bridge energy, the null model's
mean against its exact expectation Σ mᴵᵢ mᵀⱼ cos(dᵢ, dⱼ); the stability by
scipy.optimize.linear_sum_assignment; PCA's R² by an SVD.

Usage: planted_analysis.py --prism BIN/prism --workdir DIR
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

HERE = os.path.dirname(os.path.abspath(__file__))
FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILURES.append(what)


def run(cmd):
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def read_pemb(path, rows, dim):
    """The matrix of a .pemb (docs/formats.md): after the header, 64-aligned."""
    blob = open(path, "rb").read()
    assert blob[:8] == b"PRISMEMB"
    length = int.from_bytes(blob[12:16], "little")
    offset = (16 + length + 63) // 64 * 64
    return np.frombuffer(blob, dtype="<f4", count=rows * dim,
                         offset=offset).reshape(rows, dim)


def read_safetensors(path):
    blob = open(path, "rb").read()
    hlen = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + hlen])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        lo, hi = info["data_offsets"]
        out[name] = np.frombuffer(blob[8 + hlen + lo:8 + hlen + hi],
                                  dtype="<f4").reshape(info["shape"])
    return out


def latest_weights(run_dir):
    step = open(os.path.join(run_dir, "checkpoints", "latest")).read().strip()
    return read_safetensors(
        os.path.join(run_dir, "checkpoints", step, "sae_weights.safetensors"))


def unit(rows):
    norm = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norm > 0, norm, 1)


def topk_codes(x, w, k):
    pre = (x.astype(np.float64) - w["b_dec"]) @ w["W_enc"] + w["b_enc"]
    pre = np.maximum(pre, 0)
    keep = np.argpartition(-pre, k - 1, axis=1)[:, :k]
    z = np.zeros_like(pre)
    np.put_along_axis(z, keep, np.take_along_axis(pre, keep, axis=1), axis=1)
    return z


def read_concepts(path):
    with open(path) as f:
        table = list(csv.DictReader(f, delimiter="\t"))
    return {key: np.array([float(row[key]) for row in table])
            for key in table[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prism", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--model",
                    default=os.path.join(HERE, "planted_topk_d64.sae"))
    a = ap.parse_args()
    w = a.workdir
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    pairs, dim, k = 8000, 64, 4

    data = os.path.join(w, "synth.pemb")
    run([a.prism, "data", "synth", "--rows", str(2 * pairs), "--dim", str(dim),
         "--concepts", "64", "--k-active", str(k), "--image-fraction", "0.5",
         "--text-fraction", "0.5", "--bridge-cosine", "0.5", "--zipf", "0",
         "--seed", "1",
         "-o", data])
    truth = json.load(open(os.path.join(w, "synth.truth.json")))
    planted = np.load(os.path.join(w, "synth.dictionary.npy"))
    x = read_pemb(data, 2 * pairs, dim)

    # The control: every column shuffled on its own.
    rng = np.random.default_rng(7)
    shuffled = x.copy()
    for c in range(dim):
        shuffled[:, c] = rng.permutation(shuffled[:, c])
    np.save(os.path.join(w, "shuffled.npy"), shuffled.reshape(2, pairs, dim))
    control = os.path.join(w, "shuffled.pemb")
    run([a.prism, "data", "import", "--npy", os.path.join(w, "shuffled.npy"),
         "--layout", "stacked-pairs", "-o", control])

    runs = []
    for name, dataset, seed in [("planted-1", data, 1), ("planted-2", data, 2),
                                ("shuffled-1", control, 1),
                                ("shuffled-2", control, 2)]:
        runs.append(os.path.join(w, name))
        run([a.prism, "train", a.model, "--data", dataset, "--seed", str(seed),
             "-o", runs[-1]])
    report_dir = os.path.join(w, "report")
    run([a.prism, "analyze", *runs, "--data", data, "--top", "16",
         "-o", report_dir])
    report = json.load(open(os.path.join(report_dir, "report.json")))
    by_name = {r["name"]: r for r in report["runs"]}

    # --- Known answers -----------------------------------------------------
    weights = latest_weights(runs[0])
    learned = unit(weights["W_dec"].astype(np.float64))
    cos = unit(planted.astype(np.float64)) @ learned.T
    rows, cols = linear_sum_assignment(-cos)
    match = dict(zip(rows, cols))
    recovered = [c for c in rows if cos[c, match[c]] >= 0.9]
    check(len(recovered) >= 0.9 * len(planted),
          f"run planted-1 recovers {len(recovered)}/{len(planted)} planted "
          "concepts (matched cosine >= 0.9; need 90%)")
    concepts = read_concepts(os.path.join(report_dir,
                                          "concepts-planted-1.tsv"))
    kinds = truth["concepts"]["kind"]
    image_scores = [concepts["modality"][match[c]] for c in recovered
                    if kinds[c] == "image"]
    text_scores = [concepts["modality"][match[c]] for c in recovered
                   if kinds[c] == "text"]
    check(len(image_scores) >= 28 and min(image_scores) >= 0.9,
          f"{len(image_scores)} recovered image-only concepts, modality "
          f"scores >= {min(image_scores):.4f} (need >= 0.9)")
    check(len(text_scores) >= 28 and max(text_scores) <= 0.1,
          f"{len(text_scores)} recovered text-only concepts, modality "
          f"scores <= {max(text_scores):.4f} (need <= 0.1)")

    found = set(recovered)
    bridges = [(match[i], match[j]) for i, j in truth["bridges"]
               if i in found and j in found]
    entries = by_name["planted-1"]["bridge"]["top"]
    top = [(t["image_concept"], t["text_concept"]) for t in entries]
    ranked = top[:len(bridges)]
    check(len(bridges) >= 14 and set(bridges) == set(ranked),
          f"the {len(bridges)} planted bridges with both concepts recovered "
          f"are the top {len(bridges)} Bridge Score entries (top: {ranked})")
    by_rho = [(t["image_concept"], t["text_concept"])
              for t in by_name["planted-1"]["bridge"]["top_cross_correlation"]]
    check(set(bridges) == set(by_rho[:len(bridges)]),
          f"they are also the top {len(bridges)} entries by "
          f"cross-correlation (top: {by_rho[:len(bridges)]})")
    null = by_name["planted-1"]["bridge"]["null"]
    lowest = entries[len(bridges) - 1]["score"]
    check(null["top_score_max"] < lowest,
          f"the lowest of them, {lowest:.3g}, exceeds the largest entry of "
          f"the shuffled pairings, {null['top_score_max']:.3g}")

    stability = {(p["a"], p["b"]): p["stability"]
                 for p in report["stability"]["pairs"]}
    same = stability[("planted-1", "planted-2")]
    control_pair = stability[("shuffled-1", "shuffled-2")]
    check(same > control_pair + 0.2,
          f"stability of the planted runs {same:.4f} > the shuffled runs' "
          f"{control_pair:.4f} + 0.2")

    pair = next(p for p in report["stability"]["pairs"]
                if (p["a"], p["b"]) == ("planted-1", "planted-2"))
    alive = [b for b in pair["bins"] if not b["dead"]]
    check(pair["top_energy_decile"] >= 0.95 and
          alive[0]["mean_cosine"] < pair["top_energy_decile"] - 0.3,
          "frequent concepts are stable, rare ones are not: top energy "
          f"decile {pair['top_energy_decile']:.3f} (need >= 0.95), lowest "
          f"{alive[0]['mean_cosine']:.3f}")

    # --- NumPy / SciPy references ------------------------------------------
    z = topk_codes(x, weights, k)
    xhat = z @ weights["W_dec"] + weights["b_dec"]
    x64 = x.astype(np.float64)
    r2 = 1 - ((x64 - xhat) ** 2).sum() / ((x64 - x64.mean(0)) ** 2).sum()
    r2g = 1 - ((x64 - xhat) ** 2).mean() / ((x64 - x64.mean()) ** 2).mean()
    mine = by_name["planted-1"]
    check(abs(mine["r2_per_dim"] - r2) < 1e-4,
          f"R² per dimension {mine['r2_per_dim']:.6f} vs NumPy {r2:.6f}")
    check(abs(mine["r2_global"] - r2g) < 1e-4,
          f"R² global {mine['r2_global']:.6f} vs NumPy {r2g:.6f}")
    l0 = (z != 0).sum(1).mean()
    check(abs(mine["l0"] - l0) < 1e-3, f"L0 {mine['l0']} vs NumPy {l0}")
    dead = ((z != 0).sum(0) == 0).mean()
    check(abs(mine["dead_fraction"] - dead) < 1e-9,
          f"dead fraction {mine['dead_fraction']} vs NumPy {dead}")

    is_image = np.arange(2 * pairs) < pairs
    energy = z.mean(0)
    mi, mt = z[is_image].mean(0), z[~is_image].mean(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        modality = np.where(mi + mt > 0, mi / (mi + mt), np.nan)
    scale = energy.max()
    check(np.allclose(concepts["energy"], energy, atol=1e-4 * scale),
          "energy of every concept within 1e-4 x max of NumPy's (max diff "
          f"{np.abs(concepts['energy'] - energy).max():.3g})")
    both = ~np.isnan(modality)
    check(np.array_equal(both, ~np.isnan(concepts["modality"])) and
          np.allclose(concepts["modality"][both], modality[both], atol=1e-3),
          "modality score of every concept within 1e-3 of NumPy's, the same "
          "ones undefined")

    zi, zt = z[:pairs], z[pairs:]
    coact = zi.T @ zt / pairs
    bridge = coact * (learned @ learned.T)
    off = bridge.copy()
    np.fill_diagonal(off, -np.inf)
    order = np.argsort(-off, axis=None)[:16]
    ref_top = [divmod(int(i), off.shape[1]) for i in order]
    check(top == [tuple(t) for t in ref_top],
          f"top 16 Bridge Score entries {top} vs NumPy {ref_top}")
    for t in mine["bridge"]["top"]:
        i, j = t["image_concept"], t["text_concept"]
        vi, vt = zi[:, i].var(), zt[:, j].var()
        rho = (coact[i, j] - zi[:, i].mean() * zt[:, j].mean()) / np.sqrt(
            vi * vt)
        check(abs(t["score"] - bridge[i, j]) < 1e-4 * abs(bridge[i, j]) and
              abs(t["cross_correlation"] - rho) < 1e-3,
              f"B[{i},{j}] = {t['score']:.6g} (NumPy {bridge[i, j]:.6g}), "
              f"ρ = {t['cross_correlation']:.4f} (NumPy {rho:.4f})")
    check(abs(mine["bridge"]["total"] - bridge.sum()) <
          1e-4 * np.abs(bridge).sum(),
          f"Σ B {mine['bridge']['total']:.6g} vs NumPy {bridge.sum():.6g}")
    check(np.allclose(concepts["bridge_image_side"], bridge.sum(1),
                      atol=1e-4 * np.abs(bridge).sum(1).max()) and
          np.allclose(concepts["bridge_text_side"], bridge.sum(0),
                      atol=1e-4 * np.abs(bridge).sum(0).max()),
          "per-concept bridge energy (row and column sums of B) vs NumPy")

    # Under a uniformly random pairing E[C_ij] = mᴵᵢ mᵀⱼ exactly, so the null
    # model's mean Σ B estimates Σ_ij mᴵᵢ mᵀⱼ cos(dᵢ, dⱼ).
    expected = zi.mean(0) @ (learned @ learned.T) @ zt.mean(0)
    got = mine["bridge"]["null"]["total_mean"]
    check(abs(got - expected) < 0.05 * abs(expected),
          f"null model mean Σ B {got:.6g} vs its expectation {expected:.6g} "
          "(within 5%)")

    other = unit(latest_weights(runs[1])["W_dec"].astype(np.float64))
    c = learned @ other.T
    r, cc = linear_sum_assignment(-c)
    ref_stability = c[r, cc].mean()
    check(abs(same - ref_stability) < 1e-5,
          f"stability {same:.6f} vs scipy linear_sum_assignment "
          f"{ref_stability:.6f}")

    centred = x64 - x64.mean(0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    for point in next(b for b in report["baselines"]
                      if b["method"] == "pca")["points"]:
        m = point["size"]
        rec = centred @ vt[:m].T @ vt[:m]
        ref = 1 - ((centred - rec) ** 2).sum() / (centred ** 2).sum()
        check(abs(point["r2_per_dim"] - ref) < 1e-5,
              f"PCA {m} components: R² {point['r2_per_dim']:.6f} vs SVD "
              f"{ref:.6f}")

    if FAILURES:
        print(f"{len(FAILURES)} checks failed", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
