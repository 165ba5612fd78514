"""The rating engine (SPEC section 4): question scores → standard, domain and overall ratings.

Percentages are exact fractions; they are compared with the band edges exactly and rounded to a
whole number only for display. Every rating carries the limiter that lowered it, if any, in words
the report can print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

EXCELLENT, GOOD, REQUIRES_IMPROVEMENT, POOR = 4, 3, 2, 1
NOT_ASSESSED = "Not assessed"
LABELS = {
    EXCELLENT: "Excellent",
    GOOD: "Good",
    REQUIRES_IMPROVEMENT: "Requires improvement",
    POOR: "Poor",
}
SCORE_LABELS = LABELS  # a question's score uses the same words

#: Lowest percentage for each band, highest band first.
BANDS = ((Fraction(88), EXCELLENT), (Fraction(63), GOOD), (Fraction(39), REQUIRES_IMPROVEMENT))


def band(percentage: Fraction) -> int:
    for edge, value in BANDS:
        if percentage >= edge:
            return value
    return POOR


def rounded(percentage: Fraction | None) -> int | None:
    """Whole-number percentage for display, halves rounded up (62.5 → 63)."""
    if percentage is None:
        return None
    return int((percentage + Fraction(1, 2)).__floor__())


@dataclass(frozen=True)
class Rating:
    code: str
    title: str
    value: int | None  # 4..1, or None when not assessed
    percentage: Fraction | None
    limiter: str | None = None

    @property
    def rating(self) -> str:
        return LABELS[self.value] if self.value else NOT_ASSESSED

    @property
    def below_good(self) -> bool:
        return self.value is not None and self.value <= REQUIRES_IMPROVEMENT

    def as_dict(self) -> dict[str, Any]:
        """The rating object of the API (SPEC section 10)."""
        return {
            "code": self.code,
            "title": self.title,
            "rating": self.rating,
            "value": self.value,
            "percentage": rounded(self.percentage),
            "limiter": self.limiter,
        }


@dataclass(frozen=True)
class QuestionScore:
    ref: str
    weight: Fraction | float | int = 1
    score: int | None = None  # 1..4; None = N/A or not answered yet: it takes no part


def _cap(value: int, cap: int, reason: str) -> tuple[int, str | None]:
    """Apply a limiter: the rating is at most `cap`; the reason is kept only if it lowered it."""
    if value > cap:
        return cap, f"limited to {LABELS[cap]}: {reason}"
    return value, None


def rate_standard(code: str, title: str, questions: Iterable[QuestionScore]) -> Rating:
    answered = [(q, q.score) for q in questions if q.score is not None]
    if not answered:
        return Rating(code, title, None, None)
    for q, score in answered:
        if score not in (1, 2, 3, 4):
            raise ValueError(f"question {q.ref}: a score is 1 to 4, not {score!r}")
    weights = {q.ref: Fraction(str(q.weight)) for q, _ in answered}
    if any(w <= 0 for w in weights.values()):
        raise ValueError("question weights must be more than 0")
    got = sum((weights[q.ref] * score for q, score in answered), Fraction(0))
    possible = sum((weights[q.ref] * 4 for q, _ in answered), Fraction(0))
    percentage = got / possible * 100
    value, limiter = band(percentage), None
    scored_one = [q.ref for q, score in answered if score == 1]
    if scored_one:
        what = _list("question", scored_one) + " scored 1"
        value, limiter = _cap(value, REQUIRES_IMPROVEMENT, what)
    return Rating(code, title, value, percentage, limiter)


def rate_group(code: str, title: str, parts: Iterable[Rating], part_name: str) -> Rating:
    """A domain over its standards, or the overall rating over the domains."""
    rated = [(p.code, p.value) for p in parts if p.value is not None]
    if not rated:
        return Rating(code, title, None, None)
    percentage = Fraction(sum(value for _, value in rated) * 100, 4 * len(rated))
    value, limiter = band(percentage), None
    poor = [part for part, part_value in rated if part_value == POOR]
    if len(poor) >= 2:
        value, limiter = _cap(value, POOR, _list(part_name, poor) + " rated Poor")
    elif poor:
        value, limiter = _cap(value, REQUIRES_IMPROVEMENT, _list(part_name, poor) + " rated Poor")
    return Rating(code, title, value, percentage, limiter)


def _list(noun: str, codes: list[str]) -> str:
    if len(codes) == 1:
        return f"{noun} {codes[0]}"
    return f"{noun}s {', '.join(codes[:-1])} and {codes[-1]}"


# ---------------------------------------------------------------- a whole assessment


@dataclass(frozen=True)
class StandardShape:
    code: str
    title: str
    questions: tuple[tuple[str, Fraction | float | int], ...]  # (ref, weight)


@dataclass(frozen=True)
class DomainShape:
    code: str
    title: str
    standards: tuple[StandardShape, ...]


@dataclass(frozen=True)
class AssessmentRatings:
    overall: Rating
    domains: list[Rating] = field(default_factory=list)
    standards: list[tuple[str, Rating]] = field(default_factory=list)  # (domain code, rating)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "domains": [d.as_dict() for d in self.domains],
            "standards": [{**s.as_dict(), "domain": domain} for domain, s in self.standards],
        }


def rate_assessment(
    shape: Iterable[DomainShape], scores: Mapping[str, int | None]
) -> AssessmentRatings:
    """Ratings for every standard, domain and overall. `scores` maps question ref to 1..4 or
    None (N/A); a question missing from `scores` is unanswered and takes no part."""
    domains, standards = [], []
    for domain in shape:
        rated = []
        for standard in domain.standards:
            rating = rate_standard(
                standard.code,
                standard.title,
                (QuestionScore(ref, weight, scores.get(ref)) for ref, weight in standard.questions),
            )
            rated.append(rating)
            standards.append((domain.code, rating))
        domains.append(rate_group(domain.code, domain.title, rated, "standard"))
    overall = rate_group("overall", "Overall", domains, "domain")
    return AssessmentRatings(overall, domains, standards)
