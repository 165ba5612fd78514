"""Users: signing in (with throttling), passwords, invitations, roles, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import aliased

from qa_app.domain import limits
from qa_app.domain.changes import created
from qa_app.domain.codes import MAX_ID
from qa_app.domain.roles import Role
from qa_app.domain.throttle import History, ThrottlePolicy, address_key, wait_before_attempt
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import ApiToken, LoginAttempt, Provider, User
from qa_app.models.types import utcnow
from qa_app.services import audit, outbox, sessions
from qa_app.services.actors import Actor
from qa_app.services.errors import NotFound, ValidationFailed, found
from qa_app.services.passwords import hash_password, password_problem, verify_password
from qa_app.services.transaction import Busy, unit_of_work, unit_of_work_without_waiting

INVITE_LIFETIME = timedelta(days=7)
TOKEN_PREFIX = "qa_"  # noqa: S105 (a prefix, not a secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# ---------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignInResult:
    user: User | None  # signed in, with `session_secret` set for the new session
    outcome: str  # success, failed, throttled
    wait: timedelta = timedelta(0)  # when throttled: how long before the next attempt may go


def _throttle_history(email: str, address: str, policy: ThrottlePolicy, now: datetime) -> History:
    """Recent failures (never refusals) for the account, the address and the pair of them."""
    failed = LoginAttempt.outcome == "failed"
    pair = (LoginAttempt.email == email, LoginAttempt.ip_address == address)
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.occurred_at)).where(*pair, LoginAttempt.outcome == "success")
    )
    since = now - policy.pair_memory
    if last_success is not None and last_success > since:
        since = last_success
    pair_failures, pair_last = db.session.execute(
        select(func.count(), func.max(LoginAttempt.occurred_at)).where(
            *pair, failed, LoginAttempt.occurred_at > since
        )
    ).one()
    address_failures = db.session.scalars(
        select(LoginAttempt.occurred_at)
        .where(
            LoginAttempt.ip_address == address,
            failed,
            LoginAttempt.occurred_at > now - policy.window,
        )
        .order_by(LoginAttempt.occurred_at.desc())
        .limit(policy.max_failures_address)
    ).all()
    account_failures, account_last = db.session.execute(
        select(func.count(), func.max(LoginAttempt.occurred_at)).where(
            LoginAttempt.email == email,
            failed,
            LoginAttempt.occurred_at > now - policy.ceiling_window,
        )
    ).one()
    known = False
    if account_failures >= policy.account_ceiling:  # only then does it matter
        known = (
            db.session.scalar(
                select(LoginAttempt.id)
                .where(
                    *pair,
                    LoginAttempt.outcome == "success",
                    LoginAttempt.occurred_at > now - policy.known_address_memory,
                )
                .limit(1)
            )
            is not None
        )
    return History(
        pair_failures=pair_failures,
        pair_last_failure=pair_last,
        address_failures=address_failures,
        account_failures=account_failures,
        account_last_failure=account_last,
        known_address=known,
    )


def attempt_keys(email: str, ip_address: str) -> tuple[str, str]:
    """The email and network address an attempt (a sign-in or a reset request) is recorded
    and throttled under. It is recorded whatever was typed: no account's address is longer."""
    return normalise_email(email)[: limits.EMAIL.chars], address_key(ip_address)


def record_attempt(
    email: str, address: str, outcome: str, user: User | None, now: datetime
) -> None:
    """Record an attempt with its outcome (in the caller's unit of work), for the throttles."""
    db.session.add(
        LoginAttempt(
            email=email,
            ip_address=address,
            outcome=outcome,
            user_id=user.id if user else None,
            occurred_at=now,
        )
    )


def sign_in(email: str, password: str, ip_address: str, policy: ThrottlePolicy) -> SignInResult:
    """Check a password, unless the throttle says this attempt must wait
    (`qa_app.domain.throttle`), and begin a session when it is right. Every attempt is
    recorded with its outcome; only wrong ones count against later attempts."""
    email, address = attempt_keys(email, ip_address)
    now = utcnow()
    wait = wait_before_attempt(policy, _throttle_history(email, address, policy, now), now)
    user = db.session.scalar(select(User).where(User.email == email))
    if wait > timedelta(0):
        outcome = "throttled"
    elif user is not None and user.active and verify_password(user.password_hash, password):
        outcome = "success"
    else:
        if user is None:
            verify_password(None, password)  # same work either way
        outcome = "failed"
    with unit_of_work():
        record_attempt(email, address, outcome, user, now)
        if outcome == "success" and user is not None:
            user.last_sign_in_at = now
            sessions.add(user, now)
    return SignInResult(user if outcome == "success" else None, outcome, wait)


