"""The formal letter for an issued notice (notice of concern or contract breach notice), as a PDF.

Council heading; the service's registered manager at the provider's postal address (who and
where: `domain/letters.py`); the service; the grounds (the council's account: the concerns
themselves, their number and when they were received are never shown to a provider); the
requirements by due date, soonest first; the placement stop; what happens next. A draft prints
with a DRAFT watermark, so it can be checked first.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from qa_app.domain.clocks import LONDON
from qa_app.domain.letters import by_due_date, recipient
from qa_app.domain.notices import KINDS, REQUIREMENT_NOUN
from qa_app.domain.wording import long_date
from qa_app.models import Notice
from qa_app.services import notices
from qa_app.services.report_pdf import (
    BODY,
    H1,
    H2,
    H3,
    SMALL,
    _p,
    service_pdf,
)

LABEL = ParagraphStyle("label", parent=BODY, fontName="Helvetica-Bold", spaceAfter=1)


def _day(value) -> str:
    return long_date(value) if value else ""


def render(notice: Notice, council: str) -> bytes:
    service, provider = notice.service, notice.service.provider
    draft = notice.issued_at is None  # a draft, or a draft that was withdrawn
    kind = KINDS[notice.kind]
    noun = REQUIREMENT_NOUN[notice.kind]
    issued = notice.issued_at.astimezone(LONDON).date() if notice.issued_at else None
    parent, _child = notices.parent_and_child(notice)
    to = recipient(
        registered_manager=service.registered_manager_name,
        service_name=service.name,
        provider_name=provider.name,
        provider_address=provider.address,
        provider_contact=provider.contact_name,
        service_address=service.address,
        service_postcode=service.postcode,
    )
    story = [
        _p(council, H2),
        _p("Adult Social Care · Quality Assurance and Contracts", SMALL),
        Spacer(1, 5 * mm),
        _p("\n".join(to.lines), BODY),
        Spacer(1, 6 * mm),
        _p(f"Date: {_day(issued) if issued else 'not yet issued (draft)'}", BODY),
        _p(f"Our reference: {notice.kind.replace('_', '-').upper()}-{notice.id}", BODY),
        Spacer(1, 3 * mm),
        _p(kind, H1),
        _p(f"{service.name} ({service.service_type_label})", H2),
    ]
    if service.contract_reference:
        story.append(_p(f"Contract reference: {service.contract_reference}", BODY))
    story += [
        Spacer(1, 4 * mm),
        _p(f"Dear {to.salutation},", BODY),
        Spacer(1, 2 * mm),
    ]
    if notice.kind == "notice_of_concern":
        story.append(
            _p(
                f"{council} is issuing this notice of concern about {service.name} under the "
                "terms of your contract. It sets out the matters of concern and what you must do "
                "to put them right, by the dates given.",
                BODY,
            )
        )
    else:
        story.append(
            _p(
                f"{council} is issuing this contract breach notice about {service.name}. "
                + (
                    f"The rectification requirements of our notice of concern "
                    f"NOTICE-OF-CONCERN-{parent.id} (issued {_day(parent.issued_at.astimezone(LONDON).date()) if parent and parent.issued_at else ''}) "
                    "were not met by their due dates. "
                    if parent
                    else ""
                )
                + "You must complete the remedial actions below by the dates given.",
                BODY,
            )
        )
    if notice.grounds:
        story += [_p("Grounds", H2), _p(notice.grounds, BODY)]
    # The grounds are the council's account for the provider. The concerns behind the notice
    # are not named, counted or dated: a provider never learns of concerns, and the day one was
    # received can be enough to tell who raised it.
    story.append(_p(f"What you must do ({noun}s)", H2))
    due = None
    for requirement in by_due_date(notice.requirements):
        # soonest first, under each due date; numbered as the portal numbers them. Paragraphs,
        # not table cells: a long requirement flows on to the next page.
        if requirement.due_date != due:
            due = requirement.due_date
            story.append(_p(f"By {_day(due)}", H3))
        story += [
            _p(f"{noun.capitalize()} {requirement.position}", LABEL),
            _p(requirement.text, BODY),
            Spacer(1, 2 * mm),
        ]
    if notice.placement_stop_start:
        lifted = notice.placement_stop_lifted_at
        story += [
            _p("Placement stop", H2),
            _p(
                f"From {_day(notice.placement_stop_start)} the council will make no new "
                f"placements at {service.name} until this notice is lifted."
                + (
                    f" The placement stop was lifted on {_day(lifted.astimezone(LONDON).date())}."
                    if lifted
                    else ""
                ),
                BODY,
            ),
        ]
    story += [
        # the last paragraph and the signature stay together: never a signature on its own
        KeepTogether(
            [
                _p("What happens next", H2),
                _p(
                    "Please respond to each requirement through the provider portal, saying "
                    "what you have done; you can attach the evidence for it there. Your quality "
                    "officer will check each one. "
                    + (
                        "If a requirement is not met by its due date, the council may issue a "
                        "contract breach notice."
                        if notice.kind == "notice_of_concern"
                        else "If the remedial actions are not completed by their due dates, the "
                        "council may recommend that the contract is terminated."
                    ),
                    BODY,
                ),
                Spacer(1, 5 * mm),
                _p(f"{to.closing},", BODY),
                Spacer(1, 7 * mm),
                _p(notice.issued_by_label or "(to be signed by the issuing manager)", BODY),
                _p(f"on behalf of {council}", SMALL),
            ]
        ),
    ]
    title = f"{kind}: {service.name}"
    return service_pdf(story, title, council, service.name, draft, margins=(20, 18, 18))
