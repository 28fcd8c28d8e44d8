"""The recurrent encoder-decoder the Transformer replaced: GRUs with additive attention (Bahdanau et al. 2015).

    src ids -> Embedding·√E -> bidirectional GRU -> memory h_1 … h_S (both directions side by side)
    s_0 = tanh(W_0 [forward state at the last token; backward state at the first])
    for t = 1 … T, one step after another, since step t needs the state s_{t-1}:
        a_t = softmax_j( vᵀ tanh(W s_{t-1} + U h_j) )           additive attention, padding masked
        c_t = Σ_j a_tj h_j                                       the context vector
        s_t = GRUCell([embed(y_{t-1}); c_t], s_{t-1})           the decoder reads the context it attended to
        logits_t = Linear(tanh(W_o [s_t; c_t; embed(y_{t-1})]))

The encoder is **bidirectional**: a GRU reading left to right gives word j a state that knows only the
words up to j; a second one reading right to left adds what follows, so that each memory vector describes
its word in the whole sentence, as a Transformer encoder's does. (A unidirectional encoder is one switch
away: ``RNNConfig(bidirectional=False)``.)

It has the Transformer's interface, so the translator's batches, training loop, greedy and beam search and
scores take either: ``forward(src, tgt_in)`` gives teacher-forced logits ``(B, T, V)``, ``encode``,
``decode``, ``decode_step`` with ``new_caches()`` (here the carried hidden state), ``cfg.max_len``. Its
attention weights pass through an :class:`~attnlib.model.multihead.AttentionTap` named
``decoder.cross_attn``, so :func:`~attnlib.model.capture.capture_attention` records them as ``(B, 1, T, S)``:
one head.

Shape letters: B batch, S source length, T target length, E embedding width (``d_model``), H the GRU's
state (``d_hidden``), M one memory vector (2H when bidirectional), A the additive score's hidden width,
V vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .config import RNNConfig
from .embeddings import Embeddings, check_ids, init_weights
from .masks import padding_mask
from .multihead import AttentionTap


def source_lengths(src_mask: torch.Tensor) -> torch.Tensor:
    """Real tokens per sentence from a padding mask ``(B, 1, 1, S)`` -> ``(B,)``; padding must come last."""
    mask = src_mask[:, 0, 0]  # (B, S)
    lengths = mask.sum(-1)  # (B,)
    if bool((lengths == 0).any()):
        raise ValueError(f"source row {int((lengths == 0).nonzero()[0])} holds only padding: give every sentence a token")
    prefix = torch.arange(mask.shape[1], device=mask.device)[None, :] < lengths[:, None]  # (B, S)
    if not torch.equal(mask, prefix):
        raise ValueError("padding must come after a sentence's tokens, never inside it: a GRU reads them in order")
    return lengths


class AdditiveAttention(nn.Module):
    """``score(s, h_j) = vᵀ tanh(W s + U h_j)``: a one-hidden-layer network compares the decoder's state
    with every encoder state; a softmax over the real source tokens turns the scores into weights."""

    def __init__(self, d_query: int, d_memory: int, d_attention: int):
        super().__init__()
        self.query = nn.Linear(d_query, d_attention, bias=False)  # W
        self.key = nn.Linear(d_memory, d_attention)  # U (its bias is the hidden layer's)
        self.score = nn.Linear(d_attention, 1, bias=False)  # v
        self.tap = AttentionTap()  # the decoder passes the weights of all its steps through here

    def keys(self, memory: torch.Tensor) -> torch.Tensor:
        """``U h_j`` for every encoder state, once per sentence: ``(B, S, M)`` -> ``(B, S, A)``."""
        return self.key(memory)

    def forward(self, state: torch.Tensor, keys: torch.Tensor, memory: torch.Tensor,
                mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``state (B, H)`` against ``keys (B, S, A)`` -> context ``(B, M)`` and weights ``(B, S)`` (0 on padding)."""
        hidden = torch.tanh(self.query(state)[:, None, :] + keys)  # (B, S, A)
        scores = self.score(hidden).squeeze(-1).masked_fill(~mask, float("-inf"))  # (B, S)
        weights = torch.softmax(scores, dim=-1)  # (B, S)
        context = torch.bmm(weights[:, None, :], memory).squeeze(1)  # (B, 1, S) @ (B, S, M) -> (B, M)
        return context, weights


class RecurrentEncoder(nn.Module):
    """Embeddings, then a (bidirectional) GRU over the real tokens: ``src (B, S)`` -> memory ``(B, S, M)``."""

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.embed = Embeddings(cfg.src_vocab_size, cfg, positional="none")
        self.rnn = nn.GRU(cfg.d_model, cfg.d_hidden, num_layers=cfg.n_encoder_layers, batch_first=True,
                          bidirectional=cfg.bidirectional, dropout=cfg.dropout if cfg.n_encoder_layers > 1 else 0.0)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x = self.embed(src)  # (B, S, E)
        # packed: each direction reads only the real tokens, so the backward GRU starts at the last word,
        # not at the padding after it, and a sentence's states do not depend on its batch
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        memory, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])  # (B, S, M), 0 on padding
        return memory


