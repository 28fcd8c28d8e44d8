"""Measure what the book claims about cost, and write benchmarks/results.json.

    python benchmarks/run.py                 # everything (the training and book-build ones take minutes)
    python benchmarks/run.py --skip-slow     # all but time-to-BLEU and the book build
    python benchmarks/run.py --quick         # tiny sizes, seconds: checks the machinery, not the machine
    python benchmarks/run.py --only kv_cache_speedup widget_latency_ms --out /tmp/r.json

Comparisons are ratios of two contenders timed in alternation within one run (see
attnlib.book.benchmarks). A benchmark never fails for being slow: each value is recorded
next to its target with ``meets_target``. The exit status is 1 only if a benchmark crashed.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import torch
from torch import nn

from attnlib import measure

from attnlib.book import benchmarks as bm
from attnlib.files import write_text
from attnlib.model.config import ModelConfig
from attnlib.model.device import pick_device
from attnlib.model.transformer import Transformer
from attnlib.model.multihead import MultiHeadAttention
from attnlib.model.positional import sinusoidal_table

ROOT = Path(__file__).resolve().parents[1]
def spread(a: measure.Timing, b: measure.Timing, prefix: str = "ratio") -> dict:
    """The quartiles of the per-round ratios a / b (``ratio_q1``, ``ratio_q3``) and how many rounds: the
    spread around the median of paired ratios that each comparison records as its value."""
    paired = bm.ratio_spread(a.times, b.times)
    return {f"{prefix}_q1": paired["ratio_q1"], f"{prefix}_q3": paired["ratio_q3"], "rounds": paired["rounds"]}


SLOW = ("time_to_bleu95_cpu_s", "time_to_bleu95_gpu_s", "book_build_s", "book_build_peak_rss_mb")
BROWSER = ("browser_translator_load_s", "browser_translate_ms", "browser_vs_python_translate", "browser_payload_mb")
BROWSER_LM = ("browser_lm_ready_s", "browser_lm_ms_per_token", "browser_lm_payload_mb")

# Problem sizes. "quick" keeps the whole run to seconds; its numbers mean little.
SIZES = {
    "full": dict(
        mha=dict(B=32, T=128, d_model=512, heads=8), mha_repeats=11, mha_warmup=3,
        sweep=dict(B=2, d_model=512, heads=8, lengths=(64, 128, 256, 512, 1024, 2048)), sweep_repeats=5, sweep_warmup=1,
        model=dict(preset="cpu", batch_size=64, pairs=2048), model_repeats=60, model_warmup=5,
        kv=dict(preset="cpu", batch=16, src_len=12, steps=64, vocab=256), kv_repeats=7, kv_warmup=1,
        widget_repeats=21, widget_warmup=3,
        browser_loads=5, browser_sentences=10, browser_repeats=5, lm_continuations=5, lm_repeats=5,
    ),
    "quick": dict(
        mha=dict(B=2, T=16, d_model=32, heads=4), mha_repeats=3, mha_warmup=1,
        sweep=dict(B=1, d_model=32, heads=4, lengths=(16, 32, 64)), sweep_repeats=3, sweep_warmup=1,
        model=dict(preset="tiny", batch_size=8, pairs=64), model_repeats=3, model_warmup=1,
        kv=dict(preset="tiny", batch=2, src_len=6, steps=64, vocab=32), kv_repeats=3, kv_warmup=1,
        widget_repeats=3, widget_warmup=1,
        browser_loads=1, browser_sentences=2, browser_repeats=1, lm_continuations=1, lm_repeats=1,
    ),
}
BLEU_TARGET = 95.0
BLEU_CAP_S = {"cpu": 900.0, "cuda": 300.0}  # training seconds before giving up
WIDGET_SENTENCE = "the teacher asked the student about the book because it was difficult for a long time"


# --------------------------------------------------------------------------------------
# mha_fast_vs_torch
# --------------------------------------------------------------------------------------

def copy_torch_mha_into_ours(ref: nn.MultiheadAttention, ours: MultiHeadAttention) -> None:
    """Give our layer torch's weights: ``in_proj`` stacks W^Q, W^K, W^V as ``(3D, D)``."""
    d = ours.d_model
    with torch.no_grad():
        for i, proj in enumerate((ours.q_proj, ours.k_proj, ours.v_proj)):
            proj.weight.copy_(ref.in_proj_weight[i * d:(i + 1) * d])
            proj.bias.copy_(ref.in_proj_bias[i * d:(i + 1) * d])
        ours.out_proj.weight.copy_(ref.out_proj.weight)
        ours.out_proj.bias.copy_(ref.out_proj.bias)


