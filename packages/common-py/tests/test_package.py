import re
import tomllib
import unittest
from pathlib import Path

import imagewise_common

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


class PublicApiTest(unittest.TestCase):
    def test_exports_exactly_the_supported_names(self):
        self.assertEqual(
            sorted(imagewise_common.__all__),
            sorted(
                [
                    "HEALTH_PATHS", "KINDS", "LOG_LEVELS", "CheckResult", "ConfigError", "ConfigIssue", "HealthCheck",
                    "HealthReport", "HealthRunner", "HealthServer", "HealthStatus", "Kind", "LogLevel", "LogSink", "Logger",
                    "Setting", "__version__", "create_health_server", "create_logger", "health_handler", "load_config",
                    "run_health_checks", "setting",
                ]
            ),
        )
        for name in imagewise_common.__all__:
            self.assertTrue(hasattr(imagewise_common, name), name)

    def test_reports_the_version_from_pyproject(self):
        with PYPROJECT.open("rb") as file:
            project = tomllib.load(file)["project"]
        self.assertEqual(imagewise_common.__version__, project["version"])
        self.assertRegex(imagewise_common.__version__, re.compile(r"^\d+\.\d+\.\d+"))
        self.assertEqual(project["name"], "imagewise-common")


if __name__ == "__main__":
    unittest.main()
