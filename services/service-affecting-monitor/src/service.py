"""service-affecting-monitor: an HTTP service that answers GET /health with 200 and JSON while it runs."""

import dataclasses
import json
import signal
import sys
import threading
from pathlib import Path

from imagewise_common import LOG_LEVELS, ConfigError, create_health_server, create_logger, load_config, setting

# The service's name and version, from its package.json (the Dockerfile copies it into the image too).
MANIFEST = json.loads((Path(__file__).resolve().parent.parent / "package.json").read_text())
SERVICE = MANIFEST["name"]


@dataclasses.dataclass(frozen=True)
class Config:
    port: int = setting("port", env="PORT", default=8080)
    log_level: str = setting("enum", env="LOG_LEVEL", values=LOG_LEVELS, default="info")


def start(env=None):
    """Starts the health endpoint on PORT (0: any free port); returns the server, its port and the logger."""
    config = load_config(Config, env)
    log = create_logger(SERVICE, level=config.log_level)
    server = create_health_server(config.port, service=SERVICE, version=MANIFEST["version"])
    _, port = server.listen()
    log.info("listening", port=port)
    return server, port, log


def main():
    try:
        server, _, log = start()
    except ConfigError as error:
        sys.exit(str(error))
    # As PID 1 in a container, Python gets no default SIGTERM handling: stop cleanly on `docker stop`.
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    server.close()
    log.info("stopped")


if __name__ == "__main__":
    main()
