"""Imports .npy files that NumPy itself wrote (every format version, float16 /
float32 / float64, C and Fortran order, both byte orders, all three layouts)
and checks `prism data info --json` against the same figures computed by NumPy
in float64."""

import json
import subprocess
import sys

import numpy as np

prism, workdir = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)


def save(name, array, version):
    path = f"{workdir}/{name}"
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version)
    return path


def unit_rows(n, d, offset):
    x = rng.normal(size=(n, d)) + offset
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def expected(image, text, paired):
    rows = np.concatenate([r for r in (image, text) if r is not None])
    norms = np.linalg.norm(rows, axis=1)
    out = {"rows": len(rows), "dim": rows.shape[1],
           "norm": (norms.min(), norms.mean(), norms.max()),
           "gap": None, "cosine": None}
    if image is not None and text is not None:
        out["gap"] = np.linalg.norm(image.mean(0) - text.mean(0))
    if paired:
        cos = np.sum(image * text, 1) / (np.linalg.norm(image, axis=1) *
                                          np.linalg.norm(text, axis=1))
        out["cosine"] = cos.mean()
    return out


def run(args, output):
    subprocess.run([prism, "data", "import", *args, "-o", output], check=True,
                   stdout=subprocess.DEVNULL)
    info = subprocess.run([prism, "data", "info", "--json", output],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(info)


def close(a, b, what, case, rtol=1e-5):
    if a is None or b is None:
        assert a is None and b is None, f"{case}: {what}: {a} vs {b}"
        return
    assert abs(a - b) <= rtol * max(1.0, abs(b)), f"{case}: {what}: prism {a}, numpy {b}"


def check(case, info, want, pairs):
    assert info["rows"] == want["rows"], (case, info["rows"])
    assert info["dim"] == want["dim"], (case, info["dim"])
    assert info["pairs"] == pairs, (case, info["pairs"])
    for key, value in zip(("min", "mean", "max"), want["norm"]):
        close(info["row_norm"][key], value, "row norm " + key, case)
    close(info["modality_gap"], want["gap"], "modality gap", case)
    close(info["mean_pair_cosine"], want["cosine"], "pair cosine", case)
    print(f"{case}: rows {info['rows']}, d {info['dim']}, pairs {pairs}, "
          f"gap {info['modality_gap']}: matches numpy")


d = 16
# 1. Stacked pairs, float32, version 1.0, C order.
image, text = unit_rows(50, d, 0.5), unit_rows(50, d, -0.5)
stacked = np.stack([image, text]).astype(np.float32)
path = save("stacked.npy", stacked, (1, 0))
want = expected(stacked[0].astype(np.float64), stacked[1].astype(np.float64), True)
check("stacked-pairs v1 <f4", run(["--npy", path], f"{workdir}/a.pemb"), want, 50)

# 2. Separate files: float16 v2.0 images; float64 big-endian Fortran v3.0 texts.
image16 = unit_rows(40, d, 1.0).astype(np.float16)
text64 = np.asfortranarray(unit_rows(40, d, -1.0).astype(">f8"))
img_path = save("img.npy", image16, (2, 0))
txt_path = save("txt.npy", text64, (3, 0))
want = expected(image16.astype(np.float64),
                text64.astype(np.float32).astype(np.float64), True)
info = run(["--npy", img_path, "--modality", "image",
            "--npy", txt_path, "--modality", "text"], f"{workdir}/b.pemb")
check("image <f2 v2 + text >f8 Fortran v3", info, want, 40)

# 3. Columns layout (d, N), float32 Fortran order, one modality.
columns = np.asfortranarray(unit_rows(30, d, 0.0).T.astype(np.float32))
path = save("columns.npy", columns, (1, 0))
want = expected(None, columns.T.astype(np.float64), False)
info = run(["--npy", path, "--layout", "columns", "--modality", "text"],
           f"{workdir}/c.pemb")
check("columns <f4 Fortran", info, want, 0)
print("all cases match numpy")
