"""The timeline drawing written out as SVG: from `Drawing.as_json()` (reviews.chronology.drawing).

Every number and word is worked out by `build_drawing`; this only writes it out, each value
escaped as a template's autoescaping would. It is Python rather
than a template because a large case has a few thousand marks: the template engine took about
40 ms of the 1,067-entry timeline page to write them, plain string joins take a few.

Colours and sizes are presentation attributes, not CSS: the CSP allows no inline style, and
WeasyPrint styles inline SVG only by its attributes. Shapes differ by kind, not only colour,
so the drawing reads in greyscale; the legend at the bottom names each one.

Marks link to their entries (tabindex -1: the chronology below is the keyboard's and screen
reader's way through the same entries, hundreds of tab stops here would help no one).
role="graphics-document" (SVG-AAM), not "img": an img's children are presentational, so its
links would be clickable yet hidden from assistive technology (axe: nested-interactive). The
title names the picture and the desc describes it in one paragraph written from the data.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

# The symbols each mark `<use>`s: drawn once per picture.
DEFS = """<defs>
<pattern id="tl-p-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d4351c" stroke-width="3"/></pattern>
<pattern id="tl-p-gap" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="5" height="5" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="5" stroke="#912b88" stroke-width="2.5"/></pattern>
<pattern id="tl-p-dots" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#ffffff"/><circle cx="2" cy="2" r="0.9" fill="#1d70b8"/></pattern>
<g id="tl-s-referral"><path d="M-5,-6 L7,0 L-5,6 Z" fill="#1d70b8" stroke="#0b0c0c" stroke-width="1"/></g>
<g id="tl-s-panel"><path d="M-5,-5 h10 v10 h-10 Z" fill="#4c2c92" stroke="#0b0c0c" stroke-width="1"/></g>
<g id="tl-s-adopted"><path d="M0,-7 L7,0 L0,7 L-7,0 Z" fill="#ffffff" stroke="#4c2c92" stroke-width="2"/><path d="M-3,0 L-1,3 L3,-3" fill="none" stroke="#4c2c92" stroke-width="2"/></g>
<g id="tl-s-commissioned"><path d="M-6,-5 H6 L0,6 Z" fill="#f47738" stroke="#0b0c0c" stroke-width="1"/></g>
<g id="tl-s-briefing"><path d="M-5,-7 h7 l3,3 v11 h-10 Z" fill="#ffffff" stroke="#0b0c0c" stroke-width="1.2"/><path d="M-3,-2 h6 M-3,1 h6 M-3,4 h6" stroke="#28a197" stroke-width="1.5"/></g>
<g id="tl-s-held"><circle r="6" fill="#00703c" stroke="#0b0c0c" stroke-width="1"/></g>
<g id="tl-s-held-confirmed"><circle r="6" fill="#00703c" stroke="#0b0c0c" stroke-width="1"/><path d="M-3,0 L-1,3 L3.5,-3" fill="none" stroke="#ffffff" stroke-width="2"/></g>
<g id="tl-s-confirmation"><path d="M-6,0 L-2,5 L6,-5" fill="none" stroke="#00703c" stroke-width="3"/></g>
<g id="tl-s-question"><circle r="6.5" fill="#ffffff" stroke="#1d70b8" stroke-width="2"/><text y="4" text-anchor="middle" font-size="10" font-weight="bold" fill="#1d70b8">?</text></g>
<g id="tl-s-answer"><circle r="6.5" fill="#1d70b8" stroke="#0b0c0c" stroke-width="1"/><text y="4" text-anchor="middle" font-size="10" font-weight="bold" fill="#ffffff">A</text></g>
<g id="tl-s-told"><path d="M-7,-5 h14 v10 h-14 Z" fill="#ffffff" stroke="#0b0c0c" stroke-width="1.2"/><path d="M-7,-5 L0,1 L7,-5" fill="none" stroke="#0b0c0c" stroke-width="1.2"/></g>
<g id="tl-s-planned"><circle r="5.5" fill="#ffffff" stroke="#00703c" stroke-width="2"/></g>
<g id="tl-s-cancelled"><circle r="6" fill="#ffffff" stroke="#d4351c" stroke-width="1.5"/><path d="M-4,-4 L4,4 M4,-4 L-4,4" stroke="#d4351c" stroke-width="2"/></g>
<g id="tl-s-account"><path d="M-7,-7 H7 V2 H-1 L-5,6 V2 H-7 Z" fill="#912b88" stroke="#0b0c0c" stroke-width="1"/></g>
<g id="tl-s-speech"><path d="M0,0 L3,-6 H-2 V-16 H16 V-6 H8 Z" fill="#912b88" stroke="#0b0c0c" stroke-width="1"/></g>
<g id="tl-s-contact"><path d="M-1.5,-7 h3 v14 h-3 Z" fill="#505a5f"/></g>
<g id="tl-s-note"><path d="M-6,-1.5 h12 v3 h-12 Z" fill="#505a5f"/></g>
<g id="tl-s-exit"><path d="M-3,-7 h6 l4,4 v6 l-4,4 h-6 l-4,-4 v-6 Z" fill="#0b0c0c"/></g>
<g id="tl-s-review"><circle r="6" fill="#ffffff" stroke="#0b0c0c" stroke-width="2"/><circle r="2.5" fill="#0b0c0c"/></g>
<g id="tl-s-window"><rect x="-6" y="-5" width="12" height="10" fill="url(#tl-p-dots)" stroke="#1d70b8"/></g>
<g id="tl-s-missed"><rect x="-6" y="-5" width="12" height="10" fill="url(#tl-p-hatch)" stroke="#d4351c"/></g>
<g id="tl-s-late-arrow"><path d="M-7,0 H5" stroke="#d4351c" stroke-width="2"/><path d="M7,0 L1,-4 L1,4 Z" fill="#d4351c"/></g>
<g id="tl-s-span"><rect x="-7" y="-5" width="14" height="10" fill="#ffffff" stroke="#0b0c0c" stroke-dasharray="2 1.5"/></g>
<g id="tl-s-count"><rect x="-7" y="-7" width="14" height="14" rx="3" fill="#ffffff" stroke="#0b0c0c" stroke-width="1.5"/><text y="3.5" text-anchor="middle" font-size="9" font-weight="bold">n</text></g>
<g id="tl-s-late"><path d="M-7,0 H7 M7,-3 V3" stroke="#d4351c" stroke-width="1.2"/></g>
<g id="tl-s-backfilled"><circle r="6" fill="none" stroke="#0b0c0c" stroke-dasharray="1.5 1.5"/></g>
<g id="tl-s-step"><path d="M-7,4 H-1 V-4 H7" fill="none" stroke="#00703c" stroke-width="2.5"/></g>
<g id="tl-s-gap"><rect x="-3" y="-7" width="6" height="14" fill="url(#tl-p-gap)" stroke="#912b88"/></g>
<g id="tl-s-finding"><circle r="7" fill="#d4351c"/><text y="3.5" text-anchor="middle" font-size="9" font-weight="bold" fill="#ffffff">1</text></g>
</defs>
"""

_RING = (
    '<circle cx="{cx}" cy="{y}" r="9.5" fill="none" stroke="#0b0c0c" stroke-dasharray="1.5 1.5"/>'
)


_BOLD = ' font-weight="bold"'


def _e(value) -> str:
    """Escaped as Django's autoescaping does (`django.utils.html.escape` is `html.escape`)."""
    return escape(str(value))


