"""Reference geometric median for InitTest: Weiszfeld iterations in float64,
from the mean, run far past what the runtime does (tolerance 1e-14, up to
100000 iterations), so the answer is the median itself to ~1e-12.

usage: weiszfeld.py POINTS.npy  -> one coordinate per line (repr)
"""
import sys

import numpy as np

points = np.load(sys.argv[1]).astype(np.float64)
median = points.mean(axis=0)
for _ in range(100000):
    distance = np.maximum(np.linalg.norm(points - median, axis=1), 1e-10)
    weights = 1.0 / distance
    nxt = (weights[:, None] * points).sum(axis=0) / weights.sum()
    step = np.linalg.norm(nxt - median)
    median = nxt
    if step <= 1e-14 * max(1.0, np.linalg.norm(median)):
        break
for value in median:
    print(repr(float(value)))
