"""Screens the browser tests open pages on."""

from collections.abc import Iterator

from playwright.sync_api import Browser, Page


def phone(browser: Browser, width: int, height: int) -> Iterator[Page]:
    """A page on a touch screen of `width` x `height` CSS pixels."""
    context = browser.new_context(
        locale="da-DK",
        viewport={"width": width, "height": height},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
