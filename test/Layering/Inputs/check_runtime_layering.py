"""The runtime and the `prism` tool must never depend on MLIR or LLVM: no such
#include in their sources, no such include path when they are compiled, no
such library in what `prism` loads. Prints each violation; exits 1 if any."""

import json
import os
import re
import subprocess
import sys

src, obj = sys.argv[1], sys.argv[2]
problems = []
checked = {"sources": 0, "compiles": 0}

include = re.compile(r'^\s*#\s*include\s*[<"](mlir|llvm|llvm-c)/', re.M)
for top in ("runtime", "tools/prism"):
    for root, _, files in os.walk(os.path.join(src, top)):
        for name in files:
            path = os.path.join(root, name)
            with open(path, errors="replace") as f:
                text = f.read()
            checked["sources"] += 1
            for match in include.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{os.path.relpath(path, src)}:{line}: includes an {match.group(1)} header")

with open(os.path.join(obj, "compile_commands.json")) as f:
    for entry in json.load(f):
        rel = os.path.relpath(entry["file"], src)
        if not (rel.startswith("runtime/") or rel.startswith("tools/prism/")):
            continue
        checked["compiles"] += 1
        command = entry.get("command") or " ".join(entry.get("arguments", []))
        for flag in re.findall(r"-(?:I|isystem\s*)(\S+)", command):
            if re.search(r"llvm|mlir", flag, re.I):
                problems.append(f"{rel}: compiled with include path {flag}")

binary = os.path.join(obj, "bin", "prism")
needed = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
for line in needed.splitlines():
    if re.search(r"lib(MLIR|LLVM|clang)", line):
        problems.append(f"bin/prism loads {line.strip()}")

for problem in problems:
    print("error:", problem)
print(f"checked {checked['sources']} sources, {checked['compiles']} compile commands, bin/prism libraries: {len(problems)} problems")
sys.exit(1 if problems else 0)
