from flask import jsonify

from qa_app.api import api_blueprint
from qa_app.api.openapi import document


@api_blueprint.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document, built from the same models the endpoints validate with."""
    return jsonify(document())
