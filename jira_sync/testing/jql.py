"""A bounded JQL parser for the subset the sync sends, and its evaluation against stand-in issues.

Grammar: clause (AND clause)* [ORDER BY field [ASC|DESC] (, field [ASC|DESC])*]
where clause is `field op value` or `field [NOT] IN (value, …)`; fields are project, id,
key / issueKey, parent, labels, issuetype, status, updated, created and "Epic Link"
(Data Center). Anything else is a 400, as is a query without a restriction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

FIELDS = {
    "project",
    "id",
    "key",
    "issuekey",
    "parent",
    "labels",
    "issuetype",
    "status",
    "updated",
    "created",
    "epic link",
}
DATE_FIELDS = {"updated", "created"}
ORDER_FIELDS = {"updated", "created", "key", "id", "issuekey"}
OPERATORS = {"=", "!=", ">=", "<=", ">", "<", "in", "not in"}

TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<punct>[(),])
      | (?P<word>[^\s"'(),=!<>]+)
    )""",
    re.VERBOSE,
)


class JqlError(ValueError):
    """Jira answers these with 400 and the message in `errorMessages`."""


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    order: tuple[tuple[str, bool], ...] = field(default=())  # (field, descending)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    quoted: bool = False


def tokenize(jql: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(jql):
        if jql[pos:].strip() == "":
            break
        match = TOKEN.match(jql, pos)
        if not match or match.end() == pos:
            raise JqlError(
                f"Error in the JQL Query: The character '{jql[pos:].strip()[0]}' is a reserved JQL character."
            )
        pos = match.end()
        if match.group("string") is not None:
            text = match.group("string")[1:-1]
            tokens.append(Token("value", re.sub(r"\\(.)", r"\1", text), quoted=True))
        elif match.group("op"):
            tokens.append(Token("op", match.group("op")))
        elif match.group("punct"):
            tokens.append(Token(match.group("punct"), match.group("punct")))
        else:
            tokens.append(Token("word", match.group("word")))
    return tokens


class _Parser:
    def __init__(self, jql: str) -> None:
        self.jql = jql
        self.tokens = tokenize(jql)
        self.pos = 0

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise JqlError(f"Error in the JQL Query: Expecting more input at the end of the query '{self.jql}'.")
        self.pos += 1
        return token

    def keyword(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "word" and token.text.lower() == word

    def parse(self) -> Query:
        clauses: list[Clause] = []
        if not (self.keyword("order") or self.peek() is None):
            clauses.append(self.clause())
            while self.keyword("and"):
                self.take()
                clauses.append(self.clause())
        order: list[tuple[str, bool]] = []
        if self.keyword("order"):
            self.take()
            if not self.keyword("by"):
                raise JqlError("Error in the JQL Query: Expecting 'by' after 'order'.")
            self.take()
            while True:
                name = self.take().text.lower()
                if name not in ORDER_FIELDS:
                    raise JqlError(f"Not able to sort using field '{name}'.")
                descending = False
                if self.keyword("asc") or self.keyword("desc"):
                    descending = self.take().text.lower() == "desc"
                order.append((name, descending))
                if self.peek() is not None and self.peek().kind == ",":  # type: ignore[union-attr]
                    self.take()
                    continue
                break
        if self.peek() is not None:
            raise JqlError(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{self.peek().text}'.")  # type: ignore[union-attr]
        if not clauses:
            raise JqlError("Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
        return Query(clauses=tuple(clauses), order=tuple(order))

    def clause(self) -> Clause:
        name_token = self.take()
        name = name_token.text.lower()
        if name_token.kind not in {"word", "value"} or name not in FIELDS:
            raise JqlError(f"Field '{name_token.text}' does not exist or you do not have permission to view it.")
        op_token = self.take()
        if op_token.kind == "op":
            op = op_token.text
        elif op_token.kind == "word" and op_token.text.lower() == "in":
            op = "in"
        elif op_token.kind == "word" and op_token.text.lower() == "not" and self.keyword("in"):
            self.take()
            op = "not in"
        else:
            raise JqlError(f"Error in the JQL Query: Expecting operator but got '{op_token.text}'.")
        if op in {"in", "not in"}:
            if self.take().kind != "(":
                raise JqlError(f"Error in the JQL Query: Expecting '(' after '{op.upper()}'.")
            values = [self.value()]
            while self.peek() is not None and self.peek().kind == ",":  # type: ignore[union-attr]
                self.take()
                values.append(self.value())
            if self.take().kind != ")":
                raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
            return Clause(name, op, tuple(values))
        if op not in {"=", "!="} and name not in DATE_FIELDS | {"id"}:
            raise JqlError(f"The operator '{op}' is not supported by the '{name}' field.")
        return Clause(name, op, (self.value(),))

    def value(self) -> str:
        token = self.take()
        if token.kind not in {"word", "value"}:
            raise JqlError(f"Error in the JQL Query: Expecting a value but got '{token.text}'.")
        return token.text


def parse(jql: str) -> Query:
    return _Parser(jql).parse()


def parse_date(literal: str, *, tz: ZoneInfo, now: datetime) -> datetime:
    """A JQL date literal, read in the searching user's time zone, at minute granularity."""
    relative = re.fullmatch(r"([-+]?)(\d+)([mhdw])", literal.strip())
    if relative:
        sign = -1 if relative.group(1) == "-" else 1
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[relative.group(3)]
        return now + sign * timedelta(**{unit: int(relative.group(2))})
    for fmt in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(literal.strip(), fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{literal}' for field 'updated' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )


Lookup = Callable[[Any, str], list[str]]


def matches(query: Query, issue: Any, *, lookup: Lookup, tz: ZoneInfo, now: datetime) -> bool:
    """`lookup(issue, field)` gives the comparable strings of a field (keys and ids for references)."""
    return compile_query(query, lookup=lookup, tz=tz, now=now)(issue)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def compile_query(query: Query, *, lookup: Lookup, tz: ZoneInfo, now: datetime) -> Callable[[Any], bool]:
    """The query as a test of one issue, its dates and value sets worked out once for a whole search."""
    tests: list[Callable[[Any], bool]] = []
    for clause in query.clauses:
        if clause.field in DATE_FIELDS:
            compare = _COMPARE.get(clause.op)
            if compare is None:
                raise JqlError(f"The operator '{clause.op}' is not supported by the '{clause.field}' field.")
            bound = parse_date(clause.values[0], tz=tz, now=now)
            tests.append(lambda issue, f=clause.field, c=compare, b=bound: c(getattr(issue, f), b))
        elif clause.field == "id" and clause.op in {">=", "<=", ">", "<"}:
            bound_id = int(clause.values[0])
            tests.append(lambda issue, c=_COMPARE[clause.op], b=bound_id: c(int(issue.id), b))
        else:
            wanted = frozenset(value.lower() for value in clause.values)
            positive = clause.op in {"=", "in"}

            def test(issue: Any, f: str = clause.field, w: frozenset[str] = wanted, p: bool = positive) -> bool:
                hit = any(value.lower() in w for value in lookup(issue, f))
                return hit if p else not hit

            tests.append(test)
    return lambda issue: all(test(issue) for test in tests)
