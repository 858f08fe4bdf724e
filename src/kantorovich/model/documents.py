"""Plan documents (YAML, TOML, JSON) read into plain data, with the line of every key.

Why not plain ``yaml.load``, ``json.loads`` and ``tomllib.loads``: they keep the last of
two equal JSON keys, expand YAML aliases without bound (a few hundred bytes can stand
for 10^9 values), turn integers too long for Python's int-to-text limit into internal
errors and numbers beyond a double into infinity, and only YAML says where a key is.
Here each of those is a located `Problem`, and a `Locator` maps a key path to its
1-based line. For JSON and TOML the line table is built only when a problem asks for
it, so a good file pays nothing for it.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from kantorovich.errors import PlanError, Problem
from kantorovich.files import input_problem

__all__ = ["Document", "Locator", "MAX_DIGITS", "MAX_YAML_VALUES", "read_document"]

Locator = Callable[[tuple[Any, ...]], int | None]
Path_ = tuple[Any, ...]

MAX_YAML_VALUES = 1_000_000
"""The most values a YAML document may stand for once its aliases are expanded."""

MAX_DIGITS = 308
"""The most digits an integer may have: a double holds nothing larger than 1.8e308."""

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it: same documents, several times
faster; never the full loader, which can build arbitrary Python objects."""

_YAML_STR = "tag:yaml.org,2002:str"
_YAML_INT = "tag:yaml.org,2002:int"
_YAML_FLOAT = "tag:yaml.org,2002:float"
_YAML_BOOL = "tag:yaml.org,2002:bool"
_YAML_NULL = "tag:yaml.org,2002:null"


@dataclass
class Document:
    """What a plan file holds: its data, where each key is, and what was wrong.

    ``spelled`` keeps how YAML scalars that YAML reads as booleans, numbers or null were
    written (keys always, values when boolean or null), so a hint can say "write "NO" in
    quotes" where an id was expected.
    """

    data: Any
    locate: Locator
    problems: list[Problem] = field(default_factory=list)
    spelled: dict[Path_, str] = field(default_factory=dict)


def _locator(build: Callable[[], dict[Path_, int]]) -> Locator:
    """A locator over a line table built on first use; unknown paths take the line of
    their nearest known parent."""
    table = functools.cache(build)

    def locate(loc: Path_) -> int | None:
        lines = table()
        loc = tuple(loc)
        while loc:
            if loc in lines:
                return lines[loc]
            loc = loc[:-1]
        return lines.get(())

    return locate


def _dotted(path: Path_) -> str:
    return ".".join(map(str, path))


def _too_many_digits(text: str) -> bool:
    digits = text.lstrip("+-").replace("_", "")
    return len(digits) > MAX_DIGITS and digits.isdigit()


def _number_problem(text: str, path: Path_, file: str, line: int | None) -> Problem | None:
    """A number the plan cannot hold: too many digits for a double, or a finite-looking
    number that a double would read as infinity."""
    shown = text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"
    if _too_many_digits(text):
        return Problem(f"the number {shown} is too large", _dotted(path), file, line,
                       f"numbers must be below 1e308; integers have at most {MAX_DIGITS} "
                       "digits (rescale the unit)")
    if "inf" in text.lower() or "nan" in text.lower():
        return None
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        return None
    if math.isinf(value):
        return Problem(f"the number {shown} is out of range", _dotted(path), file, line,
                       "numbers must be below 1e308; write .inf (YAML), inf (TOML) or "
                       "Infinity (JSON) for no limit")
    return None


