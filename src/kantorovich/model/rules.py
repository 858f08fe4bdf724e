"""Parse political rules ("policies") written as linear (in)equalities.

Plan files let planners state extra constraints as plain text, for example
``output(flour, region='District 3') >= 0.4 * output(flour)``.  This module
turns such text into a :class:`Rule`: a list of (term, coefficient) pairs on
the left, one comparison and a constant on the right, ready to become one row
of the linear programme.

Why a real grammar: rules are written by people, so they must be read
predictably and their mistakes explained in plain words with a column.  The
text is parsed by a lark LALR grammar (never ``eval``), and arithmetic is done
with exact fractions so that terms which cancel on paper (``0.1 + 0.2 - 0.3``)
also cancel here.  Every mistake in the text, whatever the input, surfaces as
:class:`RuleSyntaxError` (the parser's own errors, located by column, and the
checks of the arithmetic and the calls).  Any other exception is a bug of ours, not
the user's: it is never turned into a rule error, so the command line reports it as
an internal error (exit 70, asking for a report) and the property tests fail on it.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, NoReturn, cast

from lark import Lark, Token, Transformer
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from kantorovich.errors import Problem

__all__ = ["MAX_RULE_LENGTH", "Rule", "RuleSyntaxError", "Term", "bound_sign", "parse_rule",
           "rule_problem", "rule_text"]

TermKind = Literal["level", "input", "output", "net"]
Sense = Literal["<=", ">=", "=="]

_FUNCTIONS: tuple[str, ...] = ("level", "input", "output", "net")
_KEYWORDS: tuple[str, ...] = ("unit", "region")
_ALLOWED = "Rules may use level(), input(), output(), net()"
_COMPARISON_WORDS = "<=, >= or =="
# Decimal exponents beyond this are far outside float range; refusing them
# early keeps exact arithmetic from building astronomically large integers.
_MAX_EXPONENT = 400
# Products and quotients of constants may not leave 2**-2700 .. 2**2700 (about 1e+-813):
# past that no double can hold the result, and exact fractions would only grow.
_MAX_BITS = 2700

MAX_RULE_LENGTH = 10_000
"""The longest rule text read: parsing and exact arithmetic stay within milliseconds."""

_GRAMMAR = r"""
start: expr comparison expr

comparison: LE | GE | EQ | ASSIGN

?expr: product
     | expr PLUS product    -> add
     | expr MINUS product   -> sub

?product: unary
        | product STAR unary  -> mul
        | product SLASH unary -> div

?unary: atom
      | MINUS unary -> neg
      | PLUS unary  -> pos

?atom: NUMBER               -> number
     | call
     | LPAR expr RPAR       -> group

call: FUNC LPAR [arguments] RPAR
arguments: argument (COMMA argument)*
argument: ident             -> positional
        | ID ASSIGN ident   -> keyword
?ident: ID | STRING

LE: "<="
GE: ">="
EQ: "=="
ASSIGN: "="
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
LPAR: "("
RPAR: ")"
COMMA: ","
// Function names never contain hyphens, so `level(a)-level(b)` and
// `level(a) -3` stay subtractions.  Ids (hyphens allowed) are only expected
// inside argument lists; the contextual lexer keeps the two apart.
FUNC: /[A-Za-z_][A-Za-z0-9_]*/
ID: /[A-Za-z_][A-Za-z0-9_.\-@]*/
STRING: /"[^"\n]*"/ | /'[^'\n]*'/
NUMBER: /(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d+)?/

