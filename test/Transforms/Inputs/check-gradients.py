#!/usr/bin/env python3
"""Numeric check of the sae training passes, independent of the compiler.

Reads the output of `prism-opt -sae-outline-entry-points -sae-autodiff
-sae-optimizer` (or of -sae-autodiff alone) and runs its entry-point
functions with a small numpy interpreter of the sae dialect, in float64:

  * every `@M.grad`: each parameter's gradient against central finite
    differences of the loss the same function returns (parameters named with
    --pseudo have pseudo-gradients; they are checked against a reference
    formula from the paper instead, see PSEUDO_REFERENCES);
  * every `@M.train_step`: the updated parameters and moments against a
    plain numpy AdamW step (with the tangent projection and renormalisation
    of unit_rows / unit_cols parameters) fed the gradients of `@M.grad`.

The interpreter implements each op from its documented semantics
(docs/dialects/sae.md), not from the gradient rules, so a wrong rule shows up
as a mismatch. Exits 1 with a report on the first mismatch.
"""

import argparse
import re
import sys

import numpy as np

ROWS = 7  # batch rows; modalities alternate image, text, ...


# --------------------------------------------------------------------------
# Parsing the custom assembly of the ops the passes produce
# --------------------------------------------------------------------------

def parse_type(text):
    """`tensor<?x6xf32>` -> [None, 6]; `tensor<f32>` -> []."""
    m = re.fullmatch(r"\s*tensor<(.*)>\s*", text)
    if not m:
        raise ValueError(f"not a tensor type: {text!r}")
    dims = m.group(1).split("x")[:-1]
    return [None if d == "?" else int(d) for d in dims]


class Op:
    def __init__(self, results, name, body, types):
        self.results = results
        self.name = name
        self.body = body
        self.types = types
        self.operands = re.findall(r"%[\w.]+", body)
        self.words = re.findall(r"(?<![%\w.])([a-z_]+)(?![\w]*\s*=)", body)

    def attr(self, key, cast=int):
        m = re.search(rf"\b{key} = (\[[^\]]*\]|[-\w.+]+)", self.body)
        if not m:
            return None
        value = m.group(1)
        if value.startswith("["):
            return [int(v) for v in value[1:-1].split(",") if v.strip()]
        return cast(value)

    def result_shape(self):
        return parse_type(self.types.split("->")[-1].split(",")[-1])


class Func:
    def __init__(self, name, header):
        self.name = name
        self.args = []     # (ssa name, shape, tag kind, tag name)
        self.results = []  # (tag kind, tag name)
        self.ops = []
        self.returned = []
        params, _, results = header.partition(") -> (")
        for m in re.finditer(
                r"(%[\w.]+): (tensor<[^>]*>)(?: \{(sae\.\w+) = \"([^\"]+)\"\})?",
                params):
            self.args.append((m.group(1), parse_type(m.group(2)), m.group(3),
                              m.group(4)))
        for m in re.finditer(r"tensor<[^>]*> \{(sae\.\w+) = \"([^\"]+)\"\}",
                             results):
            self.results.append((m.group(1), m.group(2)))
        self.attrs = dict(re.findall(r"(sae\.\w+) = \"(\w+)\"",
                                     header.split("attributes")[-1]))

    def arg(self, kind, name):
        return next(a for a in self.args if a[2] == kind and a[3] == name)

    def result_index(self, kind, name):
        return self.results.index((kind, name))


def parse_module(text):
    funcs, constraints = {}, {}
    func = None
    for line in text.splitlines():
        m = re.match(r"\s*func\.func @([\w.]+)\((.*)\{\s*$", line)
        if m:
            func = Func(m.group(1), m.group(2))
            funcs[func.name] = func
            continue
        m = re.match(r"\s*%\S+ = sae\.param \"(\w+)\".* constraint (\w+)",
                     line)
        if m:
            constraints[m.group(1)] = m.group(2)
        if func is None:
            continue
        m = re.match(r"\s*return (.*?) :", line)
        if m:
            func.returned = [v.strip() for v in m.group(1).split(",")]
            func = None
            continue
        m = re.match(r"\s*(%[\w.]+(?:, %[\w.]+)*) = ([\w.]+)(.*?) : (.*)$",
                     line)
        if m:
            func.ops.append(Op([r.strip() for r in m.group(1).split(",")],
                               m.group(2), m.group(3), m.group(4)))
    return funcs, constraints


