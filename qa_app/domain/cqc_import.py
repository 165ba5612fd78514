"""Rules for CQC's monthly "care directory with ratings" file (SPEC section 9).

The file is tall: one row per location by `Service / Population Group` by `Domain`. The
location-level ratings are the rows whose group is `Overall`. These functions read rows that
have already been turned into cells (text, or a date for a date cell), check each one, gather
each location's ratings, and work out what an import would change. Reading the file itself
(ODS, XLSX, CSV) lives in services.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from qa_app.domain.cqc_columns import (
    COLUMNS,
    ID_EXAMPLES,
    LOCATION_ADDRESS,
    OPTIONAL_COLUMNS,
    PROVIDER_ADDRESS,
    HeaderFinder,
    HeaderProblem,
    is_cqc_id,
    map_header,
)
from qa_app.domain.cqc_columns import key as _key
from qa_app.domain.cqc_groups import (
    GroupRatings,
    StoredGroups,
    effective_ratings,
    service_group,
    stored_groups,
)
from qa_app.domain.cqc_status import (
    HAS_BAD_ROWS,
    IMPORT_LABELS,
    UNDECIDED,
    ImportStatus,
    can_commit,
    can_discard,
    commit_refusal,
    discard_refusal,
    has_preview,
    import_label,
    needs_correcting,
)
from qa_app.domain.cqc_successors import KnownPlace, Missing, NewPlace, Successor, pair_up
from qa_app.domain.postcode import normalise_postcode

__all__ = [
    "COLUMNS",
    "HAS_BAD_ROWS",
    "IMPORT_LABELS",
    "LOCATION_ADDRESS",
    "OPTIONAL_COLUMNS",
    "PROVIDER_ADDRESS",
    "UNDECIDED",
    "HeaderFinder",
    "HeaderProblem",
    "ImportStatus",
    "can_commit",
    "can_discard",
    "commit_refusal",
    "discard_refusal",
    "has_preview",
    "import_label",
    "map_header",
    "needs_correcting",
]

OVERALL = "Overall"
DOMAINS = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")
#: The key-question domains kept per service besides Overall (which is Service.cqc_rating).
KEY_QUESTIONS = DOMAINS[1:]
RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
#: Words CQC writes where a location or key question has no rating (not yet inspected, or
#: rated under the single assessment framework without enough evidence). They are not errors:
#: such a row adds the location but changes no rating.
NOT_RATED = ("Not rated", "Insufficient evidence to rate", "No published rating")

_RATING_BY_KEY = {r.casefold(): r for r in RATINGS}
_NOT_RATED_KEYS = {w.casefold() for w in NOT_RATED}
_DOMAIN_BY_KEY = {d.casefold().replace("-", " "): d for d in DOMAINS}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_rating(text: object) -> str | None:
    return _RATING_BY_KEY.get(_key(text))


def parse_domain(text: object) -> str | None:
    return _DOMAIN_BY_KEY.get(_key(text).replace("-", " "))


def parse_date(value: object, today: date) -> tuple[date | None, str | None]:
    """(the date, None) or (None, the reason it is not a usable publication date)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value or "").strip()
        if not text:
            return None, "Publication Date is empty"
        match = _DMY.match(text)
        parts = None
        if match:
            parts = (int(match[3]), int(match[2]), int(match[1]))
        elif match := _ISO.match(text):
            parts = (int(match[1]), int(match[2]), int(match[3]))
        if parts is None:
            return None, f"Publication Date {text!r} is not a date like 31/01/2026"
        try:
            parsed = date(*parts)
        except ValueError:
            return None, f"Publication Date {text!r} is not a real date"
    if parsed > today:
        return None, f"Publication Date {parsed:%d/%m/%Y} is in the future"
    if parsed.year < 2010:
        return None, f"Publication Date {parsed:%d/%m/%Y} is before CQC's ratings began"
    return parsed, None


#: What a new location may be, by what CQC's file says of it. `Care Home?` tells a care home
#: from a service in the community, but CQC's primary inspection category is "Residential social
#: care" for every care home, nursing homes included, and "Community based adult social care
#: services" covers home support, supported living and extra care alike: where more than one
#: type fits, the officer chooses (the import never guesses).
CARE_HOME_TYPES = ("care_home_residential", "care_home_nursing")
COMMUNITY_TYPES = ("home_support", "supported_living", "extra_care")