%ignore /\s+/
"""


@dataclass(frozen=True)
class Term:
    """One decision quantity a rule can mention.

    Parameters
    ----------
    kind : {"level", "input", "output", "net"}
        ``level`` is a process's activity level; ``input``/``output`` are
        totals of a good used or made; ``net`` is outputs minus inputs of a
        good over all processes.
    target : str
        Process id for ``level``, good id otherwise.
    unit : str or None
        Restrict ``input``/``output`` to processes of this unit.
    region : str or None
        Restrict ``input``/``output`` to processes in this region.
    """

    kind: TermKind
    target: str
    unit: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Rule:
    """A parsed rule in the normal form ``sum(coef * term) SENSE rhs``.

    Parameters
    ----------
    terms : tuple of (Term, float)
        Every term moved to the left side and merged: repeated terms have
        their coefficients summed, zeros are dropped, and the order is that of
        first appearance so that rows read like the text the planner wrote.
    sense : {"<=", ">=", "=="}
        The comparison as written (``=`` is read as ``==``).
    rhs : float
        Every constant moved to the right side.
    text : str
        The original text, kept for error reports and explanations.
    """

    terms: tuple[tuple[Term, float], ...]
    sense: Sense
    rhs: float
    text: str


class RuleSyntaxError(ValueError):
    """Raised for any rule text that cannot be read as a linear rule.

    A single exception type lets callers report every rule problem the same
    way, whether it is a typo, a wrong argument or a non-linear expression.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    column : int or None
        1-based column of the problem, when one is known.
    hint : str or None
        A suggestion on how to fix it, when one is available.
    """

    def __init__(self, message: str, column: int | None = None, hint: str | None = None):
        super().__init__(message, column, hint)
        self.message = message
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        if self.column is not None:
            text += f" (column {self.column})"
        if self.hint:
            text += f"; {self.hint}"
        return text


@dataclass
class _Linear:
    """An affine expression ``sum(coef * term) + const`` in exact arithmetic.

    ``mentioned`` remembers whether any term was ever written, so that a rule
    whose terms all cancel can be told apart from one that names none.
    """

    coefs: dict[Term, Fraction] = field(default_factory=dict)
    const: Fraction = Fraction(0)
    mentioned: bool = False

    @property
    def is_constant(self) -> bool:
        return not any(self.coefs.values())

    def scaled(self, factor: Fraction) -> _Linear:
        return _Linear(
            {t: c * factor for t, c in self.coefs.items()}, self.const * factor, self.mentioned
        )

    def plus(self, other: _Linear, sign: int = 1) -> _Linear:
        coefs = dict(self.coefs)
        for term, coef in other.coefs.items():
            coefs[term] = coefs.get(term, Fraction(0)) + sign * coef
        return _Linear(coefs, self.const + sign * other.const, self.mentioned or other.mentioned)


@dataclass(frozen=True)
class _Arg:
    """One argument of a call, with its column for error messages."""

    key: str | None
    value: str
    column: int | None


def _column(token: object) -> int | None:
    """The 1-based column of a token or a parser error, when it has one."""
    column = getattr(token, "column", None)
    return column if isinstance(column, int) and column > 0 else None


def _ident(token: Token) -> str:
    """Return an id's text, without quotes when it was quoted."""
    value = str(token)
    if token.type == "STRING":
        value = value[1:-1]
        if not value.strip():
            raise RuleSyntaxError(
                "an id in quotes cannot be empty", _column(token), "write a name between the quotes"
            )
    return value


def _zeros_of(expr: _Linear) -> _Linear:
    """Keep a constant factor's cancelled terms so first-appearance order holds."""
    return _Linear({t: Fraction(0) for t in expr.coefs}, Fraction(0), expr.mentioned)


def _describe(term: Term) -> str:
    args = [repr(term.target)]
    if term.unit is not None:
        args.append(f"unit={term.unit!r}")
    if term.region is not None:
        args.append(f"region={term.region!r}")
    return f"{term.kind}({', '.join(args)})"


def _describe_linear(expr: _Linear) -> str:
    terms = [t for t, c in expr.coefs.items() if c]
    return _describe(terms[0]) if terms else "a term"


_SENSES: dict[str, Sense] = {"<=": "<=", ">=": ">=", "==": "==", "=": "=="}
_KINDS: dict[str, TermKind] = {"level": "level", "input": "input", "output": "output",
                               "net": "net"}


