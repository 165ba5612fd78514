"""Users: signing in (with throttling), passwords, invitations, roles, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import aliased

from qa_app.domain.codes import MAX_ID
from qa_app.domain.roles import Role
from qa_app.domain.throttle import ThrottlePolicy, is_throttled
from qa_app.extensions import db
from qa_app.models import ApiToken, LoginAttempt, Provider, User
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.errors import NotFound, ValidationFailed
from qa_app.services.passwords import hash_password, password_problem, verify_password
from qa_app.services.transaction import Busy, unit_of_work, unit_of_work_without_waiting

INVITE_LIFETIME = timedelta(days=7)
TOKEN_PREFIX = "qa_"  # noqa: S105 (a prefix, not a secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# ---------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    outcome: str  # success, failed, throttled


def sign_in(email: str, password: str, ip_address: str, policy: ThrottlePolicy) -> SignInResult:
    """Check a password, unless there have been too many recent failures. Every attempt is
    recorded, whatever its outcome."""
    email = normalise_email(email)[:254]
    since = utcnow() - timedelta(minutes=policy.window_minutes)
    failed = LoginAttempt.outcome.in_(["failed", "throttled"])
    account_failures = db.session.scalar(
        select(func.count()).where(
            LoginAttempt.email == email, LoginAttempt.occurred_at >= since, failed
        )
    )
    address_failures = db.session.scalar(
        select(func.count()).where(
            LoginAttempt.ip_address == ip_address, LoginAttempt.occurred_at >= since, failed
        )
    )
    user = db.session.scalar(select(User).where(User.email == email))
    if is_throttled(policy, account_failures, address_failures):
        outcome = "throttled"
    elif user is not None and user.active and verify_password(user.password_hash, password):
        outcome = "success"
    else:
        if user is None:
            verify_password(None, password)  # same work either way
        outcome = "failed"
    with unit_of_work():
        db.session.add(
            LoginAttempt(
                email=email,
                ip_address=ip_address[:64],
                outcome=outcome,
                user_id=user.id if user else None,
            )
        )
        if outcome == "success":
            user.last_sign_in_at = utcnow()
    return SignInResult(user if outcome == "success" else None, outcome)


def load_session_user(session_id: str) -> User | None:
    """The user for a session cookie's id ("<user id>:<session version>"), if still valid."""
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    errors = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = "Your current password is not right"  # noqa: S105
    problem = password_problem(new, user.email)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        user.password_hash = hash_password(new)
        user.session_version += 1  # sign out every other session
        audit.record(Actor(user, "web"), "user", user.id, "password_changed")


# ---------------------------------------------------------------- invitations and accounts


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def account_problems(email: str, name: str, role: str, provider_id: int | None) -> dict:
    """Every problem with a new account's details, without saving anything."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter the person's name"
    try:
        validate_email(email or "", check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    if "email" not in errors and find_user_by_email(email) is not None:
        errors["email"] = f"There is already a user with the email address {normalise_email(email)}"
    errors.update(_check_role(role, provider_id))
    return errors


def _check_role(role: str, provider_id: int | None) -> dict:
    errors = {}
    if role not in {r.value for r in Role}:
        errors["role"] = f"Role must be one of {', '.join(r.value for r in Role)}"
    elif role == Role.PROVIDER:
        if provider_id is None:
            errors["provider_id"] = "Select the provider this user works for"
        elif not 1 <= provider_id <= MAX_ID or db.session.get(Provider, provider_id) is None:
            errors["provider_id"] = f"There is no provider with ID {provider_id}"
    elif provider_id is not None:
        errors["provider_id"] = "Only provider users belong to a provider"
    return errors


def create_user(
    actor: Actor,
    email: str,
    name: str,
    role: str,
    provider_id: int | None = None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create a user. Without a password, returns an invitation secret for a set-password link."""
    errors = account_problems(email, name, role, provider_id)
    if password is not None:
        problem = password_problem(password, email)
        if problem:
            errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    invite = None if password else secrets.token_urlsafe(32)
    with unit_of_work():
        user = User(
            email=normalise_email(email),
            name=name.strip(),
            role=role,
            provider_id=provider_id if role == Role.PROVIDER else None,
            password_hash=hash_password(password) if password else None,
            invite_token_hash=_digest(invite) if invite else None,
            invite_expires_at=utcnow() + INVITE_LIFETIME if invite else None,
            active=True,
            session_version=1,
        )
        db.session.add(user)
        db.session.flush()
        audit.record(
            actor,
            "user",
            user.id,
            "created",
            {
                "email": [None, user.email],
                "role": [None, role],
                "provider_id": [None, user.provider_id],
            },
        )
    return user, invite


