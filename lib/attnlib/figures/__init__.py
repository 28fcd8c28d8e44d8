"""Figure functions behind the book's demos, one module per concept, named like the lesson it draws.

Each function maps a few parameters to a plotly figure and raises ValueError
with a helpful message for input it cannot use; :class:`attnlib.book.demo.Demo`
turns it into a live widget or a static slider.

Imports: :mod:`attnlib.book` (plots, layout, display), the layers below it, and plotly;
never :mod:`attnlib.exercises`.
"""