def _mark(m: dict, *, labelled: bool) -> str:
    """One entry's mark (or a counted mark) as a link to its entry."""
    out = [
        f'<a href="{_e(m["href"])}" tabindex="-1" class="{_e(m["css"])}">'
        f"<title>{_e(m['title'])}</title>"
    ]
    shape = m["shape"]
    if shape == "count" and labelled:
        out.append(
            f'<rect x="{m["x"]}" y="{m["top"]}" width="{m["width"]}" height="14" rx="3" '
            f'fill="#ffffff" stroke="#0b0c0c" stroke-width="1.5"/>'
            f'<text x="{m["cx"]}" y="{m["text_y"]}" text-anchor="middle" font-size="8.5" '
            f'font-weight="bold">{_e(m["count"])}</text>'
        )
    elif shape == "span":
        out.append(
            f'<rect x="{m["x"]}" y="{m["top"]}" width="{m["width"]}" height="14" '
            f'fill="#ffffff" stroke="#0b0c0c" stroke-dasharray="2 1.5"/>'
            f'<use href="#tl-s-{_e(m["kind"])}" x="{m["cx"]}" y="{m["y"]}"/>'
        )
    else:
        out.append(f'<use href="#tl-s-{_e(shape)}" x="{m["x"]}" y="{m["y"]}"/>')
    if m["backfilled"]:
        out.append(_RING.format(cx=m["cx"], y=m["y"]))
    if labelled and m["label"]:
        out.append(f'<text x="{m["label_x"]}" y="{m["text_y"]}">{_e(m["label"])}</text>')
    out.append("</a>\n")
    return "".join(out)