def change_password(user: User, current: str, new: str, keep_session: str | None) -> None:
    """Change the user's own password; every other session of theirs ends (`keep_session`, the
    secret of the one in use, goes on)."""
    errors = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = "Your current password is not right"  # noqa: S105
    problem = password_problem(new, user.email, user.name)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        user.password_hash = hash_password(new)
        sessions.end_all(user.id, sessions.PASSWORD_CHANGED, keep=keep_session)
        audit.record(Actor(user, "web"), "user", user.id, "password_changed")


# ---------------------------------------------------------------- invitations and accounts


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def account_problems(email: str, name: str, role: str, provider_id: int | None) -> dict:
    """Every problem with a new account's details, without saving anything."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter the person's name"
    elif problem := limits.PERSON_NAME.problem(name.strip()):
        errors["name"] = problem
    try:
        validate_email(email or "", check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    if "email" not in errors and (problem := limits.EMAIL.problem(normalise_email(email))):
        errors["email"] = problem
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
    email_invitation: bool = False,
) -> tuple[User, str | None]:
    """Create a user. Without a password, returns an invitation secret for a set-password link,
    which `email_invitation` also sends them by email (through the outbox, in the same
    transaction)."""
    errors = account_problems(email, name, role, provider_id)
    if password is not None:
        problem = password_problem(password, email, name)
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
            invite_token_hash=digest(invite) if invite else None,
            invite_expires_at=utcnow() + INVITE_LIFETIME if invite else None,
            active=True,
        )
        audit.record_new(
            actor,
            "user",
            user,
            "created",
            created({"email": user.email, "role": role, "provider_id": user.provider_id}),
        )
        if invite and email_invitation:
            _email_invitation(user, invite)
    return user, invite


def _email_invitation(user: User, invite: str) -> None:
    """The invitation email, in the caller's transaction: one per invitation secret."""
    outbox.enqueue(
        "invitation",
        f"invitation:user:{user.id}:{digest(invite)[:16]}",
        [user],
        {
            "role": ROLE_ARTICLES.get(user.role, user.role_label.lower()),
            "link": outbox.link("auth.set_password", token=invite),
            "expires": long_date(user.invite_expires_at or utcnow()),
        },
    )


#: how an invitation names the role it gives
ROLE_ARTICLES: dict[str, str] = {
    Role.ADMIN: "an administrator",
    Role.MANAGER: "a quality assurance manager",
    Role.OFFICER: "a quality officer",
    Role.PROVIDER: "a provider user",
}


def reissue_invite(actor: Actor, user_id: int) -> str:
    """A new set-password link for the user (the old one stops working), sent to them by
    email."""
    user = get_user(user_id)
    if not user.active:
        raise ValidationFailed({"active": f"{user.name}'s account is deactivated"})
    invite = secrets.token_urlsafe(32)
    with unit_of_work():
        user.invite_token_hash = digest(invite)
        user.invite_expires_at = utcnow() + INVITE_LIFETIME
        audit.record(actor, "user", user.id, "invitation_sent")
        _email_invitation(user, invite)
    return invite


def user_for_invite(secret: str) -> User | None:
    if not secret:
        return None
    user = db.session.scalar(select(User).where(User.invite_token_hash == digest(secret)))
    if user is None or not user.active or (user.invite_expires_at or utcnow()) < utcnow():
        return None
    return user


def accept_invite(secret: str, password: str) -> User:
    """Set the password from an invitation (or a new set-password link): any session the user
    had ends, and a new one begins (`user.session_secret`)."""
    user = user_for_invite(secret)
    if user is None:
        raise NotFound("This link has expired or has already been used")
    problem = password_problem(password, user.email, user.name)
    if problem:
        raise ValidationFailed({"password": problem})
    with unit_of_work():
        user.password_hash = hash_password(password)
        user.invite_token_hash = None
        user.invite_expires_at = None
        sessions.end_all(user.id, sessions.PASSWORD_SET)
        sessions.add(user)
        audit.record(Actor(user, "web"), "user", user.id, "password_set")
    return user


def get_user(user_id: int) -> User:
    return found(db.session.get(User, user_id), "User not found")


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
        sessions.end_all(user.id, sessions.ROLE_CHANGED)  # new permissions: sign in again
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
        if not active:
            sessions.end_all(user.id, sessions.DEACTIVATED)
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
    if problem := limits.TOKEN_NAME.problem(name):
        raise ValidationFailed({"name": problem})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        token = ApiToken(
            user_id=user.id,
            name=name or "API token",
            token_hash=digest(secret),
            prefix=secret[:10],
        )
        audit.record_new(actor, "api_token", token, "created", {"user_id": [None, user.id]})
    return secret


def user_for_token(secret: str, now: datetime | None = None) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
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
