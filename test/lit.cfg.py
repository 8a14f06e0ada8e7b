# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Prism"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".sae", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.prism_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unittests", "Inputs", "fuzz", "tools"]

llvm_config.use_default_substitutions()

tool_dirs = [os.path.join(config.prism_obj_root, "bin"), config.llvm_tools_dir]
tools = [
    "not",
    "prism-opt",
    "prismc",
    "prism",
    "prism-program-dump",
    ToolSubst("%python", config.python_executable, unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

config.substitutions.append(("%prism_src", config.prism_src_root))
config.substitutions.append(("%prism_obj", config.prism_obj_root))

# report.html is checked in headless Chromium where the machine has it
# (scripts/check-report.sh); elsewhere that test is reported unsupported.
import shutil
if shutil.which("chromium") or shutil.which("chromium-browser"):
    config.available_features.add("chromium")

# The CUDA toolkit compiles the device code of -target=cuda programs (nvcc,
# ptxas) where it is installed; a GPU that answers runs them.
nvcc = os.environ.get("PRISM_NVCC") or shutil.which("nvcc")
if not nvcc and os.access("/usr/local/cuda/bin/nvcc", os.X_OK):
    nvcc = "/usr/local/cuda/bin/nvcc"
if nvcc:
    config.available_features.add("nvcc")
    config.substitutions.append(("%nvcc", nvcc))
    config.environment["PRISM_NVCC"] = nvcc
nvidia_smi = shutil.which("nvidia-smi")
if nvidia_smi:
    import subprocess
    if subprocess.run([nvidia_smi, "-L"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        config.available_features.add("cuda-gpu")
if shutil.which("compute-sanitizer"):
    config.available_features.add("compute-sanitizer")

# The CUDA emulator (test/tools/cuda-emulator): a mock libcuda.so.1 and
# libcublasLt.so.13 in the build tree run a program's kernels, built by
# emulated-nvcc, on the CPU.
emulator_dir = os.path.join(config.prism_obj_root, "test", "cuda-emulator")
if os.path.exists(os.path.join(emulator_dir, "libcuda.so.1")) and \
        os.path.exists(os.path.join(emulator_dir, "libcublasLt.so.13")):
    config.available_features.add("cuda-emulator")
    config.substitutions.append(("%cuda_emulator_libs", emulator_dir))
    config.substitutions.append(
        ("%emulated_nvcc", os.path.join(config.prism_src_root, "test", "tools",
                                        "cuda-emulator", "emulated-nvcc")))
