from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import math

import pytest
import torch

from resnotes import evaluate, fit, plot_history, predict, preprocess, resnet18
from resnotes.train import MEAN, STD


def test_preprocess_scales_shifts_and_resizes() -> None:
    x = torch.tensor([[[0, 255]]], dtype=torch.uint8)
    out = preprocess(x, normalize=False)
    assert out.shape == (1, 1, 1, 2) and out.tolist() == [[[[0.0, 1.0]]]]
    assert torch.allclose(preprocess(x)[0, 0, 0], torch.tensor([(0 - MEAN) / STD, (1 - MEAN) / STD]))
    assert preprocess(torch.zeros(3, 28, 28, dtype=torch.uint8), resize=96).shape == (3, 1, 96, 96)
    with pytest.raises(TypeError, match="uint8"):
        preprocess(torch.zeros(1, 28, 28))


def test_fit_learns_on_real_data_and_records_history(fashion) -> None:
    data = fashion.subset(2048, 500)
    torch.manual_seed(0)
    net = resnet18(width=8)
    before = evaluate(net, data.test_images, data.test_labels)
    hist = fit(net, data, epochs=2, batch_size=64, lr=0.1, progress=False, log=False, device="cpu")
    assert hist.epochs == 2 and len(hist.test_acc) == 2 and len(hist.step_loss) == 2 * (2048 // 64)
    assert hist.step_epoch[-1] == pytest.approx(2.0)
    assert hist.train_loss[1] < hist.train_loss[0]
    assert hist.final_test_acc > max(0.5, before + 0.2)  # chance is 0.1
    assert hist.images_seen == 2 * 2048 and hist.images_per_second > 0
    fig = plot_history(hist, title="t")
    assert len(fig.axes) == 2


def test_fit_is_deterministic_on_cpu(fashion) -> None:
    data = fashion.subset(256, 100)
    runs = []
    for _ in range(2):
        torch.manual_seed(1)
        net = resnet18(width=4)
        runs.append(fit(net, data, epochs=1, batch_size=32, progress=False, log=False, device="cpu").step_loss)
    assert runs[0] == runs[1]


@pytest.mark.parametrize("kw, msg", [(dict(epochs=0), "epochs"), (dict(epochs=1, batch_size=1), "batch_size"),
                                      (dict(epochs=1, schedule="cosine"), "schedule"),
                                      (dict(epochs=1, lr=0.0), "lr"),
                                      (dict(epochs=1, label_smoothing=1.0), "label_smoothing")])
def test_fit_rejects_bad_arguments(fashion, kw: dict, msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        fit(resnet18(width=4), fashion.subset(64, 10), progress=False, log=False, **kw)


def test_evaluate_validates() -> None:
    net = resnet18(width=4)
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        evaluate(net, torch.zeros(3, 28, 28, dtype=torch.uint8), torch.zeros(2, dtype=torch.long))


def test_plot_history_refuses_empty() -> None:
    from resnotes import History

    with pytest.raises(ValueError, match="empty"):
        plot_history(History())


def test_full_size_code_path_runs_on_cpu(fashion) -> None:
    """The `full` settings (96x96, constant lr, plain SGD) on a few images: the path a GPU takes."""
    data = fashion.subset(64, 32)
    torch.manual_seed(0)
    net = resnet18(width=4)
    before = [p.detach().clone() for p in net.parameters()]
    hist = fit(net, data, epochs=1, batch_size=32, lr=0.05, momentum=0.0, nesterov=False,
               weight_decay=0.0, schedule="constant", resize=96, progress=False, log=False)
    assert hist.step_lr == [0.05, 0.05]  # constant: every step at lr
    assert all(not torch.equal(b, p) for b, p in zip(before, net.parameters()) if p.dim() == 4)
    # the accuracy fit reports is the model's accuracy on the 96x96 test images
    assert hist.final_test_acc == evaluate(net, data.test_images, data.test_labels, resize=96)


def test_onecycle_schedule_warms_up_peaks_and_decays_to_zero() -> None:
    from resnotes.train import lr_factor

    f = lr_factor("onecycle", 100)  # 25 warm-up steps
    assert f(0) == pytest.approx(1 / 25) and f(12) == pytest.approx(13 / 25)
    assert f(24) == 1.0 and f(25) == 1.0  # the peak: the last warm-up step and the first decay step
    assert f(62) == pytest.approx(0.5 * (1 + math.cos(math.pi * 37 / 75)))
    assert f(99) == pytest.approx(0.5 * (1 + math.cos(math.pi * 74 / 75))) and 0 < f(99) < 1e-3
    assert [f(i) for i in range(25, 100)] == sorted((f(i) for i in range(25, 100)), reverse=True)
    assert lr_factor("constant", 7)(6) == 1.0
    with pytest.raises(ValueError, match="schedule"):
        lr_factor("cosine", 10)


def test_fit_uses_the_schedule_it_documents(fashion) -> None:
    from resnotes.train import lr_factor

    hist = fit(resnet18(width=4), fashion.subset(256, 10), epochs=2, batch_size=32, lr=0.2,
               progress=False, log=False, device="cpu")
    f = lr_factor("onecycle", 16)
    assert hist.step_lr == pytest.approx([0.2 * f(i) for i in range(16)])
    assert max(hist.step_lr) == pytest.approx(0.2) and hist.step_lr.index(max(hist.step_lr)) == 3


def _tiny() -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8),
                               torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.AdaptiveAvgPool2d(1),
                               torch.nn.Flatten(), torch.nn.Linear(8, 10))