# --------------------------------------------------------------------------
# The interpreter
# --------------------------------------------------------------------------

def selection(x, k, kind, among=None):
    """The 0/1 mask of a sparse selection; ties go to the lower index."""
    mask = np.zeros_like(x)
    if kind == "batchtopk":
        order = np.argsort(-x.ravel(), kind="stable")[:x.shape[0] * k]
        mask.ravel()[order] = 1
        return mask
    for b, row in enumerate(x):
        key = -np.abs(row) if kind == "topk_abs" else -row
        candidates = np.arange(row.size)
        if among is not None:
            candidates = candidates[among != 0]
        order = candidates[np.argsort(key[candidates], kind="stable")][:k]
        mask[b, order] = 1
    return mask


def normalize(x, axis):
    norm = np.sqrt(np.sum(x * x, axis=axis, keepdims=axis is not None))
    return np.divide(x, norm, out=np.zeros_like(x), where=norm != 0)


def reduce(kind, x, axis):
    if kind == "sum":
        return np.sum(x, axis=axis)
    if kind == "mean":
        return np.mean(x, axis=axis)
    if kind == "max":
        return np.max(x, axis=axis)
    if kind == "count":
        return np.sum(x != 0, axis=axis).astype(float)
    if kind == "norm":
        return np.sqrt(np.sum(x * x, axis=axis))
    raise ValueError(kind)


def mse(a, b):
    return np.mean((a - b) ** 2)


def unbroadcast(g, shape):
    lead = g.ndim - len(shape)
    g = np.sum(g, axis=tuple(range(lead))) if lead else g
    axes = tuple(i for i, size in enumerate(shape)
                 if size == 1 and g.shape[i] != 1)
    return np.sum(g, axis=axes, keepdims=True) if axes else g


def slices(op, shape):
    starts, limits = op.attr("starts"), op.attr("limits")
    return tuple(slice(s, n if l == -1 else l)
                 for s, l, n in zip(starts, limits, shape))