def _binary(children: list[object]) -> tuple[_Linear, Token, _Linear]:
    """The operands and operator token of a binary node."""
    left, op, right = children
    assert isinstance(left, _Linear) and isinstance(op, Token) and isinstance(right, _Linear)
    return left, op, right


def _inner(children: list[object]) -> _Linear:
    """The expression of a unary or parenthesised node (``-e``, ``+e``, ``(e)``)."""
    value = children[1]
    assert isinstance(value, _Linear)
    return value


class _ToLinear(Transformer[Token, tuple[_Linear, Sense, _Linear]]):
    """Build :class:`_Linear` values while the LALR parser reduces.

    Used as lark's inline transformer, so no parse tree is built and deep
    nesting cannot exhaust Python's recursion limit.
    """

    def start(self, children: list[object]) -> tuple[_Linear, Sense, _Linear]:
        left, sense, right = children
        assert isinstance(left, _Linear) and isinstance(right, _Linear)
        return left, _SENSES[str(sense)], right

    def comparison(self, children: list[Token]) -> Sense:
        return _SENSES[str(children[0])]

    def add(self, children: list[object]) -> _Linear:
        left, _, right = _binary(children)
        return left.plus(right)

    def sub(self, children: list[object]) -> _Linear:
        left, _, right = _binary(children)
        return left.plus(right, -1)

    def mul(self, children: list[object]) -> _Linear:
        left, op, right = _binary(children)
        if left.is_constant:
            return _in_range(_zeros_of(left).plus(right.scaled(left.const)), op)
        if right.is_constant:
            return _in_range(left.scaled(right.const).plus(_zeros_of(right)), op)
        raise RuleSyntaxError(
            f"rules must be linear: cannot multiply {_describe_linear(left)} "
            f"by {_describe_linear(right)}",
            _column(op),
            "multiply terms only by numbers",
        )

    def div(self, children: list[object]) -> _Linear:
        left, op, right = _binary(children)
        if not right.is_constant:
            raise RuleSyntaxError(
                f"rules must be linear: cannot divide by {_describe_linear(right)}",
                _column(op),
                "divide only by numbers",
            )
        if right.const == 0:
            raise RuleSyntaxError("division by zero", _column(op))
        return _in_range(left.scaled(1 / right.const).plus(_zeros_of(right)), op)

    def neg(self, children: list[object]) -> _Linear:
        return _inner(children).scaled(Fraction(-1))

    def pos(self, children: list[object]) -> _Linear:
        return _inner(children)

    def group(self, children: list[object]) -> _Linear:
        return _inner(children)

    def number(self, children: list[Token]) -> _Linear:
        token = children[0]
        text = str(token).replace("_", "")
        mantissa, _, exponent = text.lower().partition("e")
        if len(mantissa) > _MAX_EXPONENT:
            raise RuleSyntaxError(
                f"the number {_shown(str(token))} has too many digits", _column(token)
            )
        if not mantissa.strip("0."):
            return _Linear()
        if exponent and (len(exponent) > 6 or abs(int(exponent)) > _MAX_EXPONENT):
            raise RuleSyntaxError(
                f"the number {_shown(str(token))} is out of range", _column(token)
            )
        return _Linear(const=Fraction(text))

    def positional(self, children: list[Token]) -> _Arg:
        return _Arg(None, _ident(children[0]), _column(children[0]))

    def keyword(self, children: list[Token]) -> _Arg:
        key, _, value = children
        return _Arg(str(key), _ident(value), _column(key))

    def arguments(self, children: list[object]) -> list[_Arg]:
        return [c for c in children if isinstance(c, _Arg)]

    def call(self, children: list[object]) -> _Linear:
        name_token, _, args, _ = children
        assert isinstance(name_token, Token) and (args is None or isinstance(args, list))
        term = _make_term(name_token, args or [])
        return _Linear({term: Fraction(1)}, mentioned=True)


