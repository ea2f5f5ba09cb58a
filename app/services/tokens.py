"""Personal API tokens: shown once, stored as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ApiToken, User
from app.services.errors import NotFound, ValidationError

TOKEN_PREFIX = "rh_"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the only time the full token exists outside the client


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user_id: int, *, name: str, now: datetime) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, such as the laptop it is for."})
    if len(name) > 80:
        raise ValidationError({"name": "Use at most 80 characters."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id, name=name, token_hash=_digest(secret), prefix=secret[:10], created_at=now
    )
    db.session.add(token)
    db.session.commit()
    return IssuedToken(token=token, secret=secret)


def list_tokens(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(user_id: int, token_id: int, *, now: datetime) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    # Someone else's token answers exactly like a missing one: ids are not a way to probe.
    if token is None or token.user_id != user_id:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.commit()
    return token


# Every API request runs this: built once, it is only bound and run (building a statement costs
# more than running it). The user comes in the same round trip.
_BY_HASH = (
    sa.select(ApiToken)
    .options(joinedload(ApiToken.user))
    .where(ApiToken.token_hash == sa.bindparam("token_hash"))
)


def authenticate_token(secret: str, *, now: datetime) -> User | None:
    """The user a live token belongs to, recording when it was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(_BY_HASH, {"token_hash": _digest(secret)})
    if token is None or token.revoked_at is not None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return token.user
