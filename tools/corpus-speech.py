#!/usr/bin/env python3
"""Synthesise English speech for the built-in speech recognizer (Whisper, 16 kHz).

Usage: corpus-speech.py OUT_DIR [--train N] [--dev N] [--test N] [--phrases N]
                        [--dev-voices N] [--variants N] [--jobs J]
                        [--corpus data/corpora/de-en] [--seed S]
                        [--max-words W] [--max-seconds S]
       corpus-speech.py --samples OUT_DIR       (the app's examples, data/samples/)

Needs (Debian): espeak-ng, flite, sox; python3 (standard library only).

Sentences are the English side of the de-en corpus: the train split's sentences for
`train`, dev's for `dev`, test's for `test`, so no test sentence is heard in training.
Each utterance gets a voice (flite for 30 % of utterances, espeak-ng for the rest), a speaking rate (130–200 words per minute), a pitch (espeak
30–70; flite ±20 % of the voice's mean F0), then sox converts it to 16 kHz mono and adds
reverberation to 60 % of the utterances (sox `reverb`, reverberance 10–70 %, room scale
20–100 %), and Python adds white or pink noise at an SNR of 15–30 dB to 80 % of them
(noise from a seeded generator). Everything is drawn from random.Random seeded with
(seed, split, index): the same arguments give the same audio, byte for byte, with the
same espeak-ng/flite/sox versions.

Voices (engine:name). HELD OUT (test only, never in train or dev):
  every espeak-ng voice with the accent en-029 (Caribbean),
  every espeak-ng voice with the variant +m7 or +f5,
  flite rms.
All other combinations are the training voices (train and dev): espeak-ng accents en-us,
en-gb, en-gb-scotland, en-gb-x-rp, en-gb-x-gbclan, en-gb-x-gbcwmd with no variant or
+m1…+m6, +f1…+f4, and flite kal, kal16, awb, slt.

--dev-voices N adds a split `dev-voices` of N dev sentences spoken by voices that neither
training nor test uses: espeak-ng's accent en-us-nyc (plain, +m1…+m6, +f1…+f4, +m8,
+linda, +steph) and the six training accents with the variants +m8, +linda or +steph
(espeak-ng only: flite has no voice left over). It measures, without reading test, how
well a model does on voices it has not heard, for decisions such as augmentation.

--phrases N adds a fourth split, `phrases`, of N training-voice utterances of the
English side of the corpus's phrases.tsv (dictionary phrases of 2–6 words, each phrase at
most once while N is below their number; a phrase that equals a dev or test sentence,
compared in lower case without punctuation, is left out): more words and more distinct
utterances for training, read through a recipe's "extra_train".

--variants N adds a split `variants` of N utterances of training sentences spoken by the
training accents with the espeak-ng variants that no other split uses (EXTRA_VARIANTS:
not the training, dev-voices or held-out ones, nor the robotic, whispered or "Demonic"
ones): training data with more voices. Give it its own OUT_DIR (with --train 0 --dev 0
--test 0), since manifest.tsv and conditions.tsv list only the utterances of one run.

Sentences longer than --max-words words are left out (0: no limit), and an utterance
longer than --max-seconds (0: no limit) is spoken again faster (its rate scaled by the
excess, +5 %, at most 4 times), so that every file fits the recognizer's window.

Output: OUT_DIR/SPLIT/NNNNNN.wav and OUT_DIR/SPLIT.tsv for each split asked for, with
"path TAB transcript TAB voice" (what `attn-cli train` and `attn-cli eval` read; path
relative to OUT_DIR), OUT_DIR/manifest.tsv with
"path TAB transcript TAB voice TAB split" (path relative to OUT_DIR, transcript exactly
the corpus sentence) and OUT_DIR/conditions.tsv with "path TAB rate TAB pitch TAB reverb
TAB noise" (how each file was made).
"""
import argparse
import array
import concurrent.futures
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import wave

ESPEAK_ACCENTS = ['en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-gb-x-gbclan',
                  'en-gb-x-gbcwmd', 'en-029']
