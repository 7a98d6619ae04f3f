"""A small, correct training loop over tensors resident on the device.

The whole data set lives on the device as ``uint8``; each step indexes a batch,
turns it into floats (optional resize and normalisation) and takes one
optimiser step. Losses and accuracies are accumulated on the device and read
once per epoch, so the loop never waits on the host.

The interface is :func:`fit` and :func:`evaluate`, returning a
:class:`History`; chapters use only these.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from .augment import AUGMENTATIONS, augment as apply_augmentation
from .data import MEAN, STD, FashionMNIST, preprocess
from .device import describe_device, pick_device

# MEAN, STD and preprocess are defined in .data; chapters also import them from here.
__all__ = ["History", "MEAN", "STD", "deterministic", "evaluate", "fit", "lr_factor", "model_device",
           "predict", "preprocess", "train_loop"]

@dataclass
class History:
    """What :func:`fit` measured.

    Per epoch: ``train_loss``, ``train_acc``, ``test_acc``, ``seconds``
    (cumulative training time, evaluation excluded). Per step: ``step_loss``
    with ``step_epoch`` (fractional epoch) for smooth learning curves, and
    ``step_lr``, the learning rate the step used. ``model``: the trained network.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    step_epoch: list[float] = field(default_factory=list)
    step_lr: list[float] = field(default_factory=list)
    images_seen: int = 0
    device: str = ""
    model: nn.Module | None = field(default=None, repr=False, compare=False)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    @property
    def final_test_acc(self) -> float:
        if not self.test_acc:
            raise ValueError("no epoch has run yet")
        return self.test_acc[-1]

    @property
    def train_seconds(self) -> float:
        return self.seconds[-1] if self.seconds else 0.0

    @property
    def images_per_second(self) -> float:
        return self.images_seen / self.train_seconds if self.train_seconds else math.nan


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return os.environ.get("RESNOTES_PROGRESS", "1") != "0"


def _progress_bar(total: int, desc: str, enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        return None
    try:
        import ipywidgets  # noqa: F401  (tqdm.auto needs it for a notebook widget)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(total=total, desc=desc, leave=False, file=sys.stdout)


@contextmanager
def deterministic(seed: int | None = 0) -> Iterator[None]:
    """Within the block, PyTorch uses deterministic kernels only (and seeds its RNG).

    For tests and reproducible runs; slower on GPUs. CPU training here is
    deterministic already. The previous setting is restored on exit.
    """
    previous = torch.are_deterministic_algorithms_enabled()
    previous_benchmark = torch.backends.cudnn.benchmark
    if seed is not None:
        torch.manual_seed(seed)
    if torch.cuda.is_available():  # cuBLAS needs this for deterministic matmuls
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous)
        torch.backends.cudnn.benchmark = previous_benchmark


def _autocast(device: torch.device, amp: bool | None):  # type: ignore[no-untyped-def]
    """bf16 autocast on CUDA (default there); a no-op elsewhere unless asked."""
    enabled = device.type == "cuda" if amp is None else amp
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


def model_device(model: nn.Module, fallback: torch.device | None = None) -> torch.device:
    """The device of ``model``'s first parameter (or buffer).

    A model with neither (e.g. ``nn.Flatten()``) runs anywhere: ``fallback`` is
    returned then, and without one a ``ValueError`` says so.
    """
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    if fallback is not None:
        return fallback
    raise ValueError(f"{type(model).__name__} has no parameters or buffers, so it has no device; "
                     "pass the device explicitly")


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, *, batch_size: int = 1000,
            resize: int | None = None, normalize: bool = True, flip_tta: bool = False,
            amp: bool | None = None) -> torch.Tensor:
    """Predicted class of each ``uint8`` image (model in eval mode), on the model's device.

    A model without parameters or buffers runs on the images' device.
    ``flip_tta`` averages the logits of each image and its mirror image
    (test-time augmentation); ``amp`` as in :func:`fit`.
    """
    if len(images) == 0:
        raise ValueError("predict needs at least one image")
    device = model_device(model, fallback=images.device)
    was_training = model.training
    model.eval()
    preds = []
    try:
        with _autocast(device, amp):
            for i in range(0, len(images), batch_size):
                x = preprocess(images[i:i + batch_size].to(device), resize=resize,
                               normalize=normalize)
                logits = model(x).float()
                if flip_tta:
                    logits = logits + model(x.flip(-1)).float()
                preds.append(logits.argmax(1))
    finally:
        model.train(was_training)
    return torch.cat(preds)


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *,
             batch_size: int = 1000, resize: int | None = None, normalize: bool = True,
             flip_tta: bool = False, amp: bool | None = None) -> float:
    """Accuracy of ``model`` (in eval mode) on ``uint8`` images and their labels."""
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    pred = predict(model, images, batch_size=batch_size, resize=resize, normalize=normalize,
                   flip_tta=flip_tta, amp=amp)
    return (pred == labels.to(pred.device)).sum().item() / len(labels)


