"""JSON-line logging: one object per line with time, level, service, msg and the caller's fields."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Any, Literal, Protocol, TypeAlias, cast

LogLevel: TypeAlias = Literal["debug", "info", "warn", "error"]
LOG_LEVELS: tuple[LogLevel, ...] = ("debug", "info", "warn", "error")
# Python programmers write "warning"; the lines say "warn", as the npm flavour's do.
_ALIASES = {"warning": "warn"}


class LogSink(Protocol):
    def write(self, text: str, /) -> object: ...


def create_logger(
    service: str,
    *,
    level: str | None = None,
    stream: LogSink | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Logger:
    """A logger writing to `stream` (default: sys.stdout at each write).

    `level` defaults to the LOG_LEVEL environment variable, then "info". An unknown
    level raises ValueError here, so a typo is caught at startup. `clock` returns the
    time of each line (naive datetimes count as UTC); it is injectable for tests.
    """
    if level is None:
        raw = os.environ.get("LOG_LEVEL", "")
        resolved = _known_level(raw, "LOG_LEVEL") if raw.strip() else "info"
    else:
        resolved = _known_level(level, "level")
    return Logger(_Settings(service, resolved, stream, clock or _utc_now), {})


def _known_level(raw: str, source: str) -> LogLevel:
    value = raw.strip().lower()
    value = _ALIASES.get(value, value)
    for level in LOG_LEVELS:
        if level == value:
            return level
    # Fail at startup rather than silently logging at a level nobody asked for.
    raise ValueError(f"{source} must be one of {', '.join(LOG_LEVELS)}, got {json.dumps(raw)}")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclasses.dataclass(frozen=True)
class _Settings:
    service: str
    level: LogLevel
    stream: LogSink | None
    clock: Callable[[], datetime]


class Logger:
    """Writes lines at or above its level. Fields are given as a mapping, keywords, or both."""

    __slots__ = ("_settings", "_bindings", "_threshold")

    def __init__(self, settings: _Settings, bindings: Mapping[str, Any]) -> None:
        self._settings = settings
        self._bindings = dict(bindings)
        self._threshold = LOG_LEVELS.index(settings.level)

    @property
    def level(self) -> LogLevel:
        return self._settings.level

    def debug(self, msg: str, fields: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        self._log("debug", msg, fields, more)

    def info(self, msg: str, fields: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        self._log("info", msg, fields, more)

    def warning(self, msg: str, fields: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        self._log("warn", msg, fields, more)

    def error(self, msg: str, fields: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        self._log("error", msg, fields, more)

    def exception(self, msg: str, fields: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        """An error line with the exception being handled as `err`, as logging.exception does; call it in an except block."""
        self._log("error", msg, fields, {"err": sys.exc_info()[1], **more})

    def child(self, fields: Mapping[str, Any] | None = None, /, **more: Any) -> Logger:
        """A logger that adds these fields to every line it writes."""
        return Logger(self._settings, {**self._bindings, **(fields or {}), **more})

    def _log(self, level: LogLevel, msg: str, fields: Mapping[str, Any] | None, more: Mapping[str, Any]) -> None:
        if LOG_LEVELS.index(level) < self._threshold:
            return
        line = self._format(level, msg, {**self._bindings, **(fields or {}), **more})
        stream = self._settings.stream or sys.stdout
        stream.write(line + "\n")
        # Containers block-buffer stdout; a line that waits in a buffer is lost on a crash.
        flush = getattr(stream, "flush", None)
        if flush is not None:
            flush()

    def _format(self, level: LogLevel, msg: str, fields: dict[str, Any]) -> str:
        core = {"time": _iso_time(self._settings.clock()), "level": level, "service": self._settings.service, "msg": str(msg)}
        try:
            plain = {key: value for key, value in _plain(fields, []).items() if key not in core}
            # Core keys come last and are never taken from fields, so a field cannot spoof them.
            return _dumps(plain | core)
        except Exception as err:  # a hostile __str__ or property must not take the caller down
            return _dumps(core | {"logError": f"fields could not be serialised: {type(err).__name__}: {err}"})


def _dumps(value: Any) -> str:
    # ASCII escapes: a line is never lost to a stream that cannot encode it.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _iso_time(moment: datetime) -> str:
    utc = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return utc.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def _plain(value: Any, ancestors: list[int]) -> Any:
    """A copy of `value` that json.dumps takes: exceptions expanded, cycles and odd types defused."""
    if value is None or isinstance(value, (str, bool, int)) and not isinstance(value, Enum):
        return value
    if isinstance(value, float):
        # JSON has no NaN or Infinity; JSON.stringify writes null too.
        return value if math.isfinite(value) else None
    if id(value) in ancestors:
        return "[Circular]"
    ancestors.append(id(value))
    try:
        if isinstance(value, BaseException):
            return _plain(_exception_fields(value), ancestors)
        if isinstance(value, Enum):
            return _plain(value.value, ancestors)
        if isinstance(value, (datetime, date, time)):
            return value.isoformat()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {field.name: _plain(getattr(value, field.name), ancestors) for field in dataclasses.fields(value)}
        if isinstance(value, Mapping):
            mapping = cast(Mapping[object, object], value)
            return {key if isinstance(key, str) else str(key): _plain(item, ancestors) for key, item in mapping.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [_plain(item, ancestors) for item in cast(Iterable[object], value)]
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode("utf-8", "backslashreplace")
        return str(value)
    finally:
        ancestors.pop()


def _exception_fields(err: BaseException) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": type(err).__name__,
        "message": str(err),
        # This exception's own traceback; its cause is expanded below instead.
        "stack": "".join(traceback.format_exception(err, chain=False)).rstrip("\n"),
    }
    fields.update((key, item) for key, item in vars(err).items() if not key.startswith("_"))
    cause = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    if cause is not None:
        fields["cause"] = cause
    return fields