def evaluate(op, v, image):
    """The results of `op` given its operand values `v`."""
    name, words = op.name, op.words
    binary = {"sae.add": np.add, "sae.sub": np.subtract,
              "sae.mul": np.multiply, "sae.div": np.divide,
              "sae.pow": np.power}
    unary = {"sae.neg": np.negative, "sae.abs": np.abs, "sae.sqrt": np.sqrt,
             "sae.exp": np.exp, "sae.log": np.log,
             "sae.relu": lambda x: np.maximum(x, 0)}
    axis = op.attr("axis")
    if name == "arith.constant":
        value = float(re.search(r"dense<([^>]*)>", op.body).group(1))
        return np.full(op.result_shape(), value)
    if name in binary:
        return binary[name](v[0], v[1])
    if name in unary:
        return unary[name](v[0])
    if name == "sae.cmp":
        ops = {"gt": np.greater, "lt": np.less, "ge": np.greater_equal,
               "le": np.less_equal, "eq": np.equal, "ne": np.not_equal}
        return ops[words[0]](v[0], v[1]).astype(float)
    if name == "sae.matmul":
        return v[0] @ v[1]
    if name == "sae.transpose":
        return v[0].T
    if name in ("sae.topk", "sae.topk_abs", "sae.batchtopk"):
        return v[0] * selection(v[0], op.attr("k"), name[4:])
    if name == "sae.select_mask":
        among = v[1] if len(v) > 1 else None
        return selection(v[0], op.attr("k"), words[0], among)
    if name == "sae.jumprelu":
        return v[0] * (v[0] > v[1])
    if name == "sae.step":
        return (v[0] > v[1]).astype(float)
    if name == "sae.reduce":
        return reduce(words[0], v[0], axis)
    if name == "sae.normalize":
        return normalize(v[0], axis)
    if name == "sae.cos":
        return normalize(v[0], 1) @ normalize(v[1], 1).T
    if name == "sae.dist":
        return np.sqrt(np.sum((v[0][:, None, :] - v[1][None, :, :]) ** 2, -1))
    if name == "sae.select_modality":
        return np.where(image[:, None], v[0], v[1])
    if name == "sae.filter":
        return v[0][image if words[0] == "image" else ~image]
    if name == "sae.unfilter":
        rows = image if words[0] == "image" else ~image
        out = np.zeros((ROWS,) + v[0].shape[1:])
        out[rows] = v[0]
        return out
    if name == "sae.slice":
        out = v[0][slices(op, v[0].shape)]
        squeeze = op.attr("squeeze")
        return np.squeeze(out, axis=tuple(squeeze)) if squeeze else out
    if name == "sae.pad":
        shape = [ROWS if d is None else d for d in op.result_shape()]
        out = np.zeros(shape)
        part = v[0]
        for a in op.attr("squeeze") or []:
            part = np.expand_dims(part, a)
        out[slices(op, shape)] = part
        return out
    if name == "sae.mse":
        return mse(v[0], v[1])
    if name == "sae.l1":
        w = v[1] if len(v) > 1 else 1.0
        return np.sum(np.abs(v[0]) * w) / (v[0].size / v[0].shape[-1])
    if name == "sae.auxk":
        r, pre, dec = v[0], v[1], v[2]
        if len(v) < 4 or not np.any(v[3]):
            return np.array(0.0)
        mask = selection(pre, op.attr("k"), "topk", v[3])
        return mse((pre * mask) @ dec, r)
    if name == "sae.size":
        return np.array(float(v[0].size if axis is None
                              else v[0].shape[axis]))
    if name == "sae.broadcast":
        x = v[0] if axis is None else np.expand_dims(v[0], axis)
        return np.broadcast_to(x, v[1].shape).copy()
    if name == "sae.unbroadcast":
        shape = op.result_shape()
        return unbroadcast(v[0], shape)
    if name == "sae.div_no_nan":
        return np.divide(v[0], v[1], out=np.zeros_like(v[0]),
                         where=v[1] != 0)
    if name == "sae.project_tangent":
        g, w = v
        u = normalize(w, axis)
        return g - u * np.sum(g * u, axis=axis, keepdims=True)
    if name == "sae.adam_update":
        p, g, m, s, lr, bc1, bc2 = v
        b1, b2 = op.attr("beta1", float), op.attr("beta2", float)
        eps, wd = op.attr("eps", float), op.attr("weight_decay", float)
        m1 = b1 * m + (1 - b1) * g
        s1 = b2 * s + (1 - b2) * g * g
        p1 = p - lr * (m1 / bc1) / (np.sqrt(s1 / bc2) + eps) - lr * wd * p
        return p1, m1, s1
    raise NotImplementedError(f"no numpy semantics for {name}")


def run(func, args, image, wanted=None, frozen=None):
    """The returned values of `func` (or those at indices `wanted`); the
    values named in `frozen` are taken as given, not computed."""
    env = {a[0]: value for a, value in zip(func.args, args)}
    env.update(frozen or {})
    returned = func.returned if wanted is None else [
        func.returned[i] for i in wanted]
    needed = set(returned)
    live = []
    for op in reversed(func.ops):
        if needed.intersection(op.results) and op.results[0] not in env:
            needed.update(op.operands)
            live.append(op)
    for op in reversed(live):
        out = evaluate(op, [env[o] for o in op.operands], image)
        outs = out if len(op.results) > 1 else (out,)
        for result, value in zip(op.results, outs):
            env[result] = np.asarray(value, dtype=float)
    return [env[r] for r in returned]


def targets(func, args, image):
    """The values AuxK reads as its target (the residual), which no gradient
    flows into: finite differences must hold them fixed too."""
    names = [op.operands[0] for op in func.ops if op.name == "sae.auxk"]
    if not names:
        return {}
    probe = Func(func.name, "")
    probe.args, probe.ops, probe.returned = func.args, func.ops, names
    return dict(zip(names, run(probe, args, image)))


