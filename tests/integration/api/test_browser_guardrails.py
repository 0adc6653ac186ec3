"""The case guardrails in a real browser (Debian chromium, headless, Playwright) over seeded cases:
the stage selector, curators of the case's municipality, dates in the past, closing with
confirmation and the read-only closed case, and merge (refused, confirmed, split back).

Server-side refusals are reached by switching the form's own validation off (`noValidate`), as a
stale page or a hand-made request would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from signalhub.store.models import AuditEntry, Case
from tests.fixtures.api import MUNI_A, MUNI_B, PASSWORD, Seed, app_settings
from tests.fixtures.browser import ARGS, CHROMIUM, SHOTS, served

pytestmark = pytest.mark.integration
FLASH = {
    "confirm": "Нужно явное подтверждение",
    "date": "Дата отклонена",
    "open-work": "Случай не закрыт",
    "merge": "Объединение отклонено",
}


@pytest.fixture
def server(seed: Seed) -> Iterator[str]:
    with served(app_settings(seed.url)) as url:
        yield url


@pytest.fixture
def page(server: str, seed: Seed) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian chromium is not installed: run deploy/system-deps.sh"
    seed.user("coord", "coordinator")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="ru-RU")
        page.goto(f"{server}/ui/login")
        page.fill("input[name=username]", "coord")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/ui/")
        yield page
        browser.close()


def _refused(page: Any, code: str) -> None:
    page.wait_for_selector(f".flash.err:has-text('{FLASH[code]}')")


def _no_validation(page: Any, form: str) -> None:
    page.eval_on_selector(form, "f => { f.noValidate = true; }")


def test_stages_curators_dates_and_closing_in_the_browser(page: Any, server: str, seed: Seed) -> None:
    seed.user("local", "curator", municipality=MUNI_A)
    seed.user("other", "curator", municipality=MUNI_B)
    case_id = seed.case(municipality=MUNI_A)
    page.goto(f"{server}/ui/cases/{case_id}")
    assert page.locator("#stage").count() == 0  # a new case is only acknowledged
    page.click("#ack")
    page.wait_for_selector(".flash.ok")

    # The stage selector: the current stage, then only the moves the model allows.
    options = page.eval_on_selector_all("#stage option", "os => os.map(o => [o.value, o.textContent])")
    assert options == [["", "Принят в работу (текущий)"], ["assessment", "Оценка"],
                       ["conference_scheduled", "Назначен консилиум"],
                       ["support_plan", "План сопровождения"], ["monitoring", "Мониторинг"]]  # fmt: skip

    # Curators: nobody chosen by default; the case municipality's curators first.
    assert page.eval_on_selector("#curator_id", "s => s.value") == ""
    groups = page.eval_on_selector_all(
        "#curator_id optgroup", "gs => gs.map(g => [...g.querySelectorAll('option')].map(o => o.textContent))"
    )
    assert groups[0] == ["Local Т."]
    assert sorted(groups[1]) == ["Coord Т. (региональный уровень)", "Other Т. (г. Бердск)"]
    page.select_option("#curator_id", label="Other Т. (г. Бердск)")
    page.click("#assign")
    _refused(page, "confirm")
    page.select_option("#curator_id", label="Other Т. (г. Бердск)")
    page.check("#confirm_other")
    page.click("#assign")
    page.wait_for_selector("dd:has-text('Other Т.')")
    page.select_option("#curator_id", label="Local Т.")
    page.click("#assign")
    page.wait_for_selector("dd:has-text('Local Т.')")
    assert page.eval_on_selector("#stage option", "o => o.textContent") == "Оценка (текущий)"

    # Dates: the inputs refuse the past themselves, and the server refuses it too.
    page.click("#conference-form summary")
    assert page.get_attribute("input[name=scheduled_at]", "data-not-before")
    _no_validation(page, "#conference-form form")
    page.fill("input[name=scheduled_at]", "01.01.2020 10:00")
    page.check("#conference-form input[value=police]")
    page.click("#schedule")
    _refused(page, "date")
    _no_validation(page, "form[action$='/review']")
    page.fill("input[name=review_date]", "01.01.2020")
    page.click("form[action$='/review'] button")
    _refused(page, "date")
    page.click("summary:has-text('Пункт плана')")
    _no_validation(page, "form[action$='/plan']")
    page.fill("input[name=action]", "Оформить пособие")
    page.fill("input[name=due_date]", "01.01.2020")
    page.click("form[action$='/plan'] button")
    _refused(page, "date")
    page.screenshot(path=str(SHOTS / "11-guardrail-date.png"), full_page=True)

    # A future conference and an open plan item: closing asks for confirmation, then for a reason.
    page.click("#conference-form summary")
    page.fill("input[name=scheduled_at]", "01.02.2030 10:00")
    page.check("#conference-form input[value=police]")
    page.click("#schedule")
    page.wait_for_selector(".conf")
    page.click("summary:has-text('Пункт плана')")
    page.fill("input[name=action]", "Оформить пособие")
    page.fill("input[name=due_date]", "15.02.2030")
    page.click("form[action$='/plan'] button")
    page.wait_for_selector(".plan-item")
    page.click("#close-form summary")
    assert page.get_attribute("#close-confirm", "required") is not None
    _no_validation(page, "#close-form form")
    page.click("#close")
    _refused(page, "confirm")
    page.click("#close-form summary")
    page.check("#close-confirm")
    page.click("#close")
    _refused(page, "open-work")
    page.click("#close-form summary")
    page.fill("#close-reason", "семья переехала в другой регион")
    page.check("#close-confirm")
    page.click("#close")
    page.wait_for_selector(".stage:has-text('Закрыт')")
    page.screenshot(path=str(SHOTS / "12-guardrail-closed.png"), full_page=True)
    # Closed: the plan and conferences are read-only.
    for selector in ("#conference-form", "form[action$='/plan']", "form[action$='/plan-status']", "#stage"):
        assert page.locator(selector).count() == 0, selector
    assert page.locator(".plan-item").count() == 1


def test_merge_refused_confirmed_and_split_back_in_the_browser(page: Any, server: str, seed: Seed) -> None:
    target = seed.case(agencies=("police",))
    shared = seed.case(agencies=("health",), share_mother_of=target)
    stranger = seed.case(agencies=("education",), municipality=MUNI_B,
                         child=("Орлов", "Пётр", "Ильич", seed.now.date().replace(year=2022)),
                         mother=("Орлова", "Нина", "Ивановна", seed.now.date().replace(year=1990)))  # fmt: skip
    with seed.session() as s:
        numbers = {c.id: c.number for c in s.scalars(select(Case))}
    page.goto(f"{server}/ui/cases/{target}")

    def merge(number: str, confirm: bool) -> None:
        page.click("#merge-form summary")
        page.fill("#merge-number", number)
        page.fill("#merge-reason", "общая мать")
        if confirm:
            page.check("#merge-confirm")
        else:
            _no_validation(page, "#merge-form form")
        page.click("#merge")

    merge(numbers[stranger], confirm=True)
    _refused(page, "merge")
    assert page.locator("table.family td:has-text('Орлова')").count() == 0
    merge(numbers[shared], confirm=False)
    _refused(page, "confirm")
    merge(numbers[shared], confirm=True)
    page.wait_for_selector(".timeline li:has-text('Присоединён случай')")
    page.screenshot(path=str(SHOTS / "13-guardrail-merged.png"), full_page=True)

    page.goto(f"{server}/ui/cases/{shared}")
    page.click("#split-form summary")
    page.fill("#split-reason", "разные семьи")
    page.check("#split-confirm")
    page.click("#split-back")
    page.wait_for_selector(".timeline li:has-text('Объединение отменено')")
    page.wait_for_selector(".stage:has-text('Новый')")
    with seed.session() as s:
        assert s.get_one(Case, shared).merged_into is None
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == shared)))
    assert {"case.merged_into", "case.merge_undone"} <= actions
