"""A small numpy deep-learning kit: layers, losses, optimisers, training, summaries, gradient checks.

Every layer follows one convention (see :mod:`helpers.nn.core`)::

    out = layer.forward(x)      # caches what backward needs
    dx = layer.backward(dout)   # fills layer.grads (same keys as layer.params)

Build a model, train it, read the history::

    import numpy as np
    from helpers import nn

    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(64, 128, rng=rng), nn.ReLU(), nn.Linear(128, 10, rng=rng, init="glorot"))
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=1e-3), X_train, y_train,
                     epochs=30, batch_size=32, rng=rng, validation_data=(X_val, y_val))
    history.val_accuracy[-1], history.best_epoch
    print(nn.summary(model, (64,)))
    print(nn.format_check(nn.check_layer_gradients(model, X_train[:4], rng)))

Modules: core (Module; argument checks are in helpers.validation), init, layers, activations, normalization, conv,
pooling, containers, recurrent, models (build_mlp, build_lstm), losses, optim, schedules, metrics
(incl. confusion_matrix, class_scores), train, recipes (train_network, choose_on_grid), summary, gradcheck.
"""

from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .containers import Concat, Residual, Sequential
from .conv import Conv2D, conv_output_size
from .core import Module
from .gradcheck import check_layer_gradients, format_check, numerical_gradient, relative_error
from .layers import Dropout, Flatten, Linear
from .losses import BinaryCrossEntropy, Loss, MeanSquaredError, SoftmaxCrossEntropy, log_softmax, sigmoid, softmax
from .metrics import ClassScores, accuracy, class_scores, confusion_matrix, predicted_labels
from .models import build_lstm, build_mlp
from .normalization import BatchNorm1D, BatchNorm2D
from .optim import SGD, Adam, Optimizer, clip_grad_norm, global_grad_norm
from .pooling import AvgPool2D, GlobalAvgPool2D, MaxPool2D, PoolOverTime
from .recipes import GridChoice, TrainingRun, choose_on_grid, train_network
from .recurrent import LSTM, RNN
from .schedules import CosineSchedule, StepSchedule
from .summary import Summary, count_params, receptive_field, summary
from .train import (EarlyStopping, History, TrainingDivergedError, evaluate, fit, predict, predict_labels,
                    predict_proba)

__all__ = [
    "Module", "Linear", "Flatten", "Dropout", "ReLU", "LeakyReLU", "Tanh", "Sigmoid",
    "BatchNorm1D", "BatchNorm2D", "Conv2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "PoolOverTime",
    "Sequential", "Residual", "Concat", "RNN", "LSTM",
    "Loss", "SoftmaxCrossEntropy", "BinaryCrossEntropy", "MeanSquaredError", "softmax", "log_softmax", "sigmoid",
    "Optimizer", "SGD", "Adam", "clip_grad_norm", "global_grad_norm", "StepSchedule", "CosineSchedule",
    "fit", "evaluate", "predict", "predict_proba", "predict_labels", "History", "EarlyStopping",
    "TrainingDivergedError", "accuracy", "predicted_labels", "confusion_matrix", "class_scores", "ClassScores",
    "build_mlp", "build_lstm",
    "summary", "Summary", "count_params", "receptive_field",
    "train_network", "TrainingRun", "choose_on_grid", "GridChoice",
    "check_layer_gradients", "numerical_gradient", "relative_error", "format_check", "conv_output_size",
]
