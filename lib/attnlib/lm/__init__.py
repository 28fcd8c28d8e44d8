"""The book's language models (a GPT and a BERT of its own): their data, training, scores and use, the
pseudo-random numbers the page shares, and the baseline they are measured against.

The models themselves are in the model core (:class:`attnlib.model.language_model.CausalLM`,
:class:`attnlib.model.language_model.MaskedLM`); this layer holds what is done with them:

* :mod:`attnlib.lm.data`: the corpus's English, the vocabulary (with ``<mask>`` for the masked model),
  causal batches and BERT's masking;
* :mod:`attnlib.lm.train`: training either model with the translator's loop; :mod:`attnlib.lm.train_command`
  is ``python -m attnlib.lm train`` (``make lm``);
* :mod:`attnlib.lm.trained`: a trained model with its vocabulary, loaded from its checkpoint, reading what
  a reader types;
* :mod:`attnlib.lm.scores`: perplexity, pseudo-perplexity and top-k accuracy at hidden words, under the
  n-gram baseline's convention; :mod:`attnlib.lm.evaluate` is ``python -m attnlib.lm evaluate``;
* :mod:`attnlib.lm.prng`: a seeded generator of uniform numbers that the page's JavaScript
  (``attnlib/book/lm_prng.js``) reproduces bit for bit;
* :mod:`attnlib.lm.sampling`: temperature, top-k and top-p, and the draw of one token from one uniform number,
  which the page's JavaScript (``attnlib/book/lm_sampling.js``) repeats in the same order, with one step of
  :func:`~attnlib.lm.generate.generate`;
* :mod:`attnlib.lm.generate`: sampling a continuation, one cached position per token
  (``python -m attnlib.lm generate``, ``make generate``);
* :mod:`attnlib.lm.fill`: the likeliest words for a ``<mask>`` (``python -m attnlib.lm fill``);
* :mod:`attnlib.lm.onnx_export`: both models as ONNX graphs (the logits a page samples or fills from, every
  attention map) and the JSON a page reads them with, for onnxruntime-web;
* :mod:`attnlib.lm.ngram`: the smoothed trigram baseline of the corpus's English (nltk), its perplexity and
  its guesses for a masked word.

Imports: :mod:`attnlib.model`, :mod:`attnlib.translation` (the corpus, the training loop, checkpoints),
``paths``, ``measure``, ``files``; torch, tqdm and nltk.
"""
