import dataclasses
import unittest
from unittest import mock

from imagewise_common import ConfigError, load_config, setting


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: str = setting("url", schemes=("postgres",))
    bucket: str = setting("string")
    port: int = setting("port", env="PORT", default=8080)
    workers: int = setting("integer", min=1, max=64, default=4)
    quality: float | None = setting("number", required=False)
    dry_run: bool = setting("boolean", default=False)
    format: str = setting("enum", values=("webp", "avif", "jpeg"), default="webp")


class LoadConfigTest(unittest.TestCase):
    def config_error(self, schema, env):
        with self.assertRaises(ConfigError) as raised:
            load_config(schema, env)
        return raised.exception

    def test_parses_every_kind_into_the_dataclass(self):
        config = load_config(
            Settings,
            {
                "PORT": "3000",
                "DATABASE_URL": "postgres://db:5432/images",
                "WORKERS": " 8 ",
                "QUALITY": "0.85",
                "DRY_RUN": "YES",
                "FORMAT": "avif",
                "BUCKET": "thumbs",
            },
        )
        self.assertEqual(
            config,
            Settings(database_url="postgres://db:5432/images", bucket="thumbs", port=3000, workers=8, quality=0.85, dry_run=True, format="avif"),
        )
        self.assertIs(type(config.workers), int)
        self.assertIs(type(config.dry_run), bool)

    def test_applies_defaults_and_leaves_optional_fields_none_when_unset_or_empty(self):
        config = load_config(Settings, {"DATABASE_URL": "postgres://db/images", "BUCKET": "b", "PORT": "", "QUALITY": "  "})
        self.assertEqual(config, Settings(database_url="postgres://db/images", bucket="b", port=8080, workers=4, quality=None, dry_run=False, format="webp"))

    def test_reports_every_problem_in_one_config_error(self):
        error = self.config_error(
            Settings,
            {"PORT": "70000", "DATABASE_URL": "mysql://db/images", "WORKERS": "1.5", "QUALITY": "high", "DRY_RUN": "maybe", "FORMAT": "gif"},
        )
        self.assertEqual(
            str(error),
            "\n".join(
                [
                    "Invalid configuration (7 problems):",
                    '  - DATABASE_URL: expected a URL with scheme postgres, got "mysql://db/images"',
                    "  - BUCKET: required but not set (expected a string)",
                    '  - PORT: expected a TCP port (integer 0-65535), got "70000"',
                    '  - WORKERS: expected an integer between 1 and 64, got "1.5"',
                    '  - QUALITY: expected a number, got "high"',
                    '  - DRY_RUN: expected a boolean (true/false, 1/0, yes/no, on/off), got "maybe"',
                    '  - FORMAT: expected one of webp, avif, jpeg, got "gif"',
                ]
            ),
        )
        self.assertIsInstance(error, ValueError)
        self.assertEqual([issue.env for issue in error.issues], ["DATABASE_URL", "BUCKET", "PORT", "WORKERS", "QUALITY", "DRY_RUN", "FORMAT"])
        first, missing = error.issues[:2]
        self.assertEqual((first.key, first.value, first.expected), ("database_url", "mysql://db/images", "a URL with scheme postgres"))
        self.assertIsNone(missing.value)

    def test_rejects_numeric_forms_that_int_and_float_would_let_through(self):
        @dataclasses.dataclass
        class Numbers:
            count: int = setting("integer", required=False)
            ratio: float = setting("number", min=0, required=False)

        for bad in ("0x10", "1e3", "12abc", "1_000", "١٢", "+"):
            with self.subTest(count=bad):
                self.assertEqual([issue.env for issue in self.config_error(Numbers, {"COUNT": bad}).issues], ["COUNT"])
        for bad in ("inf", "nan", "Infinity", "1e999", "1_0.5", "-0.5", "."):
            with self.subTest(ratio=bad):
                self.assertEqual([issue.env for issue in self.config_error(Numbers, {"RATIO": bad}).issues], ["RATIO"])
        self.assertEqual(load_config(Numbers, {"COUNT": "-42", "RATIO": ".5e1"}), Numbers(count=-42, ratio=5.0))
        self.assertEqual(load_config(Numbers, {"COUNT": "9007199254740993"}).count, 9007199254740993)

    def test_checks_urls_and_their_schemes(self):
        @dataclasses.dataclass
        class Urls:
            any_url: str = setting("url", required=False)
            web: str = setting("url", schemes=("https", "http"), required=False)

        for good in ("postgres://db/images", "redis://:pw@cache:6379/0", "mailto:ops@example.com", "file:///tmp/x"):
            with self.subTest(good=good):
                self.assertEqual(load_config(Urls, {"ANY_URL": good}).any_url, good)
        for bad in ("not a url", "hunter2", "/relative/path", "http://", "https://host:99999/", "http://[::1", "1http://x"):
            with self.subTest(bad=bad):
                self.assertEqual(str(self.config_error(Urls, {"ANY_URL": bad})), f'Invalid configuration (1 problem):\n  - ANY_URL: expected a URL, got "{bad}"')
        self.assertEqual(load_config(Urls, {"WEB": "HTTPS://Example.com/x"}).web, "HTTPS://Example.com/x")
        self.assertIn("expected a URL with scheme https or http", str(self.config_error(Urls, {"WEB": "ftp://example.com"})))

    def test_never_shows_the_value_of_a_secret(self):
        @dataclasses.dataclass
        class Secrets:
            api_url: str = setting("url", secret=True)

        error = self.config_error(Secrets, {"API_URL": "hunter2"})
        self.assertEqual(str(error), "Invalid configuration (1 problem):\n  - API_URL: expected a URL, got <secret>")
        self.assertIsNone(error.issues[0].value)

    def test_reads_os_environ_by_default_with_the_field_name_in_upper_case(self):
        @dataclasses.dataclass
        class FromEnviron:
            imagewise_common_test_value: int = setting("integer")

        with mock.patch.dict("os.environ", {"IMAGEWISE_COMMON_TEST_VALUE": "17"}):
            self.assertEqual(load_config(FromEnviron).imagewise_common_test_value, 17)

    def test_rejects_a_schema_it_cannot_read(self):
        @dataclasses.dataclass
        class Undeclared:
            port: int = 8080

        with self.assertRaisesRegex(TypeError, r"Undeclared\.port: declare it with setting\(kind, \.\.\.\)"):
            load_config(Undeclared, {})
        with self.assertRaisesRegex(TypeError, "takes a dataclass"):
            load_config(dict, {})
        with self.assertRaisesRegex(TypeError, "takes a dataclass"):
            load_config(Settings(database_url="x", bucket="y"), {})

    def test_skips_fields_that_are_not_init_arguments(self):
        @dataclasses.dataclass
        class Derived:
            port: int = setting("port")
            url: str = dataclasses.field(init=False)

            def __post_init__(self):
                self.url = f"http://localhost:{self.port}"

        self.assertEqual(load_config(Derived, {"PORT": "81"}).url, "http://localhost:81")


