"""The Transformer itself: attention, masks, heads, positions, layers and the encoder-decoder.

Everything a reader needs to build, run and look inside the model, and nothing about any data
set or the book. Imports: torch and the standard library only; no other part of ``attnlib``,
no plotly. The names most used are re-exported from :mod:`attnlib`.
"""
