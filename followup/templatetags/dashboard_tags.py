"""The dashboard's panels as HTML: a bar chart and the table beside it.

Built as plain strings rather than with template loops or `format_html`: a leader's page has
thousands of cells, and the per-node and per-call costs made rendering the largest part of the
page's time. Every text is escaped with `html.escape` before it is joined.
"""

from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from followup.dashboard.figures import Celle, Tabel, fmt_kroner
from vum.templatetags.dansk_tal import tal_tekst

register = template.Library()


def _label(value: object) -> str:
    """A row's label (a team, a quarter, a service) as text; a decimal one with a comma."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return escape(str(value))


def _is_money(column: str) -> bool:
    """The cost panels' amount column ("Årlig udgift", followup.dashboard.udgift)."""
    return column.lower().endswith("udgift")


def _text(value: object, money: bool = False) -> str:
    """A cell's value as the charts show it: "1.234" and "12,5" (a "." between thousands, a ","
    before the decimals), an amount as "104.000 kr."; a text (a share, "-") as it is."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        if money:
            return fmt_kroner(Decimal(str(value)))
        return tal_tekst(value)
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


def _cell(cell: Celle, drill_url: str, filter_qs: str, money: bool) -> str:
    text = _text(cell.value, money)
    # An amount stays on one line ("104.000 kr."), as in the chart.
    css = "num nowrap" if money else "num"
    if cell.link:
        href = escape(f"{drill_url}?{cell.link}&{filter_qs}")
        return f'<td class="{css}"><a href="{href}">{text}</a></td>'
    return f'<td class="{css}">{text}</td>'


@register.simple_tag
def dashboard_table(
    tabel: Tabel, drill_url: str, filter_qs: str, whole: bool = False
) -> SafeString:
    """The table as the overview shows it (a long one's first rows), or `whole`."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in tabel.columns)
    money = [_is_money(c) for c in tabel.columns[1:]]
    rows = "".join(
        f'<tr><th scope="row">{_label(row[0].value)}</th>'
        + "".join(
            _cell(cell, drill_url, filter_qs, is_money)
            for cell, is_money in zip(row[1:], money, strict=False)
        )
        + "</tr>"
        for row in (tabel.rows if whole else tabel.overview_rows)
    )
    return mark_safe(  # noqa: S308 - every part is escaped above
        '<table class="table table--compact dashboard-table">'
        f'<caption class="visually-hidden">{escape(tabel.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
