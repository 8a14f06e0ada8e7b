"""The encode and reconstruct entry points of a compiled model against its
forward, in float64: encode's z must equal forward's z exactly (the same
selection), reconstruct(z) forward's xhat within rounding (a dense product
where forward gathers k rows).

Usage: check_codec.py MODEL.sae WORKDIR PRISMC"""
import sys

import numpy as np

from prism_ctypes import Program

sae, workdir, prismc = sys.argv[1:4]
prog = Program.build(sae, workdir, real="double", prismc=prismc)
print("encode reads:", " ".join(prog.reads("encode")))
print("reconstruct reads:", " ".join(prog.reads("reconstruct")))
rng = np.random.default_rng(5)
B = 37
prog.set_batch(B)
d, n = prog.shape("W_enc")
params = {"b_dec": rng.standard_normal(d) * 0.1,
          "W_enc": rng.standard_normal((d, n)) / np.sqrt(d),
          "b_enc": rng.standard_normal(n) * 0.1,
          "W_dec": rng.standard_normal((n, d))}
for name, value in params.items():
    prog.set(name, value)
prog.set("x", rng.standard_normal((B, d)))
prog.run("forward")
z, xhat = prog["z"].copy(), prog["xhat"].copy()
prog["z"][...] = 0
prog.run("encode")
same = np.array_equal(prog["z"], z)
print(f"encode z equals forward z: {'ok' if same else 'MISMATCH'}")
prog["xhat"][...] = 0
prog.set("z", z)
prog.run("reconstruct")
err = np.abs(prog["xhat"] - xhat).max() / np.abs(xhat).max()
print(f"reconstruct(z) vs forward xhat: max relative error {err:.1e} "
      f"{'ok' if err <= 1e-13 else 'MISMATCH'}")
sys.exit(0 if same and err <= 1e-13 else 1)
