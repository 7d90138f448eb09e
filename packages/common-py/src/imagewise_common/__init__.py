"""Imagewise's internal library for Python services: JSON-line logging, typed configuration, health endpoint."""

from ._version import read_version
from .config import KINDS, ConfigError, ConfigIssue, Kind, Setting, load_config, setting
from .health import CheckResult, HealthCheck, HealthReport, HealthRunner, HealthStatus, run_health_checks
from .health_server import HEALTH_PATHS, HealthServer, create_health_server, health_handler
from .log import LOG_LEVELS, Logger, LogLevel, LogSink, create_logger

__version__ = read_version()

__all__ = [
    "HEALTH_PATHS",
    "KINDS",
    "LOG_LEVELS",
    "CheckResult",
    "ConfigError",
    "ConfigIssue",
    "HealthCheck",
    "HealthReport",
    "HealthRunner",
    "HealthServer",
    "HealthStatus",
    "Kind",
    "LogLevel",
    "LogSink",
    "Logger",
    "Setting",
    "__version__",
    "create_health_server",
    "create_logger",
    "health_handler",
    "load_config",
    "run_health_checks",
    "setting",
]
