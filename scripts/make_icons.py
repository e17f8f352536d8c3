#!/usr/bin/env python3
"""Draws the app icons (public/icons/*.png) with the standard library only.

An indigo square with a white "A" built from three strokes. The maskable variant keeps the
glyph inside the central 60% safe zone and fills the whole canvas with the background.
"""
import struct
import zlib
from pathlib import Path

BG = (79, 70, 229)
FG = (255, 255, 255)


def inside_stroke(px, py, ax, ay, bx, by, half_width):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    cx, cy = ax + t * dx, ay + t * dy
    return (px - cx) ** 2 + (py - cy) ** 2 <= half_width ** 2


def draw(size, glyph_scale, rounded):
    s = size
    g = glyph_scale * s
    top, bottom = (s - g) / 2, (s + g) / 2
    left, right, mid = (s - g * 0.8) / 2, (s + g * 0.8) / 2, s / 2
    w = g * 0.08
    strokes = [
        (left, bottom, mid, top),
        (mid, top, right, bottom),
        (left + g * 0.2, top + g * 0.62, right - g * 0.2, top + g * 0.62),
    ]
    radius = s * 0.2 if rounded else 0
    rows = []
    for y in range(s):
        row = bytearray([0])
        for x in range(s):
            px, py = x + 0.5, y + 0.5
            alpha = 255
            if radius:
                cx = min(max(px, radius), s - radius)
                cy = min(max(py, radius), s - radius)
                if (px - cx) ** 2 + (py - cy) ** 2 > radius ** 2:
                    alpha = 0
            colour = FG if any(inside_stroke(px, py, *st, w) for st in strokes) else BG
            row += bytes(colour) + bytes([alpha])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", s, s, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    (out / "icon-192.png").write_bytes(draw(192, 0.62, True))
    (out / "icon-512.png").write_bytes(draw(512, 0.62, True))
    (out / "maskable-512.png").write_bytes(draw(512, 0.5, False))
    print("icons written to", out)
