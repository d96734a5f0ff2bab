"""The dashboard's panels as HTML: a bar chart and the table beside it.

Built as plain strings rather than with template loops or `format_html`: a leader's page has
thousands of cells, and the per-node and per-call costs made rendering the largest part of the
page's time. Every text is escaped with `html.escape` before it is joined.
"""

from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from followup.dashboard.figures import Celle, Tabel

register = template.Library()


def _text(value: object) -> str:
    """A cell's value as the page shows numbers: Danish decimal comma, no thousands separator."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return escape(str(value))


@register.simple_tag
def dashboard_chart(tabel: Tabel) -> SafeString:
    """Decorative for screen readers (the table carries the figures).

    Each bar is an empty <svg> sized by its `width` attribute: an inline style (width: …) would
    need 'unsafe-inline' in the Content-Security-Policy, a presentation attribute does not.
    """
    top = tabel.chart_max
    bars = "".join(
        f'<div class="chart__row"><span class="chart__label">{escape(bar.label)}</span>'
        f'<span class="chart__track"><svg class="chart__bar" focusable="false" '
        f'width="{round(100 * bar.value / top)}%" height="100%"></svg></span>'
        f'<span class="chart__value">{escape(bar.text)}</span></div>'
        for bar in tabel.chart
    )
    caption = escape(tabel.chart_title or tabel.title)
    return mark_safe(  # noqa: S308 - every part is escaped above
        f'<figure class="chart" aria-hidden="true"><figcaption>{caption}</figcaption>'
        f"{bars}</figure>"
    )


def _cell(cell: Celle, drill_url: str, filter_qs: str) -> str:
    if cell.link:
        href = escape(f"{drill_url}?{cell.link}&{filter_qs}")
        return f'<td class="num"><a href="{href}">{_text(cell.value)}</a></td>'
    return f'<td class="num">{_text(cell.value)}</td>'


@register.simple_tag
def dashboard_table(
    tabel: Tabel, drill_url: str, filter_qs: str, whole: bool = False
) -> SafeString:
    """The table as the overview shows it (a long one's first rows), or `whole`."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in tabel.columns)
    rows = "".join(
        f'<tr><th scope="row">{_text(row[0].value)}</th>'
        + "".join(_cell(cell, drill_url, filter_qs) for cell in row[1:])
        + "</tr>"
        for row in (tabel.rows if whole else tabel.overview_rows)
    )
    return mark_safe(  # noqa: S308 - every part is escaped above
        '<table class="table table--compact">'
        f'<caption class="visually-hidden">{escape(tabel.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
