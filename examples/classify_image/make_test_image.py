#!/usr/bin/env python3
"""Writes test_image.png (96x64 RGB, a synthetic scene: sky gradient, sun, green ground) with the
standard library only (zlib + struct), so the example ships an image with no licence question."""
import os
import struct
import zlib

W, H = 96, 64
rows = []
for y in range(H):
    row = bytearray([0])  # PNG filter type 0 for the row
    for x in range(W):
        if y > 40:  # ground
            r, g, b = 40, 120 + (x * 3) % 40, 30
        elif (x - 70) ** 2 + (y - 14) ** 2 < 81:  # sun
            r, g, b = 250, 220, 60
        else:  # sky, lighter towards the horizon
            r, g, b = 90 + 3 * y, 140 + 2 * y, 235
        row += bytes((min(r, 255), min(g, 255), min(b, 255)))
    rows.append(bytes(row))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_image.png")
with open(out, "wb") as f:
    f.write(png)
print("wrote", out)
