"""Annual targets: the value an indicator should have reached in each year.

Linear by default, from the baseline (year, value) to the target (year, value):

    expected(y) = b + (t − b) × (y − y_b) / (y_t − y_b)        for y_b ≤ y ≤ y_t

- a range target (`2-3个`) aims at its lower end when higher is better, its upper end when lower is;
- an `annual_rate` target (`年均增长6%`) is the same rate every year of the plan period
  (the five years up to the target year unless a baseline year says where it starts);
- without a baseline value the first reported actual serves as the starting point
  (`start`), so the path runs from what was reported first to the target;
- values entered by hand (`annual_targets` of the entry, e.g. from the plan's own
  yearly breakdown) replace the linear value of their year;
- qualitative indicators have no annual values.
"""

from __future__ import annotations


def linear(y0: int, v0: float, y1: int, v1: float) -> dict[int, float]:
    """{year: value} from y0 to y1 inclusive on the straight line between the two points."""
    if y1 <= y0:
        return {y1: float(v1)}
    return {y: float(v0) + (float(v1) - float(v0)) * (y - y0) / (y1 - y0) for y in range(y0, y1 + 1)}


def aim(target: dict, direction: str) -> float | None:
    """The target value the path heads for (a range: its end that counts)."""
    value, vmax = target.get("value"), target.get("value_max")
    if value is None:
        return None
    if vmax is not None and direction == "lower":
        return float(vmax)
    return float(value)


def annual_targets(ind, start: tuple[int, float] | None = None) -> dict[int, float]:
    """{year: expected value} for an `Indicator` (see the module doc).

    `start` is (year, value) of the first reported actual, used when the
    entry has no baseline value.
    """
    if ind.qualitative:
        return {}
    t = ind.target
    goal = aim(t, ind.direction)
    ty = t.get("year")
    out: dict[int, float] = {}
    base = ind.baseline or {}
    if ind.kind == "annual_rate":
        if ty is not None:
            y0 = int(base["year"]) + 1 if base.get("year") else int(ty) - 4
            out = {y: goal for y in range(y0, int(ty) + 1)}
    elif ty is not None:
        if base.get("value") is not None and base.get("year") is not None and int(base["year"]) < int(ty):
            out = linear(int(base["year"]), float(base["value"]), int(ty), goal)
        elif start is not None and start[0] < int(ty):
            out = linear(start[0], start[1], int(ty), goal)
        else:
            out = {int(ty): goal}
    out.update(ind.manual_targets)
    return dict(sorted(out.items()))