ESPEAK_VARIANTS = [''] + [f'+m{i}' for i in range(1, 8)] + [f'+f{i}' for i in range(1, 6)]
FLITE_VOICES = {'kal': 105.0, 'kal16': 105.0, 'awb': 110.0, 'rms': 100.0, 'slt': 170.0}
HELD_OUT_ACCENTS = {'en-029'}
HELD_OUT_VARIANTS = {'+m7', '+f5'}
HELD_OUT_FLITE = {'rms'}
# voices of the dev-voices split: in neither training nor test
DEV_VOICE_ACCENTS = ['en-us-nyc']
DEV_VOICE_VARIANTS = ['+m8', '+linda', '+steph']
FLITE_SHARE = 0.3
# More espeak-ng variants for the `variants` split: every one that neither training, dev-voices
# (nor steph's other two) nor test uses, but for the robotic, whispered and "Demonic" ones.
EXTRA_VARIANTS = ['+adam', '+Alex', '+Alicia', '+Andrea', '+Andy', '+Annie', '+antonio', '+aunty',
                  '+belinda', '+benjamin', '+boris', '+caleb', '+david', '+Denis', '+Diogo', '+ed',
                  '+edward', '+edward2', '+Gene', '+Gene2', '+gustave', '+announcer', '+Henrique',
                  '+Hugo', '+iven', '+iven2', '+iven3', '+iven4', '+Jacky', '+john', '+kaukovalta',
                  '+Lee', '+marcelo', '+Marco', '+Mario', '+max', '+Michael', '+michel', '+miguel',
                  '+Mike', '+Nguyen', '+pablo', '+paul', '+pedro', '+quincy', '+RicishayMax',
                  '+RicishayMax2', '+RicishayMax3', '+rob', '+robert', '+Storm', '+Tweaky', '+zac',
                  '+anika', '+AnxiousAndy', '+fast', '+grandpa', '+klatt', '+klatt2', '+klatt3',
                  '+klatt4', '+klatt5', '+klatt6', '+norbert', '+sandro', '+shelby', '+travis',
                  '+victor', '+croak', '+grandma']


def voices():
    train, held = [], []
    for acc in ESPEAK_ACCENTS:
        for var in ESPEAK_VARIANTS:
            v = f'espeak-ng:{acc}{var}'
            (held if acc in HELD_OUT_ACCENTS or var in HELD_OUT_VARIANTS else train).append(v)
    for name in FLITE_VOICES:
        (held if name in HELD_OUT_FLITE else train).append(f'flite:{name}')
    return train, held


def dev_voices():
    train, _ = voices()
    out = [f'espeak-ng:{acc}{var}' for acc in DEV_VOICE_ACCENTS
           for var in [v for v in ESPEAK_VARIANTS if v not in HELD_OUT_VARIANTS] + DEV_VOICE_VARIANTS]
    out += [f'espeak-ng:{acc}{var}' for acc in ESPEAK_ACCENTS if acc not in HELD_OUT_ACCENTS
            for var in DEV_VOICE_VARIANTS]
    assert not set(out) & set(train)
    return out


def variant_voices():
    """The training accents with the extra variants: voices no other split uses."""
    out = [f'espeak-ng:{acc}{var}' for acc in ESPEAK_ACCENTS if acc not in HELD_OUT_ACCENTS
           for var in EXTRA_VARIANTS]
    train, held = voices()
    taken = set(train) | set(held) | set(dev_voices())
    assert not set(out) & taken
    assert not {v for v in EXTRA_VARIANTS if v.startswith('+steph') or v.startswith('+linda')}
    return out


def read_sentences(path, max_words=0):
    with open(path, encoding='utf-8') as f:
        sents = [line.rstrip('\n').split('\t')[1] for line in f if '\t' in line]
    return [s for s in sents if max_words <= 0 or len(s.split()) <= max_words]


def normalised(text):
    return ' '.join(''.join(ch if ch.isalnum() or ch.isspace() else ' '
                            for ch in text.lower().replace("'", '').replace('’', '')).split())


def read_phrases(corpus):
    """The English phrases of corpus/phrases.tsv that are not a dev or test sentence."""
    held = {normalised(s) for split in ('dev', 'test')
            for s in read_sentences(os.path.join(corpus, f'{split}.tsv'))}
    seen, out = set(), []
    for s in read_sentences(os.path.join(corpus, 'phrases.tsv')):
        key = normalised(s)
        if key and key not in held and key not in seen:
            seen.add(key)
            out.append(s)
    return out


def wav_seconds(path):
    with wave.open(path, 'rb') as w:
        return w.getnframes() / float(w.getframerate())


