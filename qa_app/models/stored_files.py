"""What every uploaded evidence file records, whatever it is attached to (an improvement plan's
action, a provider's response to a notice requirement). The bytes are kept outside the web
root under `stored_name` and served only through a permission-checked route."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.models.types import UTCDateTime, utcnow


class StoredFileColumns:
    #: the file's own name, made safe (what the download is called)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    #: a random name in the evidence folder, never derived from what the uploader typed
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_label: Mapped[str] = mapped_column(String(254))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
