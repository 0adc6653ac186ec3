"""The operations page names every dead letter's reason, stage and field in Russian (issue 17: no
English or raw codes on any page, one list of labels)."""

from __future__ import annotations

import pytest

from consumers.intake.messages import REASONS, Stage
from services.api.template_globals import signal_field
from signalhub import russian_names as ru


def test_every_reason_and_stage_of_intake_has_a_russian_name() -> None:
    assert set(ru.DLQ_REASON) == set(REASONS)
    stages = {v for k, v in vars(Stage).items() if not k.startswith("_")}
    assert stages <= set(ru.DLQ_STAGE)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("children[0].snils", "СНИЛС (ребёнок 1)"),
        ("adults[1].birth_date", "дата рождения (взрослый 2)"),
        ("children", "дети"),
        ("children[2]", "ребёнок 3"),
        ("address.house", "адрес: дом"),
        ("reporter.phone", "сообщивший: телефон"),
        ("occurred_at", "дата события"),
        ("ce_id", "заголовок: идентификатор события"),
        ("(signal)", "сигнал в целом"),
        ("children[0].shoe_size", "поле сигнала (ребёнок 1)"),
        ("something.else", "поле сигнала"),
    ],
)
def test_a_field_path_in_words(path: str, words: str) -> None:
    assert signal_field(path) == words
