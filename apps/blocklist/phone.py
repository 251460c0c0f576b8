"""A phone's side of block-list sync, with nothing but the standard library.

``manage.py phone_client`` drives it; the tests run it against a live
server. It registers like the app does, keeps the list it holds in a state
file, asks for deltas with ``since`` and ``If-None-Match``, checks every
answer (sorted, unique, well-typed, nothing both added and removed) and
applies a delta in one merge pass over the sorted list it holds, the way a
phone with a 64-bit integer column does.
"""

import gzip
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ACTIONS = frozenset({"block", "identify"})
Entry = tuple[int, str, str]  # (number, action, label)


class SyncError(Exception):
    """The server answered something a phone must not accept, or failed."""


@dataclass
class PhoneState:
    server: str = ""
    token: str = ""
    region: str = ""
    limit: int | None = None
    version: int | None = None
    etag: str = ""
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None) -> "PhoneState":
        if path is None or not path.exists():
            return cls()
        data = json.loads(path.read_text())
        data["entries"] = [tuple(entry) for entry in data.get("entries", [])]
        return cls(**data)

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        data = {**self.__dict__, "entries": [list(entry) for entry in self.entries]}
        temporary = path.with_suffix(path.suffix + ".tmp")
        # The state holds the device's secret token: readable by its owner only.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(json.dumps(data))
        temporary.replace(path)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(action for _, action, _ in self.entries).items()))


@dataclass
class SyncResult:
    status: int  # 200 or 304
    full: bool
    version: int
    added: int = 0
    removed: int = 0
    wire_bytes: int = 0


def _check_entry(entry) -> Entry:
    if not isinstance(entry, dict) or set(entry) != {"number", "action", "label"}:
        raise SyncError(f"malformed entry {entry!r}")
    number, action, label = entry["number"], entry["action"], entry["label"]
    if type(number) is not int or not 0 < number < 2**63:
        raise SyncError(f"number {number!r} is not a positive 64-bit integer")
    if action not in ACTIONS or not isinstance(label, str):
        raise SyncError(f"malformed entry {entry!r}")
    return (number, action, label)


def _check_sorted(numbers: list[int], what: str) -> None:
    for before, after in pairwise(numbers):
        if not before < after:
            raise SyncError(f"{what} not strictly ascending at {before}, {after}")


def check_answer(body: dict) -> tuple[list[Entry], list[int]]:
    """The entries (full) or the added entries and removed numbers (delta),
    after checking every rule a phone relies on."""
    for name, kind in (("region", str), ("version", int), ("full", bool)):
        if not isinstance(body.get(name), kind):
            raise SyncError(f"answer without a valid {name!r}")
    if body["full"]:
        entries = [_check_entry(e) for e in body.get("entries", [])]
        _check_sorted([e[0] for e in entries], "entries")
        return entries, []
    added = [_check_entry(e) for e in body.get("added", [])]
    removed = body.get("removed", [])
    if not all(type(n) is int for n in removed):
        raise SyncError("removed holds something other than integers")
    _check_sorted([e[0] for e in added], "added")
    _check_sorted(removed, "removed")
    both = {e[0] for e in added} & set(removed)
    if both:
        raise SyncError(f"numbers both added and removed: {sorted(both)[:5]}")
    return added, removed


def merge_apply(
    held: list[Entry], added: list[Entry], removed: list[int]
) -> list[Entry]:
    """Apply a delta in one pass over three ascending sequences."""
    result: list[Entry] = []
    i = j = k = 0
    while i < len(held) or j < len(added):
        take_held = j == len(added) or (i < len(held) and held[i][0] < added[j][0])
        if take_held:
            number = held[i][0]
            while k < len(removed) and removed[k] < number:
                k += 1
            if not (k < len(removed) and removed[k] == number):
                result.append(held[i])
            i += 1
            continue
        if i < len(held) and held[i][0] == added[j][0]:
            i += 1  # replaced
        result.append(added[j])
        j += 1
    return result


