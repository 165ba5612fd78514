"""Declaring API endpoints once: the declaration registers the route, validates the request
against the models, serialises the response, and is what the OpenAPI document is built from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import wraps

from flask import request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from qa_app.api import api_blueprint
from qa_app.api.auth import api_user
from qa_app.api.errors import BadRequest, InvalidRequest
from qa_app.api.schemas import Error
from qa_app.domain.nul_text import NUL, NUL_MESSAGE, nul_fields, nul_places, place_name
from qa_app.services.errors import NotFound


@dataclass
class Endpoint:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = field(default_factory=tuple)
    public: bool = False
    #: a file's media type, for an endpoint that answers with a file rather than JSON
    media_type: str | None = None
    #: a multipart/form-data body (a file upload), as the JSON Schema of its parts; the view
    #: reads `request.form` and `request.files` itself
    upload: dict | None = None


ENDPOINTS: list[Endpoint] = []


def endpoint(
    rule,
    method="GET",
    *,
    summary,
    tag,
    body=None,
    query=None,
    response=None,
    status=200,
    errors=(),
    public=False,
    media_type=None,
    upload=None,
):
    spec = Endpoint(
        rule,
        method,
        summary,
        tag,
        body,
        query,
        response,
        status,
        tuple(errors),
        public,
        media_type,
        upload,
    )
    ENDPOINTS.append(spec)

    def decorator(view):
        @wraps(view)
        def wrapped(**path):
            if not spec.public:
                api_user()
            kwargs = dict(path)
            payload = request.get_json(silent=True) if spec.body is not None else None
            _refuse_nul(path, payload)
            if spec.query is not None:
                kwargs["query"] = spec.query.model_validate(request.args.to_dict())
            if spec.body is not None:
                if payload is None:
                    raise BadRequest("Send a JSON object with Content-Type: application/json")
                # strictly, as JSON: a date is text, a number is not a string, and so on, as
                # the document says (a whole number written 3.0 is still the integer 3)
                kwargs["body"] = spec.body.model_validate_json(
                    json.dumps(_whole_numbers(payload)), strict=True
                )
            result = view(**kwargs)
            if isinstance(result, BaseModel):
                return result.model_dump(mode="json"), spec.status
            return result

        api_blueprint.add_url_rule(rule, view_func=wrapped, methods=[method])
        return wrapped

    return decorator


def _whole_numbers(value):
    """The decoded JSON value with each whole float (3.0) as an int (3), as JSON Schema reads it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def _refuse_nul(path: dict, payload) -> None:
    """No NUL character anywhere in what was sent (qa_app.domain.nul_text): in the address it
    names nothing (404); in a query parameter or the JSON body it is a 422 naming the field."""
    if any(isinstance(value, str) and NUL in value for value in path.values()):
        raise NotFound("Page not found")
    places = [name.replace(NUL, "\\0") for name in nul_fields(request.args.items(multi=True))]
    places += [place_name(place) for place in nul_places(payload)]
    if places:
        raise InvalidRequest(
            [{"field": place, "message": f"{place} {NUL_MESSAGE}"} for place in places]
        )


def _path(rule: str) -> str:
    return "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def document() -> dict:
    models: set[type[BaseModel]] = {Error}
    for spec in ENDPOINTS:
        models.update(m for m in (spec.body, spec.response) if m is not None)
    _, schemas = models_json_schema(
        [
            (model, "validation" if model in {s.body for s in ENDPOINTS} else "serialization")
            for model in models
        ],
        ref_template="#/components/schemas/{model}",
    )
    components = schemas.get("$defs", {})

    def ref(model):
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def error(description):
        return {"description": description, "content": {"application/json": {"schema": ref(Error)}}}

    paths: dict = {}
    for spec in ENDPOINTS:
        operation: dict = {
            "summary": spec.summary,
            "tags": [spec.tag],
            "operationId": f"{spec.method.lower()}_{spec.rule.strip('/').replace('/', '_').replace('<', '').replace('>', '').replace(':', '_').replace('-', '_').replace('.', '_')}",
            "responses": {
                str(spec.status): {
                    "description": "OK",
                    **(
                        {"content": {"application/json": {"schema": ref(spec.response)}}}
                        if spec.response
                        else {
                            "content": {
                                spec.media_type: {"schema": {"type": "string", "format": "binary"}}
                            }
                        }
                        if spec.media_type
                        else {}
                    ),
                },
            },
        }
        if not spec.public:
            operation["responses"]["401"] = error("No valid API token")
            operation["responses"]["404"] = error("Not found, or not visible to you")
        # what the declaration itself refuses (see `endpoint`): a body that is not a JSON object
        # (400), and a body or query that does not match its model (422)
        automatic = ((400,) if spec.body or spec.upload else ()) + (
            (422,) if spec.body or spec.query or spec.upload else ()
        )
        for status in sorted({*spec.errors, *automatic}):
            operation["responses"][str(status)] = error(
                {
                    400: "Malformed request: the body is not a JSON object"
                    + (" (here: not multipart/form-data)" if spec.upload else ""),
                    403: "Not allowed for your role",
                    409: "Changed by someone else",
                    422: "The request is not valid",
                }.get(status, "Error")
            )
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
            for name in re.findall(r"<int:(\w+)>", spec.rule)
        ] + [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"<(?:string:)?(\w+)>", spec.rule)
        ]
        if spec.query is not None:
            query_schema = spec.query.model_json_schema(ref_template="#/components/schemas/{model}")
            required = set(query_schema.get("required", []))
            for name, prop in query_schema.get("properties", {}).items():
                parameters.append(
                    {"name": name, "in": "query", "required": name in required, "schema": prop}
                )
            components.update(query_schema.get("$defs", {}))
        if parameters:
            operation["parameters"] = parameters
        if spec.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(spec.body)}},
            }
        if spec.upload is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": spec.upload}},
            }
        paths.setdefault(_path(spec.rule), {})[spec.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Provider quality assurance API",
            "version": "1",
            "description": 'Errors are JSON {"error", "details"}. Lists are {items, page, pages, total}.',
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
