"""The language models of Part III: sampling from them, the pseudo-random numbers the page shares, and the
baselines they are measured against.

The models themselves are in the model core (:class:`attnlib.model.language_model.CausalLM`,
:class:`attnlib.model.language_model.MaskedLM`); this layer holds what is done with them:

* :mod:`attnlib.lm.prng`: a seeded generator of uniform numbers that the page's JavaScript
  (``attnlib/book/lm_prng.js``) reproduces bit for bit;
* :mod:`attnlib.lm.sampling`: temperature, top-k and top-p, and the draw of one token from one uniform number;
* :mod:`attnlib.lm.generate`: sampling a continuation, one cached position per token;
* :mod:`attnlib.lm.ngram`: the smoothed trigram baseline of the corpus's English (nltk), its perplexity and
  its guesses for a masked word.

Imports: :mod:`attnlib.model`, :mod:`attnlib.translation` (the corpus), ``paths``, ``measure``, ``files``;
torch, tqdm and nltk.
"""
