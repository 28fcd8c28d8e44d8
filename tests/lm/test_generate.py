"""Sampling a continuation: the seed decides the text, the cache changes nothing, bad arguments are named."""

import pytest
import torch

from attnlib import CausalLM, LMConfig, MaskedLM
from attnlib.lm.generate import generate
from attnlib.lm.prng import Mulberry32
from attnlib.lm.sampling import draw, next_token_distribution

PROMPT = [1, 5, 6]


@pytest.fixture(scope="module")
def model() -> CausalLM:
    torch.manual_seed(0)
    return CausalLM(LMConfig.preset("tiny")).eval()


def uncached(model, prompt, n, temperature=1.0, top_k=None, top_p=1.0, seed=0, eos_id=None):
    """The same sampling done the slow way: the whole sequence through forward() at every step."""
    rng, seq, new = Mulberry32(seed), list(prompt), []
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor([seq]))[0, -1].clone()
            logits[model.cfg.pad_id] = float("-inf")
            token = draw(next_token_distribution(logits, temperature, top_k, top_p), rng.random())
            new.append(token)
            seq.append(token)
            if token == eos_id:
                break
    return new


def test_the_same_seed_gives_the_same_tokens_and_other_seeds_others(model):
    first = generate(model, PROMPT, 12, temperature=1.0, seed=3)
    again = generate(model, PROMPT, 12, temperature=1.0, seed=3)
    assert first.ids == again.ids and torch.equal(first.probs, again.probs) and first.uniforms == again.uniforms
    others = [generate(model, PROMPT, 12, temperature=1.0, seed=s).ids for s in (4, 5, 6)]
    assert any(ids != first.ids for ids in others)  # an untrained tiny model: 12 near-uniform draws


@pytest.mark.parametrize("settings", [
    {"temperature": 1.0}, {"temperature": 0.7, "top_k": 5}, {"temperature": 1.2, "top_p": 0.8}, {"temperature": 0},
])
def test_the_cache_changes_no_token(model, settings):
    for seed in (0, 1):
        assert generate(model, PROMPT, 15, seed=seed, **settings).ids == uncached(model, PROMPT, 15, seed=seed,
                                                                                  **settings)


def test_each_step_records_the_distribution_its_token_was_drawn_from(model):
    out = generate(model, PROMPT, 10, temperature=0.9, top_k=6, seed=11)
    assert out.probs.shape == (10, model.cfg.vocab_size) and len(out.uniforms) == 10
    torch.testing.assert_close(out.probs.sum(-1), torch.ones(10, dtype=torch.float64))
    assert ((out.probs > 0).sum(-1) <= 6).all()
    rng = Mulberry32(11)
    assert out.uniforms == [rng.random() for _ in range(10)]  # one number per step, from the seed's stream
    for probs, u, token in zip(out.probs, out.uniforms, out.ids):
        assert draw(probs, u) == token and probs[token] > 0
        assert probs[model.cfg.pad_id] == 0  # padding is never drawn


def test_greedy_generation_follows_the_argmax_whatever_the_seed(model):
    greedy = [generate(model, PROMPT, 8, temperature=0, seed=s).ids for s in (0, 1, 2)]
    assert greedy[0] == greedy[1] == greedy[2]
    assert generate(model, PROMPT, 8, temperature=0.5, top_k=1, seed=9).ids == greedy[0]
    seq = list(PROMPT)
    with torch.no_grad():
        for token in greedy[0]:
            logits = model(torch.tensor([seq]))[0, -1]
            logits[model.cfg.pad_id] = float("-inf")
            assert token == int(logits.argmax())
            seq.append(token)


def test_generation_stops_after_eos(model):
    free = generate(model, PROMPT, 20, seed=2).ids
    eos = free[4]  # pretend the fifth token drawn is <eos>
    stopped = generate(model, PROMPT, 20, seed=2, eos_id=eos)
    assert stopped.ids == free[: free.index(eos) + 1] and stopped.ids[-1] == eos
    assert stopped.probs.shape[0] == len(stopped.ids)


def test_prompts_may_be_lists_or_tensors_and_nothing_new_is_nothing(model):
    as_list = generate(model, PROMPT, 5, seed=1).ids
    assert generate(model, torch.tensor(PROMPT), 5, seed=1).ids == as_list
    assert generate(model, torch.tensor([PROMPT]), 5, seed=1).ids == as_list
    empty = generate(model, PROMPT, 0)
    assert empty.ids == [] and empty.probs.shape == (0, model.cfg.vocab_size)


def test_the_model_keeps_its_training_mode():
    model = CausalLM(LMConfig.preset("tiny", dropout=0.5)).train()
    first = generate(model, PROMPT, 10, seed=4).ids
    assert model.training
    assert generate(model, PROMPT, 10, seed=4).ids == first  # no dropout while sampling: the seed decides


def test_the_longest_generation_fills_the_positional_table_exactly(model):
    room = model.cfg.max_len - len(PROMPT) + 1  # the last new token is never fed back
    assert len(generate(model, PROMPT, room, seed=0).ids) == room
    with pytest.raises(ValueError, match=f"need {model.cfg.max_len + 1} positions; the model has "
                                         f"{model.cfg.max_len}: ask for at most {room} new tokens"):
        generate(model, PROMPT, room + 1)