def type_choices(care_home: str, category: str) -> tuple[str, ...]:
    """The service types a new location may be: one (decided), several (the officer chooses),
    or none (not adult social care the council would commission: GP surgeries, dentists…)."""
    category_key = _key(category)
    if _key(care_home) in ("y", "yes"):
        return ("care_home_nursing",) if "nursing" in category_key else CARE_HOME_TYPES
    if "community based adult social care" in category_key:
        return COMMUNITY_TYPES
    return ()


def type_problems(choices: dict[str, Sequence[str]], chosen: dict[str, str]) -> dict[str, str]:
    """{location ID: what is wrong} for the types chosen for new services: each must be one of
    that location's choices; a location not chosen for stays to choose."""
    problems = {}
    for location_id, value in chosen.items():
        allowed = choices.get(location_id)
        if allowed is None:
            problems[location_id] = f"{location_id} is not a new service in this import"
        elif value and value not in allowed:
            problems[location_id] = f"Choose one of the types offered for {location_id}"
    return problems


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str


@dataclass
class Location:
    """What the file says about one location (from its first usable row)."""

    location_id: str
    name: str
    local_authority: str
    provider_id: str
    provider_name: str
    care_home: str
    category: str
    postcode: str
    address: str
    #: the provider's postal address, one line per line ("" when the file has none)
    provider_address: str
    #: {domain: (rating, publication date, row number)} from the `Overall` group's rows.
    ratings: dict[str, tuple[str, date, int]] = field(default_factory=dict)
    #: the same, for each of CQC's service groups (single assessment framework)
    groups: GroupRatings = field(default_factory=dict)


@dataclass
class Parsed:
    rows: int = 0
    locations: dict[str, Location] = field(default_factory=dict)
    bad_rows: list[BadRow] = field(default_factory=list)
    #: rows saying a location or key question has no rating ("Not rated" and the like)
    not_rated: int = 0
    #: what the import decided on its own and says so (never a reason to refuse the file)
    warnings: list[BadRow] = field(default_factory=list)
    #: the row the column names were found on, and the rows above it that were skipped
    header_row: int = 1
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)


def _cell_value(value: object) -> str | date:
    """A cell as text, or as a date when the spreadsheet holds a date there."""
    if value.__class__ is str:  # most cells: the first test, and no further calls
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, date) else str(value).strip()


def _rating_and_not_rated(text: str) -> tuple[str | None, bool]:
    """(the rating, or None; whether the words say the row has no rating)."""
    rating = parse_rating(text)
    return rating, rating is None and _key(text) in _NOT_RATED_KEYS


def _group_of(text: str) -> str | None:
    """`Overall` for the location's own ratings, else CQC's service group, else None (a
    population group, NHS services': not the location's ratings)."""
    return OVERALL if _key(text) == "overall" else service_group(text)


