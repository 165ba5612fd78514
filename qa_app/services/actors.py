"""Who is acting, and through which channel: every change is recorded against an actor."""

from __future__ import annotations

from dataclasses import dataclass

from qa_app.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    channel: str  # web, api, cli, system

    @property
    def label(self) -> str:
        return self.user.name if self.user else "System"

    @classmethod
    def system(cls, channel: str = "system") -> Actor:
        return cls(None, channel)
