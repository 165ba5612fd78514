"""Photos and files on the answers of a report the provider may read (its own service's shared
draft or published report); otherwise the same "not found" as a missing one."""

from __future__ import annotations

from qa_app.web.access import provider_required
from qa_app.web.evidence_downloads import add_answer_photo_route
from qa_app.web.portal import bp

add_answer_photo_route(bp, provider_required)