# -- YAML ---------------------------------------------------------------------------------
class _YamlWalk:
    """One pass over a composed YAML node graph, before anything is constructed."""

    def __init__(self, loader: Any, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[Path_, int] = {}
        self.spelled: dict[Path_, str] = {}
        self.problems: list[Problem] = []
        self.numbers: list[Problem] = []  # numbers that must not be constructed
        self._sizes: dict[int, int] = {}
        self._seen: set[int] = set()

    def size(self, node: yaml.Node) -> int:
        """How many values ``node`` stands for with every alias expanded, counted once
        per distinct node (aliases share node objects), so the count itself is cheap."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(self.size(k) + self.size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(self.size(item) for item in node.value)
        else:
            total = 1
        self._sizes[id(node)] = total
        return total

    def check_size(self, root: yaml.Node) -> None:
        if self.size(root) <= MAX_YAML_VALUES:
            return
        # Name the innermost part that is still too large: that is where the aliases are.
        node, path = root, cast(tuple[object, ...], ())
        while True:
            children = (list(enumerate(node.value)) if isinstance(node, yaml.SequenceNode)
                        else [(k.value, v) for k, v in node.value]
                        if isinstance(node, yaml.MappingNode) else [])
            big = [(key, child) for key, child in children
                   if self.size(child) > MAX_YAML_VALUES]
            if not big:
                break
            path = path + (big[0][0],)
            node = big[0][1]
        raise PlanError([Problem(
            f"YAML anchors and aliases here expand to {self.size(node):,} values, more "
            f"than the {MAX_YAML_VALUES:,} a plan file may stand for", _dotted(path),
            self.file, node.start_mark.line + 1,
            "an alias (*name) may repeat part of a plan, not multiply it; write large "
            "tables as CSV files")])

    def _key(self, node: yaml.Node, path: Path_) -> Any:
        """A mapping key as the constructed data will hold it."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == _YAML_STR:
            return node.value if isinstance(node, yaml.ScalarNode) else repr(node.value)
        if node.tag == _YAML_INT and _too_many_digits(node.value):
            self.scalar(node, path + (node.value,))
            return node.value
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError):
            return node.value

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> None:
        if node.style:  # quoted or block text ('' is plain in libyaml, None in PyYAML)
            return
        if node.tag in (_YAML_BOOL, _YAML_NULL):
            self.spelled[path] = node.value
        elif node.tag in (_YAML_INT, _YAML_FLOAT):
            problem = _number_problem(node.value, path, self.file,
                                      node.start_mark.line + 1)
            if problem is not None:
                self.numbers.append(problem)

    def visit(self, node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.ScalarNode):
            self.scalar(node, path)
            return
        if id(node) in self._seen:  # an alias: its own paths were walked at the anchor
            return
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                key = self._key(key_node, path)
                text = str(key_node.value)
                if text in first and text != "<<":
                    self.problems.append(Problem(
                        f"'{text}' is given twice (first on line {first[text]})",
                        _dotted(path + (key,)), self.file, line, "keep one of them"))
                first.setdefault(text, line)
                self.lines[path + (key,)] = line
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _YAML_STR:
                    self.spelled[path + (key,)] = text
                    if isinstance(key, bool):  # pydantic reports a boolean key as 0 or 1
                        self.lines[path + (int(key),)] = line
                        self.spelled[path + (int(key),)] = text
                self.visit(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[path + (i,)] = item.start_mark.line + 1
                self.visit(item, path + (i,))


def _read_yaml(text: str, file: str) -> Document:
    loader = _YAML_LOADER(text)
    try:
        root = loader.get_single_node()
        walk = _YamlWalk(loader, file)
        if root is None:
            return Document(None, lambda loc: None)
        walk.check_size(root)
        walk.lines[()] = root.start_mark.line + 1
        walk.visit(root, ())
        if walk.numbers:
            raise PlanError(walk.problems + walk.numbers)
        data = loader.construct_document(root)
    finally:
        loader.dispose()
    lines = walk.lines
    return Document(data, _locator(lambda: lines), walk.problems, walk.spelled)


# -- JSON ---------------------------------------------------------------------------------
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _line_finder(text: str) -> Callable[[int], int]:
    starts = [m.end() for m in re.finditer("\n", text)]
    return lambda offset: bisect.bisect_right(starts, offset) + 1


def _json_scan(text: str, file: str) -> tuple[dict[Path_, int], list[Problem]]:
    """Lines of every key and array item of a valid JSON text, with its duplicate keys
    and unusable numbers. A token pass, because the json module reports no positions."""
    line_at = _line_finder(text)
    lines: dict[Path_, int] = {(): 1}
    problems: list[Problem] = []
    # each frame: [is_object, path, current key or index, expecting a key, first lines]
    stack: list[list[Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        top = stack[-1] if stack else None
        if top is not None and top[0] and top[3]:
            if token == "}":
                stack.pop()
                continue
            key, line = json.loads(token), line_at(match.start())
            if key in top[4]:
                problems.append(Problem(
                    f"'{key}' is given twice (first on line {top[4][key]})",
                    _dotted(top[1] + (key,)), file, line, "keep one of them"))
            top[4].setdefault(key, line)
            top[2], top[3] = key, False
            lines[top[1] + (key,)] = line
            continue
        if token == ":":
            continue
        if token == ",":
            if top is not None:
                if top[0]:
                    top[3] = True
                else:
                    top[2] += 1
            continue
        if token in "}]":
            stack.pop()
            continue
        here = top[1] + (top[2],) if top is not None else ()
        if top is not None and not top[0]:
            lines[here] = line_at(match.start())
        if token == "{":
            stack.append([True, here, None, True, {}])
        elif token == "[":
            stack.append([False, here, 0, False, {}])
        elif token[0] != '"':
            problem = _number_problem(token, here, file, line_at(match.start()))
            if problem is not None:
                problems.append(problem)
    return lines, problems


def _read_json(text: str, file: str) -> Document:
    suspect: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(items)
        if len(mapping) != len(items):
            suspect.append(True)
        return mapping

    def integer(digits: str) -> int:
        if _too_many_digits(digits):
            suspect.append(True)
            return 0  # a placeholder: the problem found below refuses the plan
        return int(digits)

    def real(digits: str) -> float:
        value = float(digits)
        if math.isinf(value):
            suspect.append(True)
        return value

    data = json.loads(text, object_pairs_hook=pairs, parse_int=integer, parse_float=real)
    problems: list[Problem] = []
    if suspect:
        _, problems = _json_scan(text, file)
        if any(p.message.startswith("the number") for p in problems):
            raise PlanError(problems)  # the data holds placeholders for those numbers
    return Document(data, _locator(lambda: _json_scan(text, file)[0]), problems)


# -- TOML ---------------------------------------------------------------------------------
_TOML_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_TOML_DOTTED = rf"{_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*"
_TOML_HEADER = re.compile(rf"\s*(\[\[?)\s*({_TOML_DOTTED})\s*\]")
_TOML_ASSIGN = re.compile(rf"\s*({_TOML_DOTTED})\s*=\s*")
_TOML_INLINE = re.compile(rf"{_TOML_DOTTED}(?=\s*=)|[{{}}]")
_TOML_NUMBER = re.compile(r"(?<![\w.\"'-])[+-]?\d[\d_]*(?:\.[\d_]+)?(?:[eE][+-]?[\d_]+)?"
                          r"(?![\w.-])")
_LONG_DIGITS = re.compile(rf"\d(?:_?\d){{{MAX_DIGITS},}}")


def _toml_key(dotted: str) -> Path_:
    return tuple(part[1:-1] if part[0] in "\"'" else part
                 for part in re.findall(_TOML_KEY, dotted))


def _toml_lines(text: str) -> dict[Path_, int]:
    """Lines of table headers, ``key =`` lines and keys of one-line inline tables. A line
    scanner, because tomllib reports no positions; text inside multi-line strings is
    skipped."""
    lines: dict[Path_, int] = {(): 1}
    table: Path_ = ()
    counts: dict[Path_, int] = {}
    closing: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if closing is not None:
            if line.count(closing) % 2:
                closing = None
            continue
        header = _TOML_HEADER.match(line)
        if header:
            table = _toml_key(header.group(2))
            lines.setdefault(table, number)
            if header.group(1) == "[[":
                counts[table] = counts.get(table, -1) + 1
                table = table + (counts[table],)
                lines[table] = number
            continue
        assign = _TOML_ASSIGN.match(line)
        if not assign:
            continue
        key = table + _toml_key(assign.group(1))
        lines[key] = number
        rest = line[assign.end():]
        for quotes in ('"""', "'''"):
            if rest.startswith(quotes) and rest.count(quotes) % 2:
                closing = quotes
        if rest.startswith("{"):
            stack, last = [], key
            for token in _TOML_INLINE.findall(rest):
                if token == "{":
                    stack.append(last)
                elif token == "}":
                    if stack:
                        stack.pop()
                elif stack:
                    last = stack[-1] + _toml_key(token)
                    lines[last] = number
    return lines


def _toml_number_problems(text: str, file: str) -> list[Problem]:
    """Numbers a double cannot hold, each with its line and the key of that line."""
    line_at = _line_finder(text)
    on_line: dict[int, Path_] = {}
    for path, line in _toml_lines(text).items():
        if len(path) >= len(on_line.get(line, ())):
            on_line[line] = path
    found = []
    for match in _TOML_NUMBER.finditer(text):
        line = line_at(match.start())
        problem = _number_problem(match.group(), on_line.get(line, ()), file, line)
        if problem is not None:
            found.append(problem)
    return found


def _read_toml(text: str, file: str) -> Document:
    overflow: list[str] = []

    def real(digits: str) -> float:
        value = float(digits)
        if math.isinf(value) and "inf" not in digits:
            overflow.append(digits)
        return value

    long_integer = _LONG_DIGITS.search(text) is not None
    try:
        data = tomllib.loads(text, parse_float=real)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError:  # Python's int-to-text limit, hit inside tomllib
        if not long_integer:
            raise
        raise PlanError(_toml_number_problems(text, file)) from None
    if overflow or long_integer:
        problems = _toml_number_problems(text, file)
        if problems:
            raise PlanError(problems)
    return Document(data, _locator(lambda: _toml_lines(text)))


# -- any plan file ------------------------------------------------------------------------
def read_document(path: Path) -> Document:
    """Read a YAML, TOML or JSON plan file; unreadable text is a `PlanError`."""
    file = str(path)
    special = input_problem(path)    # a FIFO or a device would hang the reader
    if special is not None:
        raise PlanError([special])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError([Problem("file not found", file=file,
                                 hint="check the path; plans are .yaml, .toml, .json or .mps")])
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([Problem(f"cannot read the file: {exc}", file=file)])
    suffix = path.suffix.lower()
    try:
        if suffix in {".yaml", ".yml"}:
            return _read_yaml(text, file)
        if suffix == ".toml":
            return _read_toml(text, file)
        if suffix == ".json":
            return _read_json(text, file)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        raise PlanError([Problem(f"not valid YAML: {reason}", file=file,
                                 line=mark.line + 1 if mark else None,
                                 hint="check indentation, colons and quotes on that line")])
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise PlanError([Problem(f"not valid TOML: {reason}", file=file,
                                 line=int(where.group(1)) if where else None,
                                 hint=f"column {where.group(2)}" if where else None)])
    except json.JSONDecodeError as exc:
        raise PlanError([Problem(f"not valid JSON: {exc.msg}", file=file, line=exc.lineno)])
    except RecursionError:
        raise PlanError([Problem("the document is nested too deeply", file=file)])
    raise PlanError([Problem(f"unknown plan file type '{suffix}'", file=file,
                             hint="use .yaml, .yml, .toml, .json (or .mps for an LP)")])