def synth(voice, text, rate, pitch, out_wav, word_gap=0):
    """word_gap: espeak-ng's pause between words (-g, 10 ms units; flite has none)."""
    engine, name = voice.split(':', 1)
    spoken = text.replace('’', "'").replace('‘', "'").replace('“', '"').replace('”', '"')
    if engine == 'espeak-ng':
        gap = ['-g', str(word_gap)] if word_gap else []
        cmd = ['espeak-ng', '-v', name, '-s', str(rate), '-p', str(pitch)] + gap + ['-w', out_wav, spoken]
    else:
        f0 = FLITE_VOICES[name] * (1.0 + 0.4 * (pitch - 50) / 40.0)   # 30…70 → ±20 %
        cmd = ['flite', '-voice', name, '--setf', f'duration_stretch={175.0 / rate:.3f}',
               '--setf', f'int_f0_target_mean={f0:.1f}', '-t', spoken, '-o', out_wav]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sox_convert(in_wav, out_wav, reverb):
    # -D: no dither, -R: repeatable random numbers (sox dithers with fresh noise otherwise).
    cmd = ['sox', '-q', '-V1', '-D', '-R', in_wav, '-r', '16000', '-c', '1', '-b', '16', out_wav]
    if reverb:
        reverberance, room = reverb
        # reverberance %, HF damping %, room scale %, stereo depth %, pre-delay ms, wet gain dB
        cmd += ['reverb', str(reverberance), '50', str(room), '100', '0', '-3']
    # Trim leading/trailing silence below -50 dB is not done: engines' pauses are kept.
    cmd += ['gain', '-n', '-3']
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def add_noise(path, kind, snr_db, rng):
    with wave.open(path, 'rb') as w:
        params = w.getparams()
        pcm = array.array('h', w.readframes(params.nframes))
    if sys.byteorder == 'big':
        pcm.byteswap()
    n = len(pcm)
    if n == 0:
        return
    sig_power = sum(x * x for x in pcm) / n
    noise = [0.0] * n
    if kind == 'white':
        for i in range(n):
            noise[i] = rng.gauss(0.0, 1.0)
    else:
        # Pink noise: Paul Kellet's economy filter over white noise.
        b0 = b1 = b2 = 0.0
        for i in range(n):
            x = rng.gauss(0.0, 1.0)
            b0 = 0.99765 * b0 + x * 0.0990460
            b1 = 0.96300 * b1 + x * 0.2965164
            b2 = 0.57000 * b2 + x * 1.0526913
            noise[i] = b0 + b1 + b2 + x * 0.1848
    noise_power = sum(v * v for v in noise) / n
    scale = math.sqrt(sig_power / (noise_power * 10.0 ** (snr_db / 10.0))) if noise_power > 0 else 0.0
    out = array.array('h', (max(-32768, min(32767, int(round(x + scale * v)))) for x, v in zip(pcm, noise)))
    if sys.byteorder == 'big':
        out.byteswap()
    with wave.open(path, 'wb') as w:
        w.setparams(params)
        w.writeframes(out.tobytes())


def make_one(job):
    out_dir, rel, text, voice, seed, max_seconds = job
    rng = random.Random(seed)
    rate = rng.randint(130, 200)
    pitch = rng.randint(30, 70)
    reverb = (rng.randint(10, 70), rng.randint(20, 100)) if rng.random() < 0.6 else None
    noise = (rng.choice(['white', 'pink']), round(rng.uniform(15.0, 30.0), 1)) if rng.random() < 0.8 else None
    final = os.path.join(out_dir, rel)
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, 'raw.wav')
        for _ in range(5):
            synth(voice, text, rate, pitch, raw)
            sox_convert(raw, final, reverb)
            seconds = wav_seconds(final)
            if max_seconds <= 0 or seconds <= max_seconds:
                break
            # Too long for the window: speak faster, by the excess and 5 % more.
            rate = int(math.ceil(rate * seconds / max_seconds * 1.05))
    if noise:
        add_noise(final, noise[0], noise[1], rng)
    cond = (f'{rel}\t{rate}\t{pitch}\t'
            + (f'reverberance={reverb[0]},room={reverb[1]}' if reverb else 'none') + '\t'
            + (f'{noise[0]}@{noise[1]}dB' if noise else 'none'))
    return rel, text, voice, cond


def plan(sentences, n, pool, split, seed, max_seconds):
    rng = random.Random(f'{seed}\t{split}\tplan')
    idx = list(range(len(sentences)))
    rng.shuffle(idx)
    jobs = []
    for i in range(n):
        text = sentences[idx[i % len(idx)]]
        # Choose the engine first (flite 30 %), then a voice of that engine, so that the
        # few flite voices are not drowned by espeak-ng's many variants.
        engine = 'flite:' if rng.random() < FLITE_SHARE else 'espeak-ng:'
        of_engine = [v for v in pool if v.startswith(engine)] or pool   # one engine only
        voice = of_engine[rng.randrange(len(of_engine))]
        jobs.append((f'{split}/{i:06d}.wav', text, voice, f'{seed}\t{split}\t{i}', max_seconds))
    return jobs


# Fixed examples for data/samples/: held-out voices, test sentences, light conditions.
SAMPLES = [
    # voice, rate, pitch, reverb (reverberance, room) or None, noise (kind, SNR dB) or None
    ('espeak-ng:en-029+m7', 150, 45, None, None),
    ('flite:rms', 160, 50, (30, 50), None),
    ('espeak-ng:en-gb-x-rp+f5', 140, 60, None, ('pink', 25.0)),
    ('espeak-ng:en-us+m7', 170, 40, (40, 70), ('white', 30.0)),
]


