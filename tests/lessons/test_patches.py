"""Attention over image patches: the toy image, its hand-made features, the queries, the PNG and the figure."""

import struct
import zlib

import numpy as np
import pytest
import torch

from attnlib.lessons import patches
from attnlib.book.demo import Demo, Param
from attnlib.figures import patches as views

P = patches.patch_of


def test_image_and_patches_line_up():
    img = patches.toy_image()
    assert img.shape == (32, 32, 3) and img.min() >= 0 and img.max() <= 1
    tiles = patches.to_patches(img)  # (N, P, P, C)
    assert tiles.shape == (16, 8, 8, 3)
    np.testing.assert_array_equal(tiles[P(2, 1)], img[16:24, 8:16])
    with pytest.raises(ValueError, match="multiple of 8"):
        patches.to_patches(np.zeros((30, 30, 3)))
    with pytest.raises(ValueError, match="outside"):
        patches.toy_image([("circle", "red", 4, 0)])
    with pytest.raises(ValueError, match="unknown colour"):
        patches.toy_image([("circle", "pink", 0, 0)])
    with pytest.raises(ValueError, match="unknown shape"):
        patches.toy_image([("star", "red", 0, 0)])


def test_features_describe_the_scene():
    keys = patches.patch_features()
    f = {name: keys[:, i] for i, name in enumerate(patches.FEATURES)}
    holding = {P(r, c): (shape, colour) for shape, colour, r, c in patches.SCENE}
    assert set(torch.nonzero(f["object"]).flatten().tolist()) == set(holding)
    for i, (shape, colour) in holding.items():
        assert patches.FEATURES[int(keys[i, :3].argmax())] == colour
        assert f["corners"][i] == {"square": 1.0, "circle": 0.0, "triangle": 0.5}[shape]
        assert (f["bottom-heavy"][i] > 0.2) == (shape == "triangle")
    empty = [i for i in range(16) if i not in holding]
    assert keys[empty, :6].abs().max() == 0  # an empty patch has nothing but its position
    assert f["top"][P(0, 3)] == 1 and f["right"][P(0, 3)] == 1 and f["bottom"][P(0, 3)] == 0


def test_queries_find_what_the_chapter_says():
    red = patches.attend("red", 0.25)
    assert set(red.topk(2).indices.tolist()) == {P(0, 0), P(2, 1)} and abs(red[P(0, 0)] - red[P(2, 1)]) < 0.01
    assert int(patches.attend("red circle", 0.25).argmax()) == P(0, 0) and patches.attend("red circle", 0.25).max() > 0.9
    assert int(patches.attend("blue triangle").argmax()) == P(1, 3)
    assert set(patches.attend("circle").topk(2).indices.tolist()) == {P(0, 0), P(3, 0)}
    assert set(patches.attend("square").topk(2).indices.tolist()) == {P(0, 2), P(2, 1)}
    assert set(patches.attend("triangle").topk(2).indices.tolist()) == {P(1, 3), P(3, 3)}
    assert int(patches.attend("top left").argmax()) == P(0, 0)
    assert int(patches.attend("bottom right").argmax()) == P(3, 3)
    torch.testing.assert_close(patches.attend("the"), torch.full((16,), 1 / 16))
    assert patches.attend("red circle", 1.0).max() < 0.5 < patches.attend("red circle", 0.1).max()
    mix = patches.context("red circle")
    assert mix["red"] > 0.6 and mix["object"] > 0.9  # what the decoder would receive: a red object


def test_features_do_not_hang_on_exact_pixel_values():
    noisy = patches.toy_image(noise=0.03, seed=1)
    assert not np.array_equal(noisy, patches.toy_image())
    for query in patches.EXAMPLE_QUERIES[:-1]:
        assert set(patches.attend(query, 0.25, noisy).topk(2).indices.tolist()) == set(
            patches.attend(query, 0.25).topk(2).indices.tolist()), query


def test_bad_queries_and_temperatures_are_explained():
    with pytest.raises(ValueError, match="empty"):
        patches.attend("  ")
    with pytest.raises(ValueError, match="'dog'"):
        patches.attend("red dog")
    for t in (0, -1, float("inf"), float("nan"), 1e6):
        with pytest.raises(ValueError, match="temperature"):
            patches.attend("red", t)
    assert torch.allclose(patches.query_vector("Red, CIRCLE"), patches.query_vector("red circle"))


def test_png_holds_the_image():
    img = patches.toy_image(noise=0.02)
    data = patches.png_bytes(img)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(data):
        (length,), tag = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body, crc = data[pos + 8:pos + 8 + length], struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        assert zlib.crc32(tag + body) & 0xFFFFFFFF == crc
        chunks[tag], pos = body, pos + 12 + length
    w, h = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(h, 1 + 3 * w)
    assert (w, h) == (32, 32) and (raw[:, 0] == 0).all()
    np.testing.assert_array_equal(raw[:, 1:].reshape(h, w, 3), (img * 255).round().astype(np.uint8))
    assert patches.png_data_uri(img).startswith("data:image/png;base64,")
    with pytest.raises(ValueError, match="H, W, 3"):
        patches.png_bytes(np.zeros((4, 4)))


def test_overlay_figure_shows_the_weights_over_the_image():
    fig = views.attention_overlay("red circle", 0.25)
    image, heat = fig.data
    assert image.type == "image" and image.source.startswith("data:image/png;base64,")
    z = np.array(heat.z)
    assert z.shape == (4, 4) and z.sum() == pytest.approx(1, abs=1e-3) and z[0, 0] > 0.9
    assert "patch (0, 0)" in fig.layout.title.text and "red + circle" in fig.layout.title.text
    labels = [v for row in heat.text for v in row if v]
    assert labels == ["0.96"]  # only weights worth reading are labelled
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    frames = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(lines) == 6  # the patch borders
    # nothing is laid over the image: the weights sit beside it, and frames mark the patches looked at
    assert image.xaxis == "x" and heat.xaxis == "x2"
    assert len(frames) == 1 and frames[0].x0 < 0 < frames[0].x1 < 8 and frames[0].line.width == views.FRAME_PX[1]
    assert heat.zmin == 0 and heat.zmax == pytest.approx(float(z.max())) and "query's max" in heat.colorbar.title.text
    spread = views.attention_overlay("top left", 1.0)  # a spread-out query: colours still reach the top
    assert spread.data[1].zmax == pytest.approx(float(np.array(spread.data[1].z).max()))
    assert spread.data[1].zmax < 0.2
    widths = sorted(s.line.width for s in spread.layout.shapes if s.type == "rect")
    assert widths[-1] == views.FRAME_PX[1] and widths[0] < widths[-1]


def test_overlay_demo_takes_bad_input_calmly_and_stays_small():
    demo = Demo(views.attention_overlay, Param("query", patches.EXAMPLE_QUERIES, default="red circle", free_text=True),
                Param("temperature", views.TEMPERATURES, default=0.25))
    assert "unknown word" in demo.figure(query="purple cow").layout.annotations[0].text
    assert "temperature" in demo.figure(temperature=0).layout.annotations[0].text
    assert len(demo.grid()) <= 60
    fig, states = demo.static()
    assert len(fig.data) == 2 * len(demo.grid()) and len(states["spans"]) == len(demo.grid())
