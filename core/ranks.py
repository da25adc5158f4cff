"""Lexicographic ranks: moving an item writes only that item's rank.

A rank is a string over base-36 digits compared byte-wise (the rank columns use
the "C" collation on PostgreSQL). Between any two ranks there is always another
one, so a move computes a rank between its new neighbours and never renumbers
the list. Ranks never end in "0", which keeps room below every rank.
"""

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
RANK_MAX_LENGTH = 128


def _digit(char: str) -> int:
    index = DIGITS.find(char)
    if index < 0:
        raise ValueError(f"invalid rank character {char!r}")
    return index


def _validate(rank: str) -> None:
    if rank.endswith("0"):
        raise ValueError(f"rank {rank!r} ends in 0")
    for char in rank:
        _digit(char)


def _midpoint(low: str, high: str | None) -> str:
    """A string strictly between `low` and `high` (None means "no upper bound")."""
    if high is not None:
        # Skip the common prefix, treating missing characters of `low` as "0".
        n = 0
        while n < len(high) and (low[n] if n < len(low) else "0") == high[n]:
            n += 1
        if n > 0:
            return high[:n] + _midpoint(low[n:], high[n:])
    low_digit = _digit(low[0]) if low else 0
    high_digit = _digit(high[0]) if high is not None else BASE
    if high_digit - low_digit > 1:
        return DIGITS[(low_digit + high_digit + 1) // 2]
    if high is not None and len(high) > 1:
        return high[:1]
    return DIGITS[low_digit] + _midpoint(low[1:], None)


def rank_between(before: str | None, after: str | None) -> str:
    """A rank that sorts after `before` and before `after`; either may be None."""
    low = before or ""
    if low:
        _validate(low)
    if after is not None:
        _validate(after)
        if low >= after:
            raise ValueError(f"ranks out of order: {before!r} >= {after!r}")
    return _midpoint(low, after)


# Appending (or prepending) counts in steps of STEP at a width of at least STEP_WIDTH digits instead of
# halving the room left: halving toward the end grows a rank by one character every ~6 appends (a product's
# ~770th item would outgrow the column), counting grows it by one character per BASE**STEP_WIDTH / STEP
# (~1.7 million) appends, and still leaves STEP positions between neighbours for later moves.
STEP_WIDTH = 6
STEP = BASE**2


def _value(rank: str, width: int) -> int:
    value = 0
    for char in rank.ljust(width, "0"):
        value = value * BASE + _digit(char)
    return value


def _text(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, remainder = divmod(value, BASE)
        chars.append(DIGITS[remainder])
    return "".join(reversed(chars)).rstrip("0")  # trailing zeros are the smallest digit: order is kept


def rank_after(rank: str | None) -> str:
    """A rank after `rank` with room to spare (the bottom of a list)."""
    if rank is None:
        return rank_between(None, None)
    _validate(rank)
    width = max(STEP_WIDTH, len(rank))
    value = _value(rank, width) + STEP
    if value >= BASE**width:  # past "zzz…": one character more, as halving would
        return rank_between(rank, None)
    return _text(value, width)


def rank_before(rank: str | None) -> str:
    """A rank before `rank` with room to spare (the top of a list)."""
    if rank is None:
        return rank_between(None, None)
    _validate(rank)
    width = max(STEP_WIDTH, len(rank))
    value = _value(rank, width) - STEP
    if value <= 0:
        return rank_between(None, rank)
    return _text(value, width)


def initial_ranks(count: int) -> list[str]:
    """`count` evenly spread ranks of equal length, for bulk loads."""
    width = 1
    while BASE**width <= count:
        width += 1
    step = BASE**width // (count + 1)
    ranks = []
    for i in range(1, count + 1):
        value = i * step
        chars = []
        for _ in range(width):
            value, remainder = divmod(value, BASE)
            chars.append(DIGITS[remainder])
        rank = "".join(reversed(chars)).rstrip("0")
        ranks.append(rank)
    return ranks
