"""``python -m attnlib.book build`` and ``python -m attnlib.book check PAGE.md``: see :mod:`attnlib.book.build`."""

import sys

from .build import main

if __name__ == "__main__":
    sys.exit(main())
