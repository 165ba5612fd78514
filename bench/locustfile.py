"""Locust's officers for `make bench BENCH_ARGS="--only load"` (bench/load.py starts it).

Each simulated officer takes one entry of the JSON file QA_LOAD_OFFICERS (its session cookie,
API token, in-progress assessment and question refs), opens the assessment's recording page,
then autosaves answers with the version the last save returned and now and then opens a page.
When Locust stops, every officer's last sent value and the version the server gave it are
written to QA_LOAD_SENT, for bench/load.py to check against the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading

from locust import HttpUser, between, events, task

OFFICERS = json.loads(open(os.environ["QA_LOAD_OFFICERS"]).read())  # noqa: SIM115
_next = itertools.count()
_lock = threading.Lock()
#: assessment id -> question ref -> [score, evidence, version]: the last save each officer
#: sent that the server accepted
SENT: dict[int, dict[str, list]] = {}


class Officer(HttpUser):
    wait_time = between(
        float(os.environ.get("QA_LOAD_WAIT_MIN", "0.5")),
        float(os.environ.get("QA_LOAD_WAIT_MAX", "1.5")),
    )

    def on_start(self):
        with _lock:
            me = OFFICERS[next(_next) % len(OFFICERS)]
        self.me, self.n = me, 0
        self.versions = dict.fromkeys(me["refs"], 1)  # what the next save sends
        self.last = dict.fromkeys(me["refs"], 0)  # the version the last save returned
        self.rng = random.Random(me["assessment"])
        # What a TLS proxy in front of the app sends (QA_TRUSTED_PROXIES=1), and the officer's
        # signed-in session.
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": me["address"],
                "Cookie": me["cookie"],
            }
        )
        self.recording_page()

    def _get(self, url: str, name: str, expect: str | None = None):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif expect and expect not in response.text:
                response.failure(f"did not show {expect!r}")

    @task(1)
    def recording_page(self):
        self._get(
            f"/assessments/{self.me['assessment']}/record/{self.me['domain']}",
            "recording page",
            self.me["refs"][0],
        )

    @task(8)
    def autosave(self):
        ref = self.rng.choice(self.me["refs"])
        self.n += 1
        score, evidence = 1 + self.n % 4, f"Seen on the load run, note {self.n} of {ref}."
        with self.client.put(
            f"/api/v1/assessments/{self.me['assessment']}/answers/{ref}",
            name="autosave (PUT answer)",
            json={
                "score": score,
                "evidence": evidence,
                "sources": ["staff"],
                "version": self.versions[ref],
            },
            headers={"Authorization": f"Bearer {self.me['token']}"},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            version = response.json()["version"]
            if version <= self.last[ref]:  # the first save of an answer makes version 1
                response.failure(f"version {version} after {self.last[ref]}")
            self.versions[ref] = self.last[ref] = version
            with _lock:
                SENT.setdefault(self.me["assessment"], {})[ref] = [score, evidence, version]

    @task(1)
    def home(self):
        self._get("/home", "staff home")

    @task(1)
    def services(self):
        self._get(f"/services?page={1 + self.rng.randrange(10)}", "service list")


@events.quitting.add_listener
def _write_sent(environment, **_kwargs):
    with open(os.environ["QA_LOAD_SENT"], "w") as out:
        json.dump(SENT, out)
