"""Finite-difference check of a model's compiled `grad` entry, in float64.

Usage: gradcheck.py MODEL SAE_FILE WORKDIR PRISMC [empty-aux-loss]
MODEL: topk | batchtopk | relu_l1 | jumprelu | matryoshka (the small models
of Inputs/*.sae: d = 8, n = 24, k = 4, auxk k = 6).
With `empty-aux-loss` (topk, batchtopk) it only checks that `grad` with no
dead latent returns the loss `forward` does: docs/dialects/sae.md says the
aux loss vanishes with an empty mask.

For every element of every parameter, the central difference
(L(p + h) - L(p - h)) / 2h of the compiled loss is compared with the compiled
gradient. The error of an element is

    |g - fd| / max(|g|, |fd|, 0.01 * max|fd| over the parameter)

(relative, with a floor at 1% of the parameter's largest gradient so that
entries whose gradient is zero or tiny compare in absolute terms).

Threshold 1e-6, with h = 1e-5. In float64 the loss (O(1)) carries a rounding
error of about 1e-15, so the difference quotient is off by about
1e-15 / 1e-5 = 1e-10 absolute; the smallest gradient scale the floor allows
is 1% of a parameter's largest gradient, about 1e-3 here, so rounding gives
about 1e-7 relative in the worst element (measured: 2e-8 at most, see the
printed maxima). The truncation error of a central difference is
h^2 f'''/6; every loss here is piecewise quadratic in each single parameter
(zero third derivative) except relu_l1's decoder-norm weight, smooth with
f''' = O(1), so ~1e-13. A wrong factor or a missing term of the gradient is
an O(1e-2..1) error, orders above the threshold.

The losses are piecewise smooth: topk / batchtopk selections, relu and the
JumpReLU jump have kinks. A perturbation of h moves a pre-activation by at
most h * max|x - b_dec| (< 1e-4 here), so the data are drawn (seed by seed,
until it holds) so that every kink is at least MARGIN = 1e-3 away: no
pre-activation within MARGIN of 0 (or of theta), and a gap of at least MARGIN
between the last kept and the first dropped value of every selection.

AuxK: the compiled `forward` has no dead_mask and leaves the aux term out (the
runtime's statistic); `grad` takes the mask and returns the loss with it. With
no dead latent the differences are those of `forward`'s loss. Its
residual r = x - xhat is a detached target (docs/dialects/sae.md, autodiff
rules), so the compiled gradient is dL/dp minus the part through r. Since
aux = mse(S W_dec, r), that part is <v, d xhat/dp> with
v = c * 2 (S W_dec - r) / (B d) (c the aux weight, 1/32) at the base point;
the check takes differences of L(p) - <v, xhat(p)>, both from the compiled
`grad` entry (its loss and xhat outputs), with v from NumPy at the base point.
With some latents marked dead (10 of 24, more than k_aux = 6, so that the
aux selection really selects) that exercises the aux gradient.

JumpReLU's threshold gradient is the rectangle-kernel pseudo-gradient by
design (the loss is piecewise constant in theta): it is compared with the
closed form of Rajamanoharan et al. 2024 instead,
  dL/dtheta_j = -(theta_j / eps) sum_b K((pre_bj - theta_j)/eps) dL/dz_bj
                - (lambda / B)(1 / eps) sum_b K((pre_bj - theta_j)/eps),
K(u) = 1 for |u| < 1/2, with dL/dz = 2 (xhat - x) W_dec^T / (B d). Some
thresholds are placed within the kernel's window of a pre-activation so that
the formula is not trivially zero.

The models' constants (lambda, bandwidth) are float32 in the IR even in a
float64 build, so the NumPy reference rounds them to float32 too."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prism_ctypes import Program, unit_rows  # noqa: E402

MODEL, SAE, WORKDIR, PRISMC = sys.argv[1:5]
MODE = sys.argv[5] if len(sys.argv) > 5 else "gradients"
B, D, N, K, K_AUX = 16, 8, 24, 4, 6
AUX_WEIGHT = 1 / 32
H = 1e-5
MARGIN = 1e-3
THRESHOLD = 1e-6
f32 = lambda c: float(np.float32(c))  # noqa: E731
LAMBDA = {"relu_l1": f32(0.05), "jumprelu": f32(0.01)}
BANDWIDTH = f32(0.05)
PREFIXES = [6, 12, 24]

prog = Program.build(SAE, WORKDIR, real="double", prismc=PRISMC)
prog.set_batch(B)
failures = []


def topk_mask(values, k, eligible=None):
    """1.0 at the k largest entries of each row (among `eligible`), ties to
    the lower index; the gap between the last kept and the first dropped."""
    v = values if eligible is None else np.where(eligible > 0, values, -np.inf)
    order = np.argsort(-v, axis=1, kind="stable")
    mask = np.zeros_like(values)
    count = k if eligible is None else min(k, int(eligible.sum()))
    np.put_along_axis(mask, order[:, :count], 1.0, axis=1)
    gap = np.inf
    if count < values.shape[1] and (eligible is None
                                    or count < eligible.sum()):
        s = np.take_along_axis(v, order, axis=1)
        gap = np.min(s[:, count - 1] - s[:, count])
    return mask, gap


def batchtopk_mask(values, k):
    flat = values.ravel()
    order = np.argsort(-flat, kind="stable")
    keep = values.shape[0] * k
    mask = np.zeros_like(flat)
    mask[order[:keep]] = 1.0
    return mask.reshape(values.shape), flat[order[keep - 1]] - flat[order[keep]]


def reference(p, x, dead):
    """The model's loss in NumPy (float64), with the kinks' margins."""
    pre = (x - p["b_dec"]) @ p["W_enc"] + p["b_enc"]
    margin = np.min(np.abs(pre))
    r = np.maximum(pre, 0)
    extra = {}
    if MODEL == "topk":
        mask, gap = topk_mask(r, K)
    elif MODEL in ("batchtopk", "matryoshka"):
        mask, gap = batchtopk_mask(r, K)
    elif MODEL == "relu_l1":
        mask, gap = np.ones_like(r), np.inf
    elif MODEL == "jumprelu":
        mask = (pre > p["theta"]).astype(float)
        gap = np.min(np.abs(pre - p["theta"]))
        r = pre
    z = r * mask
    xhat = z @ p["W_dec"] + p["b_dec"]
    loss = np.mean((xhat - x) ** 2)
    if MODEL == "relu_l1":
        loss += LAMBDA[MODEL] * np.mean(
            np.sum(np.abs(z) * np.linalg.norm(p["W_dec"], axis=1), axis=1))
    if MODEL == "jumprelu":
        loss += LAMBDA[MODEL] * np.mean(np.sum(mask, axis=1))
    if MODEL == "matryoshka":
        loss = sum(np.mean((z[:, :q] @ p["W_dec"][:q] + p["b_dec"] - x) ** 2)
                   for q in PREFIXES)
    aux = 0.0
    if MODEL in ("topk", "batchtopk") and dead is not None and dead.any():
        amask, agap = topk_mask(pre, K_AUX, eligible=dead)
        gap = min(gap, agap)
        S = pre * amask
        resid = x - xhat
        aux = np.mean((S @ p["W_dec"] - resid) ** 2)
        extra["v"] = AUX_WEIGHT * 2 * (S @ p["W_dec"] - resid) / (B * D)
    return loss, loss + AUX_WEIGHT * aux, min(margin, gap), z, xhat, extra


def draw(seed, dead):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, D))
    p = {"b_dec": 0.1 * rng.standard_normal(D),
         "W_enc": rng.standard_normal((D, N)) / np.sqrt(D),
         "b_enc": 0.1 * rng.standard_normal(N),
         "W_dec": unit_rows(rng.standard_normal((N, D)))}
    if MODEL == "relu_l1":
        # Unconstrained decoder: rows of varied norms.
        p["W_dec"] *= rng.uniform(0.5, 2.0, (N, 1))
    if MODEL == "jumprelu":
        pre = (x - p["b_dec"]) @ p["W_enc"] + p["b_enc"]
        theta = rng.uniform(0.05, 0.5, N)
        # Half the thresholds sit within the kernel's window of one
        # pre-activation (1 to 8 margins away, either side).
        for j in range(0, N, 2):
            b = rng.integers(B)
            offset = rng.uniform(2 * MARGIN, 8 * MARGIN) * rng.choice([-1, 1])
            theta[j] = abs(pre[b, j]) + offset
        p["theta"] = theta
    return x, p


dead = None
if MODEL in ("topk", "batchtopk"):
    dead = np.zeros(N)
    dead[np.random.default_rng(1).choice(N, 10, replace=False)] = 1.0

for seed in range(100):
    x, p = draw(seed, dead)
    _, _, margin, _, _, _ = reference(p, x, dead)
    if margin > MARGIN:
        break
else:
    sys.exit("no seed gives data away from the kinks")
print(f"{MODEL}: seed {seed}, kinks at least {margin:.1e} away")

prog.set("x", x)
for name, value in p.items():
    prog.set(name, value)
names = prog.param_names()
assert sorted(names) == sorted(p), names

# Forward against NumPy, and grad's loss with an empty and the real mask.
ref_loss, ref_loss_aux, _, ref_z, ref_xhat, extra = reference(p, x, dead)
prog.run("forward")
fwd = {n: prog[n].copy() for n in prog.writes("forward")}
for name, ref in [("loss", ref_loss), ("z", ref_z), ("xhat", ref_xhat)]:
    err = np.max(np.abs(fwd[name] - ref))
    print(f"{MODEL}: forward {name} vs NumPy: max error {err:.1e}")
    if err > 1e-12:
        failures.append(f"forward {name}")

has_mask = "dead_mask" in prog.reads("grad")
assert has_mask == (dead is not None), "grad reads dead_mask iff auxk"


def run_grad(mask):
    # The gradient with 3 threads, so that the parallel loops split unevenly;
    # the thousands of loss evaluations of the differences with one, fast.
    if has_mask:
        prog.set("dead_mask", mask)
    prog.set_threads(3)
    prog.run("grad")
    prog.set_threads(1)
    return {n: prog[n].copy() for n in prog.writes("grad")}


if MODE == "empty-aux-loss":
    out = run_grad(np.zeros(N))
    print(f"{MODEL}: no dead latent: grad loss {float(out['loss']):.9f}, "
          f"forward loss {float(fwd['loss']):.9f}, ratio "
          f"{float(out['loss'] / fwd['loss']):.6f}")
    if abs(out["loss"] - fwd["loss"]) > 1e-12:
        sys.exit(f"{MODEL}: FAILED: the aux loss with an empty dead mask is "
                 "not 0")
    print(f"{MODEL}: the aux loss with an empty dead mask is 0")
    sys.exit(0)

masks = [None] if not has_mask else [np.zeros(N), dead]
for mask in masks:
    label = "" if mask is None else f" ({int(mask.sum())} dead)"
    out = run_grad(mask)
    v = extra.get("v") if mask is not None and mask.any() else None
    if mask is not None and mask.any():
        want = ref_loss_aux
        err = abs(out["loss"] - want)
        print(f"{MODEL}{label}: grad loss vs NumPy: error {err:.1e}")
        if err > 1e-12:
            failures.append(f"grad loss{label}")

    def objective():
        # The loss with the detached aux residual held as a target.
        if mask is None or not mask.any():
            prog.run("forward")
            return float(prog["loss"])
        prog.run("grad")
        value = float(prog["loss"])
        if v is not None:
            value -= float(np.sum(v * prog["xhat"]))
        return value

    for name in names:
        g = out["grad." + name]
        if MODEL == "jumprelu" and name == "theta":
            continue
        fd = np.zeros_like(g)
        buf = prog[name]
        flat = buf.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + H
            up = objective()
            flat[i] = saved - H
            down = objective()
            flat[i] = saved
            fd.reshape(-1)[i] = (up - down) / (2 * H)
        floor = 0.01 * np.max(np.abs(fd))
        err = np.abs(g - fd) / np.maximum(
            np.maximum(np.abs(g), np.abs(fd)), max(floor, 1e-300))
        worst = np.unravel_index(np.argmax(err), err.shape)
        status = "ok" if err.max() <= THRESHOLD else "MISMATCH"
        print(f"{MODEL}{label}: grad.{name} ({g.size} elements, max |g| "
              f"{np.max(np.abs(g)):.2e}): max error {err.max():.1e} at "
              f"{tuple(int(i) for i in worst)} {status}")
        if err.max() > THRESHOLD:
            print(f"  compiled {g[worst]:.9e}, finite difference "
                  f"{fd[worst]:.9e}")
            failures.append(f"grad.{name}{label}")

if MODEL == "jumprelu":
    out = run_grad(None)
    pre, theta = out["pre"], p["theta"]
    gz = 2 * (out["xhat"] - x) @ p["W_dec"].T / (B * D)
    kern = (np.abs((pre - theta) / BANDWIDTH) < 0.5).astype(float)
    want = (-(theta / BANDWIDTH) * np.sum(kern * gz, axis=0)
            - LAMBDA[MODEL] / B / BANDWIDTH * np.sum(kern, axis=0))
    g = out["grad.theta"]
    err = np.max(np.abs(g - want)) / np.max(np.abs(want))
    status = "ok" if err <= 1e-12 else "MISMATCH"
    print(f"{MODEL}: grad.theta vs the rectangle-kernel formula "
          f"({int(kern.sum())} pre-activations in a window, "
          f"{int((want != 0).sum())} thresholds with a gradient): "
          f"max error {err:.1e} {status}")
    if err > 1e-12:
        failures.append("grad.theta")

if failures:
    print(f"{MODEL}: FAILED: {', '.join(failures)}")
    sys.exit(1)
print(f"{MODEL}: all gradients ok")