@pytest.mark.parametrize("kwargs, message", [
    ({"temperature": -1}, "temperature must be a finite number >= 0"),
    ({"top_k": -2}, "top_k must be a whole number >= 0"),
    ({"top_p": 0.0}, "top_p must be a number in \\(0, 1\\]"),
    ({"seed": -1}, "seed must be a whole number from 0 to 4294967295"),
    ({"seed": 2**32}, "seed must be a whole number"),
    ({"max_new_tokens": -1}, "max_new_tokens must be a whole number >= 0, got -1"),
    ({"max_new_tokens": 2.0}, "max_new_tokens must be a whole number"),
    ({"eos_id": 64}, "eos_id must be None or a token id from 0 to 63, got 64"),
    ({"prompt_ids": []}, "prompt_ids is empty"),
    ({"prompt_ids": [1.5, 2]}, "prompt_ids must be whole numbers"),
    ({"prompt_ids": torch.ones(2, 3, dtype=torch.long)}, "one sequence of token ids, shape \\(T,\\) or \\(1, T\\)"),
    ({"prompt_ids": torch.ones(3)}, "one sequence of token ids"),
    ({"prompt_ids": [1, 0, 5]}, "without padding"),
    ({"prompt_ids": [1, 99]}, "outside the vocabulary"),
])
def test_bad_arguments_are_named(model, kwargs, message):
    args = {"prompt_ids": PROMPT, "max_new_tokens": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate(model, **args)


def test_a_masked_model_cannot_generate():
    with pytest.raises(ValueError, match="samples from a CausalLM"):
        generate(MaskedLM(LMConfig.preset("tiny")), PROMPT, 3)


# -- from the shell: python -m attnlib.lm generate ---------------------------------------------------------------

def run_command(argv, capsys) -> tuple[int, str, str]:
    from attnlib.lm.generate import main

    try:
        status = main(argv)
    except SystemExit as stop:  # argparse's refusal: usage and the message, exit status 2
        status = stop.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_the_same_seed_prints_the_same_last_line_and_another_seed_another(tiny_checkpoints, capsys, monkeypatch):
    causal = ["--checkpoint", str(tiny_checkpoints["causal"])]
    lines = []
    for seed in ("5", "5", "6", "7", "8"):
        status, out, _ = run_command([*causal, "--seed", seed, "--temperature", "1.5", "the black cat"], capsys)
        assert status == 0
        lines.append(out.splitlines()[-1])
    assert lines[0] == lines[1] and len(set(lines[1:])) > 1
    monkeypatch.setenv("ATTN_PROMPT", "the black cat")  # as make generate hands it over
    status, out, _ = run_command([*causal, "--seed", "5", "--temperature", "1.5", "--from-env", "ATTN_PROMPT"], capsys)
    assert status == 0 and out.splitlines()[-1] == lines[0]


def test_the_continuation_is_words_up_to_the_eos(tiny_checkpoints, capsys):
    from attnlib.lm.trained import TrainedLM

    lm = TrainedLM.load(tiny_checkpoints["causal"], kind="causal", device="cpu")
    out = generate(lm.model, lm.prompt_ids("the dog"), 20, temperature=0.8, seed=11, eos_id=lm.vocab.eos_id)
    status, printed, _ = run_command(["--checkpoint", str(tiny_checkpoints["causal"]), "--temperature", "0.8",
                                      "--seed", "11", "--max-new-tokens", "20", "the dog"], capsys)
    expected = [lm.vocab.itos[i] for i in out.ids[: out.ids.index(lm.vocab.eos_id)]] if lm.vocab.eos_id in out.ids \
        else [lm.vocab.itos[i] for i in out.ids]
    assert status == 0 and printed.splitlines()[-1] == " ".join(expected) and "<eos>" not in printed


CAT = "the black cat"


@pytest.mark.parametrize("argv, status, message", [
    (["--temperature", "-1", CAT], 2, "--temperature must be a finite number >= 0"),
    (["--temperature", "nan", CAT], 2, "--temperature must be a finite number"),
    (["--temperature", "hot", CAT], 2, "invalid float value: 'hot'"),
    (["--top-k", "-1", CAT], 2, "--top-k must be a whole number >= 0"),
    (["--top-k", "2.5", CAT], 2, "invalid int value: '2.5'"),
    (["--top-p", "0", CAT], 2, "--top-p must be a number in (0, 1]"),
    (["--top-p", "1.5", CAT], 2, "--top-p must be a number in (0, 1]"),
    (["--seed", "-1", CAT], 2, "--seed must be a whole number from 0 to 4294967295"),
    (["--seed", str(2**32), CAT], 2, "--seed must be a whole number"),
    (["--max-new-tokens", "0", CAT], 2, "--max-new-tokens must be a whole number of at least 1"),
    (["--max-new-tokens", "5", *["the"] * 30], 1, "a prompt of 30 words leaves room for 2 new tokens"),
    (["--from-env", "ATTN_NO_SUCH_VARIABLE"], 2, "no such environment variable"),
    ([""], 1, "the prompt is empty"),
    (["the", "kat"], 1, "unknown word(s) 'kat'"),
    (["the <mask> cat"], 1, "'<mask>' marks the model's own tokens"),
    (["the " * 32], 1, "the prompt has 32 words; this model reads at most 31"),
])
def test_every_bad_argument_gets_one_clear_line_and_no_traceback(tiny_checkpoints, capsys, argv, status, message):
    got, out, err = run_command(["--checkpoint", str(tiny_checkpoints["causal"]), *argv], capsys)
    assert got == status and message in err and "Traceback" not in err and out == "", (argv, err)


def test_a_missing_model_names_the_command_that_makes_it(tmp_path, capsys):
    status, _, err = run_command(["--checkpoint", str(tmp_path / "none.pt"), "the cat"], capsys)
    assert status == 1 and "no checkpoint at" in err and "`make lm`" in err and "--kind causal" in err
