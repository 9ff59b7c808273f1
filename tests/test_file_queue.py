"""The embedded file queue under the fault seen in the browser tests: a consumer listing the folder
while a producer writes. A message is never visible half-written, and an unreadable file is
skipped without stopping the consumer."""

from __future__ import annotations

import os
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection

from onestop import file_queue


def _channel(folder: Path) -> Any:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder)}
    connection = Connection(f"{file_queue.SCHEME}://", transport_options=options)
    return connection, connection.default_channel


def test_a_message_is_only_visible_once_it_is_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connection, channel = _channel(tmp_path)
    seen_while_writing: list[Any] = []
    real_replace = os.replace

    def consumer_looks_first(source: str, target: str) -> None:
        try:  # the consumer lists the folder between the write and the rename
            seen_while_writing.append(channel._get("jobs"))
        except Empty:
            seen_while_writing.append(None)
        real_replace(source, target)

    monkeypatch.setattr(file_queue.os, "replace", consumer_looks_first)
    channel._put("jobs", {"body": "drain", "n": 1})
    assert seen_while_writing == [None]  # nothing to read until the file is whole
    assert channel._get("jobs") == {"body": "drain", "n": 1}
    connection.release()


def test_an_unreadable_message_is_skipped_and_the_next_one_delivered(tmp_path: Path) -> None:
    connection, channel = _channel(tmp_path)
    # Named to sort before any real message ("<monotonic ms>_<uuid>"): the consumer meets it first.
    (tmp_path / "0_broken.jobs.msg").write_bytes(b"")  # what Kombu's own transport could leave to be read
    channel._put("jobs", {"body": "drain"})
    with pytest.raises(Empty):
        channel._get("jobs")  # the broken one: skipped, not raised into the worker's loop
    assert channel._get("jobs") == {"body": "drain"}
    connection.release()
