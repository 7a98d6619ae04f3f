from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from resnotes import evaluate, fit, plot_history, preprocess, resnet18
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
    hist = fit(resnet18(width=4), data, epochs=1, batch_size=32, lr=0.05, momentum=0.0,
               weight_decay=0.0, schedule="constant", resize=96, progress=False, log=False)
    assert hist.epochs == 1 and 0.0 <= hist.final_test_acc <= 1.0


def test_progress_bar_and_log_line(fashion, capsys: pytest.CaptureFixture[str]) -> None:
    fit(resnet18(width=4), fashion.subset(64, 32), epochs=1, batch_size=32, progress=True, log=True,
        device="cpu")
    out = capsys.readouterr().out
    assert "training on cpu" in out and "epoch 1/1" in out and "test acc" in out and "img/s" in out
