#!/usr/bin/env python3
"""Drives the Account Health page in headless Chromium and prints what it saw.

Run by tests/tests/web_e2e.rs (the browser test) against a live server with
seeded facts; the Rust test compares what is printed here with the gRPC
answers and figures worked out by hand. This script only acts and reads: the
steps a person takes (the report asked for with the keyboard alone, the
what-if, the as-of picker, the back button, the feedback tab, a phone screen)
and, after each, the page's figures as text, as JSON on stdout. Screenshots go
to --screenshots.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright from PyPI; no
browser is downloaded. Playwright starts it with a fresh, empty profile.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The page's figures as text (status icons left out: they are decoration).
READ_REPORT = """() => {
  const text = (el) => {
    if (!el) return null;
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.icon').forEach((i) => i.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  const cards = {};
  document.querySelectorAll('#health .card').forEach((card) => {
    cards[card.dataset.metric] = {
      value: text(card.querySelector('.value')),
      status: text(card.querySelector('.status')),
      counts: text(card.querySelector('.counts')),
      window: text(card.querySelector('.window')),
      target: text(card.querySelector('.target')),
      recovery: text(card.querySelector('.recovery')),
      chart: card.querySelector('svg.chart') ? 'yes' : 'no',
    };
  });
  const openWarnings = {};
  document.querySelectorAll('#open-warnings li').forEach((li) => {
    openWarnings[li.dataset.metric] = text(li.querySelector('.days-left'));
  });
  const violations = {};
  document.querySelectorAll('#violations tbody tr').forEach((tr) => {
    violations[text(tr.querySelector('th'))] = text(tr.querySelector('td'));
  });
  return {
    url: location.href,
    asOf: text(document.getElementById('report-as-of')),
    accountStatus: text(document.querySelector('#account-status .badge')),
    ahr: text(document.querySelector('#ahr .score')),
    demotion: text(document.querySelector('#demotion .badge')),
    cards, openWarnings, violations,
  };
}"""

READ_WHAT_IF = """() => {
  const text = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.icon').forEach((i) => i.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  const rows = {};
  document.querySelectorAll('#whatif-table tbody tr').forEach((tr) => {
    rows[tr.dataset.metric] = { now: text(tr.querySelector('.now-value')), whatIf: text(tr.querySelector('.whatif-value')) };
  });
  return { status: text(document.getElementById('whatif-status')), ahr: text(document.getElementById('whatif-ahr')), rows };
}"""


def wait_for_as_of(page: Page, shown: str) -> None:
    page.wait_for_function(
        "(shown) => document.getElementById('report-as-of')?.textContent === shown", arg=shown, timeout=15000
    )


def tab_until(page: Page, focused: str, limit: int = 300) -> bool:
    """Presses Tab until `focused` (a JavaScript test of the focused element
    `e`) holds; False if it never does. A date input takes three Tabs (month,
    day, year), as a person would press them."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!e && ({focused}); }}"):
            return True
    return False


