"""Figure functions behind the book's demos, one module per concept.

Each function maps a few parameters to a plotly figure and raises ValueError
with a helpful message for input it cannot use; :class:`attnlib.demo.Demo`
turns it into a live widget or a static slider.
"""