@dataclass
class RecurrentState:
    """What the decoder carries from one step to the next: its hidden state, the encoder keys ``U h_j``
    computed once, and how many tokens it has read. The recurrent twin of the Transformer's key/value cache."""

    hidden: torch.Tensor | None = None  # (B, H)
    keys: torch.Tensor | None = None  # (B, S, A)
    length: int = 0

    def reorder(self, rows: torch.Tensor) -> None:
        """Keep batch rows ``rows`` (B',), in that order: beam search follows its surviving beams."""
        if self.hidden is not None:
            self.hidden, self.keys = self.hidden[rows], self.keys[rows]  # (B', H), (B', S, A)


class RecurrentDecoder(nn.Module):
    """A GRU cell that, at every step, attends to the memory and reads the context with the previous token."""

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.bidirectional, self.d_hidden = cfg.bidirectional, cfg.d_hidden
        self.embed = Embeddings(cfg.tgt_vocab_size, cfg, positional="none")
        self.init = nn.Linear(cfg.d_memory, cfg.d_hidden)  # W_0
        self.cross_attn = AdditiveAttention(cfg.d_hidden, cfg.d_memory, cfg.d_attention)
        self.cell = nn.GRUCell(cfg.d_model + cfg.d_memory, cfg.d_hidden)
        self.combine = nn.Linear(cfg.d_hidden + cfg.d_memory + cfg.d_model, cfg.d_model)  # W_o
        self.dropout = nn.Dropout(cfg.dropout)

    def initial_state(self, memory: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``s_0`` from the states that have read the whole sentence: the forward GRU's at the last real
        token and, when bidirectional, the backward GRU's at the first -> ``(B, H)``."""
        rows = torch.arange(memory.shape[0], device=memory.device)
        last = memory[rows, lengths - 1, : self.d_hidden]  # (B, H)
        summary = torch.cat([last, memory[:, 0, self.d_hidden:]], dim=-1) if self.bidirectional else last  # (B, M)
        return torch.tanh(self.init(summary))

    def forward(self, tgt: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor,
                state: RecurrentState) -> torch.Tensor:
        """Read ``tgt (B, T)`` from ``state``, one token after another -> outputs ``(B, T, E)``; ``state`` moves on."""
        emb = self.embed(tgt, offset=state.length)  # (B, T, E): every token is known in advance...
        outputs, weights = [], []
        for t in range(tgt.shape[1]):  # ...but each step needs the state the previous one left
            context, w = self.cross_attn(state.hidden, state.keys, memory, mask)  # (B, M), (B, S)
            state.hidden = self.cell(torch.cat([emb[:, t], context], dim=-1), state.hidden)  # (B, H)
            outputs.append(torch.tanh(self.combine(torch.cat([state.hidden, context, emb[:, t]], dim=-1))))  # (B, E)
            weights.append(w)
        state.length += tgt.shape[1]
        self.cross_attn.tap(torch.stack(weights, dim=1)[:, None])  # (B, 1, T, S): for capture_attention
        return self.dropout(torch.stack(outputs, dim=1))  # (B, T, E)


class RNNEncoderDecoder(nn.Module):
    """GRU encoder-decoder with additive attention. ``forward(src (B, S), tgt_in (B, T)) -> logits (B, T, V)``."""

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = RecurrentEncoder(cfg)
        self.decoder = RecurrentDecoder(cfg)
        self.generator = nn.Linear(cfg.d_model, cfg.tgt_vocab_size)
        init_weights(self)

    def source_mask(self, src: torch.Tensor) -> torch.Tensor:  # (B, 1, 1, S), as the Transformer's
        return padding_mask(src, self.cfg.pad_id)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``src (B, S)`` -> ``memory (B, S, M)``, ``src_mask (B, 1, 1, S)``."""
        check_ids(src, self.cfg.src_vocab_size, "source")
        src_mask = self.source_mask(src)
        return self.encoder(src, source_lengths(src_mask)), src_mask

    def new_caches(self) -> list[tuple[RecurrentState]]:
        """An empty state, in the Transformer's layout of caches (one tuple per layer), so that greedy and
        beam search carry it, and reorder it, as they do the key/value caches."""
        return [(RecurrentState(),)]

    def decode_step(self, tgt_new: torch.Tensor, memory: torch.Tensor, src_mask: torch.Tensor,
                    caches: list[tuple[RecurrentState]]) -> torch.Tensor:
        """Read the newest token(s) ``tgt_new (B, t)`` from the carried state -> ``logits (B, t, V)``."""
        check_ids(tgt_new, self.cfg.tgt_vocab_size, "target")
        state = caches[0][0]
        if state.hidden is None:  # the first step: start from the encoder's summary of the sentence
            state.hidden = self.decoder.initial_state(memory, source_lengths(src_mask))
            state.keys = self.decoder.cross_attn.keys(memory)
        return self.generator(self.decoder(tgt_new, memory, src_mask[:, 0, 0], state))

    def decode(self, tgt_in: torch.Tensor, memory: torch.Tensor, src_mask: torch.Tensor) -> torch.Tensor:
        """Teacher-forced decoding of a whole prefix: ``tgt_in (B, T)`` -> ``logits (B, T, V)``, still step by step."""
        return self.decode_step(tgt_in, memory, src_mask, self.new_caches())

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        memory, src_mask = self.encode(src)
        return self.decode(tgt_in, memory, src_mask)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
