"""resnotes: the helper package of the resnotes book.

It holds what the chapters import and teach, one module per idea:

* :mod:`resnotes.identity_add`, :mod:`resnotes.projected_add`,
  :mod:`resnotes.scale`: the three operations of residual networks;
* :mod:`resnotes.blocks`: the residual blocks (``BasicBlock``, its parts
  passed in; ``Residual``, the source's interface to it; ``Bottleneck``;
  ``PreActBlock``) and the one stage builder (``make_stage``);
* :mod:`resnotes.resnet`: ``ResNet`` (stem, stages, head), ResNet-18 in d2l's layout
  and ResNet-50;
* :mod:`resnotes.depth`: plain and residual CIFAR-style nets of any depth, grown by
  identity blocks; :mod:`resnotes.probes`: per-layer gradient norms (chapters 1-2);
* :mod:`resnotes.shortcuts`: shortcut options A/B/C/D; :mod:`resnotes.flops`:
  multiply-accumulate counts; :mod:`resnotes.memory`: peak tensor memory;
  :mod:`resnotes.scaled_resnet`: residual nets with scaled branches (chapters 4-6);
* :mod:`resnotes.conv`: cross-correlation, output sizes, receptive fields;
  :mod:`resnotes.equivariance`: shift equivariance and invariance;
  :mod:`resnotes.lenet`: LeNet-5 (chapter 7); :mod:`resnotes.design`: depthwise-separable
  convolution and the input's range (chapter 8);
* :mod:`resnotes.data`: Fashion-MNIST, found offline and verified, and ``preprocess``;
* :mod:`resnotes.train`: the training loop; :mod:`resnotes.augment`: its augmentations;
  :mod:`resnotes.plot`: its figures;
* :mod:`resnotes.sizes`: smoke / book / full;
* :mod:`resnotes.records`: what each chapter ran, at which size, for how long;
* :mod:`resnotes.seeds`: one arm of an experiment over several seeds, and its spread;
  :mod:`resnotes.claims`: the text's conclusions checked against their data;
* :mod:`resnotes.summary`, :mod:`resnotes.display`, :mod:`resnotes.device`,
  :mod:`resnotes.diagrams`, :mod:`resnotes.checks`: helpers.

The book's tooling (run records, the data check, plain and student notebooks, grading) is in ``tools/`` and the
benchmarks' own code in ``benchmarks/``, beside the package: neither is installed.
"""

from .blocks import BasicBlock, Bottleneck, PreActBlock, Residual, basic_block, bottleneck_block, make_stage
from .conv import ReceptiveField, conv_output_size, cross_correlate2d, padding_only_weights, receptive_fields
from .equivariance import equivariance_error, invariance_error, shift
from .lenet import lenet5
from .design import DepthwiseSeparableConv2d, InputRange, separable_fraction
from .depth import CifarNet, PlainBlock, deepen, identity_plain_block_, plain_net, residual_net
from .data import CLASSES, DataError, FashionMNIST, load_fashion_mnist, preprocess
from .device import describe_device, pick_device
from .display import glue, show_source, source_of
from .identity_add import IdentityAdd, identity_add
from .plot import describe_history, plot_history, show_figure, use_book_style
from .probes import GradNorm, dataset_loss, gradient_norms
from .projected_add import ProjectedAdd, projected_add, projection
from .resnet import ResNet, from_torchvision_state_dict, resnet18, resnet50
from .scale import Scale
from .seeds import SeedRuns, Spread, over_seeds, plot_seeds, seed_table
from .claims import Claim, ClaimContradicted, Evidence, claim, compare
from .records import finish_chapter
from .flops import count_macs, macs_by_module
from .memory import MemoryReport, peak_memory
from .scaled_resnet import ScaledResidual, scaled_resnet
from .shortcuts import AvgPoolShortcut, ShortcutBlock, ZeroPadShortcut, make_shortcut, shortcut_resnet
from .sizes import chapter_settings, resolve_size
from .summary import LayerRow, count_parameters, layer_table
from .train import History, deterministic, evaluate, fit, predict

__version__ = "0.2.0"

__all__ = [
    "CifarNet", "GradNorm", "PlainBlock", "dataset_loss", "deepen", "gradient_norms",
    "identity_plain_block_", "plain_net",
    "residual_net",
    "CLASSES", "DataError", "FashionMNIST", "History", "IdentityAdd", "LayerRow",
    "ProjectedAdd", "ResNet", "Residual", "Scale", "chapter_settings",
    "count_parameters",
    "describe_device", "deterministic", "evaluate", "finish_chapter", "fit", "from_torchvision_state_dict", "glue", "identity_add",
    "layer_table", "load_fashion_mnist", "pick_device", "plot_history", "predict", "preprocess",
    "projected_add", "projection", "resnet18", "resolve_size", "show_source", "source_of",
    "ReceptiveField", "conv_output_size", "cross_correlate2d", "receptive_fields", "padding_only_weights",
    "equivariance_error", "invariance_error", "shift", "lenet5",
    "DepthwiseSeparableConv2d", "InputRange", "separable_fraction",
    "count_macs", "macs_by_module", "MemoryReport", "peak_memory", "ScaledResidual", "scaled_resnet",
    "AvgPoolShortcut", "ShortcutBlock", "ZeroPadShortcut", "make_shortcut", "shortcut_resnet",
    "BasicBlock", "basic_block", "make_stage", "Bottleneck", "PreActBlock", "bottleneck_block",
    "resnet50",
    "describe_history", "show_figure", "use_book_style",
    "SeedRuns", "Spread", "over_seeds", "plot_seeds", "seed_table",
    "Claim", "ClaimContradicted", "Evidence", "claim", "compare",
]
