"""/api/v1/standard-sets: the question sets, in the same shape as their files."""

from qa_app.api.auth import api_user
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import Response
from qa_app.domain.standards import StandardSet
from qa_app.services import standards


class StandardSetSummary(Response):
    key: str
    version: int
    title: str
    service_types: list[str]
    question_count: int


class StandardSetList(Response):
    items: list[StandardSetSummary]
    page: int = 1
    pages: int = 1
    total: int


@endpoint(
    "/standard-sets",
    summary="The audit standard sets, every version",
    tag="standard sets",
    response=StandardSetList,
)
def list_standard_sets():
    api_user()
    rows = standards.list_versions()
    return StandardSetList(
        items=[StandardSetSummary.model_validate(r) for r in rows], total=len(rows)
    )


@endpoint(
    "/standard-sets/<key>/<int:version>",
    summary="One version of a set, with every question",
    tag="standard sets",
    response=StandardSet,
)
def get_standard_set(key: str, version: int):
    api_user()
    return standards.as_model(standards.get_version(key, version))