def _in_range(expr: _Linear, op: Token) -> _Linear:
    """Refuse a product or quotient whose constants have left any double's reach, so
    that thousands of factors cannot grow fractions of millions of digits."""
    for value in (expr.const, *expr.coefs.values()):
        if value and abs(value.numerator.bit_length() - value.denominator.bit_length()) \
                > _MAX_BITS:
            raise RuleSyntaxError("a number in this rule is out of range", _column(op),
                                  "numbers in rules must lie between 1e-300 and 1e300")
    return expr


def _make_term(name_token: Token, args: list[_Arg]) -> Term:
    """Check a call's name and argument forms and build its :class:`Term`."""
    name, col = str(name_token), _column(name_token)
    if name not in _FUNCTIONS:
        close = difflib.get_close_matches(name, _FUNCTIONS, n=1)
        hint = f"did you mean '{close[0]}'? {_ALLOWED}" if close else _ALLOWED
        raise RuleSyntaxError(f"unknown function '{name}'", col, hint)

    if name in ("level", "net"):
        what = "process" if name == "level" else "good"
        if len(args) != 1 or args[0].key is not None:
            hint = (
                "net() always sums over all processes; use input() or output() "
                "to restrict to a unit or region"
                if name == "net"
                else f"write {name}(some-{what}-id)"
            )
            bad = args[1].column if len(args) > 1 else (args[0].column if args else col)
            raise RuleSyntaxError(f"{name}() takes one {what} id", bad, hint)
        return Term(_KINDS[name], args[0].value)

    usage = f"write {name}(good), {name}(good, unit) or {name}(good, region=...)"
    if not args:
        raise RuleSyntaxError(f"{name}() needs a good id", col, usage)
    if args[0].key is not None:
        raise RuleSyntaxError(f"{name}() needs a good id first", args[0].column, usage)

    good = args[0].value
    given: dict[str, str] = {}
    seen_keyword = False
    for arg in args[1:]:
        if arg.key is None:
            if seen_keyword:
                raise RuleSyntaxError(
                    f"in {name}() a plain id cannot follow a keyword argument", arg.column, usage
                )
            if "unit" in given:
                raise RuleSyntaxError(
                    f"{name}() takes a good id and at most one unit", arg.column, usage
                )
            given["unit"] = arg.value
            continue
        seen_keyword = True
        if arg.key not in _KEYWORDS:
            close = difflib.get_close_matches(arg.key, _KEYWORDS, n=1)
            hint = f"{name}() accepts unit= or region="
            if close:
                hint = f"did you mean '{close[0]}'? {hint}"
            raise RuleSyntaxError(f"unknown keyword '{arg.key}' in {name}()", arg.column, hint)
        if arg.key in given:
            raise RuleSyntaxError(f"{arg.key} is given twice in {name}()", arg.column, usage)
        given[arg.key] = arg.value
    if "unit" in given and "region" in given:
        raise RuleSyntaxError(
            f"{name}() takes either a unit or a region, not both",
            col,
            "write two rules, or leave one of them out",
        )
    return Term(_KINDS[name], good, given.get("unit"), given.get("region"))


@functools.cache
def _parser() -> Lark:
    """Build the LALR parser once; compiling the grammar is the slow part."""
    return Lark(_GRAMMAR, parser="lalr", lexer="contextual", transformer=_ToLinear())


# Plain-word names of terminals, in the order they are listed in hints.
_TOKEN_WORDS: dict[str, str] = {
    "FUNC": "a term such as input(...)",
    "NUMBER": "a number",
    "ID": "an id",
    "STRING": "a quoted id",
    "ASSIGN": "'='",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "LPAR": "'('",
    "COMMA": "','",
    "RPAR": "')'",
    "$END": "the end of the rule",
}
_COMPARISONS = frozenset({"LE", "GE", "EQ", "ASSIGN"})
_LOOKALIKES: dict[str, str] = {
    "≤": "<=",
    "≥": ">=",
    "−": "-",
    "–": "-",
    "×": "*",
    "·": "*",
    "÷": "/",
}