def reissue_invite(actor: Actor, user_id: int) -> str:
    user = get_user(user_id)
    invite = secrets.token_urlsafe(32)
    with unit_of_work():
        user.invite_token_hash = _digest(invite)
        user.invite_expires_at = utcnow() + INVITE_LIFETIME
        audit.record(actor, "user", user.id, "invitation_sent")
    return invite


def user_for_invite(secret: str) -> User | None:
    if not secret:
        return None
    user = db.session.scalar(select(User).where(User.invite_token_hash == _digest(secret)))
    if user is None or not user.active or (user.invite_expires_at or utcnow()) < utcnow():
        return None
    return user


def accept_invite(secret: str, password: str) -> User:
    user = user_for_invite(secret)
    if user is None:
        raise NotFound("This link has expired or has already been used")
    problem = password_problem(password, user.email)
    if problem:
        raise ValidationFailed({"password": problem})
    with unit_of_work():
        user.password_hash = hash_password(password)
        user.invite_token_hash = None
        user.invite_expires_at = None
        user.session_version += 1
        audit.record(Actor(user, "web"), "user", user.id, "password_set")
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("User not found")
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.name)).unique())


def change_role(actor: Actor, user_id: int, role: str, provider_id: int | None) -> User:
    user = get_user(user_id)
    errors = _check_role(role, provider_id)
    if not errors and actor.user and actor.user.id == user.id and role != Role.ADMIN:
        errors["role"] = "You cannot remove your own administrator role"
    if errors:
        raise ValidationFailed(errors)
    provider_id = provider_id if role == Role.PROVIDER else None
    before = {"role": user.role, "provider_id": user.provider_id}
    if before == {"role": role, "provider_id": provider_id}:
        return user
    with unit_of_work():
        user.role, user.provider_id = role, provider_id
        user.session_version += 1  # new permissions take effect at the next sign-in
        audit.record(
            actor,
            "user",
            user.id,
            "role_changed",
            {"role": [before["role"], role], "provider_id": [before["provider_id"], provider_id]},
        )
    return user


def set_active(actor: Actor, user_id: int, active: bool) -> User:
    user = get_user(user_id)
    if actor.user and actor.user.id == user.id and not active:
        raise ValidationFailed({"active": "You cannot deactivate your own account"})
    if user.active == active:
        return user
    with unit_of_work():
        user.active = active
        user.session_version += 1  # ends every session at once
        audit.record(
            actor,
            "user",
            user.id,
            "activated" if active else "deactivated",
            {"active": [not active, active]},
        )
    return user


# ---------------------------------------------------------------- API tokens


def create_token(actor: Actor, user: User, name: str = "API token") -> str:
    """Create an API token for a user and return it; only its hash is kept."""
    if not user.active:
        raise ValidationFailed({"user": f"{user.email} is deactivated"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        token = ApiToken(
            user_id=user.id,
            name=(name or "API token")[:100],
            token_hash=_digest(secret),
            prefix=secret[:10],
        )
        db.session.add(token)
        db.session.flush()
        audit.record(actor, "api_token", token.id, "created", {"user_id": [None, user.id]})
    return secret


def user_for_token(secret: str, now: datetime | None = None) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    user = token.user
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_INTERVAL:
        _note_use(token.id, now)
    return user


LAST_USE_INTERVAL = timedelta(minutes=1)


def _note_use(token_id: int, now: datetime) -> None:
    """Note when a token was used, at most once a minute, so that API reads need no write lock
    and never fail or wait because of it. A conditional UPDATE in a short transaction of its
    own, skipped when another writer holds the lock (SQLite) or the token's row (PostgreSQL):
    a request a minute later notes it instead. Concurrent first uses write it once."""
    db.session.commit()  # end the read transaction (it wrote nothing), so the update starts afresh
    fresh = aliased(ApiToken)
    unlocked = (
        select(fresh.id)
        .where(
            fresh.id == token_id,
            or_(fresh.last_used_at.is_(None), fresh.last_used_at <= now - LAST_USE_INTERVAL),
        )
        .with_for_update(skip_locked=True)  # PostgreSQL: skip a row another request is noting
    )
    try:
        with unit_of_work_without_waiting():
            db.session.execute(
                update(ApiToken)
                .where(ApiToken.id.in_(unlocked))
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
    except Busy:
        pass  # another request is writing: noting this use can wait for a later one


def tokens_for(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        ).unique()
    )


def revoke_token(actor: Actor, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("Token not found")
    if token.revoked_at is None:
        with unit_of_work():
            token.revoked_at = utcnow()
            audit.record(
                actor, "api_token", token.id, "revoked", {"user_id": [token.user_id, token.user_id]}
            )
    return token
