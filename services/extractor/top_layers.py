"""Fine-tuning the encoder's top layers for one head, on hidden states cached below them.

The lower layers stay frozen and shared, so their output is computed once per training text and the
optimiser only ever runs the top layers: on this 2-core machine that makes a fine-tuned ACLED-style
sub-type head a matter of minutes, not hours. The result is a `heads.TransformerHead` that runs in numpy.
Only BERT-style encoders (BERT, MiniLM, RoBERTa, ...: `encoder.layer[i].attention.self.query`) are
supported; `supports_top_layers` tells the caller when to fall back to a frozen-feature head.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .arrays import FloatArray, IntArray
from .heads import LAYER_PARTS, TransformerHead


@dataclass(frozen=True)
class TopLayerConfig:
    layers: int = 4  # how many top layers adapt; the rest stay frozen
    epochs: int = 15
    learning_rate: float = 1e-4  # for the transformer layers
    head_learning_rate: float = 3e-3  # for the classifier on top
    batch_size: int = 16
    dropout: float = 0.1
    logit_scale: float = 10.0  # pooled features are unit length; this sets the softmax temperature
    weight_decay: float = 0.01
    class_balanced: bool = True  # weight the loss by inverse class frequency
    label_smoothing: float = 0.0  # share of each target spread over the other classes


def _layers_of(model: Any) -> Any:
    encoder = getattr(model, "encoder", None)
    return getattr(encoder, "layer", None)


def supports_top_layers(model: Any) -> bool:
    layers = _layers_of(model)
    if layers is None or len(layers) == 0:
        return False
    first = layers[0]
    attention = getattr(first, "attention", None)
    return all(
        hasattr(obj, name)
        for obj, name in (
            (getattr(attention, "self", None), "query"),
            (getattr(attention, "output", None), "dense"),
            (getattr(first, "intermediate", None), "dense"),
            (getattr(first, "output", None), "LayerNorm"),
        )
    )


def torch_modules(model: Any, config: TopLayerConfig, classes: int) -> Any:
    import torch
    from torch import nn

    hidden = int(model.config.hidden_size)
    heads = int(model.config.num_attention_heads)
    eps = float(getattr(model.config, "layer_norm_eps", 1e-12))
    activation = str(getattr(model.config, "hidden_act", "gelu"))

    class Layer(nn.Module):
        """One BERT layer with the same arithmetic as `TransformerHead._layer` (checked by a unit test)."""

        def __init__(self, source: Any) -> None:
            super().__init__()
            inner = int(source.intermediate.dense.out_features)
            self.q, self.k, self.v, self.o = (nn.Linear(hidden, hidden) for _ in range(4))
            self.i, self.out = nn.Linear(hidden, inner), nn.Linear(inner, hidden)
            self.ln1, self.ln2 = nn.LayerNorm(hidden, eps=eps), nn.LayerNorm(hidden, eps=eps)
            attention = source.attention
            pairs = (
                (self.q, attention.self.query),
                (self.k, attention.self.key),
                (self.v, attention.self.value),
                (self.o, attention.output.dense),
                (self.ln1, attention.output.LayerNorm),
                (self.i, source.intermediate.dense),
                (self.out, source.output.dense),
                (self.ln2, source.output.LayerNorm),
            )
            for target, origin in pairs:
                target.load_state_dict(origin.state_dict())
            self.drop = nn.Dropout(config.dropout)

        def forward(self, states: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
            batch, steps, _ = states.shape

            def split(x: torch.Tensor) -> torch.Tensor:
                return x.view(batch, steps, heads, hidden // heads).transpose(1, 2)

            scores = split(self.q(states)) @ split(self.k(states)).transpose(-1, -2) / math.sqrt(hidden // heads)
            weights = self.drop((scores + additive_mask).softmax(-1))
            context = (weights @ split(self.v(states))).transpose(1, 2).reshape(batch, steps, hidden)
            states = self.ln1(states + self.drop(self.o(context)))
            inner = self.i(states)
            inner = (
                nn.functional.gelu(inner, approximate="tanh")
                if activation in {"gelu_new", "gelu_pytorch_tanh", "gelu_fast"}
                else torch.relu(inner)
                if activation == "relu"
                else nn.functional.gelu(inner)
            )
            return self.ln2(states + self.drop(self.out(inner)))  # type: ignore[no-any-return]

    class TopLayers(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            source = _layers_of(model)
            self.layers = nn.ModuleList([Layer(source[i]) for i in range(len(source) - config.layers, len(source))])
            self.drop = nn.Dropout(config.dropout)
            self.fc = nn.Linear(hidden, classes)

        def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            additive = (1.0 - mask[:, None, None, :].float()) * -1e4
            for layer in self.layers:
                states = layer(states, additive)
            weights = mask[..., None].float()
            mean = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            pooled = nn.functional.normalize(mean, dim=-1)
            return self.fc(self.drop(pooled) * config.logit_scale)  # type: ignore[no-any-return]

    return TopLayers(), {"num_heads": heads, "layer_norm_eps": eps, "activation": activation}


def _length_bucketed_batches(
    indices: IntArray, lengths: IntArray, batch_size: int, rng: np.random.Generator
) -> list[IntArray]:
    """Shuffled batches of similar length (within groups of 8 batches): padding, not learning, is the cost."""
    order = rng.permutation(indices)
    batches: list[IntArray] = []
    group = batch_size * 8
    for begin in range(0, len(order), group):
        chunk = sorted(order[begin : begin + group].tolist(), key=lambda i: int(lengths[i]))
        batches.extend(np.array(chunk[i : i + batch_size]) for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def fit_top_layers(
    model: Any,
    states: FloatArray,
    attention_mask: IntArray,
    labels: Sequence[str],
    seed: int,
    config: TopLayerConfig | None = None,
    initial: TransformerHead | None = None,
) -> TransformerHead:
    """Fine-tune the top `config.layers` of `model` (a torch BERT-style encoder) on `states`, the hidden
    states below them ([N, T, H], padded), with a class-balanced loss; deterministic for a seed.

    `initial` starts the layers from an earlier fine-tuning (its classifier is not reused)."""
    import torch
    from torch import nn

    config = config or TopLayerConfig()
    if not supports_top_layers(model):
        raise ValueError(f"{type(model).__name__} is not a BERT-style encoder; use a frozen-feature head")
    classes = sorted(set(labels))
    targets = torch.tensor([classes.index(label) for label in labels])
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net, shape = torch_modules(model, config, len(classes))
    if initial is not None:
        _load_layers(net, initial)
    optimiser = torch.optim.AdamW(
        [
            {"params": net.layers.parameters(), "lr": config.learning_rate},
            {"params": net.fc.parameters(), "lr": config.head_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    steps_per_epoch = math.ceil(len(labels) / config.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser,
        max_lr=[config.learning_rate, config.head_learning_rate],
        total_steps=config.epochs * steps_per_epoch,
        pct_start=0.1,
    )
    counts = np.bincount(targets.numpy(), minlength=len(classes))
    class_weights = torch.tensor(len(labels) / (len(classes) * np.maximum(counts, 1)), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(
        weight=class_weights if config.class_balanced else None, label_smoothing=config.label_smoothing
    )
    inputs = torch.from_numpy(np.ascontiguousarray(states, dtype=np.float32))
    mask = torch.from_numpy(np.asarray(attention_mask, dtype=np.int64))
    lengths = attention_mask.sum(axis=1)
    everything = np.arange(len(labels))
    net.train()
    for _ in range(config.epochs):
        for batch in _length_bucketed_batches(everything, lengths, config.batch_size, rng):
            width = int(lengths[batch].max())
            index = torch.from_numpy(batch)
            loss = loss_fn(net(inputs[index, :width], mask[index, :width]), targets[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    net.eval()
    return head_from_torch(net, shape, config, len(_layers_of(model)), classes)


def _load_layers(net: Any, head: TransformerHead) -> None:
    import torch

    if head.layer_count != len(net.layers):
        raise ValueError(f"initial head has {head.layer_count} layers, not {len(net.layers)}")
    with torch.no_grad():
        for number, layer in enumerate(net.layers):
            for part in LAYER_PARTS:
                module = getattr(layer, part)
                module.weight.copy_(torch.from_numpy(head.arrays[f"L{number}.{part}_W"]))
                module.bias.copy_(torch.from_numpy(head.arrays[f"L{number}.{part}_b"]))


def head_from_torch(
    net: Any, shape: dict[str, Any], config: TopLayerConfig, total_layers: int, classes: Sequence[str]
) -> TransformerHead:
    """Copy the trained torch modules into a numpy `TransformerHead`."""
    arrays: dict[str, FloatArray] = {}
    for number, layer in enumerate(net.layers):
        for part in LAYER_PARTS:
            module = getattr(layer, part)
            arrays[f"L{number}.{part}_W"] = module.weight.detach().cpu().numpy().astype(np.float32)
            arrays[f"L{number}.{part}_b"] = module.bias.detach().cpu().numpy().astype(np.float32)
    arrays["fc_W"] = net.fc.weight.detach().cpu().numpy().astype(np.float32)
    arrays["fc_b"] = net.fc.bias.detach().cpu().numpy().astype(np.float32)
    meta: dict[str, Any] = {
        **shape,
        "tap_layer": total_layers - config.layers,
        "layers": config.layers,
        "logit_scale": config.logit_scale,
        "training": {
            "epochs": config.epochs,
            "learning_rate": config.learning_rate,
            "head_learning_rate": config.head_learning_rate,
            "batch_size": config.batch_size,
            "dropout": config.dropout,
            "weight_decay": config.weight_decay,
            "loss": "class-balanced cross-entropy" if config.class_balanced else "cross-entropy",
            "schedule": "one-cycle, 10% warm-up",
        },
    }
    return TransformerHead(labels=list(classes), arrays=arrays, meta=meta)