def _expected_words(expected: set[str]) -> str:
    """Say in words what the parser would have accepted."""
    words: list[str] = []
    if expected & {"LE", "GE", "EQ"}:
        # The comparison terminals always travel together; "=" on its own
        # is the keyword-argument sign.
        words.append(f"a comparison ({_COMPARISON_WORDS})")
        expected = expected - _COMPARISONS
    words += [word for name, word in _TOKEN_WORDS.items() if name in expected]
    words += sorted(name.lower() for name in expected if name not in _TOKEN_WORDS)
    if not words:
        return ""
    if len(words) == 1:
        return "expected " + words[0]
    return "expected " + ", ".join(words[:-1]) + " or " + words[-1]


def _shown(value: str) -> str:
    return value if len(value) <= 30 else value[:27] + "..."


def _from_unexpected_characters(err: UnexpectedCharacters, text: str) -> RuleSyntaxError:
    pos = err.pos_in_stream if isinstance(err.pos_in_stream, int) else -1
    char = text[pos] if 0 <= pos < len(text) else (err.char or "?")
    col = _column(err)
    prev = text[pos - 1] if pos > 0 else ""
    nxt = text[pos + 1] if pos + 1 < len(text) else ""
    if char in "<>":
        if prev == "=":
            return RuleSyntaxError(
                f"'={char}' is not a comparison", col, f"write {char}= instead"
            )
        return RuleSyntaxError(
            f"strict comparison '{char}' is not supported", col, f"use {char}= instead"
        )
    if char == "!" and nxt == "=":
        return RuleSyntaxError(
            "'!=' is not supported", col, f"a rule needs one comparison: {_COMPARISON_WORDS}"
        )
    if char in "'\"":
        return RuleSyntaxError(
            "a quoted id is not closed", col, f"end it with {char} on the same line"
        )
    if char in _LOOKALIKES:
        return RuleSyntaxError(
            f"unexpected character {char!r}", col, f"write {_LOOKALIKES[char]!r} instead"
        )
    hint = _expected_words(set(err.allowed or ()))
    return RuleSyntaxError(f"unexpected character {char!r}", col, hint or None)


def _from_unexpected_token(err: UnexpectedToken, text: str) -> RuleSyntaxError:
    token = err.token
    expected = set(err.expected or ())
    at_end = token.type == "$END"
    col = len(text.rstrip()) + 1 if at_end else _column(token)
    if expected == {"LPAR"}:
        # Only a function name is followed by nothing but '(' -- so a bare
        # name was written where a term belongs.
        return RuleSyntaxError(
            "a name on its own is not a term",
            col,
            f"write ids inside a function, e.g. input(wheat); {_ALLOWED}",
        )
    if at_end and expected & _COMPARISONS:
        return RuleSyntaxError(
            f"a rule needs one comparison: {_COMPARISON_WORDS}",
            col,
            "for example: input(wheat, mill-3) >= 1000",
        )
    if token.type in _COMPARISONS and not expected & _COMPARISONS:
        if "ID" in expected or "STRING" in expected:
            return RuleSyntaxError(
                f"unexpected {str(token)!r}", col, _expected_words(expected) or None
            )
        start = token.start_pos if isinstance(token.start_pos, int) else 0
        before = text[:start]
        if not before.strip():
            return RuleSyntaxError(
                "the left side of the rule is missing", col, "for example: level(a) <= 100"
            )
        if re.search(r"[<>=]", before):
            return RuleSyntaxError(
                f"a rule may have only one comparison: {_COMPARISON_WORDS}",
                col,
                "split a chained comparison into two rules",
            )
        return RuleSyntaxError(
            f"unexpected {str(token)!r}", col, _expected_words(expected) or None
        )
    if at_end:
        return RuleSyntaxError("the rule ends too early", col, _expected_words(expected) or None)
    if token.type == "NUMBER" and "ID" in expected:
        return RuleSyntaxError(
            f"an id cannot start with a digit: {_shown(str(token))!r}",
            col,
            "ids start with a letter or underscore; put other ids in quotes",
        )
    if token.type in ("FUNC", "ID", "LPAR", "NUMBER") and "STAR" in expected:
        return RuleSyntaxError(
            f"unexpected {_shown(str(token))!r}",
            col,
            "write '*' to multiply, or '+'/'-' between terms",
        )
    return RuleSyntaxError(
        f"unexpected {_shown(str(token))!r}", col, _expected_words(expected) or None
    )