def bench_mha_fast_vs_torch(s: dict, device: torch.device) -> dict:
    shape = s["mha"]
    B, T, D, H = shape["B"], shape["T"], shape["d_model"], shape["heads"]
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(D, H, batch_first=True).to(device)
    ours = MultiHeadAttention(D, H).to(device)
    copy_torch_mha_into_ours(ref, ours)
    x = torch.randn(B, T, D, device=device, requires_grad=True)  # (B, T, D)
    grad = torch.randn(B, T, D, device=device)
    with torch.no_grad():  # the same function, or the comparison means nothing
        same = torch.allclose(ours(x)[0], ref(x, x, x, need_weights=False)[0], atol=1e-4, rtol=1e-4)

    def run_ours():
        ours.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = ours(x, need_weights=False)  # (B, T, D)
        out.backward(grad)

    def run_torch():
        ref.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = ref(x, x, x, need_weights=False)  # (B, T, D)
        out.backward(grad)

    t = measure.time_interleaved({"ours": run_ours, "torch": run_torch}, repeats=s["mha_repeats"],
                            warmup=s["mha_warmup"], sync=measure.synchronizer(device))
    return bm.entry(measure.paired_ratio(t["ours"], t["torch"]), unit="time ratio ours / torch", target=1.0,
                    comparison="<=", note="median of paired per-round ratios; forward + backward",
                    **spread(t["ours"], t["torch"]), ours_s=t["ours"].median, torch_s=t["torch"].median,
                    ratio_of_medians=t["ours"].median / t["torch"].median, shape=shape,
                    outputs_match=bool(same), ours=t["ours"].to_dict(), torch=t["torch"].to_dict())


# --------------------------------------------------------------------------------------
# mha_explicit_vs_fast
# --------------------------------------------------------------------------------------

def bench_mha_explicit_vs_fast(s: dict, device: torch.device) -> dict:
    sw = s["sweep"]
    B, D, H = sw["B"], sw["d_model"], sw["heads"]
    torch.manual_seed(0)
    mha = MultiHeadAttention(D, H).to(device).eval()
    sync = measure.synchronizer(device)
    rows = []
    with torch.no_grad():
        for T in sw["lengths"]:
            x = torch.randn(B, T, D, device=device)  # (B, T, D)
            fast = lambda: mha(x, need_weights=False)  # noqa: E731
            explicit = lambda: mha(x, need_weights=True)  # noqa: E731  (B, H, T, T) weights materialised
            t = measure.time_interleaved({"explicit": explicit, "fast": fast}, repeats=s["sweep_repeats"],
                                    warmup=s["sweep_warmup"], sync=sync)
            element = x.element_size()
            rows.append({
                "T": T, "B": B,
                "fast_s": t["fast"].median, "explicit_s": t["explicit"].median,
                "time_ratio": measure.paired_ratio(t["explicit"], t["fast"]),
                **{k: v for k, v in spread(t["explicit"], t["fast"], "time_ratio").items() if k != "rounds"},
                "fast_peak_mb": measure.peak_memory_mb(fast, device),
                "explicit_peak_mb": measure.peak_memory_mb(explicit, device),
                "weights_mb": B * H * T * T * element / 2**20,  # one (B, H, T, T) tensor
            })
            del x
    ts = [r["T"] for r in rows]
    tail = slice(-3, None)  # growth measured where overheads no longer dominate
    growth = {f"{path}_{kind}": measure.log_log_slope(ts[tail], [r[f"{path}_{suffix}"] for r in rows][tail])
              for path in ("fast", "explicit") for kind, suffix in (("time", "s"), ("memory", "peak_mb"))}
    last = rows[-1]
    return bm.entry(last["time_ratio"], unit=f"time ratio explicit / fast at T={last['T']}",
                    note="forward pass without gradients; peak memory is the extra memory of one call",
                    rows=rows, lengths=list(ts), shape={"B": B, "d_model": D, "heads": H},
                    memory_method=measure.memory_method(device), growth_exponents=growth)


# --------------------------------------------------------------------------------------
# model_vs_nn_transformer
# --------------------------------------------------------------------------------------

