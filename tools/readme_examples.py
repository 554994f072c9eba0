#!/usr/bin/env python3
"""Writes every ```cpp block of README.md to <out>/readme_example_<n>.cpp, so the tests can build
and run each one (the README's examples must compile). Usage: readme_examples.py README.md OUT

HTML comments on the lines right above a block (invisible in the rendered README) say how the
tests run it: `<!-- run: ARGS -->` gives its command-line arguments (paths relative to the
repository root), written to readme_example_<n>.args; `<!-- expect: REGEX -->` a regular
expression its output must match, written to readme_example_<n>.expect."""
import pathlib
import re
import sys

readme, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for old in out.glob("readme_example_*"):
    old.unlink()
blocks = re.findall(r"((?:^<!-- \w+: .*? -->\n)*)^```cpp\n(.*?)^```",
                    readme.read_text(encoding="utf-8"), re.S | re.M)
for n, (notes, block) in enumerate(blocks, 1):
    path = out / f"readme_example_{n}.cpp"
    path.write_text(f"// Block {n} of README.md, extracted by tools/readme_examples.py.\n{block}",
                    encoding="utf-8")
    for key, value in re.findall(r"^<!-- (\w+): (.*?) -->$", notes, re.M):
        if key not in ("run", "expect"):
            sys.exit(f"README block {n}: unknown note '{key}' (run and expect are known)")
        (out / f"readme_example_{n}.{'args' if key == 'run' else key}").write_text(
            value, encoding="utf-8")
print(len(blocks))