def test_one_seed_fixes_initialisation_batch_order_augmentation_and_dropout(fashion) -> None:
    data = fashion.subset(256, 32)

    def run(seed: int):  # type: ignore[no-untyped-def]
        torch.rand(17)  # the global generator's state must not matter
        return fit(_tiny, data, epochs=1, batch_size=32, augment="flip-crop", seed=seed,
                   progress=False, log=False, device="cpu")

    a, b, c = run(1), run(1), run(2)
    assert a.model is not None and b.model is not None and c.model is not None
    assert a.step_loss == b.step_loss
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))
    assert a.step_loss != c.step_loss
    assert not torch.equal(a.model[0].weight, c.model[0].weight)


def test_fit_leaves_global_state_as_it_found_it(fashion) -> None:
    net = _tiny().eval()
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    previous = torch.backends.cudnn.benchmark
    fit(net, fashion.subset(64, 16), epochs=1, batch_size=32, augment="flip", channels_last=True,
        progress=False, log=False, device="cpu")
    assert torch.equal(torch.rand(3), expected)  # the global random stream is untouched
    assert torch.backends.cudnn.benchmark == previous
    assert not net.training  # the caller's eval mode is back
    assert net[0].weight.is_contiguous()  # converted to channels_last for training, and back


def test_fit_rejects_nesterov_without_momentum_and_non_models(fashion) -> None:
    data = fashion.subset(64, 16)
    with pytest.raises(ValueError, match="nesterov=False"):
        fit(_tiny(), data, epochs=1, momentum=0.0, progress=False, log=False)
    with pytest.raises(TypeError, match="nn.Module"):
        fit(lambda: 3, data, epochs=1, progress=False, log=False)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="no parameters"):
        fit(torch.nn.Flatten(), data, epochs=1, progress=False, log=False)


def test_predict_on_a_model_without_parameters_uses_the_images_device() -> None:
    from resnotes.train import model_device

    class ArgMaxOfPixels(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.flatten(1)[:, :10]

    images = torch.zeros(4, 28, 28, dtype=torch.uint8)
    images[:, 0, 3] = 255
    assert predict(ArgMaxOfPixels(), images, normalize=False).tolist() == [3, 3, 3, 3]
    with pytest.raises(ValueError, match="no parameters or buffers"):
        model_device(torch.nn.Flatten())


def test_progress_bar_and_log_line(fashion, capsys: pytest.CaptureFixture[str]) -> None:
    fit(resnet18(width=4), fashion.subset(64, 32), epochs=1, batch_size=32, progress=True, log=True,
        device="cpu")
    out = capsys.readouterr().out
    assert "training on cpu" in out and "epoch 1/1" in out and "test acc" in out and "img/s" in out
