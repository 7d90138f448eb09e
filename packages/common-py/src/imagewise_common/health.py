"""Health checks run in parallel, each within a time budget, into one report."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias

HealthStatus: TypeAlias = Literal["ok", "fail"]
# Passes when it returns (anything but False); fails when it raises, returns False or overruns.
HealthCheck: TypeAlias = Callable[[], object]

DEFAULT_TIMEOUT = 2.0


@dataclasses.dataclass(frozen=True)
class CheckResult:
    status: HealthStatus
    duration_ms: int
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the endpoint serves (and the npm flavour's): durationMs, error only on failure."""
        result: dict[str, Any] = {"status": self.status, "durationMs": self.duration_ms}
        if self.error is not None:
            result["error"] = self.error
        return result


@dataclasses.dataclass(frozen=True)
class HealthReport:
    status: HealthStatus
    checks: Mapping[str, CheckResult]
    service: str | None = None
    version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """{status, service, version, checks}; service and version only when given."""
        result: dict[str, Any] = {"status": self.status}
        if self.service is not None:
            result["service"] = self.service
        if self.version is not None:
            result["version"] = self.version
        result["checks"] = {name: check.to_dict() for name, check in self.checks.items()}
        return result


def run_health_checks(
    checks: Mapping[str, HealthCheck] | None = None,
    *,
    service: str | None = None,
    version: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> HealthReport:
    """Runs every check in parallel, each in its own thread, and never raises for a check."""
    return HealthRunner(checks or {}, service=service, version=version, timeout=timeout).run()


class HealthRunner:
    """Runs a fixed set of checks, as often as asked, from any number of threads.

    A thread cannot be stopped, so a check that overruns its timeout keeps running.
    While it does, later runs wait on that same call instead of starting another one:
    a hung dependency costs one thread per check, not one per probe.
    """

    def __init__(
        self,
        checks: Mapping[str, HealthCheck],
        *,
        service: str | None = None,
        version: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self._checks = dict(checks)
        self._service = service
        self._version = version
        self._timeout = timeout
        self._lock = threading.Lock()
        self._in_flight: dict[str, _Call] = {}

    def run(self) -> HealthReport:
        started = time.monotonic()
        deadline = started + self._timeout
        calls = {name: self._start(name, check) for name, check in self._checks.items()}
        results: dict[str, CheckResult] = {}
        for name, call in calls.items():
            if call.finished.wait(max(0.0, deadline - time.monotonic())):
                # A call started by an earlier run may have finished before this run began.
                error, duration = call.error, max(0.0, call.finished_at - started)
            else:
                error, duration = f"timed out after {round(self._timeout * 1000)}ms", time.monotonic() - started
            results[name] = CheckResult("ok" if error is None else "fail", round(duration * 1000), error)
        status: HealthStatus = "ok" if all(result.status == "ok" for result in results.values()) else "fail"
        return HealthReport(status, results, self._service, self._version)

    def _start(self, name: str, check: HealthCheck) -> _Call:
        with self._lock:
            call = self._in_flight.get(name)
            if call is None:
                call = self._in_flight[name] = _Call()
                # Daemon: a hung check must not keep the process alive at exit.
                threading.Thread(target=self._finish, args=(name, check, call), name=f"health-check-{name}", daemon=True).start()
            return call

    def _finish(self, name: str, check: HealthCheck, call: _Call) -> None:
        try:
            call.error = _outcome(check)
        finally:
            # Whatever happens, later runs must not wait on this call forever.
            call.finished_at = time.monotonic()
            with self._lock:
                del self._in_flight[name]
            call.finished.set()


class _Call:
    """One call of a check, which any number of runs may wait for."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.finished_at = 0.0
        self.error: str | None = "did not finish"


def _outcome(check: HealthCheck) -> str | None:
    """None when the check passes, else why it failed."""
    try:
        result = check()
        if inspect.iscoroutine(result):
            # An `async def` check: run it to completion on this thread's own event loop.
            result = asyncio.run(result)
    except BaseException as err:  # whatever a check raises is its failure, not the server's
        return _message(err)
    return "returned False" if result is False else None


def _message(err: BaseException) -> str:
    try:
        return str(err) or type(err).__name__
    except Exception:  # an exception whose __str__ raises still fails its check
        return type(err).__name__