def _band(b: dict) -> str:
    out = [
        f'<a href="{_e(b["href"])}" tabindex="-1" class="tl-band tl-{_e(b["kind"])}">'
        f"<title>{_e(b['title'])}</title>"
    ]
    if b["kind"] == "window":
        out.append(
            f'<rect x="{b["x"]}" y="{b["y"]}" width="{b["width"]}" height="{b["height"]}" '
            f'fill="url(#tl-p-dots)" stroke="#1d70b8"/>'
        )
    elif b["kind"] == "missed":
        out.append(
            f'<rect x="{b["x"]}" y="{b["y"]}" width="{b["width"]}" height="{b["height"]}" '
            f'fill="url(#tl-p-hatch)" stroke="#d4351c"/>'
        )
    else:
        out.append(
            f'<line x1="{b["x"]}" y1="{b["y"]}" x2="{b["end_x"]}" y2="{b["y"]}" '
            f'stroke="#d4351c" stroke-width="2"/><polygon points="{b["arrow"]}" fill="#d4351c"/>'
        )
    if b["label"]:
        out.append(
            f'<text x="{b["label_x"]}" y="{b["text_y"]}" font-size="10">{_e(b["label"])}</text>'
        )
    out.append("</a>\n")
    return "".join(out)


def _belief(b: dict) -> str:
    css = "tl-belief tl-mismatch" if b["mismatch"] else "tl-belief"
    out = [f'<a href="{_e(b["href"])}" tabindex="-1" class="{css}"><title>{_e(b["title"])}</title>']
    if b["has_gap"]:
        out.append(
            f'<rect class="tl-gap" x="{b["gap_x"]}" y="{b["gap_top"]}" width="6" '
            f'height="{b["gap_height"]}" fill="url(#tl-p-gap)" stroke="#912b88"/>'
        )
    if b["gap_label"]:
        out.append(
            f'<text x="{b["gap_x"]}" y="{b["gap_label_y"]}" dx="-4" text-anchor="end" '
            f'font-size="10">{_e(b["gap_label"])}</text>'
        )
    if b["spans"]:
        out.append(
            f'<path d="M{b["left"]},{b["y"]} h{b["width"]}" stroke="#912b88" stroke-width="3"/>'
        )
    out.append(f'<use href="#tl-s-speech" x="{b["x"]}" y="{b["y"]}"/>')
    if b["label"]:
        out.append(f'<text x="{b["label_x"]}" y="{b["label_y"]}">{_e(b["label"])}</text>')
    out.append("</a>\n")
    return "".join(out)


