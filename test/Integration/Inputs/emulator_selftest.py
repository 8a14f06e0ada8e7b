"""The CUDA emulator's own checks, through the mock driver with ctypes.

Usage: emulator_selftest.py LIBDIR IMAGE CASE

LIBDIR holds the mock libcuda.so.1 (test/tools/cuda-emulator); IMAGE is
Inputs/emulator_kernels.cu built by emulated-nvcc. Each CASE prints what it
found; the ones that make the emulator abort (deadlock, read_returned,
overrun) leave its message on stderr."""
import ctypes
import math
import os
import struct
import sys

CU_STREAM_NON_BLOCKING = 1
CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1


class Driver:
    def __init__(self, libdir):
        self.lib = ctypes.CDLL(os.path.join(libdir, "libcuda.so.1"))
        self.call("cuInit", ctypes.c_uint(0))
        device = ctypes.c_int()
        self.call("cuDeviceGet", ctypes.byref(device), ctypes.c_int(0))
        context = ctypes.c_void_p()
        self.call("cuDevicePrimaryCtxRetain", ctypes.byref(context), device)
        self.call("cuCtxSetCurrent", context)
        self.stream = ctypes.c_void_p()
        self.call("cuStreamCreate", ctypes.byref(self.stream),
                  ctypes.c_uint(CU_STREAM_NON_BLOCKING))

    def result(self, name, *args):
        return getattr(self.lib, name)(*args)

    def call(self, name, *args):
        result = self.result(name, *args)
        if result != 0:
            sys.exit(f"{name} failed with CUDA error {result}")

    def load(self, path):
        with open(path, "rb") as f:
            self.image = ctypes.create_string_buffer(f.read())
        self.module = ctypes.c_void_p()
        self.call("cuModuleLoadDataEx", ctypes.byref(self.module), self.image,
                  ctypes.c_uint(0), None, None)

    def function(self, name):
        function = ctypes.c_void_p()
        self.call("cuModuleGetFunction", ctypes.byref(function), self.module,
                  name.encode())
        return function

    def alloc(self, size):
        pointer = ctypes.c_uint64()
        self.call("cuMemAlloc_v2", ctypes.byref(pointer), ctypes.c_size_t(size))
        return pointer

    def send(self, pointer, data):
        self.call("cuMemcpyHtoDAsync_v2", pointer, data,
                  ctypes.c_size_t(len(data)), self.stream)

    def fetch(self, pointer, size, into=None):
        target = into if into is not None else ctypes.create_string_buffer(size)
        self.call("cuMemcpyDtoHAsync_v2", target, pointer, ctypes.c_size_t(size),
                  self.stream)
        return target

    def sync(self):
        self.call("cuStreamSynchronize", self.stream)

    def launch(self, function, grid, block, args):
        params = (ctypes.c_void_p * len(args))(
            *[ctypes.cast(ctypes.byref(a), ctypes.c_void_p) for a in args])
        return self.result("cuLaunchKernel", function, ctypes.c_uint(grid),
                           ctypes.c_uint(1), ctypes.c_uint(1),
                           ctypes.c_uint(block), ctypes.c_uint(1),
                           ctypes.c_uint(1), ctypes.c_uint(0), self.stream,
                           params, None)


def floats(data):
    return struct.unpack(f"{len(data) // 4}f", data)


def case_scan(d):
    n = 100
    values = [(i * 7) % 5 for i in range(n)]
    src, out = d.alloc(4 * n), d.alloc(4 * n)
    d.send(src, struct.pack(f"{n}I", *values))
    scan = d.function("block_scan")
    count = ctypes.c_int(n)
    print("launch:", d.launch(scan, 1, 128, [src, out, count]))
    got = struct.unpack(f"{n}I", d.fetch(out, 4 * n).raw)
    d.sync()
    want = [sum(values[:i]) for i in range(n)]
    print("block_scan", "ok" if list(got) == want else f"wrong: {got}")
    print("beyond __launch_bounds__(128):", d.launch(scan, 1, 256,
                                                     [src, out, count]))


def case_warp(d):
    threads = 128
    src = d.alloc(4 * threads)
    d.send(src, struct.pack(f"{threads}f", *range(threads)))
    sums, ballots, counts = d.alloc(16), d.alloc(16), d.alloc(16)
    d.call("cuLaunchKernel", d.function("warp_ops"), *[ctypes.c_uint(v) for v in
           (2, 1, 1, 64, 1, 1, 0)], d.stream,
           (ctypes.c_void_p * 4)(*[ctypes.cast(ctypes.byref(a), ctypes.c_void_p)
                                   for a in (src, sums, ballots, counts)]),
           None)
    s = floats(d.fetch(sums, 16).raw)
    b = struct.unpack("4I", d.fetch(ballots, 16).raw)
    c = struct.unpack("4I", d.fetch(counts, 16).raw)
    d.sync()
    want = tuple(float(sum(range(32 * w, 32 * w + 32))) for w in range(4))
    print("sums", "ok" if s == want else s)
    print("ballots", " ".join(f"{v:08x}" for v in b))
    print("counts", *c)


