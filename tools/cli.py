"""What every tool shares: configuration errors become one readable line and exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Callable

from foundation.errors import ConfigurationError


def run(main: Callable[[list[str]], int | None]) -> None:
    try:
        code = main(sys.argv[1:])
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # `| head` closed the pipe: not an error worth a traceback
        sys.stderr.close()
        sys.exit(0)
    sys.exit(code or 0)