def render_svg(d: dict) -> SafeString:
    """The drawing (`Drawing.as_json()`) as one `<svg>` element."""
    width, height = d["width"], d["height"]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-drawing" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="graphics-document" '
        f'aria-labelledby="tl-title" aria-describedby="tl-desc" '
        f'font-family="Arial, \'DejaVu Sans\', sans-serif" font-size="11" fill="#0b0c0c">\n'
        f'<title id="tl-title">{_e(d["title"])}</title>\n'
        f'<desc id="tl-desc">{_e(d["description"])}</desc>\n',
        DEFS,
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>\n',
    ]
    out += [
        f'<rect x="0" y="{lane["y"]}" width="{width}" height="50" fill="#f3f2f1"/>'
        for lane in d["lanes"][::2]
    ]
    out.append("\n")
    if d["break_x"] is not None:
        out.append(
            f'<g class="tl-break"><title>{_e(d["break_label"])}</title>'
            f'<path d="M{d["break_x"]},18 V{d["plot_bottom"]} h44 V18 Z" fill="#ffffff" '
            f'stroke="#b1b4b6" stroke-dasharray="6 3"/><text x="{d["break_x"]}" y="27" dx="22" '
            f'text-anchor="middle" font-size="10">≈</text></g>'
        )
    out.append("\n")
    out.append(
        f'<g class="tl-axis"><path d="{d["grid_path"]}" stroke="#b1b4b6"/>'
        f'<path d="{d["tick_path"]} M0,36 H{width}" stroke="#0b0c0c"/>'
    )
    out += [
        f'<text x="{t["x"]}" y="27" dx="2"{_BOLD if t["major"] else ""}>{_e(t["label"])}</text>'
        for t in d["tick_labels"]
    ]
    out.append("</g>\n")
    out.append('<g class="tl-late-lines">')
    if d["late_path"]:
        out.append(
            f'<path d="{d["late_path"]}" fill="none" stroke="#d4351c" stroke-width="1.2">'
            "<title>Logged late: each thin red line runs from when it happened to when it was "
            "logged</title></path>"
        )
    out.append("</g>\n")
    out.append('<g class="tl-lanes">')
    for lane in d["lanes"]:
        merged = f" (counted by {_e(lane['merged_by'])})" if lane["merged_by"] else ""
        out.append(
            f'<text x="4" y="{lane["label_y"]}" font-weight="bold">{_e(lane["name"])}{merged}</text>\n'
        )
        out += [_mark(m, labelled=True) for m in lane["marks"]]
    out.append("</g>\n")
    if d["review_rows"]:
        out.append(
            f'<g class="tl-reviews"><text x="4" y="{d["reviews_y"]}" dy="11" font-weight="bold">'
            "Exits and follow-up reviews</text>"
        )
        out += [
            f'<text x="4" y="{r["text_y"]}" font-size="10">{_e(r["label"])}</text>'
            for r in d["review_rows"]
        ]
        out.append("\n")
        out += [_band(b) for b in d["bands"]]
        out += [
            f'<line x1="{line["x1"]}" y1="{line["y1"]}" x2="{line["x2"]}" y2="{line["y2"]}" '
            f'stroke="#0b0c0c" stroke-dasharray="2 2"/>'
            for line in d["exit_lines"]
        ]
        out.append("\n")
        out += [_mark(m, labelled=False) for m in d["review_marks"]]
        out.append("</g>")
    out.append("\n")
    if d["panel_ticks"]:
        out.append(
            f'<g class="tl-record"><text x="4" y="{d["panel_y"]}" dy="13" font-weight="bold">'
            f"{_e(d['panel_label'])}</text>"
        )
        for i, t in enumerate(d["panel_ticks"]):
            dash = ' stroke-dasharray="2 3"' if i else ""
            out.append(
                f'<line x1="30" y1="{t["y"]}" x2="{width}" y2="{t["y"]}" stroke="#b1b4b6"{dash}/>'
                f'<text x="26" y="{t["text_y"]}" text-anchor="end" font-size="10">'
                f"{_e(t['label'])}</text>"
            )
        out.append(
            f'\n<polyline class="tl-step" points="{d["step_points_text"]}" fill="none" '
            f'stroke="#00703c" stroke-width="2.5"/>\n'
        )
        out += [_belief(b) for b in d["beliefs"]]
        out.append("</g>")
    out.append("\n")
    out.append(
        f'<g class="tl-as-of"><line x1="{d["as_of_x"]}" y1="2" x2="{d["as_of_x"]}" '
        f'y2="{d["plot_bottom"]}" stroke="#0b0c0c" stroke-width="1.5" stroke-dasharray="5 3"/>'
        f'<text x="{d["as_of_label_x"]}" y="12" text-anchor="{d["as_of_anchor"]}" '
        f'font-weight="bold">{_e(d["as_of_label"])}</text></g>\n'
    )
    out.append('<g class="tl-findings">')
    out += [
        f'<g class="tl-badge"><title>{_e(f["title"])}</title><circle cx="{f["x"]}" cy="{f["y"]}" '
        f'r="{f["r"]}" fill="#d4351c" stroke="#ffffff"/><text x="{f["x"]}" y="{f["text_y"]}" '
        f'text-anchor="middle" font-size="{f["font_size"]}" font-weight="bold" fill="#ffffff">'
        f"{_e(f['number'])}</text></g>"
        for f in d["badges"]
    ]
    out.append("</g>\n")
    out.append('<g class="tl-legend">')
    out += [
        f'<use href="#tl-s-{_e(item["shape"])}" x="{item["x"]}" y="{item["y"]}"/>'
        f'<text x="{item["text_x"]}" y="{item["text_y"]}" font-size="10">{_e(item["text"])}</text>'
        for item in d["legend"]
    ]
    out.append("</g>\n</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number
