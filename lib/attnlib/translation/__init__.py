"""The toy English→French translator: corpus, vocabularies, training, checkpoints, decoding, scores.

``python -m attnlib.translation train|evaluate|translate|ablation|corpus`` is its command line.
Imports: :mod:`attnlib.model` and :mod:`attnlib.paths` (where the data and the shipped checkpoint
live); never :mod:`attnlib.lessons`, :mod:`attnlib.figures`, :mod:`attnlib.book`, nor plotly.
"""
