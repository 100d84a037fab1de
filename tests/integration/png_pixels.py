#!/usr/bin/env python3
"""Describes a PNG (8-bit RGB or RGBA, not interlaced: what Chromium's screenshots are) with the
standard library only, for tests.

  png_pixels.py FILE [#rrggbb ...]   prints {"width": W, "height": H, "distinct": N,
                                     "counts": {"#rrggbb": pixels of exactly that colour}}

Exit status 1 with a message on stderr when the file is not such a PNG.
"""
import json
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def pixels(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, colour))
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    previous, rows = bytearray(stride), []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, rows


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        width, height, bpp, rows = pixels(sys.argv[1])
    except (OSError, ValueError, TypeError, struct.error, zlib.error) as e:
        print("png_pixels: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    histogram = {}
    for line in rows:
        for i in range(0, len(line), bpp):
            rgb = line[i:i + 3]
            histogram[rgb] = histogram.get(rgb, 0) + 1
    wanted = {c.lower(): bytes.fromhex(c.lstrip("#")) for c in sys.argv[2:]}
    json.dump({"width": width, "height": height, "distinct": len(histogram),
               "counts": {c: histogram.get(rgb, 0) for c, rgb in wanted.items()}}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
