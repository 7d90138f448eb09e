import threading
import unittest

from imagewise_common import CheckResult, HealthReport, HealthRunner, run_health_checks


def fail(message):
    raise ConnectionRefusedError(message)


class RunHealthChecksTest(unittest.TestCase):
    def test_is_ok_when_every_check_returns(self):
        report = run_health_checks({"db": lambda: "pong", "cache": lambda: None}, service="thumbs", version="2.3.4")
        self.assertEqual(report.status, "ok")
        self.assertEqual(set(report.checks), {"db", "cache"})
        for result in report.checks.values():
            self.assertEqual((result.status, result.error), ("ok", None))
            self.assertIsInstance(result.duration_ms, int)
            self.assertGreaterEqual(result.duration_ms, 0)
        self.assertEqual((report.service, report.version), ("thumbs", "2.3.4"))

    def test_fails_on_a_raise_or_a_false_and_keeps_the_others(self):
        report = run_health_checks({"db": lambda: fail("connection refused"), "disk": lambda: True, "queue": lambda: False, "bare": lambda: fail("")})
        self.assertEqual(report.status, "fail")
        self.assertEqual(
            {name: (result.status, result.error) for name, result in report.checks.items()},
            {
                "db": ("fail", "connection refused"),
                "disk": ("ok", None),
                "queue": ("fail", "returned False"),
                "bare": ("fail", "ConnectionRefusedError"),
            },
        )

    def test_fails_a_check_whose_exception_cannot_be_described(self):
        class Opaque(Exception):
            def __str__(self):
                raise RuntimeError("no")

        def raises():
            raise Opaque()

        self.assertEqual(run_health_checks({"opaque": raises}).checks["opaque"].error, "Opaque")

    def test_runs_async_checks_to_completion(self):
        async def passes():
            return "pong"

        async def raises():
            raise TimeoutError("no answer from storage")

        report = run_health_checks({"passes": passes, "raises": raises})
        self.assertEqual(report.checks["passes"].status, "ok")
        self.assertEqual(report.checks["raises"].error, "no answer from storage")

    def test_runs_checks_in_parallel(self):
        # Each check waits for the other: run one after the other, both would time out.
        barrier = threading.Barrier(2, timeout=5)
        report = run_health_checks({"a": barrier.wait, "b": barrier.wait}, timeout=5)
        self.assertEqual(report.status, "ok")

    def test_is_ok_with_no_checks(self):
        self.assertEqual(run_health_checks(), HealthReport("ok", {}))

    def test_rejects_a_timeout_that_is_not_positive(self):
        for timeout in (0, -1, float("nan")):
            with self.subTest(timeout=timeout), self.assertRaisesRegex(ValueError, "timeout must be a positive number of seconds"):
                run_health_checks({}, timeout=timeout)


class HealthRunnerTest(unittest.TestCase):
    def test_fails_an_overrunning_check_and_does_not_start_it_again_while_it_runs(self):
        release = threading.Event()
        calls = []

        def hangs():
            calls.append(1)
            release.wait(10)

        runner = HealthRunner({"hangs": hangs, "quick": lambda: None}, timeout=0.2)
        try:
            for _ in range(3):
                report = runner.run()
                self.assertEqual(report.status, "fail")
                self.assertEqual((report.checks["hangs"].status, report.checks["hangs"].error), ("fail", "timed out after 200ms"))
                self.assertEqual(report.checks["quick"].status, "ok")
            self.assertEqual(len(calls), 1)
        finally:
            release.set()
        # Once the hung call has returned, the next run waits for it or calls the check afresh.
        self.assertEqual(self._run_until_ok(runner).checks["hangs"].status, "ok")
        self.assertLessEqual(len(calls), 2)

    def _run_until_ok(self, runner):
        for _ in range(100):
            report = runner.run()
            if report.status == "ok":
                return report
        self.fail("the released check never passed")


class ReportTest(unittest.TestCase):
    def test_serialises_to_the_npm_flavours_json_shape(self):
        report = HealthReport("fail", {"db": CheckResult("fail", 12, "refused"), "disk": CheckResult("ok", 0)}, "thumbs", "1.5.0")
        self.assertEqual(
            report.to_dict(),
            {
                "status": "fail",
                "service": "thumbs",
                "version": "1.5.0",
                "checks": {"db": {"status": "fail", "durationMs": 12, "error": "refused"}, "disk": {"status": "ok", "durationMs": 0}},
            },
        )
        self.assertEqual(list(report.to_dict()), ["status", "service", "version", "checks"])
        self.assertEqual(HealthReport("ok", {}).to_dict(), {"status": "ok", "checks": {}})


if __name__ == "__main__":
    unittest.main()
