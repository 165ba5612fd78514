"""Bytes on the wire per request, read from Chromium's DevTools protocol."""

from __future__ import annotations


class Wire:
    """Bytes on the wire per request, from the DevTools protocol."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.requests: dict[str, dict] = {}
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.responseReceived", self._received)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.on("Network.requestServedFromCache", self._from_cache)

    def _sent(self, event):
        self.requests[event["requestId"]] = {
            "url": event["request"]["url"],
            "type": event.get("type", ""),  # Document for the page itself, Fetch for a script's
            "bytes": 0,
        }

    def _received(self, event):
        entry = self.requests.setdefault(event["requestId"], {"url": event["response"]["url"]})
        response = event["response"]
        entry["status"] = response["status"]
        entry["cached"] = response.get("fromDiskCache") or response.get("fromPrefetchCache")
        entry["encoding"] = {k.lower(): v for k, v in response["headers"].items()}.get(
            "content-encoding", ""
        )

    def _from_cache(self, event):
        self.requests.setdefault(event["requestId"], {"url": "?"})["cached"] = True

    def _finished(self, event):
        self.requests.setdefault(event["requestId"], {"url": "?"})["bytes"] = event[
            "encodedDataLength"
        ]

    def take(self) -> list[dict]:
        taken, self.requests = list(self.requests.values()), {}
        return taken

    @staticmethod
    def fetched(request: dict) -> bool:
        """Whether the request crossed the network (not answered from the browser's cache)."""
        return bool(request.get("bytes")) and not request.get("cached")