def _fail_from_lark(err: UnexpectedInput, text: str) -> NoReturn:
    """Re-raise the parser's error as :class:`RuleSyntaxError` in plain words."""
    if isinstance(err, UnexpectedCharacters):
        raise _from_unexpected_characters(err, text) from None
    if isinstance(err, UnexpectedToken):
        raise _from_unexpected_token(err, text) from None
    if isinstance(err, UnexpectedEOF):
        raise RuleSyntaxError(
            "the rule ends too early", len(text.rstrip()) + 1, _expected_words(set(err.expected))
        ) from None
    column = err.column if isinstance(err.column, int) and err.column > 0 else None
    raise RuleSyntaxError("this rule cannot be read", column) from None


def _to_float(value: Fraction) -> float:
    """The nearest double, refusing a number that would become infinite or zero."""
    try:
        number = float(value)
    except OverflowError:
        raise RuleSyntaxError("a number in this rule is too large") from None
    if value and abs(number) < sys.float_info.min:
        raise RuleSyntaxError("a number in this rule is too small to tell from zero", None,
                              "numbers in rules must lie between 1e-300 and 1e300")
    return number


def _build(left: _Linear, sense: Sense, right: _Linear, text: str) -> Rule:
    """Move terms left and constants right, merging and dropping zeros."""
    lhs = left.plus(right, -1)
    terms: list[tuple[Term, float]] = []
    for term, coef in lhs.coefs.items():
        value = _to_float(coef)
        if value != 0.0:
            terms.append((term, value))
    if not terms:
        if lhs.mentioned:
            raise RuleSyntaxError(
                "every term in this rule cancels out, so it constrains nothing",
                None,
                "check the coefficients",
            )
        raise RuleSyntaxError(
            "a rule must mention at least one level, input, output or net",
            None,
            "for example: level(mill-3-milling) <= 3000",
        )
    return Rule(tuple(terms), sense, _to_float(-lhs.const), text)


def parse_rule(text: str) -> Rule:
    """Parse one rule into the normal form ``sum(coef * term) SENSE rhs``.

    Terms are moved to the left and constants to the right so the rule maps
    directly onto one row of the linear programme; the sense is kept as
    written.

    Parameters
    ----------
    text : str
        The rule, e.g. ``"input(wheat, mill-3) >= 1000"``.

    Returns
    -------
    Rule
        The parsed rule; ``text`` is kept unchanged.

    Raises
    ------
    RuleSyntaxError
        For any text that is not a single linear comparison of level(),
        input(), output() and net() terms. Any other exception is a bug.

    Examples
    --------
    >>> rule = parse_rule("level(mill-3-milling) + 2*level(mill-5-milling) <= 3_000")
    >>> [(term.target, coef) for term, coef in rule.terms], rule.sense, rule.rhs
    ([('mill-3-milling', 1.0), ('mill-5-milling', 2.0)], '<=', 3000.0)
    >>> parse_rule("2 >= level(a) - 3").rhs
    -5.0
    """
    if not isinstance(text, str):
        raise RuleSyntaxError("a rule must be text")
    if not text.strip():
        raise RuleSyntaxError("the rule is empty", None, "for example: input(wheat, mill-3) >= 1000")
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(
            f"the rule is {len(text):,} characters long; rules may have at most "
            f"{MAX_RULE_LENGTH:,}", None,
            "split it into several rules, or total a unit or region with input() or output()")
    try:
        # lark types parse() as a tree; with an inline transformer it returns what
        # `_ToLinear.start` returns
        left, sense, right = cast(tuple[_Linear, Sense, _Linear], _parser().parse(text))
        return _build(left, sense, right, text)
    except UnexpectedInput as err:   # the parser's own: the text is not a rule
        _fail_from_lark(err, text)


