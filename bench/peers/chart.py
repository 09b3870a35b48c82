#!/usr/bin/env python3
"""Bar chart (SVG, stdlib only) of requests/s per proxy from a bench/peers CSV, each bar labelled with p99.
Usage: chart.py peers.csv out.svg "subtitle" """
import csv
import sys
from xml.sax.saxutils import escape

src, dst = sys.argv[1], sys.argv[2]
subtitle = sys.argv[3] if len(sys.argv) > 3 else ""
rows = []
with open(src, newline="") as f:
    for r in csv.DictReader(f):
        try:
            rps = float(r["rps"])
        except ValueError:
            rps = None
        rows.append((r["proxy"], rps, r["p99_ms"], r["rps_ratio_to_yarp"]))

W, left, right, top, bar_h, gap = 1000, 290, 300, 70, 26, 10
H = top + len(rows) * (bar_h + gap) + 40
vmax = max([r[1] for r in rows if r[1] is not None] or [1.0])
scale = (W - left - right) / vmax
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="13">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W/2}" y="24" text-anchor="middle" font-size="17" font-weight="bold">Requests/s on 127.0.0.1 (3 fast backends), label: p99 latency</text>',
       f'<text x="{W/2}" y="46" text-anchor="middle" font-size="12" fill="#555">{escape(subtitle)}</text>']
for i, (name, rps, p99, ratio) in enumerate(rows):
    y = top + i * (bar_h + gap)
    color = "#2b6cb0" if name.startswith("Granary") else ("#888" if name.startswith("direct") else "#dd8452")
    out.append(f'<text x="{left - 8}" y="{y + bar_h * 0.68}" text-anchor="end">{escape(name)}</text>')
    if rps is None:
        out.append(f'<text x="{left + 4}" y="{y + bar_h * 0.68}" fill="#999" font-style="italic">n/a (not implemented)</text>')
        continue
    w = max(1.0, rps * scale)
    out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
    extra = f", {float(ratio):.2f}× YARP" if ratio not in ("", "n/a") else ""
    out.append(f'<text x="{left + w + 6:.1f}" y="{y + bar_h * 0.68}">{rps:,.0f} req/s · p99 {float(p99):.2f} ms{escape(extra)}</text>')
out.append("</svg>")
with open(dst, "w") as f:
    f.write("\n".join(out) + "\n")