class TorchTransformer(nn.Module):
    """The reference: ``torch.nn.Transformer`` with the same embeddings, positions and generator as ours."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        D = cfg.d_model
        self.pad_id, self.scale = cfg.pad_id, D ** 0.5
        self.src_embed = nn.Embedding(cfg.src_vocab_size, D, padding_idx=cfg.pad_id)
        self.tgt_embed = nn.Embedding(cfg.tgt_vocab_size, D, padding_idx=cfg.pad_id)
        self.register_buffer("table", sinusoidal_table(cfg.max_len, D), persistent=False)
        self.dropout = nn.Dropout(cfg.dropout)
        with warnings.catch_warnings():  # "enable_nested_tensor ... norm_first": irrelevant in training
            warnings.simplefilter("ignore", UserWarning)
            self.transformer = nn.Transformer(
                d_model=D, nhead=cfg.n_heads, num_encoder_layers=cfg.n_encoder_layers,
                num_decoder_layers=cfg.n_decoder_layers, dim_feedforward=cfg.d_ff, dropout=cfg.dropout,
                batch_first=True, norm_first=cfg.norm_first)
        self.generator = nn.Linear(D, cfg.tgt_vocab_size)

    def embed(self, table: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:  # (B, L) -> (B, L, D)
        return self.dropout(table(ids) * self.scale + self.table[: ids.shape[1]])

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:  # -> (B, T, V)
        T = tgt_in.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=src.device), diagonal=1)  # True = hidden
        src_pad, tgt_pad = src == self.pad_id, tgt_in == self.pad_id  # (B, S), (B, T): True = padding
        y = self.transformer(self.embed(self.src_embed, src), self.embed(self.tgt_embed, tgt_in),
                             tgt_mask=causal, src_key_padding_mask=src_pad, tgt_key_padding_mask=tgt_pad,
                             memory_key_padding_mask=src_pad, tgt_is_causal=True)
        return self.generator(y)


def bench_model_vs_nn_transformer(s: dict, device: torch.device) -> dict:
    from attnlib.translation.corpus import load_split
    from attnlib.translation.train import make_optimizer
    from attnlib.translation.vocab import build_vocabs, make_batches

    m = s["model"]
    pairs = load_split("train")[: m["pairs"]]
    src_vocab, tgt_vocab = build_vocabs(pairs)
    cfg = ModelConfig.preset(m["preset"], src_vocab_size=len(src_vocab), tgt_vocab_size=len(tgt_vocab))
    batches = [b.to(device) for b in make_batches(pairs, src_vocab, tgt_vocab, m["batch_size"], shuffle_seed=0,
                                                   max_len=cfg.max_len)]
    torch.manual_seed(0)
    models = {"ours": Transformer(cfg).to(device).train(), "torch": TorchTransformer(cfg).to(device).train()}
    params = {k: sum(p.numel() for p in v.parameters()) for k, v in models.items()}
    loss_fn = nn.CrossEntropyLoss(ignore_index=cfg.pad_id, label_smoothing=0.1)
    rounds = s["model_warmup"] + s["model_repeats"]
    order = [batches[r % len(batches)] for r in range(rounds)]  # both see the same batch in each round

    def trainer(model: nn.Module):
        optimizer = make_optimizer(model, lr=1e-4)  # the training recipe's Adam, the same for both
        step = iter(range(rounds))

        def train_step():
            batch = order[next(step)]
            logits = model(batch.src, batch.tgt_in)  # (B, T, V)
            loss = loss_fn(logits.flatten(0, 1), batch.tgt_out.flatten())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        return train_step

    t = measure.time_interleaved({k: trainer(v) for k, v in models.items()}, repeats=s["model_repeats"],
                            warmup=s["model_warmup"], sync=measure.synchronizer(device))
    tokens = [b.n_target_tokens for b in order[s["model_warmup"]:]]
    tps = {k: sorted(n / dt for n, dt in zip(tokens, t[k].times))[len(tokens) // 2] for k in t}
    ratio = measure.paired_ratio(t["torch"], t["ours"])  # time theirs / ours == tokens/s ours / theirs
    return bm.entry(ratio, unit="tokens/s ratio ours / nn.Transformer", target=1.0, comparison=">=",
                    note="training step: forward, label-smoothed loss, backward, fused Adam (the recipe of train()); median of paired ratios",
                    **spread(t["torch"], t["ours"]), ours_tokens_per_s=tps["ours"], torch_tokens_per_s=tps["torch"],
                    ours_step_s=t["ours"].median, torch_step_s=t["torch"].median, parameters=params,
                    config=cfg.to_dict(), batch_size=m["batch_size"], ours=t["ours"].to_dict(),
                    torch=t["torch"].to_dict())


# --------------------------------------------------------------------------------------
# kv_cache_speedup
# --------------------------------------------------------------------------------------

def bench_kv_cache_speedup(s: dict, device: torch.device) -> dict:
    from attnlib.translation.decoding import greedy_decode
    from attnlib.translation.vocab import EOS_ID

    k = s["kv"]
    cfg = ModelConfig.preset(k["preset"], src_vocab_size=k["vocab"], tgt_vocab_size=k["vocab"],
                             max_len=k["steps"] + 8)  # room for <bos> + every step
    torch.manual_seed(0)
    model = Transformer(cfg).to(device).eval()
    with torch.no_grad():
        model.generator.bias[EOS_ID] = -1e9  # never <eos>: exactly `steps` steps every time
    src = torch.randint(4, k["vocab"], (k["batch"], k["src_len"]), device=device)  # (B, S), no specials
    cached = lambda: greedy_decode(model, src, max_new_tokens=k["steps"], use_cache=True)  # noqa: E731
    recompute = lambda: greedy_decode(model, src, max_new_tokens=k["steps"], use_cache=False)  # noqa: E731
    a, b = cached(), recompute()
    if a.shape[1] != k["steps"] or b.shape[1] != k["steps"]:
        raise RuntimeError(f"decoding stopped early: {a.shape[1]} / {b.shape[1]} steps instead of {k['steps']}")
    t = measure.time_interleaved({"cache": cached, "recompute": recompute}, repeats=s["kv_repeats"],
                            warmup=s["kv_warmup"], sync=measure.synchronizer(device))
    return bm.entry(measure.paired_ratio(t["recompute"], t["cache"]), unit="time ratio recompute / cache", target=2.0,
                    comparison=">=", note=f"greedy decoding of {k['steps']} tokens, batch {k['batch']}",
                    **spread(t["recompute"], t["cache"]), cache_s=t["cache"].median,
                    recompute_s=t["recompute"].median, steps=k["steps"],
                    batch=k["batch"], same_tokens=bool(torch.equal(a, b)), config=cfg.to_dict())


# --------------------------------------------------------------------------------------
# widget_latency_ms
# --------------------------------------------------------------------------------------

def bench_widget_latency_ms(s: dict, device: torch.device) -> dict:
    from attnlib.lessons import toy
    from attnlib.figures.qkv import weights_heatmap
    from attnlib.book.display import figure_html

    words = toy.words_of(WIDGET_SENTENCE)
    assert len(words) == 16, len(words)
    sizes = []

    def callback():  # what a reader waits for after moving a control: recompute, draw, serialise
        sizes.append(len(figure_html(weights_heatmap(WIDGET_SENTENCE, "scaled dot"))))

    t = measure.time_fn(callback, repeats=s["widget_repeats"], warmup=s["widget_warmup"])
    return bm.entry(t.median * 1e3, unit="ms (median)", target=50.0, comparison="<=",
                    note="attnlib.figures.qkv.weights_heatmap + figure_html, 16 words",
                    callback="figure_html(weights_heatmap(sentence, 'scaled dot'))", sentence=WIDGET_SENTENCE,
                    sequence_length=len(words), html_bytes=sizes[-1], timing=t.to_dict())


# --------------------------------------------------------------------------------------
# time_to_bleu95_{cpu,gpu}_s
# --------------------------------------------------------------------------------------

def bench_time_to_bleu(device_type: str, cap_s: float | None = None) -> dict:
    from attnlib.translation.corpus import load_split
    from attnlib.translation.train import TRAIN_PRESETS, train

    cap_s = BLEU_CAP_S[device_type] if cap_s is None else cap_s
    preset = "gpu" if device_type == "cuda" else "cpu"
    test = load_split("test")
    cfg = TRAIN_PRESETS[preset].replace(steps=1_000_000, eval_every=25, eval_pairs=len(test))  # lr_at ignores steps
    reached: dict = {}

    def stop_when(record: dict) -> bool:
        if record.get("valid_bleu", 0.0) >= BLEU_TARGET:
            reached.update(record)
            return True
        return record["train_seconds"] > cap_s

    started = time.perf_counter()
    result = train(cfg, device=device_type, valid_pairs=test, stop_when=stop_when, progress=False)
    wall = time.perf_counter() - started
    curve = [{"step": r["step"], "train_seconds": r["train_seconds"], "test_bleu": r["valid_bleu"]}
             for r in result.history]
    value = reached.get("train_seconds")
    note = (f"test BLEU {reached['valid_bleu']:.1f} at step {reached['step']} (evaluated every {cfg.eval_every} steps)"
            if value is not None else f"not reached within {cap_s:g} s of training")
    return bm.entry(value, unit="s of training (evaluation excluded)", note=note, preset=preset,
                    bleu_target=BLEU_TARGET, cap_s=cap_s, steps=reached.get("step"), wall_s=wall,
                    eval_every=cfg.eval_every, curve=curve, hardware=result.hardware)


# --------------------------------------------------------------------------------------
# book_build_s, book_build_peak_rss_mb
# --------------------------------------------------------------------------------------

def bench_book_build() -> tuple[dict, dict]:
    with tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="book_build_", delete=False) as log:
        run = measure.process_tree_peak_rss([sys.executable, "-m", "attnlib.book", "build"], cwd=ROOT, stdout=log)
    ok = run["returncode"] == 0
    note = "executed build from a clean cache" if ok else (
        f"the build FAILED (exit {run['returncode']}); log: {log.name}")
    details = dict(returncode=run["returncode"], log=log.name, cpu_count=os.cpu_count())
    if ok:
        os.unlink(log.name)
        details.pop("log")
    time_entry = bm.entry(run["wall_s"], unit="s (wall)", target=600.0, comparison="<=", note=note, **details)
    mem_entry = bm.entry(run["peak_rss_mb"], unit="MiB (summed RSS of the process tree)", target=4000.0,
                         comparison="<=", note=note, samples=run["samples"], interval_s=0.2, **details)
    return time_entry, mem_entry


# --------------------------------------------------------------------------------------
# browser_*: the translator that runs in chapter 10's page
# --------------------------------------------------------------------------------------

BROWSER_PAGE = "chapters/10_decoding.html"
BROWSER_FILES = re.compile(r"onnxruntime-web/|/translator/|live_translator")  # what the page fetches for it


def ten_word_sentences(n: int) -> list[str]:
    from attnlib.translation.corpus import load_split

    return [p.src for p in load_split("test") if len(p.src.split()) == 10][:n]


def bench_browser_translator(s: dict) -> tuple[dict, dict, dict, dict]:
    """Load chapter 10 in headless Chromium from the built site, served on 127.0.0.1; time the load to the
    first translation, then translate 10-word sentences in the page and with the Python translator,
    in alternation."""
    site = ROOT / "_build" / "html"
    if not (site / "_static" / "translator" / "decoder.onnx").is_file():
        raise RuntimeError(f"no built book with its exported translator in {site}: run `make book` first")
    from attnlib.translation.translator import Translator

    python = Translator.load(device="cpu")
    sentences = ten_word_sentences(s["browser_sentences"])
    with measure.torch_threads(1):  # like the page's runtime, and like the book's pages (attnlib.book.setup)
        return _browser_translator(s, site, python, sentences)


def _browser_translator(s: dict, site: Path, python, sentences: list[str]) -> tuple[dict, dict, dict, dict]:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import launch_chromium, serve  # the tests' server and browser
    from playwright.sync_api import sync_playwright

    loads, payloads, pairs = [], [], []
    with serve(site) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        for _ in range(s["browser_loads"]):  # a fresh context each time: nothing cached
            context = browser.new_context()
            fetched = []  # context-wide, so that the worker's requests are counted too
            context.on("requestfinished", lambda r, fetched=fetched: fetched.append(r))
            page = context.new_page()
            page.goto(base + BROWSER_PAGE)
            page.wait_for_function("window.attnLiveTranslator && window.attnLiveTranslator.readyMs", timeout=120_000)
            loads.append(page.evaluate("window.attnLiveTranslator.readyMs") / 1e3)
            timings = page.evaluate("window.attnLiveTranslator.timings")  # the last load's stages
            payloads.append(sum(r.sizes()["responseBodySize"] for r in fetched if BROWSER_FILES.search(r.url)))
            files = sorted({urlsplit(r.url).path.lstrip("/") for r in fetched if BROWSER_FILES.search(r.url)})
            if len(loads) < s["browser_loads"]:
                context.close()
        translate_in_page = """async (text) => { const t = await window.attnLiveTranslator.ready;
            const start = performance.now(); await t.translate(text); return performance.now() - start; }"""
        for text in sentences:  # warm-up, both sides
            page.evaluate(translate_in_page, text)
            python.translate(text)
        for _ in range(s["browser_repeats"]):
            for text in sentences:  # alternation: both sides meet the same machine, moments apart
                start = time.perf_counter()
                python.translate(text)
                python_ms = (time.perf_counter() - start) * 1e3
                pairs.append((page.evaluate(translate_in_page, text), python_ms))
        browser.close()
    browser_ms = statistics.median(b for b, _ in pairs)
    python_ms = statistics.median(p for _, p in pairs)
    paired = bm.ratio_spread([b for b, _ in pairs], [p for _, p in pairs])
    common = dict(page=BROWSER_PAGE, runtime="onnxruntime-web (WebAssembly, 1 thread)")
    return (
        bm.entry(statistics.median(loads), unit="s (median, page load to first translation)", target=3.0,
                 comparison="<=", note="headless Chromium, fresh cache, site on 127.0.0.1", loads_s=loads,
                 stages_ms={k: round(v) for k, v in timings.items()}, **common),
        bm.entry(browser_ms, unit="ms (median, one 10-word sentence)", target=100.0, comparison="<=",
                 note="greedy decoding with the cross-attention of every step", sentences=sentences,
                 repeats=s["browser_repeats"], **common),
        bm.entry(paired["ratio"], unit="time ratio page / Python", note="median of paired per-sentence ratios; "
                 "Python: Translator.translate with its attention, torch on the CPU", ratio_q1=paired["ratio_q1"],
                 ratio_q3=paired["ratio_q3"], rounds=paired["rounds"], browser_ms=browser_ms,
                 python_ms=python_ms, python_threads=1, **common),
        bm.entry(payloads[-1] / 1e6, unit="MB downloaded for the translator", target=20.0, comparison="<=",
                 note="runtime, its WebAssembly, the ONNX graphs, vocabularies and scripts, uncompressed",
                 files=files, gzip_mb=sum(len(gzip.compress((site / f).read_bytes())) for f in files) / 1e6,
                 **common),
    )


# --------------------------------------------------------------------------------------
# browser_lm_*: the book's GPT that runs in chapter 13's page
# --------------------------------------------------------------------------------------

LM_PAGE = "chapters/13_decoder_only.html"
# what a page fetches to run a model: the runtime, the shared and the models' scripts, the models' folders
MODEL_FILES = re.compile(r"onnxruntime-web/|/translator/|/language_models/|live_|lm_(prng|sampling|reader)")
LM_LENGTH = 20  # new tokens per timed continuation
LM_TEMPERATURE = 3.0  # hot enough that no <eos> ends a continuation before LM_LENGTH tokens


def long_continuations(n: int) -> list[tuple[str, int]]:
    """``n`` (prompt, seed) whose continuation at temperature ``LM_TEMPERATURE`` runs to ``LM_LENGTH`` tokens
    with no ``<eos>``, as Python's generate() writes it (and so the page)."""
    from attnlib.lm.generate import generate
    from attnlib.lm.trained import TrainedLM

    lm, found = TrainedLM.load(kind="causal", device="cpu"), []
    prompts = ("my sister", "the black cat", "the dog is", "they")
    for seed in range(100):  # seeds in turn, the prompts taking turns
        prompt = prompts[seed % len(prompts)]
        out = generate(lm.model, lm.prompt_ids(prompt), LM_LENGTH, temperature=LM_TEMPERATURE, seed=seed,
                       eos_id=lm.vocab.eos_id)
        if len(out.ids) == LM_LENGTH and lm.vocab.eos_id not in out.ids:
            found.append((prompt, seed))
        if len(found) == n:
            return found
    raise RuntimeError(f"only {len(found)} of {n} continuations reach {LM_LENGTH} tokens at T = {LM_TEMPERATURE}")


