"""Attention over image patches: a toy of how a captioning decoder looks at regions of an image.

A small synthetic image is cut into a grid of square patches. Each patch becomes a *key*: a vector of
readable features computed from its pixels (mean colour, two shape cues, its position in the grid).
A word, or a few words, becomes a *query* in the same feature space, hand-made like the word space
of :mod:`attnlib.lessons.toy`. Softmax over the patches of ``key · query / temperature`` says where the words
look, and the weighted average of the patches' features is what a decoder would receive.

A real captioning model learns both sides: an image encoder (a CNN, or a Vision Transformer that
also cuts the image into patches) produces the keys and values, and the decoder's state while it writes
the next word is the query. Nothing here is learned; every number can be read.

Shape letters: S image side in pixels, C = 3 colour channels, P patch side, G = S / P patches per
side, N = G² patches, F features.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib

import numpy as np
import torch

from .softmax import check_temperature

IMAGE_SIZE = 32
PATCH = 8
GRID = IMAGE_SIZE // PATCH
BACKGROUND = (0.95, 0.94, 0.90)
COLOURS = {"red": (0.86, 0.16, 0.14), "green": (0.16, 0.62, 0.22), "blue": (0.16, 0.32, 0.86)}
SHAPES = ("circle", "square", "triangle")
# (shape, colour, grid row, grid column): six objects on a 4×4 grid of patches, ten patches left empty.
SCENE = (
    ("circle", "red", 0, 0),
    ("square", "green", 0, 2),
    ("triangle", "blue", 1, 3),
    ("square", "red", 2, 1),
    ("circle", "blue", 3, 0),
    ("triangle", "green", 3, 3),
)
INK_THRESHOLD = 0.15  # a pixel this far (Euclidean, in RGB) from the background belongs to an object
OBJECT_THRESHOLD = 0.05  # a patch with this share of ink pixels holds an object

FEATURES = ("red", "green", "blue", "object", "corners", "bottom-heavy", "top", "bottom", "left", "right")
# Hand-made queries: which features each word asks for. Words without features (the, a, ...) ask for
# nothing, so they spread their weight evenly, like function words in the chapter on queries and keys.
WORDS: dict[str, dict[str, float]] = {
    "red": {"red": 1.0},
    "green": {"green": 1.0},
    "blue": {"blue": 1.0},
    "circle": {"object": 1.0, "corners": -1.0, "bottom-heavy": -2.0},
    "square": {"corners": 1.0},
    "triangle": {"bottom-heavy": 2.0},
    "top": {"top": 1.0},
    "bottom": {"bottom": 1.0},
    "left": {"left": 1.0},
    "right": {"right": 1.0},
    "the": {}, "a": {}, "at": {}, "in": {},
}
EXAMPLE_QUERIES = ("red", "blue", "circle", "square", "triangle", "red circle", "blue triangle", "top left",
                   "bottom right", "the")


# --------------------------------------------------------------------------------------
# The image
# --------------------------------------------------------------------------------------

def _shape_mask(shape: str) -> np.ndarray:
    """A ``(P, P)`` boolean mask of one shape drawn inside a patch, one pixel of margin all round."""
    y, x = np.mgrid[0:PATCH, 0:PATCH]
    c = (PATCH - 1) / 2  # the patch's centre, 3.5
    inner = (y >= 1) & (y <= PATCH - 2) & (x >= 1) & (x <= PATCH - 2)
    if shape == "square":
        return inner
    if shape == "circle":
        return (y - c) ** 2 + (x - c) ** 2 <= (c - 0.3) ** 2
    if shape == "triangle":  # apex up: the half-width grows from the top row to the bottom row
        half = (y - 0.5) / (PATCH - 2) * c
        return inner & (np.abs(x - c) <= half)
    raise ValueError(f"unknown shape {shape!r}; the shapes are {list(SHAPES)}")


def toy_image(scene=SCENE, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """The scene as an ``(S, S, C)`` float image in [0, 1]: flat shapes on a plain background, plus
    uniform noise of amplitude ``noise`` drawn with ``seed`` (none by default; the tests add some to check
    that the features do not depend on exact pixel values)."""
    img = np.empty((IMAGE_SIZE, IMAGE_SIZE, 3))
    img[:] = BACKGROUND
    for shape, colour, row, col in scene:
        if colour not in COLOURS:
            raise ValueError(f"unknown colour {colour!r}; the colours are {list(COLOURS)}")
        if not (0 <= row < GRID and 0 <= col < GRID):
            raise ValueError(f"patch ({row}, {col}) is outside the {GRID}×{GRID} grid")
        patch = img[row * PATCH:(row + 1) * PATCH, col * PATCH:(col + 1) * PATCH]  # (P, P, C) view
        patch[_shape_mask(shape)] = COLOURS[colour]
    rng = np.random.default_rng(seed)
    return np.clip(img + rng.uniform(-noise, noise, img.shape), 0.0, 1.0)


def to_patches(image: np.ndarray, patch: int = PATCH) -> np.ndarray:
    """``(S, S, C)`` -> ``(N, P, P, C)``: patches in reading order (row by row, left to right)."""
    s = image.shape[0]
    if image.ndim != 3 or image.shape[1] != s or s % patch:
        raise ValueError(f"need a square (S, S, C) image with S a multiple of {patch}, got shape {image.shape}")
    g = s // patch
    x = image.reshape(g, patch, g, patch, -1)  # (G, P, G, P, C)
    return x.transpose(0, 2, 1, 3, 4).reshape(g * g, patch, patch, -1)  # (N, P, P, C)


# --------------------------------------------------------------------------------------
# Keys: hand-made patch features
# --------------------------------------------------------------------------------------

def ink_mask(patches: np.ndarray) -> np.ndarray:
    """``(N, P, P, C)`` -> ``(N, P, P)``: which pixels differ from the background."""
    return np.linalg.norm(patches - np.asarray(BACKGROUND), axis=-1) > INK_THRESHOLD


def _shape_cues(ink: np.ndarray) -> tuple[float, float]:
    """(corners, bottom-heavy) of one patch's ``(P, P)`` ink mask.

    corners: the share of the four corners of the ink's bounding box that are ink (square 1, a triangle
    standing on its base 0.5, circle 0). bottom-heavy: (ink in the lower half − ink in the upper half) / ink.
    """
    ys, xs = np.nonzero(ink)
    if len(ys) == 0:
        return 0.0, 0.0
    top, bottom, left, right = ys.min(), ys.max(), xs.min(), xs.max()
    corners = np.mean([ink[top, left], ink[top, right], ink[bottom, left], ink[bottom, right]])
    middle = (top + bottom) / 2
    lower, upper = (ys > middle).sum(), (ys < middle).sum()
    return float(corners), float((lower - upper) / len(ys))


def patch_features(image: np.ndarray | None = None) -> torch.Tensor:
    """The keys: ``(N, F)``, one row per patch, one column per name in :data:`FEATURES`.

    Colours are the mean colour of the patch's ink pixels, minus the mean of the other two channels
    (0 for an empty patch); ``object`` is 1 where the patch holds an object; positions run from 0 to 1.
    """
    image = toy_image() if image is None else image
    patches = to_patches(image)  # (N, P, P, C)
    ink = ink_mask(patches)  # (N, P, P)
    g = int(math.isqrt(len(patches)))
    rows = []
    for i, (p, m) in enumerate(zip(patches, ink)):
        has_object = m.mean() >= OBJECT_THRESHOLD
        colour = p[m].mean(axis=0) if has_object else np.zeros(3)  # (C,)
        contrast = [colour[c] - (colour.sum() - colour[c]) / 2 for c in range(3)]
        corners, bottom_heavy = _shape_cues(m) if has_object else (0.0, 0.0)
        r, c = divmod(i, g)
        rows.append([*contrast, float(has_object), corners, bottom_heavy,
                     1 - r / (g - 1), r / (g - 1), 1 - c / (g - 1), c / (g - 1)])
    return torch.tensor(rows, dtype=torch.float32)  # (N, F)


# --------------------------------------------------------------------------------------
# Queries, and attention over the patches
# --------------------------------------------------------------------------------------

def query_words(text: str) -> list[str]:
    """The words of a query, lower-cased; a ValueError for an empty query or a word the toy does not know."""
    words = str(text).lower().replace(",", " ").split()
    if not words:
        raise ValueError(f"the query is empty: type one or more of {sorted(WORDS)}")
    unknown = [w for w in words if w not in WORDS]
    if unknown:
        raise ValueError(f"unknown word(s) {unknown}: this toy knows only {sorted(WORDS)}")
    return words


def query_vector(text: str) -> torch.Tensor:
    """``(F,)``: the sum of the words' hand-made feature vectors."""
    q = torch.zeros(len(FEATURES))
    for w in query_words(text):
        for name, value in WORDS[w].items():
            q[FEATURES.index(name)] += value
    return q


