"""Roll-up of measure levels (1 below baseline .. 4 world class) to
competency levels and an overall level. Plain Python, no Django.

A competency has a level only when every one of its measures has a final
level: the mean of them, to one decimal place. The overall level is the mean
of the competencies' levels, and only when every competency has one; a
partial picture is shown as such rather than averaged over what is there."""

from collections.abc import Mapping, Sequence


def mean_level(levels: Sequence[int | float | None]) -> float | None:
    if not levels or any(level is None for level in levels):
        return None
    return round(sum(levels) / len(levels), 1)


def competency_levels(
    measures_by_competency: Mapping[int, Sequence[int]], final_levels: Mapping[int, int]
) -> dict[int, float | None]:
    """`measures_by_competency` maps competency id to its measure ids;
    `final_levels` maps measure id to its final level (rated measures only)."""
    return {
        competency: mean_level([final_levels.get(measure) for measure in measures])
        for competency, measures in measures_by_competency.items()
    }


def overall_level(levels: Mapping[int, float | None]) -> float | None:
    return mean_level(list(levels.values()))


def change(level: float | None, before: float | None) -> float | None:
    """The improvement since the previous cycle (negative when worse)."""
    if level is None or before is None:
        return None
    return round(level - before, 1)
