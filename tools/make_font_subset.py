#!/usr/bin/env python3
"""Makes the CJK-capable font embedded in talentsim (assets/fonts/).

Input: Noto Sans CJK SC Regular from Debian's fonts-noto-cjk package (SIL OFL 1.1).
Output: a subset holding printable ASCII, Latin-1, common punctuation and symbols, CJK
punctuation, full-width forms and every character of GB2312 (the 6,763 common hanzi). The horizontal header's ascent and
descent are set so that PNG and SVG charts draw text at the same size.

    apt-get install fonts-noto-cjk && pip install fonttools
    python3 tools/make_font_subset.py
"""
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = "Noto Sans CJK SC"
OUT = Path(__file__).resolve().parent.parent / "assets/fonts/NotoSansCJKsc-Regular-subset.otf"


def gb2312():
    """Yields every character of the GB2312 character set."""
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                yield bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                pass


def main():
    chars = set(chr(c) for c in range(0x20, 0x7F))
    chars |= set(chr(c) for c in range(0xA0, 0x100))
    for lo, hi in [(0x2010, 0x205E), (0x2190, 0x2193), (0x2212, 0x2212), (0x2264, 0x2265),
                   (0x3000, 0x303F), (0xFF00, 0xFFEF)]:
        chars |= set(chr(c) for c in range(lo, hi + 1))
    chars |= set(gb2312())
    collection = TTCollection(SOURCE)
    font = next(f for f in collection if f["name"].getDebugName(4) == FACE)
    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    # plotters sizes text so that (ascent - descent) spans the requested size in PNG
    # charts, and writes font-size = size / 1.24 into SVG charts. Setting the horizontal
    # header's ascent - descent to 1.24 em makes both the same size.
    font["hhea"].ascent = 1000
    font["hhea"].descent = -240
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"{OUT}: {OUT.stat().st_size} bytes, {len(chars)} characters")


if __name__ == "__main__":
    main()
