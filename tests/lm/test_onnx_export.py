"""The language models exported to ONNX for the published page compute what the PyTorch models compute."""

import json

import numpy as np
import onnxruntime as ort
import pytest
import torch

from attnlib.lm.data import MASK, english
from attnlib.lm.fill import top_fills
from attnlib.lm.generate import generate
from attnlib.lm.onnx_export import CONFIG_FILE, FILES, export_language_models
from attnlib.lm.sampling import next_token_distribution
from attnlib.lm.scores import fill_cases
from attnlib.lm.generate import LIMIT_MESSAGES
from attnlib.lm.prng import SEED_LIMIT, SEED_MESSAGE
from attnlib.lm.sampling import SAMPLING_MESSAGES
from attnlib.lm.trained import EXAMPLE_PROMPT, INPUT_MESSAGES, SUGGEST, TrainedLM
from attnlib.model.capture import capture_attention
from attnlib.translation.onnx_export import reader_tables
from attnlib.translation.vocab import SPECIALS

TOLERANCE = 1e-4
LENGTHS = (1, 2, 3, 5, 8, 13, 21, 34, 55, 64)  # 64: the whole position table of the shipped models
CASES = 24  # prompts to continue, sentences to fill


@pytest.fixture(scope="module")
def models():
    return {kind: TrainedLM.load(kind=kind, device="cpu") for kind in FILES}


@pytest.fixture(scope="module")
def exported(models, tmp_path_factory):
    return export_language_models(tmp_path_factory.mktemp("onnx"), **models)


@pytest.fixture(scope="module")
def sessions(exported):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return {kind: ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            for kind, path in (("causal", exported.causal), ("masked", exported.masked))}


@pytest.fixture
def json_only(monkeypatch):
    """Export writes language_models.json and no graph (exporting the graphs takes seconds)."""
    monkeypatch.setattr("attnlib.lm.onnx_export.export_graph", lambda *args, **kwargs: None)


def text_ids(lm: TrainedLM, length: int) -> list[int]:
    """``length`` ids of real text: <bos> and the test split's sentences one after another, cut short."""
    words = " ".join(english("test")[:20]).split()
    return [lm.vocab.bos_id, *lm.vocab.encode(words, add_eos=False)][:length]


