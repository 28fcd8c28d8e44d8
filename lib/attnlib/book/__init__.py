"""The book's machinery: demos (one figure, two renderings), display, plots and layout, the build,
its Sphinx extension, notebook twins, the bertviz views, the library reference and the benchmark results.

Every chapter starts with ``from attnlib.book import setup; setup()``. Imports: anything below
(:mod:`attnlib.model`, :mod:`attnlib.translation`, :mod:`attnlib.lessons`) and plotly; never
:mod:`attnlib.figures` or :mod:`attnlib.exercises`, which are drawn with it.
"""

from .build import setup

__all__ = ["setup"]