def case_graph(d):
    n = 1000
    x = d.alloc(4 * n)
    d.send(x, struct.pack(f"{n}f", *([1.0] * n)))
    d.sync()
    add = d.function("add_value")
    size, value = ctypes.c_int64(n), ctypes.c_float(1.0)
    d.call("cuStreamBeginCapture_v2", d.stream,
           ctypes.c_int(CU_STREAM_CAPTURE_MODE_THREAD_LOCAL))
    print("captured launch:", d.launch(add, 2, 256, [x, size, value]))
    value.value = 100.0  # the graph keeps the value it was captured with
    graph, graph_exec = ctypes.c_void_p(), ctypes.c_void_p()
    d.call("cuStreamEndCapture", d.stream, ctypes.byref(graph))
    d.call("cuGraphInstantiateWithFlags", ctypes.byref(graph_exec), graph,
           ctypes.c_ulonglong(0))
    for _ in range(3):
        d.call("cuGraphLaunch", graph_exec, d.stream)
    got = floats(d.fetch(x, 4 * n).raw)
    d.sync()
    print("after 3 replays:", sorted(set(got)))
    d.call("cuStreamBeginCapture_v2", d.stream,
           ctypes.c_int(CU_STREAM_CAPTURE_MODE_THREAD_LOCAL))
    pointer = ctypes.c_uint64()
    print("cuMemAlloc while capturing:", d.result(
        "cuMemAlloc_v2", ctypes.byref(pointer), ctypes.c_size_t(64)))
    print("cuStreamEndCapture:", d.result("cuStreamEndCapture", d.stream,
                                          ctypes.byref(graph)))


def case_deferred(d):
    # With MOCK_STREAMS=deferred: a fetch into pinned memory lands at the
    # synchronisation, not before.
    n = 4
    x = d.alloc(4 * n)
    d.send(x, struct.pack(f"{n}f", *([2.0] * n)))
    pinned = ctypes.c_void_p()
    d.call("cuMemAllocHost_v2", ctypes.byref(pinned), ctypes.c_size_t(4 * n))
    view = (ctypes.c_float * n).from_address(pinned.value)
    view[0] = -1.0
    d.fetch(x, 4 * n, into=view)
    print("before the synchronisation:", view[0])
    d.sync()
    print("after it:", view[0])


def case_host_pointer(d):
    host = (ctypes.c_float * 16)()
    pointer = ctypes.c_uint64(ctypes.addressof(host))
    print("host pointer argument:", d.launch(
        d.function("add_value"), 1, 32,
        [pointer, ctypes.c_int64(16), ctypes.c_float(1.0)]))


def case_shared(d):
    out = d.alloc(4 * 32)
    d.call("cuLaunchKernel", d.function("shared_unwritten"),
           *[ctypes.c_uint(v) for v in (1, 1, 1, 32, 1, 1, 0)], d.stream,
           (ctypes.c_void_p * 1)(ctypes.cast(ctypes.byref(out),
                                             ctypes.c_void_p)), None)
    got = floats(d.fetch(out, 4 * 32).raw)
    d.sync()
    print("written:", got[0], "unwritten:",
          "nan" if all(math.isnan(v) for v in got[1:]) else got[1:])


def case_missing(d):
    function = ctypes.c_void_p()
    print("cuModuleGetFunction of a missing kernel:", d.result(
        "cuModuleGetFunction", ctypes.byref(function), d.module, b"missing"))
    module = ctypes.c_void_p()
    ptx = ctypes.create_string_buffer(b".version 8.0\n.target sm_90\n")
    print("cuModuleLoadDataEx of PTX text:", d.result(
        "cuModuleLoadDataEx", ctypes.byref(module), ptx, ctypes.c_uint(0),
        None, None))


def case_abort(d, kernel):
    x = d.alloc(4 * 64)
    args = [x] if kernel != "overrun" else [x, ctypes.c_int(64)]
    d.launch(d.function(kernel), 1, 32 if kernel != "deadlock" else 64, args)
    d.sync()
    print("not reached")


def main():
    libdir, image, case = sys.argv[1:4]
    d = Driver(libdir)
    d.load(image)
    cases = {"scan": case_scan, "warp": case_warp, "graph": case_graph,
             "deferred": case_deferred, "host_pointer": case_host_pointer,
             "shared": case_shared, "missing": case_missing}
    if case in cases:
        cases[case](d)
    else:
        case_abort(d, case)


if __name__ == "__main__":
    main()
