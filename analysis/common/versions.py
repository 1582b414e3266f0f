"""The toolkit's own version, as results and reports record it."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "service-drivers"


def package_version() -> str:
    """The installed version of service-drivers, or ``'unknown'`` when run from a bare source tree."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"