class Collector:
    """Feed it the rows after the header, in order; it checks each and gathers locations."""

    def __init__(self, columns: dict[str, int], today: date):
        self.today = today
        self.parsed = Parsed()
        self._c = columns
        self._width = max(columns.values()) + 1
        # the same date text repeats on thousands of rows
        self._dates: dict[str, tuple[date | None, str | None]] = {}
        self._unknown: dict[str, list[int]] = {}  # rating text: [rows, first row]
        self._domains: dict[str, str | None] = {}
        self._ratings: dict[str, tuple[str | None, bool]] = {}
        self._groups: dict[str, str | None] = {}

    def _raw(self, cells: Sequence[object], name: str) -> str | date:
        """The cell as text, or as a date when the spreadsheet holds a date there."""
        position = self._c.get(name)
        return "" if position is None or position >= len(cells) else _cell_value(cells[position])

    def _parsed(self, cache: dict[str, Any], parse: Callable[[str], Any], text: str) -> Any:
        """`parse(text)`, remembered: a national file holds a handful of different domains,
        ratings and groups in its 324,000 rows."""
        try:
            return cache[text]
        except KeyError:
            cache[text] = found = parse(text)
            return found

    def _cell(self, cells: Sequence[object], name: str) -> str:
        """The cell as text (a date cell as the file's dates are written, 31/01/2026)."""
        value = self._raw(cells, name)
        return f"{value:%d/%m/%Y}" if isinstance(value, date) else value

    def add(self, row_number: int, cells: Sequence[object]) -> None:
        if not any(c not in (None, "") for c in cells):
            return  # blank rows (spreadsheets keep some at the end) are not data
        parsed = self.parsed
        parsed.rows += 1
        cell = self._cell
        problems = []
        location_id = cell(cells, "Location ID")
        if not location_id:
            problems.append("Location ID is missing")
        elif not is_cqc_id(location_id):
            problems.append(f"Location ID {location_id!r} is not {ID_EXAMPLES}")
        domain_text = cell(cells, "Domain")
        domain = self._parsed(self._domains, parse_domain, domain_text)
        if domain is None:
            problems.append(
                f"Domain {domain_text!r} is not one of " + ", ".join(DOMAINS)
                if domain_text
                else "Domain is missing"
            )
        rating_text = cell(cells, "Latest Rating")
        rating, not_rated = self._parsed(self._ratings, _rating_and_not_rated, rating_text)
        if rating is None and not not_rated:
            # A value CQC uses that this import does not know ("Not applicable"), or none: the
            # row still names the location, and adds no rating. Said as a warning, not refused.
            self._unknown_rating(rating_text, row_number)
        no_rating = rating is None
        raw_date = self._raw(cells, "Publication Date")
        if no_rating and raw_date == "":
            published, date_problem = None, None  # nothing was published
        else:
            cached = self._dates.get(raw_date) if isinstance(raw_date, str) else None
            if cached is None:
                cached = parse_date(raw_date, self.today)
                if isinstance(raw_date, str):
                    self._dates[raw_date] = cached
            published, date_problem = cached
        if date_problem:
            problems.append(date_problem)
        if problems:
            parsed.bad_rows.append(BadRow(row_number, "; ".join(problems)))
            return
        location = parsed.locations.get(location_id)
        if location is None:
            address = ", ".join(p for p in (cell(cells, c) for c in LOCATION_ADDRESS) if p)
            provider_lines = [p for p in (cell(cells, c) for c in PROVIDER_ADDRESS[:-1]) if p]
            provider_postcode = cell(cells, "Provider Post Code")
            if provider_lines and provider_postcode:
                provider_lines.append(normalise_postcode(provider_postcode) or provider_postcode)
            location = Location(
                location_id=location_id,
                name=cell(cells, "Location Name"),
                local_authority=cell(cells, "Location Local Authority"),
                provider_id=cell(cells, "Provider ID"),
                provider_name=cell(cells, "Provider Name"),
                care_home=cell(cells, "Care Home?"),
                category=cell(cells, "Location Primary Inspection Category"),
                postcode=cell(cells, "Location Post Code"),
                address=address,
                provider_address="\n".join(provider_lines),
            )
            parsed.locations[location_id] = location
        group_text = cell(cells, "Service / Population Group")
        group = self._parsed(self._groups, _group_of, group_text)
        if group == OVERALL:
            ratings, label = location.ratings, "Overall"
        elif group:
            ratings, label = location.groups.setdefault(group, {}), group
        else:
            return  # a population group (NHS services'): not the location's ratings
        if no_rating:
            parsed.not_rated += not_rated
            return  # the location is known now; no rating to record
        # a rated row without problems has all three
        assert domain is not None and rating is not None and published is not None
        seen = ratings.get(domain)
        found = (rating, published, row_number)
        if seen is None:
            ratings[domain] = found
        elif seen[:2] != found[:2]:
            taken = latest_rating(seen, found)
            ratings[domain] = taken
            if seen[1] == published:  # both stand in CQC's file: say which is taken, and why
                parsed.warnings.append(
                    BadRow(
                        row_number,
                        f"Location {location_id} has two {label} ratings for {domain} published "
                        f"on {published:%d/%m/%Y} ({seen[0]} on row {seen[2]}, {rating} on row "
                        f"{row_number}): the import takes the lower, {taken[0]}",
                    )
                )

    def _unknown_rating(self, text: str, row_number: int) -> None:
        entry = self._unknown.setdefault(text, [0, row_number])
        entry[0] += 1

    def finish(self) -> Parsed:
        parsed = self.parsed
        for text, (rows, first) in self._unknown.items():
            what = (
                f"Latest Rating {text!r} is not a rating this import knows"
                if text
                else ("Latest Rating is empty")
            )
            where = f"on row {first}" if rows == 1 else f"on {rows:,} rows, the first row {first}"
            parsed.warnings.append(BadRow(first, f"{what} ({where}): such rows add no rating"))
        parsed.bad_rows.sort(key=lambda b: b.row)
        parsed.warnings.sort(key=lambda b: b.row)
        return parsed