class PhoneClient:
    """Talks to one server as one device."""

    def __init__(
        self, server: str, *, timeout: float = 60.0, app_version: str = "phone-client/1"
    ):
        self.server = server.rstrip("/")
        self.timeout = timeout
        self.app_version = app_version

    def _open(self, request: urllib.request.Request):
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return error
            detail = error.read()[:500].decode(errors="replace")
            raise SyncError(
                f"{request.full_url} answered {error.code}: {detail}"
            ) from error
        except urllib.error.URLError as error:
            raise SyncError(
                f"{request.full_url} unreachable: {error.reason}"
            ) from error

    def register(
        self, *, region: str, platform: str = "android", push_token: str = ""
    ) -> str:
        body = {"platform": platform, "region": region, "app_version": self.app_version}
        if push_token:
            body["push_token"] = push_token
        request = urllib.request.Request(
            f"{self.server}/api/v1/devices/",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        with self._open(request) as response:
            answer = json.loads(response.read())
        token = answer.get("token")
        if not isinstance(token, str) or not token:
            raise SyncError("registration answered no token")
        return token

    def fetch(
        self,
        *,
        token: str,
        region: str,
        limit: int | None = None,
        since: int | None = None,
        etag: str = "",
    ) -> tuple[int, dict | None, str, int]:
        """(status, body or None for 304, ETag, bytes on the wire)."""
        query = {"region": region}
        if limit is not None:
            query["limit"] = str(limit)
        if since is not None:
            query["since"] = str(since)
        headers = {
            "Authorization": f"Token {token}",
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
        }
        if etag:
            headers["If-None-Match"] = etag
        request = urllib.request.Request(
            f"{self.server}/api/v1/blocklist/?{urllib.parse.urlencode(query)}",
            headers=headers,
        )
        response = self._open(request)
        with response:
            status = response.status if hasattr(response, "status") else response.code
            raw = response.read()
            new_etag = response.headers.get("ETag", "")
            encoding = response.headers.get("Content-Encoding", "")
        if status == 304:
            return 304, None, new_etag or etag, len(raw)
        data = gzip.decompress(raw) if encoding == "gzip" else raw
        try:
            return status, json.loads(data), new_etag, len(raw)
        except ValueError as error:
            raise SyncError("the answer is not JSON") from error

    def sync(self, state: PhoneState) -> SyncResult:
        """Bring ``state`` up to date: the full list first, deltas after."""
        since = state.version
        status, body, etag, wire = self.fetch(
            token=state.token,
            region=state.region,
            limit=state.limit,
            since=since,
            etag=state.etag if since is not None else "",
        )
        if status == 304:
            return SyncResult(304, False, state.version or 0, wire_bytes=wire)

        added, removed = check_answer(body)
        if body["full"]:
            state.entries = added
        else:
            if body.get("since") not in (None, since):
                raise SyncError(f"delta from {body.get('since')}, asked from {since}")
            state.entries = merge_apply(state.entries, added, removed)
        state.version = body["version"]
        state.etag = etag
        return SyncResult(
            200,
            body["full"],
            body["version"],
            added=len(added),
            removed=len(removed),
            wire_bytes=wire,
        )

    def verify(self, state: PhoneState) -> None:
        """Fetch the full list afresh; it must equal what the phone holds."""
        _, body, _, _ = self.fetch(
            token=state.token, region=state.region, limit=state.limit
        )
        entries, _ = check_answer(body)
        if body["version"] != state.version:
            raise SyncError(
                f"the list moved on to version {body['version']} while verifying; "
                "run again"
            )
        if entries != state.entries:
            held, fresh = set(state.entries), set(entries)
            raise SyncError(
                f"held list differs from the full list: {len(held - fresh)} extra, "
                f"{len(fresh - held)} missing"
            )