def attend(text: str, temperature: float = 0.25, image: np.ndarray | None = None) -> torch.Tensor:
    """The weights ``(N,)`` the query gives the patches: softmax(K q / temperature)."""
    keys = patch_features(image)  # (N, F)
    return torch.softmax(keys @ query_vector(text) / check_temperature(temperature), dim=-1)  # (N,)


def context(text: str, temperature: float = 0.25, image: np.ndarray | None = None) -> dict[str, float]:
    """What the decoder receives: the weighted average of the patches' features (values = keys here)."""
    keys = patch_features(image)  # (N, F)
    mixed = attend(text, temperature, image) @ keys  # (F,)
    return dict(zip(FEATURES, mixed.tolist()))


def patch_of(row: int, col: int) -> int:
    """The index of the patch in grid row ``row``, column ``col`` (reading order)."""
    return row * GRID + col


# --------------------------------------------------------------------------------------
# A PNG, so that a figure carries the image as one small string
# --------------------------------------------------------------------------------------

def png_bytes(image: np.ndarray) -> bytes:
    """An ``(H, W, 3)`` float image in [0, 1] as an 8-bit RGB PNG file (standard library only)."""
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"need an (H, W, 3) image, got shape {image.shape}")
    h, w, _ = image.shape
    pixels = (np.clip(image, 0, 1) * 255).round().astype(np.uint8)  # (H, W, 3)
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))  # filter type 0 before every row

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits per channel, colour type 2 (RGB)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def png_data_uri(image: np.ndarray) -> str:
    """The image as a ``data:`` URI that a plotly ``Image`` trace can show (no file, no network)."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")