@torch.no_grad()
def pytorch(lm: TrainedLM, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """``logits (T, V)`` and ``attention (L, H, T, T)`` by the model's own forward(), captured as the chapters do."""
    with capture_attention(lm.model) as patterns:
        logits = lm.model(torch.tensor([ids]))[0]  # (T, V)
    return logits.numpy(), torch.cat(list(patterns.values())).numpy()  # L × (1, H, T, T) -> (L, H, T, T)


def worst(ours: np.ndarray, theirs: np.ndarray) -> float:
    assert ours.shape == theirs.shape
    return float(np.abs(ours - theirs).max())


@pytest.mark.slow  # the graphs' tests export them: about 15 s
def test_the_causal_graph_matches_pytorch_at_every_prompt_length(models, sessions):
    """The newest position's logits and every layer's and head's attention, from one token to the whole table."""
    lm, found = models["causal"], {"logits": 0.0, "attention": 0.0}
    cfg = lm.model.cfg
    for length in LENGTHS:
        ids = text_ids(lm, length)
        logits, attention = pytorch(lm, ids)
        onnx_logits, onnx_attention = sessions["causal"].run(None, {"ids": np.array([ids], dtype=np.int64)})
        assert onnx_attention.shape == (cfg.n_layers, cfg.n_heads, length, length)
        found["logits"] = max(found["logits"], worst(onnx_logits, logits[-1:]))  # (1, V): the newest position
        found["attention"] = max(found["attention"], worst(onnx_attention, attention))
    assert LENGTHS[-1] == cfg.max_len
    assert max(found.values()) < TOLERANCE, found


@pytest.mark.slow
def test_the_masked_graph_matches_pytorch_at_every_length_and_position(models, sessions):
    """The logits at the given position, and every attention map, with the <mask> at the start, middle and end."""
    lm, found = models["masked"], {"logits": 0.0, "attention": 0.0}
    mask_id = lm.vocab.stoi[MASK]
    for length in LENGTHS:
        for position in sorted({0, length // 2, length - 1}):
            ids = text_ids(lm, length)
            ids[position] = mask_id
            logits, attention = pytorch(lm, ids)
            onnx_logits, onnx_attention = sessions["masked"].run(
                None, {"ids": np.array([ids], dtype=np.int64), "position": np.array(position, dtype=np.int64)})
            found["logits"] = max(found["logits"], worst(onnx_logits, logits[position:position + 1]))  # (1, V)
            found["attention"] = max(found["attention"], worst(onnx_attention, attention))
    assert max(found.values()) < TOLERANCE, found


def onnx_greedy(session: ort.InferenceSession, prompt: list[int], config: dict) -> list[int]:
    """Greedy continuation as the page runs it: the whole prefix through the graph at every step, the
    padding id never chosen, the argmax (the lower id among equal maxima), the <eos> ending it."""
    ids, new = list(prompt), []
    room = config["max_len"] - len(prompt) + 1  # every token but the last new one takes a position
    while len(new) < room:
        logits, _ = session.run(None, {"ids": np.array([ids], dtype=np.int64)})
        row = logits[0].astype(np.float64)  # (V,)
        row[config["pad_id"]] = -np.inf
        new.append(int(np.argmax(row)))
        if new[-1] == config["eos_id"]:
            break
        ids.append(new[-1])
    return new


@pytest.mark.slow
def test_greedy_generation_on_onnx_logits_writes_what_generate_writes(models, sessions, exported):
    """Prefixes of the test split's sentences (one to five words), continued token for token alike."""
    lm = models["causal"]
    config = json.loads(exported.config.read_text())["causal"]
    sentences = english("test")[:CASES]
    prompts = [" ".join(s.split()[: 1 + i % 5]) for i, s in enumerate(sentences)]
    assert len(set(prompts)) >= 20
    for text in prompts:
        prompt = lm.prompt_ids(text)[0].tolist()  # <bos> and the words
        room = lm.model.cfg.max_len - len(prompt) + 1
        expected = generate(lm.model, prompt, room, temperature=0, eos_id=lm.vocab.eos_id).ids
        assert onnx_greedy(sessions["causal"], prompt, config) == expected, text


@pytest.mark.slow
def test_the_masked_graphs_five_likeliest_words_are_those_fill_proposes(models, sessions, exported):
    """One word hidden in each of the test split's sentences: the graph's logits, the specials the JSON names
    left out, turned into a distribution as the page's sampling does at temperature 1, rank the same five
    words in the same order, with the same probabilities."""
    lm = models["masked"]
    never = json.loads(exported.config.read_text())["masked"]["never_propose"]
    cases = fill_cases(english("test")[:CASES], seed=0)
    assert len(cases) >= 20
    for sentence, hidden in cases:
        text = " ".join(MASK if i == hidden else w for i, w in enumerate(sentence.split()))
        ids, position = lm.sentence_ids(text)
        logits, _ = sessions["masked"].run(None, {"ids": ids.numpy(), "position": np.array(position, dtype=np.int64)})
        row = torch.from_numpy(logits[0]).double()  # (V,)
        row[never] = float("-inf")
        probs = next_token_distribution(row, temperature=1.0)  # (V,) float64
        best = probs.sort(descending=True, stable=True).indices[:5].tolist()  # ties: the lower id first
        expected = top_fills(lm, text, k=5)
        assert [lm.vocab.itos[i] for i in best] == [word for word, _ in expected], text
        np.testing.assert_allclose(probs[best].numpy(), [p for _, p in expected], atol=TOLERANCE)


@pytest.mark.slow
def test_the_graphs_are_a_few_megabytes_each_with_inputs_and_outputs_named(exported, sessions):
    assert exported.n_bytes < 10e6  # the page downloads them
    assert [i.name for i in sessions["causal"].get_inputs()] == ["ids"]
    assert [i.name for i in sessions["masked"].get_inputs()] == ["ids", "position"]
    assert sessions["masked"].get_inputs()[1].shape == []  # one position, a scalar
    for session in sessions.values():
        assert [o.name for o in session.get_outputs()] == ["logits", "attention"]


def test_page_config_carries_both_vocabularies_their_limits_and_the_python_tokenizer(models, tmp_path, json_only):
    files = export_language_models(tmp_path, **models)
    assert files.config.name == CONFIG_FILE
    config = json.loads(files.config.read_text())
    causal, masked = models["causal"], models["masked"]
    for kind, lm in models.items():
        part = config[kind]
        assert part["file"] == FILES[kind]
        assert part["tokens"] == lm.vocab.itos
        assert part["known_words"] == lm.n_words
        assert (part["pad_id"], part["bos_id"], part["eos_id"], part["unk_id"]) == (0, 1, 2, 3)
        assert part["max_len"] == lm.model.cfg.max_len
        assert (part["n_layers"], part["n_heads"]) == (lm.model.cfg.n_layers, lm.model.cfg.n_heads)
    # the longest text each reads, as prompt_ids and sentence_ids allow it
    assert config["causal"]["max_words"] == causal.model.cfg.max_len - 1
    causal.prompt_ids(" ".join(["the"] * config["causal"]["max_words"]))
    assert config["masked"]["max_words"] == masked.model.cfg.max_len - 2
    masked.sentence_ids(" ".join([MASK] + ["the"] * (config["masked"]["max_words"] - 1)))
    assert "mask_id" not in config["causal"] and "never_propose" not in config["causal"]
    assert config["masked"]["mask_id"] == masked.vocab.stoi[MASK] == 4
    assert config["masked"]["never_propose"] == masked.specials == [0, 1, 2, 3, 4]
    assert config["specials"] == [*SPECIALS, MASK] and config["mask"] == MASK
    assert config["tokenizer"] == reader_tables()["tokenizer"] and config["quote"] == reader_tables()["quote"]
    # every message a reader can get, Python's own tables, for the page to fill in
    assert config["messages"] == {**INPUT_MESSAGES, **SAMPLING_MESSAGES, "seed": SEED_MESSAGE, **LIMIT_MESSAGES}
    assert len(config["messages"]) == len(INPUT_MESSAGES) + len(SAMPLING_MESSAGES) + 1 + len(LIMIT_MESSAGES)
    assert config["example_prompt"] == EXAMPLE_PROMPT and config["suggest"] == SUGGEST
    assert config["seed_limit"] == SEED_LIMIT
    for kind, lm in models.items():  # the words an unknown word's message names when none is near
        assert config[kind]["common_words"] == lm.common_words and 0 < len(lm.common_words) <= SUGGEST["common"]


def test_the_caller_adds_settings_of_its_own_page(models, tmp_path, json_only):
    files = export_language_models(tmp_path, **models, page={"display": {"row_px": 28}})
    assert json.loads(files.config.read_text())["display"] == {"row_px": 28}


def test_the_shipped_models_are_exported_by_default(tmp_path, json_only):
    config = json.loads(export_language_models(tmp_path).config.read_text())
    assert config["causal"]["tokens"] == TrainedLM.load(kind="causal", device="cpu").vocab.itos


@pytest.mark.parametrize("swap, message", [
    ({"causal": "masked"}, "causal= takes the causal language model"),
    ({"masked": "causal"}, "masked= takes the masked language model"),
])
def test_each_model_goes_to_its_own_argument(models, tmp_path, json_only, swap, message):
    (given, wrong), = swap.items()
    with pytest.raises(ValueError, match=message):
        export_language_models(tmp_path, **{**models, given: models[wrong]})
    assert not (tmp_path / CONFIG_FILE).exists()  # nothing written


def test_export_refuses_a_model_on_another_device(models, tmp_path, monkeypatch, json_only):
    monkeypatch.setattr(TrainedLM, "device", property(lambda self: torch.device("cuda")))
    with pytest.raises(ValueError, match="CPU"):
        export_language_models(tmp_path, **models)
