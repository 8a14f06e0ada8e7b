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
