"""Who is acting, and through which channel: every change is recorded against an actor."""

from __future__ import annotations

from dataclasses import dataclass

from qa_app.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    channel: str  # web, api, cli, system
    name: str | None = None  # what a system actor is called in the audit trail

    @property
    def label(self) -> str:
        return self.user.name if self.user else (self.name or "System")

    @classmethod
    def system(cls, channel: str = "system", name: str | None = None) -> Actor:
        return cls(None, channel, name)