def latest_rating(a: tuple[str, date, int], b: tuple[str, date, int]) -> tuple[str, date, int]:
    """Of two ratings of one key question: the later published; on the same day (CQC's file
    shows both, for example one from each assessment framework) the lower, so that the council
    never reads a location as better than CQC found it."""
    if a[1] != b[1]:
        return a if a[1] > b[1] else b
    return a if RATINGS.index(a[0]) >= RATINGS.index(b[0]) else b


# ---------------------------------------------------------------- what changes


@dataclass(frozen=True)
class KnownService:
    id: int
    name: str
    location_id: str
    cqc_rating: str
    cqc_rating_date: date | None
    #: {domain: (rating, publication date)} for the key questions recorded on the service.
    domains: dict[str, tuple[str, date | None]]
    service_type: str = ""
    #: {group: {domain: [rating, "YYYY-MM-DD"]}} as recorded from CQC's service groups
    groups: StoredGroups = field(default_factory=dict)
    postcode: str | None = None
    #: closed already (domain.service_closing): not listed as missing from the file
    closed: bool = False


@dataclass
class ServiceChange:
    service_id: int
    name: str
    location_id: str
    #: (from, to) or None when the overall rating and its date stay as they are.
    overall: tuple[str, str] | None
    overall_date: tuple[date | None, date] | None
    #: [(domain, from or None, to, publication date)]
    domains: list[tuple[str, str | None, str, date]]
    #: the service group the ratings come from (the location has no overall rating of its own)
    source_group: str | None = None
    #: the service-group ratings to record, when they differ from those recorded
    groups: StoredGroups | None = None


@dataclass
class NewService:
    location_id: str
    name: str
    #: "" while the officer has still to choose among `type_choices`
    service_type: str
    postcode: str | None
    address: str
    provider_id: str
    provider_name: str
    provider_is_new: bool
    #: a new provider's postal address, when the file has one
    provider_address: str
    overall: str | None
    overall_date: date | None
    domains: dict[str, tuple[str, date]]
    type_choices: tuple[str, ...] = ()
    #: {group: {domain: [rating, "YYYY-MM-DD"]}}: a service of an undecided type takes its
    #: group's ratings when its type is chosen (cqc_apply)
    groups: StoredGroups = field(default_factory=dict)
    source_group: str | None = None


@dataclass
class Plan:
    changes: list[ServiceChange] = field(default_factory=list)
    new_services: list[NewService] = field(default_factory=list)
    new_providers: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    #: known services whose recorded overall rating is more recent than the file's
    kept_newer: int = 0
    other_authorities: int = 0
    not_social_care: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    not_rated: int = 0
    warnings: list[BadRow] = field(default_factory=list)
    header_row: int = 1
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    #: known services the file does not hold, paired with a new location that may be them
    successors: list[Successor] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)


def same_authority(a: str, b: str) -> bool:
    return _key(a) == _key(b)


