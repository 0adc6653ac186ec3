"""Russian names for the simulated population: surnames and the rules that inflect them.

`surname_pool()` gives real surnames weighted by rank plus a tail of synthetic ones; `feminine()`
gives a surname's female form, `patronymic_of()` the patronymic from a father's first name and
`father_names()` the first names it inflects right. First names themselves come from the linkage
resources (`diminutives()`). Deterministic: no randomness here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

__all__ = ["NEAR_NAMES", "Sex", "father_names", "feminine", "patronymic_of", "surname_pool"]

Sex = Literal["M", "F"]


def _words(text: str) -> list[str]:
    return text.split()


# First names a letter or two apart that are different names: siblings are given such pairs.
_NEAR = (("Мария", "Марина"), ("Алина", "Алёна"), ("Арина", "Ирина"), ("Анна", "Инна"), ("Алиса", "Лариса"))
NEAR_NAMES = {a: b for a, b in _NEAR} | {b: a for a, b in _NEAR}


_SURNAMES = _words(
    "Смирнов Иванов Кузнецов Соколов Попов Лебедев Козлов Новиков Морозов Петров Волков Соловьёв "
    "Васильев Зайцев Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров Михайлов Беляев "
    "Тарасов Белов Комаров Орлов Киселёв Макаров Андреев Ковалёв Ильин Гусев Титов Кузьмин Кудрявцев "
    "Баранов Куликов Алексеев Степанов Яковлев Сорокин Сергеев Романов Захаров Борисов Королёв "
    "Герасимов Пономарёв Григорьев Лазарев Медведев Ершов Никитин Соболев Рябов Поляков Цветков "
    "Данилов Жуков Фролов Журавлёв Николаев Крылов Максимов Сидоров Осипов Белоусов Федотов Дорофеев "
    "Егоров Матвеев Бобров Дмитриев Калинин Анисимов Петухов Антонов Тимофеев Никифоров Веселов "
    "Филиппов Марков Большаков Суханов Миронов Ширяев Александров Коновалов Шестаков Казаков Ефимов "
    "Денисов Громов Фомин Давыдов Мельников Щербаков Блинов Колесников Карпов Афанасьев Власов Маслов "
    "Исаков Тихонов Аксёнов Гаврилов Родионов Котов Горбунов Кудряшов Быков Зуев Третьяков Савельев "
    "Панов Рыбаков Суворов Абрамов Воронов Мухин Архипов Трофимов Мартынов Емельянов Горшков Чернов "
    "Овчинников Селезнёв Панфилов Копылов Михеев Галкин Назаров Лобанов Лукин Беляков Потапов "
    "Некрасов Хохлов Жданов Наумов Шилов Воронцов Ермаков Дроздов Игнатьев Савин Логинов Сафонов "
    "Капустин Кириллов Моисеев Елисеев Кошелев Костин Горбачёв Орехов Ефремов Исаев Евдокимов "
    "Калашников Кабанов Носков Юдин Кулагин Лапин Прохоров Нестеров Харитонов Агафонов Муравьёв "
    "Ларионов Федосеев Зимин Пахомов Шубин Игнатов Филатов Крюков Рогов Кулаков Терентьев Молчанов "
    "Владимиров Артемьев Гурьев Зиновьев Гришин Кононов Дементьев Ситников Симонов Мишин Фадеев "
    "Комиссаров Мамонтов Носов Гуляев Шаров Устинов Вишняков Евсеев Лаврентьев Брагин Константинов "
    "Корнилов Авдеев Зыков Бирюков Шарапов Никонов Щукин Дьячков Одинцов Сазонов Якушев Красильников "
    "Гордеев Самойлов Князев Беспалов Уваров Шашков Бобылёв Доронин Белозёров Рожков Самсонов "
    "Мясников Лихачёв Буров Сысоев Фомичёв Русаков Стрелков Гущин Тетерин Колобов Субботин Фокин "
    "Блохин Селиверстов Пестов Кондратьев Силин Меркушев Лыткин Туров Шевченко Бондаренко Ковальчук "
    "Черных Седых Кравченко Белых Долгих Коваленко Ткаченко Мельниченко Бойко Савченко Полищук "
    "Левченко Руденко Волконский Островский Покровский Успенский Вознесенский Троицкий Сокольский "
    "Толстой Белый Крутой"
)
_ONSETS = "Бар Вол Гор Дер Жар Зар Кар Лом Мор Нор Пар Рос Сар Тар Фор Хол Чер Шир Щег Яр Бел Вер Дол Кол"
_MIDDLES = ("ан", "ен", "ин", "уш", "ыш", "ов", "ик", "ал", "ут", "яг", "ох", "ез", "")
_ENDINGS = ("ов", "ев", "ин", "ский", "енко", "ук", "ых", "ёв", "цев", "ников")


def surname_pool() -> tuple[list[str], list[float]]:
    """Surnames and their weights for `random.choices`: real ones by rank, then the synthetic tail."""
    synthetic = {o + m + e for o in _ONSETS.split() for m in _MIDDLES for e in _ENDINGS}
    tail = sorted(synthetic - set(_SURNAMES))
    names = _SURNAMES + tail
    weights = [1.0 / (rank + 8) for rank in range(len(_SURNAMES))] + [0.35 / len(tail) * 40] * len(tail)
    return names, weights


def feminine(surname: str) -> str:
    """Female form of a male surname (Иванов -> Иванова, Волконский -> Волконская)."""
    for masc, fem in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ый", "ая")):
        if surname.endswith(masc):
            return surname[: -len(masc)] + fem
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин", "ын")) else surname


_PATRONYMIC_SPECIAL = {
    "Илья": ("Ильич", "Ильинична"), "Никита": ("Никитич", "Никитична"), "Лука": ("Лукич", "Лукинична"),
    "Лев": ("Львович", "Львовна"), "Павел": ("Павлович", "Павловна"), "Пётр": ("Петрович", "Петровна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"), "Георгий": ("Георгиевич", "Георгиевна"),
    "Арсений": ("Арсеньевич", "Арсеньевна"), "Савелий": ("Савельевич", "Савельевна"),
}  # fmt: skip


def patronymic_of(father: str, sex: Sex) -> str:
    """Patronymic from the father's first name: Сергей -> Сергеевич / Сергеевна."""
    if father in _PATRONYMIC_SPECIAL:
        return _PATRONYMIC_SPECIAL[father][sex == "F"]
    if father.endswith("ий"):
        stem, masc, fem = father[:-2], "ьевич", "ьевна"
    elif father.endswith("й") or father.endswith("ь"):
        stem, masc, fem = father[:-1], "евич", "евна"
    else:
        stem, masc, fem = father, "ович", "овна"
    return stem + (fem if sex == "F" else masc)


def father_names(males: Iterable[str]) -> list[str]:
    """The male names `patronymic_of` inflects right: one ending in а/я only when it is listed."""
    return [n for n in males if not n.endswith(("а", "я")) or n in _PATRONYMIC_SPECIAL]
