#!/usr/bin/env python3
"""Builds a word-timing test set for the speech model: sentences spoken by espeak-ng with
a pause between words, so that each word's true span can be read off the audio.

Usage: corpus-speech-timing.py OUT_DIR [--dev N] [--test N] [--gap G] [--seed S]

espeak-ng's word gap (-g, in units of 10 ms at the default speed) separates the words by
silence; a word span is a stretch of sound between silences of at least MIN_PAUSE. A clip
is kept only when it splits into exactly as many spans as its transcript has words, and
when it fits the model's 4-second window. `dev` uses the de-en corpus's dev sentences and
the speech corpus's training voices (to choose alignment heads on); `test` its test
sentences and the held-out voices (to report). Only espeak-ng speaks (flite has no word
gap); no noise and no reverberation. Sentences whose words hold digits or hyphens are left
out: the synthesiser reads those as several words.

Output: OUT_DIR/{dev,test}/NNNNNN.wav and OUT_DIR/{dev,test}.tsv with
path<TAB>transcript<TAB>voice<TAB>spans, spans "start-end" in seconds, one per word, for
`attn-cli eval MODEL OUT_DIR/test.tsv --word-times-column 3`. Deterministic: the same
arguments and packages give the same files.
"""
import argparse
import array
import importlib.util
import os
import random
import sys
import tempfile
import wave

HOP = 160              # 10 ms at 16 kHz
THRESHOLD = 0.02       # a frame is sound when its peak passes 2 % of the clip's peak
MIN_PAUSE = 7          # frames of silence that separate two words
MAX_SECONDS = 4.0


def corpus_speech():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location('corpus_speech', os.path.join(here, 'corpus-speech.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def word_spans(path):
    """The spans of sound between pauses of MIN_PAUSE frames, in seconds."""
    with wave.open(path, 'rb') as w:
        rate = w.getframerate()
        pcm = array.array('h', w.readframes(w.getnframes()))
    if sys.byteorder == 'big':
        pcm.byteswap()
    peaks = [max((abs(v) for v in pcm[i:i + HOP]), default=0) for i in range(0, len(pcm), HOP)]
    top = max(peaks, default=0)
    if top == 0:
        return [], len(pcm) / rate
    sound = [p > THRESHOLD * top for p in peaks]
    spans, start, quiet = [], None, 0
    for i, s in enumerate(sound):
        if s:
            if start is None:
                start = i
            quiet = 0
            last = i
        elif start is not None:
            quiet += 1
            if quiet >= MIN_PAUSE:
                spans.append((start, last + 1))
                start = None
    if start is not None:
        spans.append((start, last + 1))
    sec = HOP / rate
    return [(a * sec, b * sec) for a, b in spans], len(pcm) / rate


def usable(sentence):
    words = sentence.split()
    return 3 <= len(words) <= 8 and not any(ch.isdigit() or ch == '-' for ch in sentence)


def make_split(cs, out, split, sentences, voices, n, gap, seed):
    rng = random.Random(f'{seed}\t{split}')
    order = list(range(len(sentences)))
    rng.shuffle(order)
    os.makedirs(os.path.join(out, split), exist_ok=True)
    rows, tried = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, 'raw.wav')
        for idx in order:
            if len(rows) == n:
                break
            text = sentences[idx]
            voice = voices[rng.randrange(len(voices))]
            rate, pitch = rng.randint(140, 180), rng.randint(35, 65)
            tried += 1
            rel = f'{split}/{len(rows):06d}.wav'
            final = os.path.join(out, rel)
            cs.synth(voice, text, rate, pitch, raw, word_gap=gap)
            cs.sox_convert(raw, final, None)
            spans, seconds = word_spans(final)
            if len(spans) != len(text.split()) or seconds > MAX_SECONDS:
                os.remove(final)
                continue
            rows.append((rel, text, voice, ' '.join(f'{a:.2f}-{b:.2f}' for a, b in spans)))
    with open(os.path.join(out, f'{split}.tsv'), 'w', encoding='utf-8', newline='\n') as f:
        for row in rows:
            f.write('\t'.join(row) + '\n')
    print(f'corpus-speech-timing: {split}: {len(rows)} clips kept of {tried} spoken', file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--corpus', default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                     'data', 'corpora', 'de-en'))
    ap.add_argument('--dev', type=int, default=150)
    ap.add_argument('--test', type=int, default=150)
    ap.add_argument('--gap', type=int, default=10, help="espeak-ng's word gap (-g)")
    ap.add_argument('--seed', default='attention-lens-speech-timing-1')
    a = ap.parse_args()
    cs = corpus_speech()
    train_voices, held_voices = cs.voices()
    for split, n, pool in (('dev', a.dev, train_voices), ('test', a.test, held_voices)):
        if n <= 0:
            continue
        sentences = [s for s in cs.read_sentences(os.path.join(a.corpus, f'{split}.tsv')) if usable(s)]
        espeak = [v for v in pool if v.startswith('espeak-ng:')]
        make_split(cs, a.out, split, sentences, espeak, n, a.gap, a.seed)


if __name__ == '__main__':
    main()