def plan_changes(
    parsed: Parsed,
    known: dict[str, KnownService],
    known_providers: set[str],
    local_authority: str | None,
) -> Plan:
    """What importing `parsed` would change, given the services already known by location ID
    and the CQC provider IDs already known. New services are added only for `local_authority`."""
    plan = Plan(
        bad_rows=list(parsed.bad_rows),
        not_rated=parsed.not_rated,
        warnings=list(parsed.warnings),
        header_row=parsed.header_row,
        skipped_rows=list(parsed.skipped_rows),
    )
    new_provider_names: dict[str, str] = {}
    for location_id, location in parsed.locations.items():
        service = known.get(location_id)
        if service is not None:
            change = _change_for(service, location)
            if change is None:
                plan.unchanged += 1
            elif change is False:
                plan.kept_newer += 1
            else:
                plan.changes.append(change)
            continue
        if not local_authority or not same_authority(location.local_authority, local_authority):
            plan.other_authorities += 1
            continue
        choices = type_choices(location.care_home, location.category)
        if not choices:
            plan.not_social_care += 1
            continue
        decided = choices[0] if len(choices) == 1 else ""
        ratings, source_group = effective_ratings(location.ratings, location.groups, decided)
        overall = ratings.get(OVERALL)
        row = min((r[2] for r in location.ratings.values()), default=None)
        if not location.provider_id or not is_cqc_id(location.provider_id):
            plan.bad_rows.append(
                BadRow(
                    row or 0,
                    f"Location {location_id} is new to the council but its Provider ID "
                    f"{location.provider_id!r} is not {ID_EXAMPLES}",
                )
            )
            continue
        if not location.name:
            plan.bad_rows.append(
                BadRow(row or 0, f"Location {location_id} is new but has no Location Name")
            )
            continue
        provider_is_new = location.provider_id not in known_providers
        if provider_is_new and location.provider_id not in new_provider_names:
            new_provider_names[location.provider_id] = (
                location.provider_name or location.provider_id
            )
        plan.new_services.append(
            NewService(
                location_id=location_id,
                name=location.name[:200],
                service_type=decided,
                type_choices=choices,
                groups=stored_groups(location.groups),
                source_group=source_group,
                postcode=normalise_postcode(location.postcode) if location.postcode else None,
                address=location.address,
                provider_id=location.provider_id,
                provider_name=location.provider_name,
                provider_is_new=provider_is_new,
                provider_address=location.provider_address,
                overall=overall[0] if overall else None,
                overall_date=overall[1] if overall else None,
                domains={d: (r[0], r[1]) for d, r in ratings.items() if d in KEY_QUESTIONS},
            )
        )
    plan.successors, plan.missing = pair_up(
        [
            KnownPlace(k.id, k.name, k.location_id, k.postcode)
            for k in sorted(known.values(), key=lambda k: (k.name.casefold(), k.location_id))
            if k.location_id not in parsed.locations and not k.closed
        ],
        [
            NewPlace(n.location_id, n.name, n.postcode, n.provider_id, n.provider_name)
            for n in plan.new_services
        ],
    )
    plan.new_providers = sorted(new_provider_names.items(), key=lambda p: p[1].casefold())
    plan.changes.sort(key=lambda c: (c.name.casefold(), c.location_id))
    plan.new_services.sort(key=lambda s: (s.name.casefold(), s.location_id))
    plan.bad_rows.sort(key=lambda b: b.row)
    return plan


def _change_for(service: KnownService, location: Location) -> ServiceChange | Literal[False] | None:
    """The change for a known service; None if nothing changes, False if the file's overall
    rating is older than the one recorded (kept as it is)."""
    ratings, source_group = effective_ratings(
        location.ratings, location.groups, service.service_type
    )
    groups = stored_groups(location.groups)
    overall = ratings.get(OVERALL)
    overall_change = date_change = None
    if overall is not None:
        rating, published, _ = overall
        if service.cqc_rating_date and published < service.cqc_rating_date:
            return False
        if rating != service.cqc_rating or published != service.cqc_rating_date:
            overall_change = (service.cqc_rating, rating)
            date_change = (service.cqc_rating_date, published)
    domains = []
    for domain in KEY_QUESTIONS:
        found = ratings.get(domain)
        if found is None:
            continue
        old = service.domains.get(domain)
        if old is None or (old[0], old[1]) != (found[0], found[1]):
            domains.append((domain, old[0] if old else None, found[0], found[1]))
    group_change = groups if groups and groups != service.groups else None
    if overall_change is None and not domains and group_change is None:
        return None
    return ServiceChange(
        service_id=service.id,
        name=service.name,
        location_id=service.location_id,
        overall=overall_change,
        overall_date=date_change,
        domains=domains,
        source_group=source_group,
        groups=group_change,
    )
