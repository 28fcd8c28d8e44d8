"""The computations the chapters teach with, one module per idea.

Toy word spaces, scorers, the bottleneck and recurrence comparisons, softmax and stability
experiments, step-by-step decoding, cost measurements, image patches, the book's BERT filling gaps,
the three families of models and their sizes, the appendix's derivations.
Each returns numbers and tensors, not pictures. Imports: :mod:`attnlib.model`,
:mod:`attnlib.translation`, :mod:`attnlib.lm`, :mod:`attnlib.paths` and :mod:`attnlib.measure`; never
:mod:`attnlib.figures`, :mod:`attnlib.book`, nor plotly.
"""
