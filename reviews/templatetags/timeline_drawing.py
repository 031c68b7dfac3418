"""`{% timeline_svg drawing %}`: the timeline drawing as SVG, on the timeline page and in the PDF."""

from django import template

from ..chronology.svg import render_svg

register = template.Library()


@register.simple_tag
def timeline_svg(drawing: dict):
    """`drawing` is `Drawing.as_json()` (reviews.chronology.drawing)."""
    return render_svg(drawing)
