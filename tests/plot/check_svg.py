#!/usr/bin/env python3
"""Parses SVG files with a real XML parser and checks the text they show.

  check_svg.py FILE.svg [TEXT ...]   every TEXT must be the content of a <text> or <title> element
"""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def main():
    path, expected = sys.argv[1], sys.argv[2:]
    root = ET.parse(path).getroot()  # raises on malformed XML
    if root.tag != SVG + "svg":
        sys.exit(f"{path}: root element is {root.tag}, not svg")
    for attr in ("width", "height", "viewBox"):
        if attr not in root.attrib:
            sys.exit(f"{path}: <svg> has no {attr}")
    texts = {(e.text or "") for e in root.iter() if e.tag in (SVG + "text", SVG + "title")}
    missing = [t for t in expected if t not in texts]
    if missing:
        sys.exit(f"{path}: no text element reads {missing}")
    print(f"{path}: well-formed SVG with {sum(1 for _ in root.iter())} elements")


if __name__ == "__main__":
    main()
