"""Two changes to one record at the same moment: the one that loses is told (a 409), never a 500."""

from sqlalchemy import update

from qa_app.extensions import db
from qa_app.models import Service
from qa_app.services import registry, users
from qa_app.services.actors import Actor


def test_a_service_changed_by_someone_else_mid_request_is_a_409(client, make, monkeypatch):
    service = make.service(name="Raced", cluster="North")
    token = users.create_token(Actor.system("cli"), make.user("officer"))
    real_refresh = registry.refresh_risk

    def another_request_commits_first(record):
        # what a concurrent PATCH does between this request's read and its write (on
        # PostgreSQL, where two writers run side by side): it raises the row's version
        db.session.connection().execute(
            update(Service).where(Service.id == record.id).values(version=Service.version + 1)
        )
        return real_refresh(record)

    monkeypatch.setattr(registry, "refresh_risk", another_request_commits_first)
    response = client.patch(
        f"/api/v1/services/{service.id}",
        json={"cluster": "South"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409, response.json
    assert "changed by someone else" in response.json["error"]
