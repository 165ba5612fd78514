"""Page arithmetic shared by web lists and the API."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_item(self) -> int:
        return 0 if self.total == 0 else self.offset + 1

    @property
    def last_item(self) -> int:
        return min(self.total, self.offset + self.size)


def clamp_page(requested: int | None, total: int, size: int) -> Page:
    """A page number within range: below 1 becomes 1, past the end becomes the last page."""
    pages = max(1, -(-total // size))
    number = min(max(1, requested or 1), pages)
    return Page(number=number, size=size, total=total)


def choose_page(requested: int | None, total: int, size: int, clamp: bool = True) -> Page:
    """The page asked for: within range with `clamp` (pages show the last page rather than
    none); without it as asked, from 1 (the API's page past the end is empty)."""
    if clamp:
        return clamp_page(requested, total, size)
    return Page(max(1, requested or 1), size, total)
