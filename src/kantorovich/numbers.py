"""Numbers as a planner writes them, shared by every sentence and table we print.

`fmt` writes a number (and its unit, as declared) for tables; `quantity` writes it for a
sentence, with the unit in the plural a person would use ("14,000 loaves", "1 loaf",
"80 t"), and `count` writes how many of something there are ("1 policy", "2 policies").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import SupportsFloat, cast

__all__ = ["a", "cell", "count", "fmt", "plural", "quantity", "residual"]


def cell(value: object) -> float:
    """A table cell read as the number it holds (pandas types a cell as any scalar: a
    date, a string...; the plan's number columns hold floats).

    >>> cell(3), cell("2.5")
    (3.0, 2.5)
    """
    return float(cast(SupportsFloat | str, value))


def fmt(value: float | None, unit: str = "") -> str:
    """Thousands separated, about six significant digits, no trailing zeros, with a unit.

    >>> fmt(14000, "loaf"), fmt(0.0300000001), fmt(1716.6666667, "loaf"), fmt(float("inf"))
    ('14,000 loaf', '0.03', '1,716.67 loaf', 'unlimited')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    x = float(value)
    if not math.isfinite(x):
        text = "unlimited" if x > 0 else "-unlimited"
    elif x == 0:
        text = "0"
    elif abs(x) >= 1e15 or abs(x) < 1e-6:
        text = f"{x:.6g}"
    else:
        digits = max(0, 5 - math.floor(math.log10(abs(x))))
        text = f"{x:,.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        text = "0" if text in ("-0", "") else text
    return f"{text} {unit}" if unit else text


#: Words whose plural does not follow the rules of `plural`.
IRREGULAR = {
    "loaf": "loaves", "leaf": "leaves", "half": "halves", "shelf": "shelves",
    "knife": "knives", "life": "lives", "calf": "calves", "wolf": "wolves",
    "person": "people", "man": "men", "woman": "women", "child": "children",
    "foot": "feet", "tooth": "teeth", "goose": "geese", "mouse": "mice", "ox": "oxen",
    "sheep": "sheep", "fish": "fish", "deer": "deer", "series": "series",
    "species": "species", "cattle": "cattle", "equipment": "equipment",
}
#: Three-letter units that are words, not symbols (symbols such as t, kg, hl, kWh and
#: m3 are written the same for any number).
_SHORT_WORDS = frozenset({"ton", "day", "box", "bag", "can", "cow", "pig", "car", "cup",
                          "pot", "jar", "keg", "pad", "set", "kit", "egg", "hen", "pen",
                          "tin", "log", "pin", "bed", "cap", "hat", "bus", "row", "hub",
                          "bar", "rod", "vat", "tub", "mug", "key", "bin", "pod"})


def plural(word: str, number: float = 2.0, *, plurals: Mapping[str, str] | None = None
           ) -> str:
    """``word`` as written after ``number``: singular for exactly 1, plural otherwise.

    A plan may declare plurals of its own (``plurals``, word to plural); otherwise the
    irregular words of `IRREGULAR` and the rules of English are used, and a unit
    symbol (``t``, ``kg``, ``kWh``, ``m3``: three letters or fewer that are not a word,
    or anything not all lower-case letters) stays as it is.

    >>> plural("loaf"), plural("loaf", 1), plural("policy"), plural("t"), plural("box")
    ('loaves', 'loaf', 'policies', 't', 'boxes')
    >>> plural("row"), plural("column"), plural("nonzero")
    ('rows', 'columns', 'nonzeros')
    >>> plural("piece", 0), plural("crate", 3, plurals={"crate": "crates of 12"})
    ('pieces', 'crates of 12')

    A unit already plural (``sets``, ``baskets``) stays so; ``gas``, ``glass``, ``bus``
    and ``analysis`` are singulars:

    >>> plural("sets"), plural("baskets"), plural("glass"), plural("bus"), plural("analysis")
    ('sets', 'baskets', 'glasses', 'buses', 'analyses')

    A compound's last part is counted (a symbol stays a symbol):

    >>> plural("worker-hour"), plural("worker-hour", 1), plural("man-day"), plural("t-km")
    ('worker-hours', 'worker-hour', 'man-days', 't-km')
    """
    if not word or number == 1:
        return word
    if plurals and word in plurals:
        return str(plurals[word])
    head, _, last = word.rpartition(" ")     # "ton of wheat" is not written here,
    if last in IRREGULAR:                    # but "cubic metre" is: the last word counts
        return f"{head} {IRREGULAR[last]}".lstrip() if head else IRREGULAR[last]
    if "-" in last.strip("-"):                 # worker-hour: the last part counts
        front, _, tail = last.rpartition("-")
        last = f"{front}-{plural(tail, number)}"
        return f"{head} {last}" if head else last
    if not (last.isalpha() and last.islower()) or (len(last) <= 3 and
                                                  last not in _SHORT_WORDS):
        return word
    if last.endswith("is"):
        last = last[:-2] + "es"                 # analysis, axis
    elif (last.endswith("s") and not last.endswith(("ss", "us", "as", "os"))
            and len(last) > 3):
        pass                                    # already plural: sets, baskets, units
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def quantity(value: float | None, unit: str = "", *,
             plurals: Mapping[str, str] | None = None) -> str:
    """`fmt` for a sentence: the unit in the plural unless the number reads as 1.

    >>> quantity(14000, "loaf"), quantity(1, "loaf"), quantity(80, "t"), quantity(3.5)
    ('14,000 loaves', '1 loaf', '80 t', '3.5')
    """
    text = fmt(value)
    if not unit:
        return text
    return f"{text} {plural(unit, 1.0 if text in ('1', '-1') else 2.0, plurals=plurals)}"


def count(n: int, noun: str, *, plurals: Mapping[str, str] | None = None) -> str:
    """How many of something: ``count(1, "policy")`` is ``'1 policy'``.

    >>> count(1, "policy"), count(2, "policy"), count(0, "move")
    ('1 policy', '2 policies', '0 moves')
    """
    return f"{n:,} {plural(noun, n, plurals=plurals)}"


def residual(value: float) -> str:
    """A certificate's relative residual, as every output writes it (one rule: the same
    number reads the same in the terminal, the sentences and the report).

    >>> residual(0.0), residual(6.9e-10), residual(float("nan"))
    ('0.0e+00', '6.9e-10', 'n/a')
    """
    return "n/a" if math.isnan(value) else f"{value:.1e}"


#: Words spelt with a vowel but said with a consonant, and the reverse (a silent h).
_SAID_CONSONANT = ("uni", "use", "usu", "eu", "one", "once", "ewe", "ur")
_SAID_VOWEL = ("hour", "honest", "honour", "honor", "heir")


def a(word: str, *, capital: bool = False) -> str:
    """``word`` after its indefinite article, as it is said: "a week", "an hour", "a
    worker-hour", "an ounce" (a unit symbol reads as a letter name is not guessed: "a
    t").

    >>> a("week"), a("hour"), a("worker-hour"), a("ounce"), a("unit"), a("t")
    ('a week', 'an hour', 'a worker-hour', 'an ounce', 'a unit', 'a t')
    >>> a("hour", capital=True)
    'An hour'
    """
    low = word.lower()
    vowel = (low[:1] in ("a", "e", "i", "o", "u") and not low.startswith(_SAID_CONSONANT)
             and len(word) > 1) or low.startswith(_SAID_VOWEL)
    article = "an" if vowel else "a"
    return f"{article.capitalize() if capital else article} {word}"
