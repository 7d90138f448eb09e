"""The library's version, read at run time so it always reports the copy in use."""

import tomllib
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "imagewise-common"


def read_version() -> str:
    package_dir = Path(__file__).resolve().parent
    pyproject = package_dir.parent.parent / "pyproject.toml"
    # In the source tree (src/imagewise_common) the pyproject is the truth, even
    # when an older release is installed in the same environment.
    if package_dir.parent.name == "src" and pyproject.is_file():
        with pyproject.open("rb") as file:
            return tomllib.load(file)["project"]["version"]
    return metadata.version(DISTRIBUTION)
