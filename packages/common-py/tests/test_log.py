import contextlib
import dataclasses
import enum
import io
import json
import unittest
from datetime import datetime, timezone
from unittest import mock

from imagewise_common import LOG_LEVELS, create_logger

FIXED = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def capture(**options):
    stream = io.StringIO()
    logger = create_logger("thumbs", stream=stream, clock=lambda: FIXED, **options)
    return logger, stream


def lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class CreateLoggerTest(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict("os.environ", {"LOG_LEVEL": ""})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_writes_one_json_object_per_line_with_fields_then_core_keys(self):
        logger, stream = capture()
        logger.info("resized", width=640, format="webp")
        self.assertEqual(
            stream.getvalue(),
            '{"width":640,"format":"webp","time":"2024-05-01T12:00:00.000Z","level":"info","service":"thumbs","msg":"resized"}\n',
        )

    def test_takes_fields_as_a_mapping_and_as_keywords(self):
        logger, stream = capture()
        logger.info("upload", {"content-type": "image/png", "size": 1}, size=2)
        self.assertEqual(lines(stream)[0], {"content-type": "image/png", "size": 2, **core("info", "upload")})

    def test_drops_lines_below_the_configured_level(self):
        logger, stream = capture(level="warn")
        logger.debug("a")
        logger.info("b")
        logger.warning("c")
        logger.error("d")
        self.assertEqual([(line["level"], line["msg"]) for line in lines(stream)], [("warn", "c"), ("error", "d")])
        self.assertEqual(logger.level, "warn")

    def test_takes_the_level_from_log_level_case_insensitively_and_accepts_warning(self):
        with mock.patch.dict("os.environ", {"LOG_LEVEL": " DEBUG "}):
            logger, stream = capture()
        logger.debug("visible")
        self.assertEqual(len(lines(stream)), 1)
        self.assertEqual(logger.level, "debug")
        with mock.patch.dict("os.environ", {"LOG_LEVEL": "Warning"}):
            self.assertEqual(capture()[0].level, "warn")

    def test_prefers_the_level_option_over_log_level_and_defaults_to_info(self):
        with mock.patch.dict("os.environ", {"LOG_LEVEL": "debug"}):
            self.assertEqual(capture(level="error")[0].level, "error")
        self.assertEqual(capture()[0].level, "info")

    def test_rejects_an_unknown_level_naming_where_it_came_from(self):
        with mock.patch.dict("os.environ", {"LOG_LEVEL": "verbose"}):
            with self.assertRaisesRegex(ValueError, '^LOG_LEVEL must be one of debug, info, warn, error, got "verbose"$'):
                capture()
        with self.assertRaisesRegex(ValueError, '^level must be one of debug, info, warn, error, got "trace"$'):
            capture(level="trace")
        self.assertEqual(LOG_LEVELS, ("debug", "info", "warn", "error"))

    def test_child_loggers_add_fields_and_per_call_fields_win(self):
        logger, stream = capture()
        child = logger.child(requestId="r1", tenant="a").child({"tenant": "b"})
        child.info("done", durationMs=12)
        logger.info("parent")
        from_child, from_parent = lines(stream)
        self.assertEqual(from_child, {"requestId": "r1", "tenant": "b", "durationMs": 12, **core("info", "done")})
        self.assertNotIn("requestId", from_parent)

    def test_fields_cannot_overwrite_the_core_keys(self):
        logger, stream = capture()
        logger.warning("real", {"msg": "fake", "level": "debug", "id": 7, "service": "other", "time": "never"})
        self.assertEqual(stream.getvalue(), '{"id":7,"time":"2024-05-01T12:00:00.000Z","level":"warn","service":"thumbs","msg":"real"}\n')

    def test_serialises_exceptions_with_name_message_stack_attributes_and_cause(self):
        logger, stream = capture()
        try:
            try:
                raise ConnectionResetError("socket hang up")
            except ConnectionResetError as cause:
                err = TypeError("fetch failed")
                err.code = "ECONNRESET"
                raise err from cause
        except TypeError as raised:
            logger.error("upload failed", err=raised)
        logged = lines(stream)[0]["err"]
        self.assertEqual(logged["name"], "TypeError")
        self.assertEqual(logged["message"], "fetch failed")
        self.assertEqual(logged["code"], "ECONNRESET")
        self.assertIn("raise err from cause", logged["stack"])
        self.assertTrue(logged["stack"].endswith("TypeError: fetch failed"))
        self.assertEqual((logged["cause"]["name"], logged["cause"]["message"]), ("ConnectionResetError", "socket hang up"))

    def test_never_raises_on_cycles_and_keeps_repeated_non_circular_references(self):
        logger, stream = capture()
        shared = {"id": 1}
        node = {"name": "root", "shared": shared, "again": shared}
        node["self"] = node
        items = [1]
        items.append(items)
        err = ValueError("loop")
        err.__cause__ = err
        logger.info("cyclic", node=node, items=items, err=err)
        line = lines(stream)[0]
        self.assertEqual(line["node"], {"name": "root", "shared": {"id": 1}, "again": {"id": 1}, "self": "[Circular]"})
        self.assertEqual(line["items"], [1, "[Circular]"])
        self.assertEqual((line["err"]["message"], line["err"]["cause"]), ("loop", "[Circular]"))

    def test_turns_python_values_into_json(self):
        @dataclasses.dataclass
        class Size:
            width: int
            height: int

        class Format(enum.Enum):
            WEBP = "webp"

        logger, stream = capture()
        logger.info(
            "values",
            big=10**20,
            ratio=float("nan"),
            at=datetime(1970, 1, 1, tzinfo=timezone.utc),
            size=Size(640, 480),
            format=Format.WEBP,
            tags=("a", "b"),
            raw=b"\xffok",
            ids={2: "two"},
            other=object.__new__(type("Opaque", (), {"__str__": lambda self: "opaque"})),
        )
        line = lines(stream)[0]
        self.assertEqual(line["big"], 10**20)
        self.assertIsNone(line["ratio"])
        self.assertEqual(line["at"], "1970-01-01T00:00:00+00:00")
        self.assertEqual(line["size"], {"width": 640, "height": 480})
        self.assertEqual(line["format"], "webp")
        self.assertEqual(line["tags"], ["a", "b"])
        self.assertEqual(line["raw"], "\\xffok")
        self.assertEqual(line["ids"], {"2": "two"})
        self.assertEqual(line["other"], "opaque")

    def test_writes_a_log_error_note_when_a_field_refuses_to_serialise(self):
        class Hostile:
            def __str__(self):
                raise RuntimeError("nope")

        logger, stream = capture()
        logger.info("hostile", value=Hostile())
        self.assertEqual(lines(stream), [{**core("info", "hostile"), "logError": "fields could not be serialised: RuntimeError: nope"}])

    def test_writes_utc_milliseconds_and_takes_naive_clock_values_as_utc(self):
        for moment in (datetime(2024, 5, 1, 14, 0, 0, 123999, tzinfo=timezone.utc).astimezone(), datetime(2024, 5, 1, 14, 0, 0, 123999)):
            stream = io.StringIO()
            create_logger("thumbs", stream=stream, clock=lambda m=moment: m).info("tick")
            self.assertEqual(lines(stream)[0]["time"], "2024-05-01T14:00:00.123Z")

    def test_flushes_each_line_and_defaults_to_the_current_stdout(self):
        logger = create_logger("thumbs")
        stdout = mock.Mock(wraps=io.StringIO())
        with contextlib.redirect_stdout(stdout):
            logger.info("hello")
        stdout.flush.assert_called_once_with()
        self.assertEqual(json.loads(stdout.getvalue())["msg"], "hello")


def core(level, msg):
    return {"time": "2024-05-01T12:00:00.000Z", "level": level, "service": "thumbs", "msg": msg}


if __name__ == "__main__":
    unittest.main()


class ExceptionTest(unittest.TestCase):
    def test_logs_the_exception_being_handled_at_error_level(self):
        logger, stream = capture(level="error")
        try:
            raise KeyError("feed")
        except KeyError:
            logger.exception("poll failed", attempt=3)
        line = lines(stream)[0]
        self.assertEqual((line["level"], line["msg"], line["attempt"]), ("error", "poll failed", 3))
        self.assertEqual((line["err"]["name"], line["err"]["message"]), ("KeyError", "'feed'"))