def tab_to(page: Page, element_id: str, limit: int = 300) -> bool:
    """Presses Tab until the element `element_id` has the focus."""
    return tab_until(page, f"e.id === {json.dumps(element_id)}", limit)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seller", required=True)
    parser.add_argument("--marketplace", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshots", required=True)
    options = parser.parse_args()
    shots = Path(options.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    seen: dict = {"errors": []}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC")
        page = context.new_page()
        page.on("pageerror", lambda error: seen["errors"].append(str(error)))
        page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
        page.goto(options.url)
        page.wait_for_selector("body[data-ready]")

        # The report with the keyboard alone: Tab to the seller, type, Tab on, Enter.
        keyboard = {}
        reached = tab_to(page, "seller", 10)
        keyboard["focusVisible"] = page.evaluate(
            "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"
        )
        page.keyboard.type(options.seller)
        page.keyboard.press("Tab")
        on_marketplace = page.evaluate("() => document.activeElement.id") == "marketplace"
        page.keyboard.press("Control+A")
        page.keyboard.type(options.marketplace)
        page.keyboard.press("Tab")
        on_as_of = page.evaluate("() => document.activeElement.id") == "as-of"
        page.keyboard.type("06302026")
        page.keyboard.press("Enter")
        wait_for_as_of(page, "2026-06-30 23:59:59 America/Los_Angeles")
        keyboard["reportByKeyboard"] = reached and on_marketplace and on_as_of
        seen["june"] = page.evaluate(READ_REPORT)
        page.screenshot(path=str(shots / "desktop-2026-06-30.png"), full_page=True)
        # The README's picture (docs/web-page.png): the top of the page, the first cards in view.
        page.set_viewport_size({"width": 1280, "height": 1180})
        page.evaluate("() => document.activeElement.blur()")
        page.screenshot(path=str(shots / "readme.png"))
        page.set_viewport_size({"width": 1280, "height": 900})

        # The what-if, by keyboard too: 99 more defect-free orders.
        on_good = tab_to(page, "whatif-good")
        page.keyboard.press("Control+A")
        page.keyboard.type("99")
        on_button = tab_until(page, "e.textContent === 'Evaluate what-if'", 10)
        page.keyboard.press("Enter")
        page.wait_for_selector("#whatif-table", timeout=15000)
        keyboard["whatIfByKeyboard"] = on_good and on_button
        seen["whatIf"] = page.evaluate(READ_WHAT_IF)
        page.locator(".whatif").screenshot(path=str(shots / "what-if.png"))

        # Time travel with the as-of picker, then the browser's back button.
        page.fill("#as-of", "2026-05-10")
        page.click("#lookup button[type=submit]")
        wait_for_as_of(page, "2026-05-10 23:59:59 America/Los_Angeles")
        seen["may"] = page.evaluate(READ_REPORT)
        page.screenshot(path=str(shots / "time-travel-2026-05-10.png"), full_page=True)
        page.go_back()
        wait_for_as_of(page, "2026-06-30 23:59:59 America/Los_Angeles")
        seen["back"] = page.evaluate(READ_REPORT)

        # Feedback and reviews: their own tab, reached with the arrow keys.
        page.focus("#tab-health")
        page.keyboard.press("ArrowRight")
        keyboard["tabsByArrowKeys"] = page.evaluate(
            "() => document.activeElement.id === 'tab-feedback'"
            " && document.activeElement.getAttribute('aria-selected') === 'true'"
        )
        page.fill("#asin", "B000000001")
        page.keyboard.press("Enter")
        page.wait_for_selector("#review-mean", timeout=15000)
        seen["feedback"] = page.evaluate(
            """() => {
              const rows = {};
              document.querySelectorAll('#feedback-table tbody tr').forEach((tr) => {
                rows[tr.dataset.period] = [...tr.querySelectorAll('td')].map((td) => td.textContent.trim());
              });
              const selected = document.querySelector('[role=tab][aria-selected=true]');
              return {
                selectedTab: selected.textContent.trim(),
                healthHidden: document.getElementById('panel-health').hidden,
                rows,
                rating: document.getElementById('feedback-rating').textContent.replace(/\\s+/g, ' ').trim(),
                reviews: document.getElementById('review-mean').textContent.trim(),
              };
            }"""
        )
        page.screenshot(path=str(shots / "feedback.png"), full_page=True)
        seen["keyboard"] = keyboard

        # A narrow phone screen.
        phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="en-US", timezone_id="UTC")
        small = phone.new_page()
        small.on("pageerror", lambda error: seen["errors"].append(str(error)))
        query = f"?seller={options.seller}&marketplace={options.marketplace}&asOf=2026-06-30"
        small.goto(options.url + query)
        wait_for_as_of(small, "2026-06-30 23:59:59 America/Los_Angeles")
        seen["phone"] = small.evaluate(
            """() => {
              const cards = [...document.querySelectorAll('#health .cards')[0].children];
              const top = cards[0].getBoundingClientRect().top;
              const statuses = [...document.querySelectorAll('#health .card .status')];
              return {
                scrollWidth: document.documentElement.scrollWidth,
                cardsPerRow: cards.filter((c) => c.getBoundingClientRect().top === top).length,
                statusWords: statuses.length > 0 && statuses.every((s) => /(Good|Bad|No data)/.test(s.textContent)),
              };
            }"""
        )
        small.screenshot(path=str(shots / "phone-2026-06-30.png"), full_page=True)
        small.screenshot(path=str(shots / "phone-top.png"))
        browser.close()

    json.dump(seen, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