def bench_browser_lm(s: dict) -> tuple[dict, dict, dict]:
    """Load chapter 13 in headless Chromium from the built site, served on 127.0.0.1: time the load until its
    generator can generate (its model loaded, its controls live), the page's generation of
    ``LM_LENGTH``-token continuations, and the bytes it fetches to run the model beyond those chapter 10's
    translator fetched."""
    site = ROOT / "_build" / "html"
    if not (site / "_static" / "language_models" / "lm_causal.onnx").is_file():
        raise RuntimeError(f"no built book with its exported language models in {site}: run `make book` first")
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import launch_chromium, serve  # the tests' server and browser
    from playwright.sync_api import sync_playwright

    from attnlib.book.live_lm import DEFAULTS

    cases = long_continuations(s["lm_continuations"])
    fields = [{**DEFAULTS, "temperature": str(LM_TEMPERATURE), "seed": str(seed), "max_new_tokens": str(LM_LENGTH)}
              for _, seed in cases]

    contexts = []

    def fetched_by(browser, base: str, page_name: str, ready: str) -> tuple[dict, object]:
        """Load a page in a fresh context (nothing cached): {path: bytes} of what it fetched to run its model."""
        while contexts:  # the last page loaded is the one kept
            contexts.pop().close()
        context = browser.new_context()
        contexts.append(context)
        requests = []  # context-wide, so that the worker's requests are counted too
        context.on("requestfinished", lambda r: requests.append(r))
        page = context.new_page()
        page.goto(base + page_name)
        page.wait_for_function(f"window.{ready} && window.{ready}.readyMs", timeout=120_000)
        return {urlsplit(r.url).path: r.sizes()["responseBodySize"] for r in requests
                if MODEL_FILES.search(r.url)}, page

    loads, per_token = [], []
    with serve(site) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        translator_files, _ = fetched_by(browser, base, BROWSER_PAGE, "attnLiveTranslator")
        for _ in range(s["browser_loads"]):
            files, page = fetched_by(browser, base, LM_PAGE, "attnLiveLM")
            loads.append(page.evaluate("window.attnLiveLM.readyMs") / 1e3)
            timings = page.evaluate("window.attnLiveLM.timings")
        generate_in_page = """async ([prompt, fields]) => { const lm = await window.attnLiveLM.model('causal');
            const start = performance.now(), r = await lm.generate(prompt, fields);
            return [performance.now() - start, r.steps.length]; }"""
        for (prompt, _), f in zip(cases, fields):  # warm-up
            page.evaluate(generate_in_page, [prompt, f])
        for _ in range(s["lm_repeats"]):
            for (prompt, _), f in zip(cases, fields):
                ms, tokens = page.evaluate(generate_in_page, [prompt, f])
                assert tokens == LM_LENGTH, (prompt, f, tokens)  # the page wrote what Python wrote
                per_token.append(ms / tokens)
        browser.close()
    extra = {path: size for path, size in files.items() if path not in translator_files}
    common = dict(page=LM_PAGE, runtime="onnxruntime-web (WebAssembly, 1 thread)")
    return (
        bm.entry(statistics.median(loads), unit="s (median, page load until the generator can generate)", target=3.0,
                 comparison="<=", note="headless Chromium, fresh cache, site on 127.0.0.1; the model loaded and the "
                 "controls live (the page's own first picture follows: stages_ms.opened)",
                 loads_s=loads, stages_ms={k: round(v) for k, v in timings.items()}, **common),
        bm.entry(statistics.median(per_token), unit=f"ms per token (median, {LM_LENGTH}-token continuations)",
                 target=10.0, comparison="<=", note=f"the whole prefix through the graph at each step, with its "
                 f"attention, then sampling in float64; T = {LM_TEMPERATURE}, so that no <eos> stops one early",
                 continuations=[[p, seed] for p, seed in cases], repeats=s["lm_repeats"], **common),
        bm.entry(sum(extra.values()) / 1e6, unit="MB downloaded for the language model beyond the translator's page",
                 target=5.0, comparison="<=", note="what chapter 13 fetches to run its model that chapter 10 did not "
                 "(its graph, its JSON, its scripts), uncompressed", files=sorted(extra),
                 shared=sorted(set(files) & set(translator_files)), **common),
    )