def make_samples(out_dir, corpus, seed):
    """Writes sample-N.wav and samples.tsv (file TAB transcript TAB voice TAB conditions):
    short test sentences (5–8 words) spoken by held-out voices."""
    sents = [s for s in read_sentences(os.path.join(corpus, 'test.tsv')) if 5 <= len(s.split()) <= 8]
    rng = random.Random(f'{seed}\tsamples')
    picked = rng.sample(sents, len(SAMPLES))
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'samples.tsv'), 'w', encoding='utf-8', newline='\n') as f:
        for i, ((voice, rate, pitch, reverb, noise), text) in enumerate(zip(SAMPLES, picked), 1):
            name = f'sample-{i}.wav'
            final = os.path.join(out_dir, name)
            with tempfile.TemporaryDirectory() as tmp:
                raw = os.path.join(tmp, 'raw.wav')
                synth(voice, text, rate, pitch, raw)
                sox_convert(raw, final, reverb)
            if noise:
                add_noise(final, noise[0], noise[1], random.Random(f'{seed}\tsample\t{i}'))
            cond = (f'rate={rate},pitch={pitch},'
                    + (f'reverberance={reverb[0]},room={reverb[1]}' if reverb else 'no reverb') + ','
                    + (f'{noise[0]} noise at {noise[1]} dB SNR' if noise else 'no noise'))
            f.write(f'{name}\t{text}\t{voice}\t{cond}\n')


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--corpus', default=os.path.join(os.path.dirname(here), 'data', 'corpora', 'de-en'))
    ap.add_argument('--train', type=int, default=20000)
    ap.add_argument('--dev', type=int, default=500)
    ap.add_argument('--test', type=int, default=1000)
    ap.add_argument('--phrases', type=int, default=0,
                    help='utterances of the corpus\'s dictionary phrases (training voices)')
    ap.add_argument('--dev-voices', type=int, default=0,
                    help='utterances of dev sentences by voices neither training nor test uses')
    ap.add_argument('--variants', type=int, default=0,
                    help='utterances of training sentences by the training accents with espeak-ng '
                         'variants no other split uses (training data)')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--seed', default='attention-lens-speech-1')
    ap.add_argument('--max-words', type=int, default=0,
                    help='leave out sentences of more words (0: no limit)')
    ap.add_argument('--max-seconds', type=float, default=0.0,
                    help='speak an utterance faster until it is at most this long (0: no limit)')
    ap.add_argument('--first', type=int, default=0,
                    help='start every split at this index (the files before it are kept as they '
                         'are: utterance i is the same whatever the counts, so a corpus grows '
                         'by running again with a larger count and --first at the old count); '
                         'the TSVs then list the new files only')
    ap.add_argument('--samples', action='store_true',
                    help='write only the few fixed examples of data/samples/ into OUT_DIR')
    a = ap.parse_args()
    if a.samples:
        make_samples(a.out, a.corpus, a.seed)
        return

    train_voices, held_voices = voices()
    jobs = []
    for split, n, pool in (('train', a.train, train_voices), ('dev', a.dev, train_voices),
                           ('test', a.test, held_voices), ('phrases', a.phrases, train_voices),
                           ('dev-voices', a.dev_voices, dev_voices()),
                           ('variants', a.variants, variant_voices())):
        if n <= 0:
            continue
        os.makedirs(os.path.join(a.out, split), exist_ok=True)
        if split == 'phrases':
            sents = read_phrases(a.corpus)
        else:
            base = 'train' if split == 'variants' else split.split("-")[0]
            sents = read_sentences(os.path.join(a.corpus, f'{base}.tsv'), a.max_words)
        jobs += [(a.out,) + job for job in plan(sents, n, pool, split, a.seed, a.max_seconds)[a.first:]]

    t0 = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for r in ex.map(make_one, jobs):
            results.append(r)
    dt = time.monotonic() - t0

    with open(os.path.join(a.out, 'manifest.tsv'), 'w', encoding='utf-8', newline='\n') as m, \
         open(os.path.join(a.out, 'conditions.tsv'), 'w', encoding='utf-8', newline='\n') as c:
        for rel, text, voice, cond in results:
            split = rel.split('/', 1)[0]
            m.write(f'{rel}\t{text}\t{voice}\t{split}\n')
            c.write(cond + '\n')
    for split in ('train', 'dev', 'test', 'phrases', 'dev-voices', 'variants'):
        rows = [r for r in results if r[0].startswith(split + '/')]
        if not rows:
            continue
        with open(os.path.join(a.out, f'{split}.tsv'), 'w', encoding='utf-8', newline='\n') as f:
            for rel, text, voice, _ in rows:
                f.write(f'{rel}\t{text}\t{voice}\n')
    print(f'corpus-speech: {len(results)} utterances in {dt:.1f} s with {a.jobs} jobs '
          f'({len(train_voices)} training voices, {len(held_voices)} held-out voices)', file=sys.stderr)


if __name__ == '__main__':
    main()
