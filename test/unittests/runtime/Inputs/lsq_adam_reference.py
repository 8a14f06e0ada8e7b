"""Reference for TrainCommandTest: full-batch Adam on the least-squares model
of LsqKernel.c, in float64, with the learning rate and bias corrections
rounded to float32 as the runtime passes them; and NumPy's least-squares
solution of the same problem.

usage: lsq_adam_reference.py DATA.npy P STEPS LR SCHEDULE WARMUP MIN_LR
prints: "adam" and the final W (P x Q, row-major), then "lstsq" and its W,
then "loss" and the loss before each step.
"""
import math
import sys

import numpy as np

data = np.load(sys.argv[1]).astype(np.float64)
p = int(sys.argv[2])
steps, lr, schedule = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
warmup, min_lr = int(sys.argv[6]), float(sys.argv[7])
a, t = data[:, :p], data[:, p:]
rows, q = t.shape
beta1, beta2, eps = 0.9, 0.999, 1e-8


def rate(step):
    if warmup > 0 and step <= warmup:
        return lr * step / warmup
    if schedule == "constant" or steps <= warmup:
        return lr
    progress = min((step - warmup) / (steps - warmup), 1.0)
    if schedule == "linear":
        return lr * (1 - progress)
    return min_lr + (lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


f32 = lambda x: float(np.float32(x))
W = np.zeros((p, q))
m = np.zeros_like(W)
v = np.zeros_like(W)
losses = []
for step in range(1, steps + 1):
    residual = a @ W - t
    losses.append((residual ** 2).mean())
    g = 2.0 * a.T @ residual / (rows * q)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    bc1, bc2 = f32(1 - beta1 ** step), f32(1 - beta2 ** step)
    W -= f32(rate(step)) * (m / bc1) / (np.sqrt(v / bc2) + eps)

print("adam")
for value in W.ravel():
    print(repr(float(value)))
print("lstsq")
for value in np.linalg.lstsq(a, t, rcond=None)[0].ravel():
    print(repr(float(value)))
print("loss")
for value in losses:
    print(repr(float(value)))