def _is_channels_last(model: nn.Module) -> bool:
    """Whether the model's 4-D weights are stored as NHWC."""
    weights = [p for p in model.parameters() if p.dim() == 4]
    return bool(weights) and all(p.is_contiguous(memory_format=torch.channels_last)
                                 and not p.is_contiguous() for p in weights)


def lr_factor(schedule: str, total_steps: int) -> Callable[[int], float]:
    """The learning-rate multiplier of step ``0 .. total_steps - 1`` (the peak is 1).

    ``"constant"``: 1 throughout. ``"onecycle"``: a linear warm-up over the first
    25% of the steps (the first step at ``1 / warm``, the last warm-up step at 1),
    then a cosine decay that reaches 0 after the last step.
    """
    if schedule not in ("constant", "onecycle"):
        raise ValueError(f"schedule must be 'constant' or 'onecycle', got {schedule!r}")
    if total_steps < 1:
        raise ValueError(f"total_steps must be >= 1, got {total_steps}")
    if schedule == "constant":
        return lambda step: 1.0
    warm = max(1, int(0.25 * total_steps))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total_steps - warm)))
    return factor


def fit(model: nn.Module | Callable[[], nn.Module], data: FashionMNIST, *, epochs: int,
        batch_size: int = 128, lr: float = 0.05, momentum: float = 0.9, nesterov: bool = True,
        weight_decay: float = 5e-4, schedule: str = "onecycle", label_smoothing: float = 0.0,
        resize: int | None = None, normalize: bool = True, augment: str = "none",
        flip_tta: bool = False, channels_last: bool | None = None, amp: bool | None = None,
        device: torch.device | str | None = None,
        seed: int = 0, progress: bool | None = None, log: bool = True) -> History:
    """Train ``model`` with SGD on ``data`` and return its :class:`History`.

    ``model`` is a network, or a function without arguments that builds one: then
    ``seed`` also fixes the initial weights, and the network is ``History.model``.
    ``fit`` leaves no global state changed: PyTorch's random generators are
    restored on return (every random draw of training comes from ``seed``), as
    are cuDNN's settings, the model's train/eval mode and its memory format. The
    model is moved to ``device`` and stays there, with its trained weights.

    Args:
        epochs: passes over the training set.
        batch_size: images per step; the last incomplete batch is dropped.
        lr: the learning rate (the peak rate with ``schedule="onecycle"``).
        momentum, nesterov, weight_decay: of ``torch.optim.SGD`` (Nesterov
            momentum by default; d2l uses plain momentum).
        schedule: ``"constant"`` (d2l's) or ``"onecycle"`` (see :func:`lr_factor`).
        label_smoothing: of the cross-entropy loss.
        resize: side of the square images the model sees (``None``: 28).
        normalize: subtract the mean, divide by the standard deviation.
        augment: ``"none"``, ``"flip"`` (mirror half of each batch) or
            ``"flip-crop"`` (also shift by up to 2 pixels), done on the device.
        flip_tta: evaluate on each test image and its mirror image.
        channels_last: run convolutions on NHWC tensors. Default: on CUDA only,
            since PyTorch's CPU kernels for it can crash with one thread (see
            ``tests/test_known_crashes.py``).
        amp: bf16 autocast; by default on for CUDA, off elsewhere.
        device: where to train; by default :func:`resnotes.pick_device`.
        seed: fixes the batch order, the augmentation, dropout and every other
            random draw during training, and the initial weights when ``model``
            is a function.
        progress: show a progress bar per epoch (default: unless
            ``$RESNOTES_PROGRESS=0``).
        log: print one line per epoch.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if batch_size < 2:
        raise ValueError(f"batch_size must be >= 2 (BatchNorm needs two samples), got {batch_size}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if not 0 <= label_smoothing < 1:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    if schedule not in ("constant", "onecycle"):
        raise ValueError(f"schedule must be 'constant' or 'onecycle', got {schedule!r}")
    if augment not in AUGMENTATIONS:
        raise ValueError(f"augment must be one of {', '.join(AUGMENTATIONS)}, got {augment!r}")
    if nesterov and momentum <= 0:
        raise ValueError("nesterov=True needs momentum > 0; pass nesterov=False for plain SGD")
    if isinstance(model, nn.Module):
        net = model
    elif callable(model):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = model()
        if not isinstance(net, nn.Module):
            raise TypeError(f"the model function returned {type(net).__name__}, not an nn.Module")
    else:
        raise TypeError(f"model must be an nn.Module or a function that builds one, "
                        f"got {type(model).__name__}")
    if not any(True for _ in net.parameters()):
        raise ValueError(f"{type(net).__name__} has no parameters to train")
    dev = torch.device(device) if device is not None else pick_device()
    if channels_last is None:
        channels_last = dev.type == "cuda"
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    was_training = net.training
    # convert back afterwards only what fit converted
    restore_format = channels_last and not _is_channels_last(net)
    previous_benchmark = torch.backends.cudnn.benchmark
    fork_devices = [dev.index if dev.index is not None else torch.cuda.current_device()] \
        if dev.type == "cuda" else []
    net.to(dev)
    try:
        with torch.random.fork_rng(devices=fork_devices):
            torch.manual_seed(seed)  # dropout and any other draw inside the model
            if dev.type == "cuda" and not torch.are_deterministic_algorithms_enabled():
                torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick kernels
            if channels_last:
                net.to(memory_format=fmt)
            return train_loop(net, data, dev, fmt, epochs=epochs, batch_size=batch_size, lr=lr,
                          momentum=momentum, nesterov=nesterov, weight_decay=weight_decay,
                          schedule=schedule, label_smoothing=label_smoothing, resize=resize,
                          normalize=normalize, augment=augment, flip_tta=flip_tta, amp=amp,
                          seed=seed, progress=progress, log=log)
    finally:
        torch.backends.cudnn.benchmark = previous_benchmark
        if restore_format:
            net.to(memory_format=torch.contiguous_format)
        net.train(was_training)


def train_loop(model: nn.Module, data: FashionMNIST, dev: torch.device, fmt: torch.memory_format, *,
           epochs: int, batch_size: int, lr: float, momentum: float, nesterov: bool,
           weight_decay: float, schedule: str, label_smoothing: float, resize: int | None,
           normalize: bool, augment: str, flip_tta: bool, amp: bool | None, seed: int,
           progress: bool | None, log: bool) -> History:
    """The training loop of :func:`fit`, the one loop every chapter trains with.

    Call :func:`fit`, which checks the arguments, builds the network from its
    seed, and sets (and afterwards restores) the device, memory format and
    random state this loop relies on; the loop itself is shown in chapter 8.
    """
    x_train, y_train = data.train_images.to(dev), data.train_labels.to(dev)
    x_test, y_test = data.test_images.to(dev), data.test_labels.to(dev)
    n = len(x_train)
    batch_size = min(batch_size, n)
    steps_per_epoch = n // batch_size
    total_steps = epochs * steps_per_epoch
    order_gen = torch.Generator(device="cpu").manual_seed(seed)
    augment_gen = torch.Generator(device=dev).manual_seed(seed + 1_000_003)

    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                          weight_decay=weight_decay, nesterov=nesterov)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor(schedule, total_steps))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)

    hist = History(device=describe_device(dev), model=model)
    show = _progress_enabled(progress)
    if log:
        print(f"training on {hist.device}: {n:,} images, {steps_per_epoch} steps "
              f"of {batch_size} per epoch, {epochs} epochs", flush=True)
    elapsed = 0.0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n, generator=order_gen).to(dev)
        step_losses = torch.zeros(steps_per_epoch, device=dev)
        correct = torch.zeros((), dtype=torch.long, device=dev)
        bar = _progress_bar(steps_per_epoch, f"epoch {epoch + 1}/{epochs}", show)
        t0 = time.perf_counter()
        for s in range(steps_per_epoch):
            idx = order[s * batch_size:(s + 1) * batch_size]
            x = preprocess(x_train[idx], resize=resize, normalize=normalize)
            x = apply_augmentation(x, augment, augment_gen).contiguous(memory_format=fmt)
            y = y_train[idx]
            hist.step_lr.append(opt.param_groups[0]["lr"])
            with _autocast(dev, amp):
                out = model(x)
                loss = loss_fn(out.float(), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step_losses[s] = loss.detach()
            correct += (out.argmax(1) == y).sum()
            if bar is not None:
                bar.update(1)
        losses = step_losses.tolist()  # the epoch's one read (and device sync)
        elapsed += time.perf_counter() - t0
        if bar is not None:
            bar.close()
        seen = steps_per_epoch * batch_size
        hist.images_seen += seen
        hist.train_loss.append(sum(losses) / len(losses))
        hist.train_acc.append(correct.item() / seen)
        hist.seconds.append(elapsed)
        hist.step_loss += losses
        hist.step_epoch += [epoch + (s + 1) / steps_per_epoch for s in range(steps_per_epoch)]
        hist.test_acc.append(evaluate(model, x_test, y_test, resize=resize, normalize=normalize,
                                      flip_tta=flip_tta, amp=amp))
        if log:
            print(f"epoch {epoch + 1}/{epochs}  loss {hist.train_loss[-1]:.3f}  "
                  f"train acc {hist.train_acc[-1]:.3f}  test acc {hist.test_acc[-1]:.3f}  "
                  f"{elapsed:.1f} s  {hist.images_seen / elapsed:.0f} img/s", flush=True)
    return hist
