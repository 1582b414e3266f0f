"""The ``drivers`` command line: a thin layer over the Python API.

Each command lives in its own module and registers itself on :data:`app`. Errors a user
can cause (:class:`analysis.common.errors.ServiceDriversError`) are printed as one line, without a
traceback, and the command exits with status 1; usage errors exit with status 2. So are
errors of the operating system (a file that cannot be read or written: permission
denied, disk full), with the path. Any other exception is a bug and keeps its traceback.
"""
from __future__ import annotations

import os
import sys

from rich.markup import escape

from analysis.cli.app import app, err_console
from analysis.common.errors import InstrumentError, ServiceDriversError

# Importing a command module registers its commands on `app` (one line per module).
from analysis.cli import info  # noqa: F401,E402
from analysis.cli import simulate  # noqa: F401,E402
from analysis.cli import instrument_cmds  # noqa: F401,E402
from analysis.cli import check  # noqa: F401,E402
from analysis.cli import validate  # noqa: F401,E402
from analysis.cli import analyse  # noqa: F401,E402
from analysis.cli import report  # noqa: F401,E402
from analysis.cli import themes  # noqa: F401,E402
from analysis.cli import trends  # noqa: F401,E402
from analysis.cli import dissatisfiers  # noqa: F401,E402
from analysis.cli import dashboard  # noqa: F401,E402
from analysis.cli import agents  # noqa: F401,E402


def main() -> None:
    """Entry point of the ``drivers`` console script."""
    try:
        # Standalone mode: click itself reports usage errors (exit 2) and --help.
        app()
    except InstrumentError as exc:
        # Every problem of a questionnaire file, one per line: fixing them one run at a time is no way to work.
        if len(exc.problems) > 1:
            err_console.print(f"[bold red]error:[/] {len(exc.problems)} problems in the questionnaire file; fix them all:",
                              highlight=False, soft_wrap=True)
            for problem in exc.problems:
                err_console.print(f"  - {escape(problem)}", highlight=False, soft_wrap=True)
        else:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except ServiceDriversError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except BrokenPipeError:
        # The reader of our output went away (`drivers ... | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        what = exc.strerror or str(exc)
        err_console.print(f"[bold red]error:[/] {escape(where + what)}; check the path, its permissions and the free "
                          "disk space", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