_PLAIN_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-@]*")


def _written_id(value: str) -> str:
    """An id as the rules language reads it back: bare where the grammar allows."""
    if _PLAIN_ID.fullmatch(value):
        return value
    return f"'{value}'" if '"' in value else f'"{value}"'


def _written_number(value: float) -> str:
    """The shortest text that reads back as exactly ``value``."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def rule_text(rule: Rule) -> str:
    """The rule's normal form as text that `parse_rule` reads back to an equal `Rule`.

    Needed where a rule has changed since it was written (a new right-hand side from a
    what-if) and its text must say what it now is, in a saved plan or a sentence.

    Examples
    --------
    >>> rule_text(parse_rule("2 * level(a) >= level(b) + 10"))
    '2*level(a) - level(b) >= 10'
    >>> rule_text(parse_rule("input(wheat@North, unit=mill-3) <= 1e-3"))
    'input(wheat@North, unit=mill-3) <= 0.001'
    """
    parts = []
    for i, (term, coef) in enumerate(rule.terms):
        args = [_written_id(term.target)]
        if term.unit is not None:
            args.append(f"unit={_written_id(term.unit)}")
        if term.region is not None:
            args.append(f"region={_written_id(term.region)}")
        call = f"{term.kind}({', '.join(args)})"
        size = abs(coef)
        factor = "" if size == 1.0 else f"{_written_number(size)}*"
        sign = ("-" if i == 0 else " - ") if coef < 0 else ("" if i == 0 else " + ")
        parts.append(f"{sign}{factor}{call}")
    return f"{''.join(parts)} {rule.sense} {_written_number(rule.rhs)}"


def bound_sign(rule: Rule) -> float:
    """1.0 when ``rule.rhs`` is the rule's bound as written, -1.0 when the rule was
    written with its terms right of the comparison and its bound left of it, so that the
    bound as written is ``-rule.rhs`` (``600 <= input(wheat, a)`` is held as
    ``-input(wheat, a) <= -600``). What varies "the rule's level" (a sweep) moves the bound
    as written and keeps the rule's direction.

    >>> rule = parse_rule("600 <= input(wheat, a)")
    >>> bound_sign(rule), rule.rhs
    (-1.0, -600.0)
    >>> bound_sign(parse_rule("input(wheat, a) >= 600"))
    1.0
    """
    return _written_sign(rule.text)


@functools.lru_cache(maxsize=4096)
def _written_sign(text: str) -> float:
    try:
        left, _, right = cast(tuple[_Linear, Sense, _Linear], _parser().parse(text))
    except (UnexpectedInput, RuleSyntaxError):   # a rule made without readable text
        return 1.0
    return -1.0 if left.is_constant and not right.is_constant else 1.0


def rule_problem(policy: str, text: str, error: RuleSyntaxError, *, file: str | None = None,
                 line: int | None = None) -> Problem:
    """The located problem of a policy whose rule cannot be read, as every entry point
    (file, frames, a `Policy` made in Python) reports it."""
    where = f" at column {error.column}" if error.column else ""
    shown = text if len(text) <= 60 else text[:50] + "..."
    return Problem(f"rule '{shown}': {error.message}{where}", f"policies.{policy}.rule",
                   file, line, error.hint)
