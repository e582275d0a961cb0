"""Synthetic music clips of five genres (seeded, documented) and log-mel features in numpy.

No music data ships with the workbook (the usual benchmark, GTZAN, is 1.2 GB of copyrighted
recordings), so this module *synthesises* short clips from sines and noise bursts. They are far
simpler than recordings: a handful of idealised instruments, exact tempo, no vocals, no mixing
or mastering, no production styles that blur genre lines. Accuracies on them say nothing about
real genre classification; what carries over is *how* a sequence model and a time-averaged
("bag-of-frames") model differ in what they can use.

The genres (:data:`GENRES`, in label order)
------------------------------------------
Every clip is in 4/4 time. What differs by genre is mainly *rhythm and tempo* (the drum and bass
patterns), then harmony and the likely instruments. Tempo ranges (beats per minute) are in
:data:`TEMPO_RANGES`.

==========  ===========  ====================================================================
genre       tempo (bpm)  patterns
==========  ===========  ====================================================================
rock        108-140      kick on beats 1 and 3 (half the clips also on the "and" of 3), snare
                         on 2 and 4, hi-hat (or ride) eighths; chords either palm-muted in
                         eighths or ringing for a whole bar (power chords on a distorted
                         guitar, triads on the other instruments); bass on the root in eighths;
                         progressions such as I-bVII-IV-I.
electronic  120-132      "four-on-the-floor" kick on every beat, clap on 2 and 4 (80 %),
                         off-beat open hi-hats or sixteenth closed hats, bass on the off-beats
                         or in rolling sixteenths, minor chords held (pad) or as off-beat
                         stabs, optional square-wave arpeggio in sixteenths.
jazz        100-170      swing (off-beats at 60-70 % of the beat): ride cymbal "ding,
                         ding-da-ding", hi-hat pedal on 2 and 4, random snare ghost notes;
                         walking bass in quarter notes; seventh chords (ii-V-I-VI) comped at
                         random, mostly on swung off-beats.
classical   60-96        no drums: triads that change every two beats, held by strings or
                         arpeggiated in eighths on a piano, a held or pizzicato bass, a legato
                         step-wise string melody with vibrato, a slow swell in loudness.
hip-hop     80-98        "boom-bap": one of four sparse, syncopated kick patterns, snare on 2
                         and 4, lightly swung hi-hat eighths (75 %), a bass note under every
                         kick (mostly a long sine "808" sub bass), a looped seventh chord every
                         two beats, vinyl crackle (50 %).
==========  ===========  ====================================================================

Timbre is deliberately *shared* between genres: the chord instrument of each clip is drawn from
one pool (:data:`INSTRUMENTS`: piano, electric piano, strings, synth, organ, distorted guitar)
with genre-dependent probabilities, the bass sound from :data:`BASSES` likewise, and the drum
sounds (kick pitch and decay, snare tone and noise, hi-hat decay) from the same ranges for every
genre. Per-clip randomness (all from the ``numpy.random.Generator`` passed in): key (any of 12
roots), tempo (uniform in the genre's range, or given), start offset within the bar, which
optional parts play and how loud (gains uniform over a factor of about 2), distortion drive,
swing ratio, a random spectral tilt of the whole mix (a crude "recording" colour:
``|X(f)| * (1 + f / 1000 Hz) ** alpha`` with ``alpha`` uniform in [-0.8, 0.4]), a random overall
level (+-6 dB) and white background noise whose standard deviation is a uniform fraction in
``[0, noise]`` of the clip's RMS. Labels are balanced (counts differ by at most one) and shuffled.
The same generator state gives the same clips.

A variant where the order is the label (:func:`order_pairs`)
------------------------------------------------------------
Two clips (say a rock clip and a classical one) give two new clips made of the *same two halves*:
the first half of one followed by the second half of the other (label 0), and the same halves the
other way round (label 1). Both classes hold exactly the same sounds; only their order differs.
When the half length is a whole number of hops, every frame that lies inside one half appears in
both versions, so any summary of the frames that ignores their order (means, spreads, a histogram)
is the same for both classes, up to the one frame that straddles the splice: an order-free model
is at chance by construction, while a sequence model can use the order.

Features
--------
:func:`power_spectrogram` frames a signal (no padding), applies a periodic Hann window and takes
``|rfft|**2``; :func:`mel_filterbank` builds triangular filters equally spaced on the HTK mel
scale ``m = 2595 log10(1 + f / 700)``; :func:`log_mel_spectrogram` combines them,
``log(P @ M.T + floor)``, with shape (n_clips, n_frames, n_mels).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_choice, check_float, check_int, check_memory, check_rng

#: The genre classes, in label order.
GENRES: tuple[str, ...] = ("rock", "electronic", "jazz", "classical", "hip-hop")

#: Tempo range (beats per minute) from which each genre's clips draw their tempo.
TEMPO_RANGES: dict[str, tuple[float, float]] = {
    "rock": (108.0, 140.0),
    "electronic": (120.0, 132.0),
    "jazz": (100.0, 170.0),
    "classical": (60.0, 96.0),
    "hip-hop": (80.0, 98.0),
}

SAMPLE_RATE = 8000          # default sample rate (Hz)
DURATION = 3.0              # default clip length (s)
#: Memory of rendering one clip, in clip-sized float64 arrays (instruments, effects; measured below 60).
_RENDER_CLIPS_ALIVE = 64
_TAIL = 2.0                 # longest sound (s) allowed to ring past its bar


@dataclass(frozen=True)
class Clips:
    """Labelled audio clips.

    Attributes
    ----------
    audio : ndarray of float64, shape (n, n_samples)
        Waveforms, RMS about 0.1 (times a random level of +-6 dB).
    labels : ndarray of int64, shape (n,)
        Genre index into ``class_names``.
    tempo : ndarray of float64, shape (n,)
        Tempo of each clip in beats per minute.
    key : ndarray of int64, shape (n,)
        Root note of each clip as a pitch class (0 = C, ..., 11 = B).
    sample_rate : int
    class_names : tuple of str
        ``GENRES``.
    """

    audio: np.ndarray
    labels: np.ndarray
    tempo: np.ndarray
    key: np.ndarray
    sample_rate: int
    class_names: tuple[str, ...] = GENRES

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def duration(self) -> float:
        """Clip length in seconds."""
        return self.audio.shape[1] / self.sample_rate

    def __repr__(self) -> str:
        return (f"Clips({len(self)} clips of {self.duration:g} s at {self.sample_rate} Hz, "
                f"{len(self.class_names)} genres)")


#: Class names of :func:`order_pairs`.
ORDERS: tuple[str, ...] = ("first clip's half first", "second clip's half first")

# ----------------------------------------------------------------------------- validation


def _check_genre(genre, owner: str) -> int:
    return GENRES.index(check_choice(genre, "genre", owner, GENRES))


# ----------------------------------------------------------------------------- sounds
def midi_to_hz(note) -> np.ndarray | float:
    """Frequency of a MIDI note number (69 = A4 = 440 Hz, 12 per octave)."""
    return 440.0 * 2.0 ** ((np.asarray(note, dtype=float) - 69.0) / 12.0)


def _decay(n: int, sr: int, tau: float, attack: float = 0.002) -> np.ndarray:
    """Linear attack over ``attack`` seconds, then exponential decay with time constant ``tau``."""
    t = np.arange(n) / sr
    return np.exp(-t / tau) * np.minimum(1.0, t / attack if attack > 0 else 1.0)


def _sustain(n: int, sr: int, attack: float, release: float) -> np.ndarray:
    """Linear attack, hold at 1, linear release at the end (a bowed or held note)."""
    t = np.arange(n) / sr
    end = n / sr
    return np.clip(np.minimum(t / max(attack, 1e-4), (end - t) / max(release, 1e-4)), 0.0, 1.0)


_TABLE_SIZE = 4096
_TABLES: dict[tuple, np.ndarray] = {}


def _table(weights: tuple[float, ...]) -> np.ndarray:
    """One period of sum_k w_k sin(2 pi k u), u in [0, 1), sampled at _TABLE_SIZE points (cached)."""
    if weights not in _TABLES:
        u = np.arange(_TABLE_SIZE) / _TABLE_SIZE
        k = np.arange(1, len(weights) + 1)
        _TABLES[weights] = np.sin(2 * np.pi * np.outer(u, k)) @ np.asarray(weights)
    return _TABLES[weights]


def _additive(freqs, seconds: float, sr: int, weights, rng, *, vibrato: float = 0.0,
              vibrato_rate: float = 5.5) -> np.ndarray:
    """Sum of harmonic series: for each fundamental f, sum_k w_k sin(k * phase(t)), phase(0) random.

    Harmonics at or above 0.45 * sr are left out (no aliasing). ``vibrato`` is the relative depth
    of a sinusoidal frequency modulation at ``vibrato_rate`` Hz. Computed by looking the phase up
    in a table of one period (wavetable synthesis), which is much faster than one sine per partial.
    """
    n = int(round(seconds * sr))
    t = np.arange(n) / sr
    weights = tuple(float(w) for w in weights)
    out = np.zeros(n)
    for f in np.atleast_1d(freqs):
        cycles = f * t + rng.uniform(0.0, 1.0)
        if vibrato > 0:
            cycles = cycles + vibrato * f / (2 * np.pi * vibrato_rate) * np.sin(
                2 * np.pi * vibrato_rate * t + rng.uniform(0, 2 * np.pi))
        k_max = max(1, min(len(weights), int(np.ceil(0.45 * sr / f)) - 1))
        index = (cycles * _TABLE_SIZE).astype(np.int64) % _TABLE_SIZE
        out += _table(weights[:k_max])[index]
    return out


def _saw(k_max: int, power: float = 1.0) -> np.ndarray:
    """Harmonic weights 1 / k**power, k = 1..k_max (power 1: sawtooth, larger: duller)."""
    return 1.0 / np.arange(1, k_max + 1) ** power


def _kick(sr: int, rng, *, f0: float = 110.0, f1: float = 45.0, tau: float = 0.12) -> np.ndarray:
    """Sine whose pitch falls from f0 to f1 (time constant 40 ms), exponential decay."""
    n = int(0.4 * sr)
    t = np.arange(n) / sr
    f0 *= rng.uniform(0.9, 1.1)
    phase = 2 * np.pi * (f1 * t + (f0 - f1) * 0.04 * (1 - np.exp(-t / 0.04)))
    return np.sin(phase) * _decay(n, sr, tau, 0.001)


def _noise_hit(sr: int, rng, *, tau: float, bright: int, seconds: float) -> np.ndarray:
    """White noise, differenced ``bright`` times (each tilts it up by 6 dB/octave), decaying."""
    n = int(seconds * sr)
    x = rng.standard_normal(n + bright)
    for _ in range(bright):
        x = np.diff(x)
    x /= np.sqrt(np.mean(x ** 2))
    return x * _decay(n, sr, tau, 0.001)


def _snare(sr: int, rng, *, tau: float = 0.08, body: float = 0.6) -> np.ndarray:
    n = int(0.35 * sr)
    t = np.arange(n) / sr
    tone = np.sin(2 * np.pi * rng.uniform(170, 220) * t) * _decay(n, sr, 0.05, 0.001)
    return 0.6 * _noise_hit(sr, rng, tau=tau, bright=1, seconds=0.35) + body * tone


def _hat(sr: int, rng, *, tau: float = 0.025) -> np.ndarray:
    return 0.35 * _noise_hit(sr, rng, tau=tau, bright=2, seconds=min(0.5, 8 * tau))


def _ride(sr: int, rng) -> np.ndarray:
    """Bright noise plus a few inharmonic partials, long decay (a ride cymbal's "ping")."""
    n = int(0.8 * sr)
    partials = [p for p in (2370.0, 2950.0, 3410.0, 3720.0) if p < 0.45 * sr] or [0.3 * sr]
    ping = np.zeros(n)
    t = np.arange(n) / sr
    for p in partials:
        ping += 0.15 * np.sin(2 * np.pi * p * rng.uniform(0.99, 1.01) * t + rng.uniform(0, 2 * np.pi))
    return (0.2 * _noise_hit(sr, rng, tau=0.3, bright=2, seconds=0.8) + ping) * _decay(n, sr, 0.35, 0.001)


def _clap(sr: int, rng) -> np.ndarray:
    """Three quick noise bursts then a short tail."""
    n = int(0.3 * sr)
    x = np.zeros(n)
    for d in (0.0, 0.011, 0.022):
        i = int(d * sr)
        burst = _noise_hit(sr, rng, tau=0.006 if d < 0.02 else 0.06, bright=1, seconds=0.3)
        x[i:] += 0.4 * burst[:n - i]
    return x


class _Canvas:
    """A buffer of ``seconds`` at ``sr``; :meth:`add` mixes a sound in at a time (s)."""

    def __init__(self, seconds: float, sr: int):
        self.sr = sr
        self.x = np.zeros(int(round(seconds * sr)))

    def add(self, sound: np.ndarray, at: float, gain: float = 1.0) -> None:
        i = int(round(at * self.sr))
        if i >= len(self.x) or i < 0:
            return
        j = min(len(self.x), i + len(sound))
        self.x[i:j] += gain * sound[:j - i]


# chord qualities as semitones above the root
_POWER, _MAJ, _MIN = (0, 7, 12), (0, 4, 7), (0, 3, 7)
_MIN7, _DOM7, _MAJ7 = (0, 3, 7, 10), (0, 4, 7, 10), (0, 4, 7, 11)

#: Harmony instruments (the pool every genre draws from) and each genre's probabilities over them.
INSTRUMENTS: tuple[str, ...] = ("piano", "e-piano", "strings", "synth", "organ", "guitar")
_HARMONY_POOL = {
    "rock": (0.15, 0.0, 0.0, 0.1, 0.15, 0.6),
    "electronic": (0.2, 0.15, 0.15, 0.5, 0.0, 0.0),
    "jazz": (0.5, 0.3, 0.1, 0.0, 0.1, 0.0),
    "classical": (0.3, 0.0, 0.7, 0.0, 0.0, 0.0),
    "hip-hop": (0.25, 0.35, 0.2, 0.1, 0.1, 0.0),
}
#: Bass sounds and each genre's probabilities over them.
BASSES: tuple[str, ...] = ("finger", "synth", "sub")
_BASS_POOL = {
    "rock": (0.6, 0.2, 0.2),
    "electronic": (0.2, 0.6, 0.2),
    "jazz": (0.8, 0.0, 0.2),
    "classical": (1.0, 0.0, 0.0),
    "hip-hop": (0.2, 0.2, 0.6),
}


def _note(instrument: str, notes, seconds: float, sr: int, rng, *, drive: float = 4.0) -> np.ndarray:
    """A note or chord (MIDI ``notes``) of ``seconds`` on a harmony instrument, envelope included."""
    freqs = midi_to_hz(np.atleast_1d(notes))
    n = int(round(seconds * sr))
    if instrument == "piano":
        tone = _additive(freqs, seconds, sr, _saw(8, 1.5), rng) * _decay(n, sr, 0.6, 0.003)
    elif instrument == "e-piano":
        tremolo = 1 + 0.25 * np.sin(2 * np.pi * 4.5 * np.arange(n) / sr)
        tone = _additive(freqs, seconds, sr, (1.0, 0.3, 0.08), rng) * tremolo * _decay(n, sr, 0.9, 0.005)
    elif instrument == "strings":
        tone = _additive(freqs, seconds, sr, _saw(10, 1.1), rng, vibrato=0.004) \
            * _sustain(n, sr, min(0.25, seconds / 3), min(0.15, seconds / 4))
    elif instrument == "synth":
        tone = _additive(freqs, seconds, sr, _saw(16), rng) * _sustain(n, sr, 0.01, 0.05)
    elif instrument == "organ":
        tone = _additive(freqs, seconds, sr, (1.0, 0.6, 0.0, 0.4, 0.0, 0.25, 0.0, 0.15), rng) * _sustain(n, sr, 0.01, 0.03)
    else:  # distorted guitar: sawtooth-like partials through tanh
        tone = _additive(freqs, seconds, sr, _saw(10), rng) * _decay(n, sr, 1.5, 0.003)
        tone = np.tanh(drive * 0.4 * tone) / np.tanh(drive)
    return tone / np.sqrt(len(freqs))


def _bass(kind: str, note: int, seconds: float, sr: int, rng) -> np.ndarray:
    """A bass note: plucked "finger" bass, filtered-sawtooth "synth" bass or a long sine "sub" (808)."""
    n = int(round(seconds * sr))
    f = midi_to_hz(note)
    if kind == "finger":
        return _additive(f, seconds, sr, (1.0, 0.5, 0.25, 0.1), rng) * _decay(n, sr, 0.35, 0.005)
    if kind == "synth":
        return 0.7 * _additive(f, seconds, sr, _saw(16, 1.2), rng) * _decay(n, sr, 0.15, 0.003)
    return 1.2 * _additive(f, seconds, sr, (1.0, 0.08), rng) * _decay(n, sr, 0.5, 0.01)


@dataclass
class _Kit:
    """One clip's drum sounds (drawn once per clip, as a drum machine or a sampled kit)."""

    kick: np.ndarray
    snare: np.ndarray
    hat: np.ndarray
    open_hat: np.ndarray
    ride: np.ndarray
    clap: np.ndarray

    @classmethod
    def draw(cls, sr: int, rng) -> "_Kit":
        return cls(kick=_kick(sr, rng, f0=rng.uniform(85, 135), f1=rng.uniform(40, 55), tau=rng.uniform(0.1, 0.2)),
                   snare=_snare(sr, rng, tau=rng.uniform(0.06, 0.14), body=rng.uniform(0.2, 0.9)),
                   hat=_hat(sr, rng, tau=rng.uniform(0.015, 0.045)), open_hat=_hat(sr, rng, tau=rng.uniform(0.08, 0.15)),
                   ride=_ride(sr, rng), clap=_clap(sr, rng))


@dataclass
class _Setup:
    """Everything a genre's pattern needs about one clip."""

    canvas: _Canvas
    bars: int
    beat: float          # seconds per beat
    root: int            # pitch class 0..11
    harmony: str         # instrument from INSTRUMENTS
    bass: str            # sound from BASSES
    kit: _Kit
    rng: np.random.Generator


def _rock(s: _Setup) -> None:
    c, beat, rng, kit = s.canvas, s.beat, s.rng, s.kit
    prog = [(0, 10, 5, 0), (0, 5, 7, 5), (0, 7, 10, 5), (0, 3, 10, 5)][rng.integers(4)]
    low = 40 + s.root                                               # E2..D#3
    chord = _POWER if s.harmony == "guitar" else _MAJ
    drive = rng.uniform(3.0, 9.0)
    chug = rng.random() < 0.6
    g_harm, g_bass, g_drums = rng.uniform(0.5, 1.1), rng.uniform(0.4, 0.9), rng.uniform(0.7, 1.2)
    cymbal = kit.ride if rng.random() < 0.25 else kit.hat
    extra_kick = rng.random() < 0.5
    for b in range(s.bars):
        t0 = b * 4 * beat
        r = low + prog[b % 4]
        notes = [r + i + (12 if s.harmony != "guitar" else 0) for i in chord]
        if chug:
            for e in range(8):
                tone = _note(s.harmony, notes, 0.45 * beat, c.sr, rng, drive=drive)
                c.add(tone * _decay(len(tone), c.sr, 0.12), t0 + e * beat / 2, g_harm)
        else:
            c.add(_note(s.harmony, notes, 4 * beat, c.sr, rng, drive=drive), t0, g_harm)
        for e in range(8):
            c.add(_bass(s.bass, r - 12, 0.45 * beat, c.sr, rng), t0 + e * beat / 2, 0.5 * g_bass)
        for k in [0, 2] + ([2.5] if extra_kick else []):
            c.add(kit.kick, t0 + k * beat, g_drums)
        for q in (1, 3):
            c.add(kit.snare, t0 + q * beat, 0.8 * g_drums)
        for e in range(8):
            c.add(cymbal, t0 + e * beat / 2, 0.5 * g_drums * (1.0 if e % 2 == 0 else 0.7))


def _electronic(s: _Setup) -> None:
    c, beat, rng, kit = s.canvas, s.beat, s.rng, s.kit
    prog = [(0, 8, 3, 10), (0, 5, 8, 7), (0, 0, 8, 10)][rng.integers(3)]
    low = 36 + s.root
    g_kick, g_bass, g_harm = rng.uniform(0.8, 1.3), rng.uniform(0.5, 1.0), rng.uniform(0.2, 0.5)
    clap, hats16, rolling = rng.random() < 0.8, rng.random() < 0.5, rng.random() < 0.4
    stabs, arp = rng.random() < 0.4, rng.random() < 0.4
    for b in range(s.bars):
        t0 = b * 4 * beat
        r = low + prog[b % 4]
        for q in range(4):
            c.add(kit.kick, t0 + q * beat, g_kick)
        if clap:
            for q in (1, 3):
                c.add(kit.clap, t0 + q * beat, 0.7)
        if hats16:
            for x in range(16):
                c.add(kit.hat, t0 + x * beat / 4, 0.45 if x % 2 else 0.3)
        else:
            for q in range(4):
                c.add(kit.open_hat, t0 + (q + 0.5) * beat, 0.55)
        steps = [x / 4 for x in range(16) if x % 4 != 0] if rolling else [q + 0.5 for q in range(4)]
        length = beat / 4 if rolling else beat / 2
        for x in steps:
            c.add(_bass(s.bass, r, 0.95 * length, c.sr, rng), t0 + x * beat, 0.5 * g_bass)
        notes = [r + 24 + i for i in _MIN]
        if stabs:                                                    # chord stabs on the off-beats
            for q in range(4):
                tone = _note(s.harmony, notes, beat / 4, c.sr, rng)
                c.add(tone * _decay(len(tone), c.sr, 0.08), t0 + (q + 0.5) * beat, g_harm)
        else:                                                        # a held pad
            c.add(_note(s.harmony, notes, 4 * beat, c.sr, rng), t0, g_harm)
        if arp:
            for x in range(16):
                tone = _note("synth", r + 36 + (0, 3, 7, 12)[x % 4], beat / 4, c.sr, rng)
                c.add(tone * _decay(len(tone), c.sr, 0.05), t0 + x * beat / 4, 0.5 * g_harm)


def _jazz(s: _Setup) -> None:
    c, beat, rng, kit = s.canvas, s.beat, s.rng, s.kit
    swing = rng.uniform(0.6, 0.7)
    key = 43 + s.root                                               # bass register G2..F#3
    changes = [(2, _MIN7), (7, _DOM7), (0, _MAJ7), (9, _DOM7)]      # ii-V-I-VI
    per_chord = 4 if beat > 0.45 else 2                             # beats per chord
    g_ride, g_bass, g_harm = rng.uniform(0.3, 0.6), rng.uniform(0.6, 1.1), rng.uniform(0.3, 0.7)
    ghosts = rng.uniform(0.0, 0.35)
    for q in range(4 * s.bars):
        t = q * beat
        offset, quality = changes[(q // per_chord) % 4]
        chord_root = key + offset - 12 * ((key + offset) > 50)
        c.add(kit.ride, t, g_ride)                                  # ride: ding on every beat ...
        if q % 4 in (1, 3):
            c.add(kit.ride, t + swing * beat, 0.7 * g_ride)         # ... da on the swung off-beat of 2 and 4
            c.add(kit.hat, t, 0.35)                                 # hi-hat pedal on 2 and 4
        if rng.random() < ghosts:
            c.add(kit.snare, t + swing * beat, 0.12)
        step = [0, quality[1], quality[2], rng.choice([quality[3] - 12, 2, 5])][q % 4]   # walking bass
        note = chord_root + step
        c.add(_bass(s.bass, note - 12 if note > 48 else note, 0.95 * beat, c.sr, rng), t, 0.9 * g_bass)
        if rng.random() < 0.4:                                      # comping, mostly on swung off-beats
            when = t + (swing * beat if rng.random() < 0.6 else 0.0)
            c.add(_note(s.harmony, [chord_root + 12 + i for i in quality], 0.9, c.sr, rng), when, g_harm)


def _classical(s: _Setup) -> None:
    c, beat, rng = s.canvas, s.beat, s.rng
    minor = rng.random() < 0.5
    triad = _MIN if minor else _MAJ
    prog = [(0, triad), (5, triad), (7, _MAJ), (0, triad)] if rng.random() < 0.5 else \
           [(0, triad), (8, _MAJ) if minor else (9, _MIN), (5, triad), (7, _MAJ)]
    low = 36 + s.root
    pizz = rng.random() < 0.35
    g_harm, g_mel = rng.uniform(0.3, 0.6), rng.uniform(0.2, 0.45)
    scale = [0, 2, 3, 5, 7, 8, 11, 12] if minor else [0, 2, 4, 5, 7, 9, 11, 12]
    for q in range(0, 4 * s.bars, 2):                               # a chord every two beats
        t = q * beat
        offset, quality = prog[(q // 2) % 4]
        voices = [low + 12 + offset + quality[1], low + 12 + offset + quality[2]]
        if s.harmony == "piano":                                    # arpeggiated (Alberti-like) eighths
            pattern = [low + 12 + offset, voices[1] + 12, voices[0] + 12, voices[1] + 12]
            for e in range(4):
                c.add(_note("piano", pattern[e], beat, c.sr, rng), t + e * beat / 2, 0.7 * g_harm)
        else:
            c.add(_note("strings", voices, 2 * beat, c.sr, rng), t, g_harm)
        if pizz:
            for h in range(2):
                c.add(_bass("finger", low + offset, beat, c.sr, rng), t + h * beat, 0.6 * g_harm)
        else:
            c.add(_note("strings", low + offset, 2 * beat, c.sr, rng), t, 0.8 * g_harm)
    t, degree = 0.0, int(rng.integers(2, 6))                        # a legato, step-wise melody
    while t < 4 * s.bars * beat:
        length = beat * (1.0 if rng.random() < 0.6 else 0.5) * (2 if rng.random() < 0.2 else 1)
        degree = int(np.clip(degree + rng.choice([-2, -1, -1, 0, 1, 1, 2]), 0, len(scale) - 1))
        c.add(_note("strings", low + 24 + scale[degree], length, c.sr, rng), t, g_mel)
        t += length
    swell = 1 + 0.5 * np.sin(2 * np.pi * np.arange(len(c.x)) / c.sr / rng.uniform(4, 8) + rng.uniform(0, 2 * np.pi))
    c.x *= swell


def _hiphop(s: _Setup) -> None:
    c, beat, rng, kit = s.canvas, s.beat, s.rng, s.kit
    swing = rng.uniform(0.5, 0.62)
    pattern = [(0.0, 1.75, 2.5), (0.0, 0.5, 2.25), (0.0, 2.0, 2.5), (0.0, 1.5, 2.75)][rng.integers(4)]
    low = 28 + s.root                                               # E1..D#2 (41-78 Hz)
    g_kick, g_snare, g_bass = rng.uniform(0.8, 1.3), rng.uniform(0.8, 1.3), rng.uniform(0.4, 0.9)
    hats, crackle = rng.random() < 0.75, rng.random() < 0.5
    g_harm = rng.uniform(0.2, 0.5)
    chords = [(0, _MIN7), (5, _MIN7), (8, _MAJ7), (7, _MIN7)]
    for b in range(s.bars):
        t0 = b * 4 * beat
        offset, quality = chords[b % 4]
        for k in pattern:
            c.add(kit.kick, t0 + k * beat, g_kick)
            c.add(_bass(s.bass, low + offset + (12 if s.bass != "sub" else 0), 1.2 * beat, c.sr, rng), t0 + k * beat, g_bass)
        for q in (1, 3):
            c.add(kit.snare, t0 + q * beat, 0.9 * g_snare)
        if hats:
            for q in range(4):
                c.add(kit.hat, t0 + q * beat, 0.3)
                c.add(kit.hat, t0 + (q + swing) * beat, 0.2)
        for half in range(2):                                       # a looped chord every two beats
            c.add(_note(s.harmony, [low + 24 + offset + i for i in quality], 2 * beat, c.sr, rng),
                  t0 + half * 2 * beat, g_harm)
    if crackle:
        c.x += 0.25 * (rng.random(len(c.x)) < 0.0015) * rng.standard_normal(len(c.x))


_RENDER = {"rock": _rock, "electronic": _electronic, "jazz": _jazz, "classical": _classical, "hip-hop": _hiphop}


def _render(genre: str, rng: np.random.Generator, tempo: float | None, sample_rate: int, duration: float,
            noise: float) -> tuple[np.ndarray, float, int]:
    lo, hi = TEMPO_RANGES[genre]
    tempo = rng.uniform(lo, hi) if tempo is None else tempo
    beat = 60.0 / tempo
    root = int(rng.integers(12))
    start = rng.uniform(0.0, 4 * beat)                                 # where in the bar the clip starts
    bars = int(np.ceil((start + duration) / (4 * beat))) + 1
    canvas = _Canvas(bars * 4 * beat + _TAIL, sample_rate)
    harmony = INSTRUMENTS[rng.choice(len(INSTRUMENTS), p=_HARMONY_POOL[genre])]
    bass = BASSES[rng.choice(len(BASSES), p=_BASS_POOL[genre])]
    _RENDER[genre](_Setup(canvas, bars, beat, root, harmony, bass, _Kit.draw(sample_rate, rng), rng))
    n = int(round(duration * sample_rate))
    i = int(round(start * sample_rate))
    x = canvas.x[i:i + n].copy()
    # recording colour: spectral tilt, level, background noise
    spectrum = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1.0 / sample_rate)
    spectrum *= (1.0 + f / 1000.0) ** rng.uniform(-0.8, 0.4)
    x = np.fft.irfft(spectrum, n)
    rms = np.sqrt(np.mean(x ** 2))
    x = x / max(rms, 1e-12) * 0.1 * 10 ** (rng.uniform(-6, 6) / 20)
    x += rng.uniform(0.0, noise) * np.sqrt(np.mean(x ** 2)) * rng.standard_normal(n)
    return x, tempo, root


def make_clip(genre: str, rng: np.random.Generator, *, tempo: float | None = None,
              sample_rate: int = SAMPLE_RATE, duration: float = DURATION, noise: float = 0.5) -> np.ndarray:
    """One clip of ``genre``; returns the waveform, shape (round(duration * sample_rate),).

    Parameters
    ----------
    genre : one of :data:`GENRES`
    rng : numpy.random.Generator
        The only source of randomness (key, start, mix, noise, and the tempo when not given).
    tempo : float in [40, 240] or None
        Beats per minute; None draws it uniformly from ``TEMPO_RANGES[genre]``.
    sample_rate : int in [4000, 48000], default 8000
    duration : float in [0.5, 10], default 3.0 (seconds)
    noise : float in [0, 2], default 0.5
        The background noise's standard deviation is uniform in [0, noise] times the clip's RMS.
    """
    _check_genre(genre, "make_clip")
    check_rng(rng, "make_clip")
    if tempo is not None:
        tempo = check_float(tempo, "tempo", "make_clip", low=40.0, high=240.0)
    sample_rate = check_int(sample_rate, "sample_rate", "make_clip", low=4000, high=48000)
    duration = check_float(duration, "duration", "make_clip", low=0.5, high=10.0)
    noise = check_float(noise, "noise", "make_clip", low=0.0, high=2.0)
    return _render(genre, rng, tempo, sample_rate, duration, noise)[0]


def make_clips(n: int, rng: np.random.Generator, *, sample_rate: int = SAMPLE_RATE, duration: float = DURATION,
               noise: float = 0.5) -> Clips:
    """``n`` labelled clips, the genres balanced (counts differ by at most one) and shuffled.

    Parameters
    ----------
    n : int in [1, 100000]
    rng : numpy.random.Generator
    sample_rate, duration, noise : as in :func:`make_clip`

    Returns
    -------
    Clips
        ``audio`` of shape (n, round(duration * sample_rate)); ``labels``, ``tempo``, ``key`` of shape (n,).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or outside its range; the message names it and the range.
    MemoryLimitError
        The clips would need more memory than the limit (see :mod:`helpers.validation`).
    """
    n = check_int(n, "n", "make_clips", low=1, high=100_000)
    check_rng(rng, "make_clips")
    sample_rate = check_int(sample_rate, "sample_rate", "make_clips", low=4000, high=48000)
    duration = check_float(duration, "duration", "make_clips", low=0.5, high=10.0)
    noise = check_float(noise, "noise", "make_clips", low=0.0, high=2.0)
    samples = int(round(duration * sample_rate))
    check_memory(8 * samples * (n + _RENDER_CLIPS_ALIVE), "make_clips",
                 f"{n} clips of {duration:g} s at {sample_rate} Hz", "n, duration or sample_rate")
    labels = rng.permutation(np.arange(n) % len(GENRES)).astype(np.int64)
    audio = np.empty((n, samples))
    tempo, key = np.empty(n), np.empty(n, dtype=np.int64)
    for i, label in enumerate(labels):
        audio[i], tempo[i], key[i] = _render(GENRES[label], rng, None, sample_rate, duration, noise)
    return Clips(audio=audio, labels=labels, tempo=tempo, key=key, sample_rate=sample_rate)


# ----------------------------------------------------------------------------- features
def order_pairs(first, second) -> tuple[np.ndarray, np.ndarray]:
    """Clips whose label is the order of two halves (see "A variant where the order is the label").

    Parameters
    ----------
    first, second : ndarray, shape (n, n_samples)
        Pairs of clips (row i of ``first`` with row i of ``second``); ``n_samples`` must be even.

    Returns
    -------
    audio : ndarray, shape (2n, n_samples)
        Row 2i: the first half of ``first[i]``, then the second half of ``second[i]``; row 2i + 1:
        the same two halves the other way round.
    labels : ndarray of int64, shape (2n,)
        0, 1, 0, 1, ... (index into :data:`ORDERS`).
    """
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if a.ndim != 2 or a.shape != b.shape or a.shape[0] < 1:
        raise ValueError(f"order_pairs: first and second must be clips of the same shape (n, n_samples); "
                         f"got {a.shape} and {b.shape}")
    n, samples = a.shape
    if samples % 2 or samples < 2:
        raise ValueError(f"order_pairs: clips need an even number of samples to be cut in halves; got {samples}")
    half = samples // 2
    head, tail = a[:, :half], b[:, half:]
    audio = np.empty((2 * n, samples))
    audio[0::2] = np.concatenate([head, tail], axis=1)
    audio[1::2] = np.concatenate([tail, head], axis=1)
    return audio, np.tile(np.array([0, 1], dtype=np.int64), n)


def hz_to_mel(f) -> np.ndarray:
    """HTK mel scale: ``m = 2595 log10(1 + f / 700)``."""
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=float) / 700.0)


def mel_to_hz(m) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`: ``f = 700 (10 ** (m / 2595) - 1)``."""
    return 700.0 * (10.0 ** (np.asarray(m, dtype=float) / 2595.0) - 1.0)


def hann(n_fft: int) -> np.ndarray:
    """Periodic Hann window ``w[n] = 0.5 - 0.5 cos(2 pi n / n_fft)``, n = 0..n_fft-1 (as scipy's 'hann')."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)


def power_spectrogram(x, n_fft: int = 512, hop: int = 400) -> np.ndarray:
    """Short-time power spectrum ``|rfft(w * frame)|**2`` of each frame.

    Frames start at 0, hop, 2 hop, ... and lie wholly inside the signal (no padding), so there are
    ``1 + (n_samples - n_fft) // hop`` of them.

    Parameters
    ----------
    x : ndarray, shape (..., n_samples)
    n_fft : int in [16, 8192], frame length
    hop : int in [1, n_fft], frame step

    Returns
    -------
    ndarray, shape (..., n_frames, n_fft // 2 + 1)
    """
    x = np.asarray(x, dtype=float)
    n_fft = check_int(n_fft, "n_fft", "power_spectrogram", low=16, high=8192)
    hop = check_int(hop, "hop", "power_spectrogram", low=1, high=n_fft)
    if x.shape[-1] < n_fft:
        raise ValueError(f"power_spectrogram: x must have at least n_fft = {n_fft} samples along its last axis; "
                         f"got {x.shape[-1]}")
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft, axis=-1)[..., ::hop, :]
    return np.abs(np.fft.rfft(frames * hann(n_fft), axis=-1)) ** 2


def mel_filterbank(n_mels: int, n_fft: int, sample_rate: int, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """Triangular filters equally spaced on the HTK mel scale.

    ``n_mels + 2`` edge frequencies ``f_0 < ... < f_{n_mels+1}`` are equally spaced in mel between
    ``fmin`` and ``fmax``; filter m (1-based) rises linearly from 0 at ``f_{m-1}`` to 1 at ``f_m``
    and falls to 0 at ``f_{m+1}``, evaluated at the FFT bin frequencies ``k * sample_rate / n_fft``.
    Between ``f_1`` and ``f_{n_mels}`` the filters sum to one at every bin (a partition of unity).

    Parameters
    ----------
    n_mels : int in [1, 256]
    n_fft : int in [16, 8192]
    sample_rate : int in [1000, 192000]
    fmin : float in [0, sample_rate / 2)
    fmax : float in (fmin, sample_rate / 2] or None (= sample_rate / 2)

    Returns
    -------
    ndarray, shape (n_mels, n_fft // 2 + 1)
    """
    n_mels = check_int(n_mels, "n_mels", "mel_filterbank", low=1, high=256)
    n_fft = check_int(n_fft, "n_fft", "mel_filterbank", low=16, high=8192)
    sample_rate = check_int(sample_rate, "sample_rate", "mel_filterbank", low=1000, high=192000)
    nyquist = sample_rate / 2
    fmin = check_float(fmin, "fmin", "mel_filterbank", low=0.0, high=nyquist)
    fmax = nyquist if fmax is None else check_float(fmax, "fmax", "mel_filterbank", low=0.0, high=nyquist)
    if not fmin < fmax:
        raise ValueError(f"mel_filterbank: fmin must be below fmax; got fmin={fmin}, fmax={fmax}")
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lower) / (centre - lower)
    falling = (upper - bins) / (upper - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None)


def log_mel_spectrogram(audio, sample_rate: int, *, n_fft: int = 512, hop: int = 400, n_mels: int = 24,
                        fmin: float = 30.0, fmax: float | None = None, floor: float = 1e-6) -> np.ndarray:
    """``log(P @ M.T + floor)``: log mel-band energies of every frame.

    Parameters
    ----------
    audio : ndarray, shape (n_samples,) or (n_clips, n_samples)
    sample_rate : int
    n_fft, hop : framing, as in :func:`power_spectrogram`
    n_mels, fmin, fmax : the filterbank, as in :func:`mel_filterbank`
    floor : float in [1e-30, 1], added before the log (keeps silent bands finite)

    Returns
    -------
    ndarray, shape (..., n_frames, n_mels)
    """
    floor = check_float(floor, "floor", "log_mel_spectrogram", low=1e-30, high=1.0)
    power = power_spectrogram(audio, n_fft, hop)
    return np.log(power @ mel_filterbank(n_mels, n_fft, sample_rate, fmin, fmax).T + floor)
