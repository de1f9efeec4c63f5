#!/usr/bin/env python3
"""Draws idbridge's icons (8-bit RGBA PNGs; 16-bit ones render as noise as window icons).

Tray states differ in shape as well as colour, so they read in greyscale and for colour-blind people:
  signed-out  hollow outline, the two rings apart (not connected)
  ok          filled square, the rings joined (the app icon)
  expiring    filled square, a clock badge (renewal failing, credentials still valid)
  error       filled square, a warning triangle badge with "!" (only you can fix it / nothing works)
symbolic/ holds the same shapes in white with a dark outline, for panels that use monochrome icons;
template/ the same shapes in black for the macOS menu bar (template images). icon.ico and icon.icns
are the app icon for Windows and macOS.
Run: python3 icons/make_icons.py (needs Pillow).
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
S = 256  # drawn at 4x, scaled down for smooth edges
COLOURS = {"signed-out": (0x78, 0x90, 0x9c), "ok": (0x2e, 0x7d, 0x32), "expiring": (0xef, 0x8f, 0x00),
           "error": (0xc6, 0x28, 0x28)}
WHITE = (255, 255, 255, 255)


def glyph(d, colour, joined=True, box=(0, 0, S, S)):
    x0, y0, x1, y1 = box
    w = x1 - x0
    cy = y0 + (y1 - y0) // 2
    r, t = w * 0.16, w * 0.075
    for cx in (x0 + w * 0.30, x0 + w * 0.70):
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=int(t))
    if joined:
        d.rectangle((x0 + w * 0.30 + r, cy - t / 2, x0 + w * 0.70 - r, cy + t / 2), fill=colour)


def clock_badge(d, fill, line):
    c, r = S * 0.76, S * 0.22
    d.ellipse((c - r - 10, c - r - 10, c + r + 10, c + r + 10), fill=line)
    d.ellipse((c - r, c - r, c + r, c + r), fill=fill)
    d.line((c, c, c, c - r * 0.65), fill=line, width=14)
    d.line((c, c, c + r * 0.5, c), fill=line, width=14)


def warning_badge(d, fill, line):
    cx, top, bottom, half = S * 0.76, S * 0.50, S * 0.98, S * 0.25
    d.polygon([(cx, top - 16), (cx + half + 18, bottom + 8), (cx - half - 18, bottom + 8)], fill=line)
    d.polygon([(cx, top), (cx + half, bottom - 4), (cx - half, bottom - 4)], fill=fill)
    d.rectangle((cx - 8, top + 40, cx + 8, bottom - 50), fill=line)
    d.ellipse((cx - 10, bottom - 38, cx + 10, bottom - 18), fill=line)


def tray(state, symbolic=False, halo=True):
    img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    colour = WHITE if symbolic else COLOURS[state] + (255,)
    ink = (0, 0, 0, 0) if symbolic else WHITE
    pad, radius = 12, 52
    square = (pad, pad, S - pad, S - pad)
    if state == "signed-out":
        d.rounded_rectangle(square, radius, outline=colour, width=22)
        glyph(d, colour, joined=False)
    elif symbolic:
        # a filled white square with the glyph cut out
        d.rounded_rectangle(square, radius, fill=colour)
        glyph(d, (0, 0, 0, 0))
    else:
        d.rounded_rectangle(square, radius, fill=colour)
        glyph(d, ink)
    if state in ("expiring", "error"):
        badge_fill = WHITE if symbolic else COLOURS[state] + (255,)
        line = (0x20, 0x20, 0x20, 255) if symbolic else WHITE
        # clear the corner so the badge reads as its own shape
        d.ellipse((S * 0.50, S * 0.50, S * 1.02, S * 1.02), fill=(0, 0, 0, 0))
        (clock_badge if state == "expiring" else warning_badge)(d, badge_fill if not symbolic else (0, 0, 0, 0), line if not symbolic else WHITE)
    if symbolic and halo:
        # a dark halo keeps the white shapes readable on light panels too
        alpha = img.getchannel("A")
        halo = Image.new("RGBA", img.size, (0x20, 0x20, 0x20, 0))
        halo.putalpha(alpha.filter(ImageFilter.MaxFilter(9)).point(lambda a: min(255, a) * 0.8))
        img = Image.alpha_composite(halo, img)
    return img.resize((64, 64), Image.LANCZOS)


def app_icon(size):
    img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((8, 8, S - 8, S - 8), 56, fill=COLOURS["ok"] + (255,))
    glyph(d, WHITE)
    return img.resize((size, size), Image.LANCZOS)


def template(state):
    """macOS menu-bar template: the symbolic shapes in black; the system colours them for light and
    dark menu bars, so no halo."""
    img = tray(state, symbolic=True, halo=False)
    black = Image.new("RGBA", img.size, (0, 0, 0, 255))
    black.putalpha(img.getchannel("A"))
    return black


def save(img, path):
    img.convert("RGBA").save(path, optimize=True)  # Pillow writes 8 bits per channel


if __name__ == "__main__":
    for state in COLOURS:
        save(tray(state), HERE / f"tray-{state}.png")
        save(tray(state, symbolic=True), HERE / "symbolic" / f"tray-{state}.png")
        save(template(state), HERE / "template" / f"tray-{state}.png")
    for size, name in ((32, "32x32.png"), (128, "128x128.png"), (256, "icon.png")):
        save(app_icon(size), HERE / name)
    # Windows (the .exe's resource and the installer) and macOS (the .app bundle)
    sizes = [16, 24, 32, 48, 64, 128, 256]
    app_icon(256).save(HERE / "icon.ico", sizes=[(s, s) for s in sizes])
    app_icon(1024).save(HERE / "icon.icns")
