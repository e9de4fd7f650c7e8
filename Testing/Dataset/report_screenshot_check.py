#!/usr/bin/env python3
"""What a person sees of motion_report.html, from headless Chromium's output: the screenshot is
not blank where the plots and mean images are, and the rendered DOM (after the page's script ran)
has every run's row, in the order a '#sort=' link asks for.

usage: report_screenshot_check.py screenshot.png dom-by-max-fd-desc.html dom-by-run.html runs
"""
import re
import sys
import zlib

import numpy as np


def read_png(path):
    """RGB(A) 8-bit PNG, non-interlaced (what Chromium writes), as an HxWxC uint8 array."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    at, idat = 8, b""
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            depth, colour, interlace = body[8], body[9], body[12]
            assert depth == 8 and colour in (2, 6) and interlace == 0, f"{path}: unexpected PNG format"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int32)
        if f == 0:
            out = line
        elif f == 2:
            out = (line + prev) & 255
        else:  # 1 (sub), 3 (average), 4 (Paeth) depend on the pixel to the left: byte by byte
            out = np.zeros(stride, dtype=np.int32)
            for i in range(stride):
                a = out[i - channels] if i >= channels else 0
                b, c = prev[i], prev[i - channels] if i >= channels else 0
                if f == 1:
                    pred = a
                elif f == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                out[i] = (line[i] + pred) & 255
        rows[y] = out
        prev = out
    return rows.reshape(height, width, channels)[:, :, :3].astype(np.uint8)


def near(image, hex_colour, tolerance=40):
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.int32)
    return int((np.abs(image.astype(np.int32) - rgb).sum(axis=2) < tolerance).sum())


def rows_of(dom):
    tbody = re.search(r"<tbody>(.*?)</tbody>", dom, re.S)
    assert tbody, "the rendered page has no table body"
    return re.findall(r'<tr class="(\w+)" data-run="([^"]+)"', tbody.group(1))


def main():
    screenshot, dom_by_fd, dom_by_run, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    image = read_png(screenshot)
    height, width, _ = image.shape
    print(f"screenshot {width}x{height}")
    # The plots: each series' colour drawn (lines are antialiased: near the colour, not exact).
    for name, colour in [("translation/rotation x, pitch", "#1f77b4"), ("y, roll", "#2ca02c"),
                         ("z, yaw", "#ff7f0e"), ("FD", "#6a3d9a"), ("threshold, subject over it", "#d62728"),
                         ("group bars", "#4c78a8")]:
        n = near(image, colour)
        print(f"{name} ({colour}): {n} pixels")
        assert n > 50, f"{screenshot}: the {name} colour {colour} is barely drawn ({n} pixels): plots blank?"
    # The mean images: grey pixels of many levels (the page itself is white, black text, pale greys).
    grey = image[(np.abs(image[:, :, 0].astype(int) - image[:, :, 1]) < 3) &
                 (np.abs(image[:, :, 1].astype(int) - image[:, :, 2]) < 3)][:, 0]
    levels = len(np.unique(grey[(grey > 40) & (grey < 200)]))
    print(f"grey levels 40..200: {levels}")
    assert levels > 60, f"{screenshot}: the mean images do not show ({levels} grey levels)"
    # The lower part of the page (the per-run plots) is not blank.
    lower = image[height // 3:]
    busy = float((lower.astype(int).sum(axis=2) < 600).mean())
    colours = len(np.unique(lower.reshape(-1, 3), axis=0))
    print(f"lower two thirds: {busy:.1%} non-white pixels, {colours} distinct colours")
    assert busy > 0.03 and colours > 200, f"{screenshot}: the per-run part of the page looks blank"

    # The table after the script: every run, sorted as the link asked.
    by_fd = rows_of(open(dom_by_fd).read())
    assert len(by_fd) == runs, f"{dom_by_fd}: {len(by_fd)} rows, expected {runs}"
    fds = re.findall(r'<td[^>]*data-value="([^"]*)"',
                     "".join(re.findall(r"<tr .*?</tr>", re.search(r"<tbody>(.*?)</tbody>", open(dom_by_fd).read(),
                                                                     re.S).group(1), re.S)))
    max_fd = [float(v) if v else None for v in fds[7::14]]  # column 8 of 14: max FD
    known = [v for v in max_fd if v is not None]
    assert known == sorted(known, reverse=True) and max_fd[-1] is None, f"not sorted by max FD, descending: {max_fd}"
    assert by_fd[-1][0] == "failed", "the failed run (no FD) is not last"
    by_run = [r for _, r in rows_of(open(dom_by_run).read())]
    assert by_run == sorted(by_run, reverse=True), f"not sorted by run, descending: {by_run}"
    assert by_run != [r for _, r in by_fd], "both orders are the same: the sort did not act"
    print(f"table: {runs} rows; sorted by max FD descending: {max_fd}")


if __name__ == "__main__":
    main()
