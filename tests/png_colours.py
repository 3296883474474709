#!/usr/bin/env python3
"""tests/png_colours.py - count the colours of a PNG (8-bit RGB or RGBA,
not interlaced, as rsvg-convert writes them), for tests/test_map.sh.

    png_colours.py FILE [X0 Y0 X1 Y1]

prints "#rrggbb count" per colour of the pixels in [X0, X1) x [Y0, Y1)
(the whole image by default), most frequent first, after a line
"size WIDTH HEIGHT".  Only the standard library: zlib and struct.
"""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("png_colours: not a PNG: " + path)
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit("png_colours: unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    width, height, bpp, rows = read_png(sys.argv[1])
    x0, y0, x1, y1 = 0, 0, width, height
    if len(sys.argv) == 6:
        x0, y0, x1, y1 = (int(v) for v in sys.argv[2:6])
    counts = {}
    for y in range(max(y0, 0), min(y1, height)):
        line = rows[y]
        for x in range(max(x0, 0), min(x1, width)):
            px = bytes(line[x * bpp:x * bpp + 3])
            counts[px] = counts.get(px, 0) + 1
    print("size %d %d" % (width, height))
    for px, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print("#%02x%02x%02x %d" % (px[0], px[1], px[2], n))


main()
