"""Calls the C++ that prismc emits for a .sae model from Python, for the
integration tests: compiles the model (prismc -emit=cpp -layout), builds the
kernels into a shared object with the host compiler, reads the buffer table
and keeps one NumPy array per buffer, which the entry points read and write in
place.

    prog = Program.build("topk.sae", workdir, real="double", prismc=PATH)
    prog.set_batch(16)
    prog.set("x", x); prog.set("W_enc", W_enc); ...
    prog.run("grad")                      # dims[0] = the batch
    prog["grad.W_enc"]                    # the result, a NumPy array
    prog.run("train_step", lr=1e-3, bias_correction1=..., bias_correction2=...)

Every buffer is `real` (float or double, the -DPRISM_REAL the kernels were
built with). The layout's -1 dimensions are the batch."""
import ctypes
import json
import os
import shutil
import subprocess

import numpy as np

OPENBLAS_INCLUDE = "/usr/include/x86_64-linux-gnu/openblas-pthread"


class Program:
    def __init__(self, lib_path, layout, real):
        self.real = real
        self.dtype = np.float64 if real == "double" else np.float32
        self.layout = layout
        self.lib = ctypes.CDLL(lib_path)
        self.names = [b["name"] for b in layout["buffers"]]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.entries = {e["name"]: e for e in layout["entries"]}
        self.batch = None
        self.buffers = {}

    @staticmethod
    def build(sae_path, workdir, real="double", prismc="prismc", model=None,
              cxx="c++"):
        """Compiles `sae_path` into `workdir` (made if missing); the files are
        named after the model file and the precision. A library newer than
        the model file and prismc is reused (a test's runs share it)."""
        os.makedirs(workdir, exist_ok=True)
        stem = os.path.splitext(os.path.basename(sae_path))[0] + "." + real
        cpp = os.path.join(workdir, stem + ".cpp")
        layout_path = os.path.join(workdir, stem + ".json")
        lib = os.path.join(workdir, stem + ".so")
        if (os.path.exists(lib) and os.path.exists(layout_path)
                and os.path.getmtime(lib) > max(
                    os.path.getmtime(sae_path),
                    os.path.getmtime(shutil.which(prismc) or prismc))):
            with open(layout_path) as f:
                return Program(os.path.abspath(lib), json.load(f), real)
        cmd = [prismc, sae_path, "-emit=cpp", "-layout=" + layout_path,
               "-o", cpp]
        if model:
            cmd.append("-model=" + model)
        subprocess.run(cmd, check=True)
        cmd = [cxx, "-std=c++17", "-O2", "-fopenmp", "-fPIC", "-shared",
               "-I" + OPENBLAS_INCLUDE, cpp, "-o", lib, "-lopenblas"]
        if real == "double":
            cmd.insert(1, "-DPRISM_REAL=double")
        subprocess.run(cmd, check=True)
        with open(layout_path) as f:
            layout = json.load(f)
        return Program(os.path.abspath(lib), layout, real)

    def shape(self, name, batch=None):
        spec = self.layout["buffers"][self.index[name]]["shape"]
        batch = self.batch if batch is None else batch
        return tuple(batch if s == -1 else s for s in spec)

    def param_names(self):
        return [b["name"] for b in self.layout["buffers"]
                if b["role"] == "Parameter"]

    def set_batch(self, batch):
        """(Re)allocates every buffer, zeroed, for `batch` rows."""
        self.batch = batch
        self.buffers = {name: np.zeros(self.shape(name), self.dtype)
                        for name in self.names}

    def __getitem__(self, name):
        return self.buffers[name]

    def set(self, name, value):
        value = np.asarray(value)
        buf = self.buffers[name]
        if value.shape != buf.shape:
            raise ValueError(f"{name}: shape {value.shape}, the layout says "
                             f"{buf.shape}")
        buf[...] = value

    def run(self, entry, **scalars):
        """Calls prism_<entry> on the buffers; the scalars by name, in the
        order the layout lists them. Raises if the entry returns non-zero."""
        e = self.entries[entry]
        if sorted(scalars) != sorted(e["scalars"]):
            raise ValueError(f"{entry} takes scalars {e['scalars']}, given "
                             f"{sorted(scalars)}")
        for name in self.names:
            buf = self.buffers[name]
            assert buf.dtype == self.dtype and buf.flags.c_contiguous
            assert buf.shape == self.shape(name), name
        pointers = (ctypes.c_void_p * len(self.names))(
            *[self.buffers[n].ctypes.data_as(ctypes.c_void_p)
              for n in self.names])
        dims = (ctypes.c_int64 * 1)(self.batch)
        values = (ctypes.c_float * max(1, len(e["scalars"])))(
            *[scalars[s] for s in e["scalars"]])
        rc = getattr(self.lib, e["symbol"])(pointers, dims, values)
        if rc != 0:
            raise RuntimeError(f"{e['symbol']} returned {rc}")

    @staticmethod
    def set_threads(count):
        """The OpenMP threads of the kernels called from this thread after
        (omp_set_num_threads in the libgomp the kernels link)."""
        ctypes.CDLL("libgomp.so.1").omp_set_num_threads(int(count))

    def reads(self, entry):
        return [self.names[i] for i in self.entries[entry]["reads"]]

    def writes(self, entry):
        return [self.names[i] for i in self.entries[entry]["writes"]]


def bias_corrections(beta1, beta2, t):
    """The scalars the runtime passes to train_step at step t (from 1), as
    runtime/src/train/Trainer.cpp computes them: 1 - beta^t in double, then
    rounded to float."""
    return {"bias_correction1": float(np.float32(1.0 - beta1 ** t)),
            "bias_correction2": float(np.float32(1.0 - beta2 ** t))}


def unit_rows(w):
    return w / np.linalg.norm(w, axis=1, keepdims=True)


def sample_indices(shape, count, rng):
    """Flat indices of `count` distinct elements of an array of `shape` (all
    of them when it has no more)."""
    size = int(np.prod(shape))
    if size <= count:
        return np.arange(size)
    return np.sort(rng.choice(size, count, replace=False))