# --------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------

FAST = {
    "mha_fast_vs_torch": bench_mha_fast_vs_torch,
    "mha_explicit_vs_fast": bench_mha_explicit_vs_fast,
    "model_vs_nn_transformer": bench_model_vs_nn_transformer,
    "kv_cache_speedup": bench_kv_cache_speedup,
    "widget_latency_ms": bench_widget_latency_ms,
}
TARGETS = {  # what skipped entries still show
    "time_to_bleu95_cpu_s": dict(unit="s of training (evaluation excluded)"),
    "time_to_bleu95_gpu_s": dict(unit="s of training (evaluation excluded)"),
    "book_build_s": dict(unit="s (wall)", target=600.0, comparison="<="),
    "book_build_peak_rss_mb": dict(unit="MiB (summed RSS of the process tree)", target=4000.0, comparison="<="),
    "browser_translator_load_s": dict(unit="s (median, page load to first translation)", target=3.0, comparison="<="),
    "browser_translate_ms": dict(unit="ms (median, one 10-word sentence)", target=100.0, comparison="<="),
    "browser_vs_python_translate": dict(unit="time ratio page / Python"),
    "browser_payload_mb": dict(unit="MB downloaded for the translator", target=20.0, comparison="<="),
    "browser_lm_ready_s": dict(unit="s (median, page load until the generator can generate)", target=3.0,
                               comparison="<="),
    "browser_lm_ms_per_token": dict(unit=f"ms per token (median, {LM_LENGTH}-token continuations)", target=10.0,
                                    comparison="<="),
    "browser_lm_payload_mb": dict(unit="MB downloaded for the language model beyond the translator's page",
                                  target=5.0, comparison="<="),
}