class SettingTest(unittest.TestCase):
    def test_rejects_wrong_combinations_where_the_class_is_defined(self):
        cases = [
            (lambda: setting("float"), "setting kind must be one of string, integer, number, boolean, url, enum, port, got 'float'"),
            (lambda: setting("string", min=1), "min and max apply to integer and number settings, not string"),
            (lambda: setting("integer", min=5, max=1), "setting min 5 is greater than max 1"),
            (lambda: setting("string", schemes=("http",)), "schemes apply to url settings, not string"),
            (lambda: setting("url", schemes=("postgres:",)), "schemes are names such as 'postgres' \\(no colon\\)"),
            (lambda: setting("enum"), "an enum setting needs values"),
            (lambda: setting("enum", values=()), "an enum setting needs values"),
            (lambda: setting("string", values=("a",)), "only enum settings take values"),
            (lambda: setting("url", schemes="postgres"), "take a tuple of strings"),
            (lambda: setting("enum", values="webp"), "take a tuple of strings"),
        ]
        for make, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(ValueError, message):
                make()

    def test_makes_required_fields_without_a_dataclass_default(self):
        @dataclasses.dataclass
        class Required:
            name: str = setting("string")

        with self.assertRaises(TypeError):
            Required()


if __name__ == "__main__":
    unittest.main()
