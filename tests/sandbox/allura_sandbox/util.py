"""Small helpers shared by the sandbox modules (ids, clocks, JSON)."""

import datetime
import itertools
import json
import os
import threading
import time

_OID_MACHINE = os.urandom(5).hex()
_OID_COUNTER = itertools.count(int.from_bytes(os.urandom(3), 'big'))
_CLOCK_LOCK = threading.Lock()
_LAST_NOW = [datetime.datetime.min]


def object_id():
    """A MongoDB-style ObjectId string (24 hex digits)."""
    return '%08x%s%06x' % (int(time.time()) & 0xFFFFFFFF, _OID_MACHINE, next(_OID_COUNTER) & 0xFFFFFF)


def is_object_id(value):
    return len(value) == 24 and all(ch in '0123456789abcdef' for ch in value)


def utcnow():
    """Naive UTC 'now' with MongoDB's millisecond precision, strictly increasing.

    Strictly increasing so that two writes in the same millisecond still get
    different ``mod_date`` values (tests compare them).
    """
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    with _CLOCK_LOCK:
        if now <= _LAST_NOW[0]:
            now = _LAST_NOW[0] + datetime.timedelta(milliseconds=1)
        _LAST_NOW[0] = now
    return now


def now_str():
    """Datetimes as TurboGears renders them: ``str(datetime)``."""
    return str(utcnow())


def today_str():
    return utcnow().strftime('%Y-%m-%d')


def hex_nonce(length):
    return os.urandom((length + 1) // 2).hex()[:length]


def thread_id():
    """Discussion thread ids are 10 hex digits in Allura."""
    return hex_nonce(10)


def dumps(obj):
    """JSON the way Allura's patched encoder writes it (every ``<`` escaped)."""
    return json.dumps(obj).replace('<', '\\u003C')


def last(value):
    """Repeated form fields arrive as lists; scalar parameters use the last one."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value
