"""The embedded default's message queue: Kombu's filesystem transport, made safe for two processes.

Kombu creates a message file and then writes it, while the consumer moves and reads any file it
lists: a consumer that lists the file between the two reads it empty, fails to decode it and
stops consuming (seen with the web and the worker on one data folder). Here a message is written
under a name the consumer does not pick up and renamed into place once complete (a rename is
atomic on one filesystem), and a message that still cannot be read is logged and skipped instead
of stopping the worker: the outbox, not the queue, holds the work, and the periodic drain picks
it up.
"""

from __future__ import annotations

import logging
import os
import uuid
from queue import Empty
from time import monotonic
from typing import Any

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.json import dumps

log = logging.getLogger(__name__)
SCHEME = "onestopfs"


class Channel(filesystem.Channel):
    def _put(self, queue: Any, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # not "<queue>.msg": never picked up
        with open(partial, "wb") as f:
            f.write(dumps(message).encode())  # type: ignore[no-untyped-call]  # Kombu's encoder: dates, ids
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, final)

    def _get(self, queue: Any, timeout: Any = None) -> Any:
        try:
            return super()._get(queue)  # type: ignore[no-untyped-call]
        except ValueError as unreadable:  # a message file that is not JSON: skip it, keep consuming
            log.warning("skipped an unreadable message of queue %s: %s", queue, unreadable)
            raise Empty from unreadable


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES[SCHEME] = f"{__name__}:Transport"
