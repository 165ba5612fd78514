"""`GET /calendar/<secret>.ics`: an officer's planned visits as an iCalendar feed, for Outlook
and other calendars, which cannot sign in: the private address is the key (a random secret, kept
only hashed, revocable on the officer's feed page). An unknown or revoked address is a 404, the
same as any address that is not there. No session is read or written."""

from flask import Flask, Response, abort

from qa_app.services import programme_feed
from qa_app.services.calendar import london_today


def init_app(app: Flask) -> None:
    @app.get("/calendar/<secret>.ics")
    def calendar_feed(secret: str):
        user = programme_feed.user_for_feed(secret)
        if user is None:
            abort(404)
        response = Response(programme_feed.feed(user, london_today()), mimetype="text/calendar")
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Content-Disposition"] = 'inline; filename="visits.ics"'
        return response
