#!/usr/bin/env python3
"""Writes every ```cpp block of README.md to <out>/readme_example_<n>.cpp, so the tests can build
and run each one (the README's examples must compile). Usage: readme_examples.py README.md OUT"""
import pathlib
import re
import sys

readme, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for old in out.glob("readme_example_*.cpp"):
    old.unlink()
blocks = re.findall(r"^```cpp\n(.*?)^```", readme.read_text(encoding="utf-8"), re.S | re.M)
for n, block in enumerate(blocks, 1):
    path = out / f"readme_example_{n}.cpp"
    path.write_text(f"// Block {n} of README.md, extracted by tools/readme_examples.py.\n{block}",
                    encoding="utf-8")
print(len(blocks))