# --------------------------------------------------------------------------
# Pseudo-gradients: reference formulas from the papers
# --------------------------------------------------------------------------

def jumprelu_theta(func, values, image, loss_weight):
    """Rajamanoharan et al. 2024, eq. 11-12, for jumprelu.sae:
    dL/dθ = Σ_b [−(θ/ε) K((pre−θ)/ε) ∂L/∂z − λ/B (1/ε) K((pre−θ)/ε)]."""
    x = values["x"]
    b_dec, W_enc, b_enc = values["b_dec"], values["W_enc"], values["b_enc"]
    W_dec, theta = values["W_dec"], values["theta"]
    eps = float(re.search(r"bandwidth = ([-\d.e+]+)",
                          " ".join(op.body for op in func.ops)).group(1))
    pre = (x - b_dec) @ W_enc + b_enc
    z = pre * (pre > theta)
    xhat = z @ W_dec + b_dec
    dz = 2 * (xhat - x) / xhat.size @ W_dec.T
    kernel = (np.abs((pre - theta) / eps) < 0.5).astype(float)
    jump = np.sum(-(theta / eps) * kernel * dz, axis=0)
    step = np.sum(-(1 / eps) * kernel, axis=0) * loss_weight / x.shape[0]
    return jump + step


PSEUDO_REFERENCES = {"jumprelu": jumprelu_theta}


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

def random_arguments(func, rng, positive):
    args = []
    for _, shape, kind, name in func.args:
        shape = [ROWS if d is None else d for d in shape]
        if kind == "sae.state" and name == "dead_mask":
            value = (rng.random(shape) < 0.5).astype(float)
        elif kind == "sae.state" and name.startswith("adam.v."):
            value = rng.random(shape)
        elif kind == "sae.scalar":
            value = np.array({"lr": 1e-2, "bias_correction1": 0.19,
                              "bias_correction2": 0.0199}[name])
        else:
            value = rng.normal(0, 0.7, shape)
            if name in positive:
                value = np.abs(value) + 0.5
        args.append(value)
    return args


def close(actual, expected, what, rtol=1e-5, atol=1e-7):
    scale = max(1.0, float(np.max(np.abs(expected))))
    error = float(np.max(np.abs(actual - expected))) if actual.size else 0.0
    if actual.shape != expected.shape or error > atol + rtol * scale:
        print(f"MISMATCH {what}: max error {error:.3g} (scale {scale:.3g})")
        print("  got     ", np.round(actual.ravel()[:8], 6))
        print("  expected", np.round(expected.ravel()[:8], 6))
        sys.exit(1)


def nonzero(value, what):
    """A check against an all-zero reference would prove nothing."""
    if not np.any(value):
        print(f"VACUOUS {what}: it is zero at the test point")
        sys.exit(1)


def check_grad(func, rng, options, image):
    args = random_arguments(func, rng, options.positive)
    results = run(func, args, image)
    for op in func.ops:
        if op.name == "sae.auxk":
            probe = Func(func.name, "")
            probe.args, probe.ops, probe.returned = (func.args, func.ops,
                                                     op.results)
            nonzero(run(probe, args, image)[0], f"@{func.name} AuxK loss")
    loss_at = func.result_index("sae.output", "loss")
    names = {a[3]: i for i, a in enumerate(func.args)}
    values = {a[3]: args[i] for i, a in enumerate(func.args)}
    model = func.attrs["sae.model"]
    for index, (kind, name) in enumerate(func.results):
        if kind != "sae.grad":
            continue
        gradient = results[index]
        if name in options.pseudo:
            reference = PSEUDO_REFERENCES[model](func, values, image,
                                                 options.loss_weight)
            nonzero(reference, f"@{func.name} pseudo-gradient {name}")
            close(gradient, reference, f"@{func.name} pseudo-gradient {name}")
            print(f"@{func.name}: {name} matches the paper's pseudo-gradient")
            continue
        param = args[names[name]]
        fixed = targets(func, args, image)
        numeric = np.zeros_like(param)
        h = 1e-6
        for i in np.ndindex(param.shape):
            saved = param[i]
            param[i] = saved + h
            up = run(func, args, image, [loss_at], fixed)[0]
            param[i] = saved - h
            down = run(func, args, image, [loss_at], fixed)[0]
            param[i] = saved
            numeric[i] = (up - down) / (2 * h)
        nonzero(numeric, f"@{func.name} gradient of {name}")
        close(gradient, numeric, f"@{func.name} gradient of {name}",
              rtol=1e-5, atol=1e-6)
        print(f"@{func.name}: gradient of {name} matches finite differences")


