"""helpers.synthetic.audio: the seeded music-clip generator and the log-mel features."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
from scipy import signal

from helpers.synthetic import audio
from helpers.synthetic.audio import GENRES, TEMPO_RANGES, Clips, make_clip, make_clips


@pytest.fixture(scope="module")
def clips() -> Clips:
    return make_clips(23, np.random.default_rng(0), duration=1.5)


# ----------------------------------------------------------------------------- generator
def test_same_seed_same_clips_other_seed_other_clips(clips):
    again = make_clips(23, np.random.default_rng(0), duration=1.5)
    for name in ("audio", "labels", "tempo", "key"):
        np.testing.assert_array_equal(getattr(clips, name), getattr(again, name), err_msg=name)
    other = make_clips(23, np.random.default_rng(1), duration=1.5)
    assert not np.array_equal(clips.audio, other.audio)
    one = make_clip("jazz", np.random.default_rng(5), tempo=120.0)
    np.testing.assert_array_equal(one, make_clip("jazz", np.random.default_rng(5), tempo=120.0))


def test_shapes_dtypes_and_repr(clips):
    assert clips.audio.shape == (23, 12000) and clips.audio.dtype == np.float64
    assert clips.labels.shape == (23,) and clips.labels.dtype == np.int64
    assert clips.tempo.shape == (23,) and clips.key.shape == (23,)
    assert clips.sample_rate == 8000 and clips.duration == pytest.approx(1.5) and len(clips) == 23
    assert clips.class_names == GENRES == ("rock", "electronic", "jazz", "classical", "hip-hop")
    assert repr(clips) == "Clips(23 clips of 1.5 s at 8000 Hz, 5 genres)"
    assert make_clip("rock", np.random.default_rng(0), sample_rate=11025, duration=2.0).shape == (22050,)
    assert np.isfinite(clips.audio).all()


def test_labels_balanced_and_shuffled(clips):
    counts = np.bincount(clips.labels, minlength=5)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 23
    many = make_clips(40, np.random.default_rng(3), duration=0.5)
    assert (np.bincount(many.labels) == 8).all()
    assert len(set(many.labels[:10].tolist())) > 1, "labels must be shuffled, not in blocks"


def test_tempo_key_and_level(clips):
    for label, tempo in zip(clips.labels, clips.tempo):
        lo, hi = TEMPO_RANGES[GENRES[label]]
        assert lo <= tempo <= hi
    assert ((0 <= clips.key) & (clips.key < 12)).all()
    rms = np.sqrt(np.mean(clips.audio ** 2, axis=1))
    assert (rms > 0.03).all() and (rms < 0.4).all()


def _flux(x: np.ndarray) -> np.ndarray:
    """Spectral flux of 10 ms log-mel frames: the summed rise of every band from one frame to the next."""
    S = audio.log_mel_spectrogram(x, 8000, hop=80)
    return np.maximum(np.diff(S, axis=0), 0).sum(axis=1)


def test_classical_has_no_drum_onsets():
    rng = np.random.default_rng(11)
    flux = {g: np.mean([_flux(make_clip(g, rng, noise=0.0)).mean() for _ in range(6)])
            for g in ("classical", "electronic", "hip-hop")}
    assert flux["classical"] < 0.7 * min(flux["electronic"], flux["hip-hop"]), flux


@pytest.mark.parametrize("tempo", [100.0, 125.0, 150.0])
def test_tempo_argument_sets_the_pulse(tempo):
    # electronic has a kick on every beat: the onset strength repeats at the beat period
    for seed in range(2):
        flux = _flux(make_clip("electronic", np.random.default_rng(seed), tempo=tempo, noise=0.0, duration=6.0))
        flux = flux - flux.mean()
        ac = np.correlate(flux, flux, "full")[len(flux) - 1:]
        lag = 25 + int(np.argmax(ac[25:80]))                        # 0.25-0.8 s in 10 ms frames
        assert abs(lag - 6000 / tempo) <= 1, (tempo, seed, lag)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(n=0), ValueError, r"^make_clips: n must be an integer in \[1, 100000\]; got 0$"),
    (dict(n=2.5), TypeError, r"^make_clips: n must be an integer in \[1, 100000\]; got 2.5 \(float\)$"),
    (dict(sample_rate=1000), ValueError, r"^make_clips: sample_rate must be an integer in \[4000, 48000\]; got 1000$"),
    (dict(duration=0.1), ValueError, r"^make_clips: duration must be a finite number in \[0.5, 10\]; got 0.1$"),
    (dict(duration=11.0), ValueError, r"^make_clips: duration must be a finite number in \[0.5, 10\]; got 11.0$"),
    (dict(noise=-0.1), ValueError, r"^make_clips: noise must be a finite number in \[0, 2\]; got -0.1$"),
    (dict(noise=float("nan")), ValueError, r"^make_clips: noise must be a finite number in \[0, 2\]; got nan$"),
])
def test_make_clips_validates_parameters(kwargs, error, message):
    args = {"n": 5, **kwargs}
    with pytest.raises(error, match=message):
        make_clips(args.pop("n"), np.random.default_rng(0), **args)


def test_make_clip_validates_parameters():
    with pytest.raises(ValueError, match=r"^make_clip: genre must be one of 'rock', .*; got 'polka'$"):
        make_clip("polka", np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^make_clip: tempo must be a finite number in \[40, 240\]; got 300.0$"):
        make_clip("rock", np.random.default_rng(0), tempo=300.0)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        make_clip("rock", 0)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        make_clips(3, np.random.RandomState(0))


def test_parameters_are_documented():
    for fn in (make_clip, make_clips, audio.power_spectrogram, audio.mel_filterbank, audio.log_mel_spectrogram):
        doc = inspect.getdoc(fn)
        for name in inspect.signature(fn).parameters:
            assert name in doc, f"{fn.__name__}: parameter {name!r} is not documented"
    assert "shape" in inspect.getdoc(make_clip) and "shape" in inspect.getdoc(audio.log_mel_spectrogram)


# ----------------------------------------------------------------------------- features
def test_mel_scale_round_trip_and_htk_values():
    f = np.array([0.0, 100.0, 700.0, 1000.0, 4000.0])
    np.testing.assert_allclose(audio.mel_to_hz(audio.hz_to_mel(f)), f, atol=1e-9)
    assert audio.hz_to_mel(700.0) == pytest.approx(2595 * np.log10(2))
    assert audio.hz_to_mel(1000.0) == pytest.approx(1000.0, abs=0.1)   # HTK: 1000 Hz is about 1000 mel


def test_mel_filterbank_shape_rows_and_partition_of_unity():
    sr, n_fft, n_mels, fmin = 8000, 512, 24, 30.0
    M = audio.mel_filterbank(n_mels, n_fft, sr, fmin)
    assert M.shape == (n_mels, n_fft // 2 + 1)
    assert M.min() >= 0 and M.max() <= 1 + 1e-12
    assert (M.sum(axis=1) > 0).all(), "no empty filter"
    edges = audio.mel_to_hz(np.linspace(audio.hz_to_mel(fmin), audio.hz_to_mel(sr / 2), n_mels + 2))
    bins = np.arange(n_fft // 2 + 1) * sr / n_fft
    inside = (bins >= edges[1]) & (bins <= edges[-2])
    np.testing.assert_allclose(M[:, inside].sum(axis=0), 1.0, atol=1e-12)
    assert (M[:, bins < edges[0]] == 0).all() and (M[:, bins > edges[-1]] == 0).all()
    # a row's sum is about its base width over the bin spacing: (f_{m+1} - f_{m-1}) / 2 / (sr / n_fft)
    expected = (edges[2:] - edges[:-2]) / 2 / (sr / n_fft)
    np.testing.assert_allclose(M.sum(axis=1)[4:], expected[4:], rtol=0.1)
    # peaks are in increasing order (filters sorted by centre frequency)
    assert (np.diff(M.argmax(axis=1)) >= 0).all()


@pytest.mark.parametrize("freq", [200.0, 440.0, 1000.0, 2500.0])
def test_pure_tone_peaks_in_its_mel_band(freq):
    sr, n_mels, fmin = 8000, 24, 30.0
    t = np.arange(sr) / sr
    S = audio.log_mel_spectrogram(np.sin(2 * np.pi * freq * t), sr, n_mels=n_mels, fmin=fmin)
    centres = audio.mel_to_hz(np.linspace(audio.hz_to_mel(fmin), audio.hz_to_mel(sr / 2), n_mels + 2))[1:-1]
    band = int(np.argmax(S.mean(axis=0)))
    assert band in np.argsort(np.abs(centres - freq))[:2], (band, centres[band])


def test_power_spectrogram_matches_scipy_stft():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3000))
    P = audio.power_spectrogram(x, n_fft=256, hop=100)
    assert P.shape == (2, 1 + (3000 - 256) // 100, 129)
    _, _, Z = signal.stft(x, window="hann", nperseg=256, noverlap=156, boundary=None, padded=False,
                          detrend=False, return_onesided=True)
    ref = np.abs(Z * signal.get_window("hann", 256).sum()) ** 2
    np.testing.assert_allclose(P, np.moveaxis(ref, -1, -2), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(audio.hann(256), signal.get_window("hann", 256), atol=1e-15)


def test_log_mel_shape_and_floor():
    x = np.zeros((3, 8000))
    S = audio.log_mel_spectrogram(x, 8000, n_mels=20, hop=400, floor=1e-6)
    assert S.shape == (3, 1 + (8000 - 512) // 400, 20)
    np.testing.assert_allclose(S, np.log(1e-6))


@pytest.mark.parametrize("call, owner, name", [
    (lambda: audio.mel_filterbank(0, 512, 8000), "mel_filterbank", "n_mels"),
    (lambda: audio.mel_filterbank(24, 8, 8000), "mel_filterbank", "n_fft"),
    (lambda: audio.mel_filterbank(24, 512, 8000, fmin=5000.0), "mel_filterbank", "fmin"),
    (lambda: audio.mel_filterbank(24, 512, 8000, fmax=9000.0), "mel_filterbank", "fmax"),
    (lambda: audio.power_spectrogram(np.zeros(1000), 512, 0), "power_spectrogram", "hop"),
    (lambda: audio.power_spectrogram(np.zeros(100), 512, 100), "power_spectrogram", "x"),
    (lambda: audio.log_mel_spectrogram(np.zeros(1000), 8000, floor=0.0), "log_mel_spectrogram", "floor"),
])
def test_feature_parameters_are_validated(call, owner, name):
    with pytest.raises(ValueError, match=rf"^{owner}: {name} must"):
        call()
    with pytest.raises(ValueError, match="fmin must be below fmax"):
        audio.mel_filterbank(24, 512, 8000, fmin=2000.0, fmax=1000.0)


# ----------------------------------------------------------------------------- order as the label
def test_order_pairs_swap_the_same_two_halves():
    rng = np.random.default_rng(3)
    first, second = rng.standard_normal((3, 800)), rng.standard_normal((3, 800))
    audio_, labels = audio.order_pairs(first, second)
    assert audio_.shape == (6, 800) and labels.tolist() == [0, 1] * 3 and labels.dtype == np.int64
    for i in range(3):
        np.testing.assert_array_equal(audio_[2 * i], np.r_[first[i, :400], second[i, 400:]])
        np.testing.assert_array_equal(audio_[2 * i + 1], np.r_[second[i, 400:], first[i, :400]])
    assert audio.ORDERS[0] != audio.ORDERS[1]


def test_order_pairs_hold_the_same_frames_but_the_one_at_the_splice(clips):
    # halves of 12 hops: every frame inside a half is in both versions, so order-free summaries agree
    n_fft, hop = 256, 200
    x = clips.audio[:2, :24 * hop]
    pair, _ = audio.order_pairs(x[:1], x[1:])
    S = audio.log_mel_spectrogram(pair, clips.sample_rate, n_fft=n_fft, hop=hop, n_mels=16)
    T = S.shape[1]
    inside = [t for t in range(T) if t * hop + n_fft <= 12 * hop or t * hop >= 12 * hop]
    assert len(inside) == T - 1
    assert sorted(map(tuple, np.round(S[0, inside], 9))) == sorted(map(tuple, np.round(S[1, inside], 9)))
    assert not np.allclose(S[0], S[1])


def test_order_pairs_refuse_mismatched_or_odd_clips():
    with pytest.raises(ValueError, match="same shape"):
        audio.order_pairs(np.zeros((2, 10)), np.zeros((3, 10)))
    with pytest.raises(ValueError, match="even number of samples"):
        audio.order_pairs(np.zeros((2, 11)), np.zeros((2, 11)))
