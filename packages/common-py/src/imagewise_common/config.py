"""Typed configuration from environment variables, declared as a dataclass whose fields use setting()."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias, TypeVar
from urllib.parse import urlsplit

Kind: TypeAlias = Literal["string", "integer", "number", "boolean", "url", "enum", "port"]
KINDS: tuple[Kind, ...] = ("string", "integer", "number", "boolean", "url", "enum", "port")

_METADATA_KEY = "imagewise_common.setting"
_INTEGER = re.compile(r"[+-]?[0-9]+")
# Decimal notation only: float() alone would also take "1_000", "inf" and "nan".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
# Schemes that have no meaning without a host (WHATWG's special schemes, less file).
_HOST_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "on": True, "off": False}

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Setting:
    """How one field is read; made by setting()."""

    kind: Kind
    env: str | None = None
    required: bool = True
    secret: bool = False
    has_default: bool = False
    min: float | None = None
    max: float | None = None
    schemes: tuple[str, ...] | None = None
    values: tuple[str, ...] | None = None


def setting(
    kind: Kind,
    /,
    *,
    env: str | None = None,
    default: Any = dataclasses.MISSING,
    required: bool = True,
    secret: bool = False,
    min: float | None = None,
    max: float | None = None,
    schemes: Iterable[str] | None = None,
    values: Iterable[str] | None = None,
) -> Any:
    """A dataclass field read from the environment variable `env` (default: the field name in upper case).

    A field is required unless it has a `default` or `required=False` (then it is None when unset).
    `min`/`max` bound "integer" and "number"; `schemes` ("postgres", no colon) restrict "url";
    `values` lists what "enum" accepts. `secret=True` keeps the value out of error messages.
    A wrong combination raises ValueError where the class is defined.
    """
    if kind not in KINDS:
        raise ValueError(f"setting kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if (min is not None or max is not None) and kind not in ("integer", "number"):
        raise ValueError(f"min and max apply to integer and number settings, not {kind}")
    if min is not None and max is not None and min > max:
        raise ValueError(f"setting min {min} is greater than max {max}")
    if isinstance(schemes, str) or isinstance(values, str):
        raise ValueError("schemes and values take a tuple of strings, such as ('postgres',), not one string")
    if schemes is not None and kind != "url":
        raise ValueError(f"schemes apply to url settings, not {kind}")
    scheme_list = None if schemes is None else tuple(scheme.lower() for scheme in schemes)
    if scheme_list is not None and not all(_SCHEME.fullmatch(scheme) for scheme in scheme_list):
        raise ValueError(f"schemes are names such as 'postgres' (no colon), got {scheme_list!r}")
    value_list = None if values is None else tuple(values)
    if (kind == "enum") != bool(value_list):
        raise ValueError("an enum setting needs values=(...), and only enum settings take values")
    spec = Setting(kind, env, required, secret, default is not dataclasses.MISSING, min, max, scheme_list, value_list)
    metadata = {_METADATA_KEY: spec}
    if default is not dataclasses.MISSING:
        return dataclasses.field(default=default, metadata=metadata)
    if not required:
        return dataclasses.field(default=None, metadata=metadata)
    return dataclasses.field(metadata=metadata)


@dataclasses.dataclass(frozen=True)
class ConfigIssue:
    key: str
    env: str
    expected: str
    message: str
    # The raw value; None when unset or when the setting is secret.
    value: str | None = None


class ConfigError(ValueError):
    """Raised once per load_config call, carrying every problem found."""

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues = tuple(issues)
        noun = "problem" if len(self.issues) == 1 else "problems"
        lines = "".join(f"\n  - {issue.message}" for issue in self.issues)
        super().__init__(f"Invalid configuration ({len(self.issues)} {noun}):{lines}")


def load_config(schema: type[T], env: Mapping[str, str] | None = None) -> T:
    """An instance of the dataclass `schema`, each field read from `env` (default: os.environ).

    Values are trimmed, and empty ones count as unset, since `FOO=` in a compose file
    usually means "not configured". Raises ConfigError listing every bad or missing value.
    """
    if not (isinstance(schema, type) and dataclasses.is_dataclass(schema)):
        raise TypeError(f"load_config takes a dataclass whose fields use setting(), got {schema!r}")
    source = os.environ if env is None else env
    values: dict[str, Any] = {}
    issues: list[ConfigIssue] = []
    for field in dataclasses.fields(schema):
        if not field.init:
            continue
        spec = field.metadata.get(_METADATA_KEY)
        if not isinstance(spec, Setting):
            raise TypeError(f"{schema.__qualname__}.{field.name}: declare it with setting(kind, ...) so load_config can read it")
        name = spec.env or field.name.upper()
        raw = (source.get(name) or "").strip()
        expected = _describe(spec)
        if not raw:
            # Unset: the dataclass default (setting()'s default, or None when not required) applies.
            if spec.required and not spec.has_default:
                issues.append(ConfigIssue(field.name, name, expected, f"{name}: required but not set (expected {expected})"))
            continue
        ok, value = _parse(spec, raw)
        if ok:
            values[field.name] = value
            continue
        shown = "<secret>" if spec.secret else json.dumps(raw, ensure_ascii=False)
        issues.append(ConfigIssue(field.name, name, expected, f"{name}: expected {expected}, got {shown}", None if spec.secret else raw))
    if issues:
        raise ConfigError(issues)
    return schema(**values)


def _parse(spec: Setting, raw: str) -> tuple[bool, Any]:
    """(True, value) when `raw` is a valid value of `spec`, else (False, None)."""
    match spec.kind:
        case "string":
            return True, raw
        case "integer":
            return _bounded(_integer(raw), spec.min, spec.max)
        case "port":
            return _bounded(_integer(raw), 0, 65535)
        case "number":
            return _bounded(_number(raw), spec.min, spec.max)
        case "boolean":
            flag = _BOOLEANS.get(raw.lower())
            return flag is not None, flag
        case "url":
            return _is_url(raw, spec.schemes), raw
        case "enum":
            return raw in (spec.values or ()), raw


def _integer(raw: str) -> int | None:
    # int() alone would also take "1_000" and non-ASCII digits.
    return int(raw) if _INTEGER.fullmatch(raw) else None


def _number(raw: str) -> float | None:
    value = float(raw) if _NUMBER.fullmatch(raw) else math.nan
    return value if math.isfinite(value) else None


def _bounded(value: float | None, low: float | None, high: float | None) -> tuple[bool, Any]:
    if value is None or (low is not None and value < low) or (high is not None and value > high):
        return False, None
    return True, value


def _is_url(raw: str, schemes: tuple[str, ...] | None) -> bool:
    if any(char.isspace() or not char.isprintable() for char in raw):
        return False
    try:
        parts = urlsplit(raw)
        parts.port  # raises ValueError on a port that is not a number in range
    except ValueError:
        return False
    if not _SCHEME.fullmatch(parts.scheme) or (parts.scheme in _HOST_SCHEMES and not parts.hostname):
        return False
    return schemes is None or parts.scheme in schemes


def _describe(spec: Setting) -> str:
    match spec.kind:
        case "string":
            return "a string"
        case "integer" | "number":
            return ("an integer" if spec.kind == "integer" else "a number") + _range(spec.min, spec.max)
        case "port":
            return "a TCP port (integer 0-65535)"
        case "boolean":
            return "a boolean (true/false, 1/0, yes/no, on/off)"
        case "url":
            return f"a URL with scheme {' or '.join(spec.schemes)}" if spec.schemes else "a URL"
        case "enum":
            return f"one of {', '.join(spec.values or ())}"


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" between {low} and {high}"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""