def check_train_step(step, grad, constraints, rng, options, image):
    args = random_arguments(step, rng, options.positive)
    results = run(step, args, image)
    by_name = {(a[2], a[3]): args[i] for i, a in enumerate(step.args)}
    grad_args = [args[i] for i in range(len(grad.args))]
    grads = run(grad, grad_args, image)
    config = {}
    for op in step.ops:
        if op.name == "sae.adam_update":
            config = {k: op.attr(k, float)
                      for k in ("beta1", "beta2", "eps", "weight_decay")}
    lr = by_name[("sae.scalar", "lr")]
    bc1 = by_name[("sae.scalar", "bias_correction1")]
    bc2 = by_name[("sae.scalar", "bias_correction2")]
    for index, (kind, name) in enumerate(grad.results):
        if kind != "sae.grad":
            continue
        p = by_name[("sae.param", name)]
        g = grads[index]
        m = by_name[("sae.state", f"adam.m.{name}")]
        v = by_name[("sae.state", f"adam.v.{name}")]
        axis = {"unit_rows": 1, "unit_cols": 0}.get(constraints.get(name))
        if axis is not None:
            w = p / np.linalg.norm(p, axis=axis, keepdims=True)
            g = g - w * np.sum(g * w, axis=axis, keepdims=True)
        b1, b2 = config["beta1"], config["beta2"]
        m1 = b1 * m + (1 - b1) * g
        v1 = b2 * v + (1 - b2) * g ** 2
        p1 = p * (1 - lr * config["weight_decay"]) - lr * (m1 / bc1) / (
            np.sqrt(v1 / bc2) + config["eps"])
        if axis is not None:
            p1 = p1 / np.linalg.norm(p1, axis=axis, keepdims=True)
        close(results[step.result_index("sae.param_out", name)], p1,
              f"@{step.name} updated {name}")
        close(results[step.result_index("sae.state_out", f"adam.m.{name}")],
              m1, f"@{step.name} moment m of {name}")
        close(results[step.result_index("sae.state_out", f"adam.v.{name}")],
              v1, f"@{step.name} moment v of {name}")
        print(f"@{step.name}: {name} takes the reference AdamW step"
              + (f" on the unit sphere ({constraints[name]})"
                 if axis is not None else ""))
    for index, (kind, name) in enumerate(grad.results):
        if kind == "sae.output":
            close(results[step.result_index(kind, name)], grads[index],
                  f"@{step.name} output {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", help="pipeline output ('-': stdin)")
    parser.add_argument("--positive", nargs="*", default=[],
                        help="parameters drawn positive (log, sqrt)")
    parser.add_argument("--pseudo", nargs="*", default=[],
                        help="parameters with a pseudo-gradient")
    parser.add_argument("--loss-weight", type=float, default=0.0,
                        help="the weight of the L0 term, for --pseudo")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()

    text = sys.stdin.read() if options.file == "-" else open(options.file).read()
    funcs, constraints = parse_module(text)
    rng = np.random.default_rng(options.seed)
    image = np.arange(ROWS) % 2 == 0
    grads = [f for f in funcs.values() if f.attrs.get("sae.entry") == "grad"]
    if not grads:
        print("no gradient function found")
        return 1
    for func in grads:
        check_grad(func, rng, options, image)
        step = funcs.get(func.attrs["sae.model"] + ".train_step")
        if step:
            check_train_step(step, func, constraints, rng, options, image)
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