def run_info(device: torch.device, quick: bool, note: str) -> dict:
    return {
        "hardware": measure.describe_hardware(device),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        "device": device.type,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "quick": quick,
        "note": note,
        "command": " ".join(["benchmarks/run.py", *sys.argv[1:]]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few repeats; skips the slow benchmarks")
    parser.add_argument("--skip-slow", action="store_true", help="skip time-to-BLEU and the book build")
    parser.add_argument("--only", nargs="+", choices=bm.BENCHMARKS, metavar="NAME",
                        help=f"run only these (the others are recorded as skipped): {', '.join(bm.BENCHMARKS)}")
    parser.add_argument("--out", type=Path, default=bm.DEFAULT_RESULTS, help="where to write the results")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--bleu-cap-s", type=float, default=None, help="training seconds before time-to-BLEU gives up")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's choice; 1 in --quick mode, which is robust "
                             "on a busy machine)")
    parser.add_argument("--note", default="", help="a remark stored with the results (e.g. 'machine shared')")
    args = parser.parse_args(argv)

    device = pick_device(args.device)
    threads = args.threads if args.threads is not None else (1 if args.quick else None)
    if threads is not None:
        if threads < 1:
            parser.error(f"--threads must be at least 1, got {threads}")
        torch.set_num_threads(threads)
    sizes = SIZES["quick" if args.quick else "full"]
    results = run_info(device, args.quick, args.note)
    print(f"hardware: {results['hardware']}")
    print(f"torch {results['torch']}, {results['cpu_count']} CPUs, {results['threads']} threads, {results['date']}"
          + (" (quick run: tiny sizes)" if args.quick else ""), flush=True)

    def wanted(name: str) -> str | None:
        """None if ``name`` runs now, else why it is skipped."""
        if args.only and name not in args.only:
            return "not selected (--only)"
        if name in SLOW + BROWSER + BROWSER_LM and args.quick:
            return "skipped in quick mode"
        if name in SLOW and args.skip_slow:
            return "skipped (--skip-slow)"
        if name == "time_to_bleu95_gpu_s" and not torch.cuda.is_available():
            return "no CUDA device on this machine"
        return None

    for name in bm.BENCHMARKS:
        results[name] = bm.skipped("pending", **TARGETS.get(name, {"unit": ""}))
    partial = args.out.with_name(f"{args.out.stem}.partial.json")
    failed = []

    def record(names: tuple[str, ...], make) -> None:
        """Run ``make`` (which returns one entry per name) unless its benchmarks are skipped."""
        reasons = [wanted(name) for name in names]
        if all(reasons):  # measured together: run if any of them is wanted
            for name, reason in zip(names, reasons):
                results[name] = bm.skipped(reason, **TARGETS.get(name, {"unit": ""}))
            return
        print(f"  {' + '.join(names)} ...", end=" ", flush=True)
        started = time.perf_counter()
        try:
            entries = make()
            results.update(zip(names, entries))
            print(", ".join(f"{bm._fmt(e['value'])} {e['unit']}" for e in entries)
                  + f" ({time.perf_counter() - started:.1f} s)", flush=True)
        except Exception as err:  # record and go on: one broken benchmark must not hide the others
            failed.extend(names)
            for name in names:
                results[name] = bm.skipped(f"ERROR: {type(err).__name__}: {err}", **TARGETS.get(name, {"unit": ""}))
                results[name]["traceback"] = traceback.format_exc()
            print(f"ERROR {type(err).__name__}: {err}", flush=True)
        # what is measured so far survives an interruption, beside the results the book reads: the book
        # build measured below must not show a half-filled table
        write_text(partial, json.dumps(results, indent=2) + "\n")

    for name, fn in FAST.items():
        record((name,), lambda fn=fn: [fn(sizes, device)])
    record(("time_to_bleu95_cpu_s",), lambda: [bench_time_to_bleu("cpu", args.bleu_cap_s)])
    record(("time_to_bleu95_gpu_s",), lambda: [bench_time_to_bleu("cuda", args.bleu_cap_s)])
    record(("book_build_s", "book_build_peak_rss_mb"), bench_book_build)
    record(BROWSER, lambda: bench_browser_translator(sizes))  # after the build: it serves the built site
    record(BROWSER_LM, lambda: bench_browser_lm(sizes))

    write_text(args.out, json.dumps(results, indent=2) + "\n")  # in one step: never half a file
    partial.unlink(missing_ok=True)
    print()
    print(bm.format_table(bm.results_table(results)))
    print(f"\nwritten to {args.out}")
    if failed:
        print(f"these benchmarks crashed: {', '.join(failed)} (see 'traceback' in the results)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
