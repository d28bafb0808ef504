#!/usr/bin/env python3
"""Extract German–English sentence pairs (and short phrase pairs) from the Ding
dictionary file shipped in Debian's trans-de-en package.

Usage: ding-extract.py DING_FILE OUT_DIR [--test N] [--dev N] [--max-train N] [--seed S]

Standard library only. Output is deterministic: the order of groups is the SHA-256
of (seed, group key), never Python's random module or hash().

The Ding format: one entry per line, "German :: English". Each side is a list of
senses separated by " | " (the n-th German sense translates the n-th English one);
within a sense, alternatives are separated by "; ". Annotations: {f} {pl} {vt} …
(grammar), [Br.] [ugs.] [med.] … (usage/domain), (…) (comments or optional words),
<…> (alternative spellings kept for search), /ABC/ (abbreviations).
"""
import argparse
import hashlib
import os
import re
import sys
import unicodedata

SENT_END = re.compile(r'[.!?]["”’»«]?$')
CURLY = re.compile(r'\s*\{[^{}]*\}')
SQUARE = re.compile(r'\s*\[[^\[\]]*\]')
ANGLE = re.compile(r'\s*<[^<>]*>')
ABBREV = re.compile(r'\s*/[A-Za-z0-9 .]+/\s*$')
ALT_SPLIT = re.compile(r'(?<=[.!?])\s*;\s+')
PLACEHOLDER = re.compile(r'\b(jdm|jdn|jds|jd|etw|sb|sth|sb\'s|o\.\s?ä|usw|etc)\.', re.I)
# Characters that mean the text is not a single plain sentence.
BAD_CHARS = set('()[]{}<>/…|+=*#@~_\\')


def strip_annotations(s):
    """Remove {…} [..] <…> annotations and a trailing /ABBR/ marker."""
    prev = None
    while prev != s:
        prev = s
        s = CURLY.sub('', s)
        s = SQUARE.sub('', s)
        s = ANGLE.sub('', s)
    s = ABBREV.sub('', s)
    s = s.replace('\u00a0', ' ')
    s = re.sub(r'\s+', ' ', s).strip()
    # "word ." left behind by a removed annotation before the full stop
    s = re.sub(r'\s+([.!?,;:])', r'\1', s)
    return s


def normalise_quotes(s):
    # The dictionary mixes typographic (’) and ASCII (') apostrophes; fold both to the
    # ASCII one that people type, so duplicates collapse and models see one form.
    return s.replace('’', "'")


def words(s):
    return len(s.split())


def clean_sentence(s):
    s = strip_annotations(s)
    s = unicodedata.normalize('NFC', normalise_quotes(s))
    if not s or any(c in BAD_CHARS for c in s):
        return None
    if '...' in s or PLACEHOLDER.search(s):
        return None
    if not SENT_END.search(s):
        return None
    if not (3 <= words(s) <= 25):
        return None
    if not s[0].isupper() and not s[0] in '"„“‚‘»«¿¡' and not s[0].isdigit():
        return None
    return s


def clean_phrase(s):
    """A short phrase (no final punctuation): 2–6 words, no placeholders."""
    s = strip_annotations(s)
    s = unicodedata.normalize('NFC', normalise_quotes(s))
    if not s or any(c in BAD_CHARS for c in s) or ';' in s:
        return None
    if PLACEHOLDER.search(s) or SENT_END.search(s) or s.endswith((',', ':')):
        return None
    if not (2 <= words(s) <= 6):
        return None
    return s


def parse(path):
    """Yields (kind, german, english, line_number); kind is 'sent' or 'phrase'."""
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            parts = line.split(' :: ')
            if len(parts) != 2:
                continue
            de_senses = parts[0].split(' | ')
            en_senses = parts[1].split(' | ')
            if len(de_senses) != len(en_senses):
                continue
            for i, (de, en) in enumerate(zip(de_senses, en_senses)):
                de_raw, en_raw = strip_annotations(de), strip_annotations(en)
                if SENT_END.search(de_raw) and SENT_END.search(en_raw):
                    de_alts = ALT_SPLIT.split(de_raw)
                    en_alts = ALT_SPLIT.split(en_raw)
                    if len(de_alts) == len(en_alts):
                        pairs = zip(de_alts, en_alts)
                    elif len(de_alts) == 1 or len(en_alts) == 1:
                        pairs = [(d, e) for d in de_alts for e in en_alts]
                    else:
                        continue
                    for d, e in pairs:
                        d, e = clean_sentence(d), clean_sentence(e)
                        if d and e:
                            yield 'sent', d, e, lineno
                elif i > 0:
                    # Phrase senses after the headword sense: "eine stabile Regierung ::
                    # a stable government". Only unambiguous ones (no alternatives).
                    if ';' in de or ';' in en:
                        continue
                    d, e = clean_phrase(de), clean_phrase(en)
                    if d and e:
                        yield 'phrase', d, e, lineno


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def key(s):
    """Duplicate key: case-folded, punctuation and spaces dropped."""
    return ''.join(c for c in s.casefold() if c.isalnum())


def order(seed, k):
    return hashlib.sha256(f'{seed}\t{k}'.encode('utf-8')).hexdigest()


def write_tsv(path, pairs):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for d, e in pairs:
            f.write(f'{d}\t{e}\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('ding')
    ap.add_argument('out')
    ap.add_argument('--test', type=int, default=1000)
    ap.add_argument('--dev', type=int, default=1000)
    ap.add_argument('--max-train', type=int, default=0, help='0: no cap')
    ap.add_argument('--max-phrases', type=int, default=0, help='0: no cap')
    ap.add_argument('--seed', default='attention-lens-de-en-1')
    a = ap.parse_args()

    sents, phrases = [], []
    seen_s, seen_p = set(), set()
    for kind, d, e, _ in parse(a.ding):
        k = (key(d), key(e))
        if kind == 'sent':
            if k not in seen_s:
                seen_s.add(k)
                sents.append((d, e))
        else:
            if k not in seen_p:
                seen_p.add(k)
                phrases.append((d, e))

    # Group pairs that share a German or an English side (after normalisation), so
    # no sentence of the test split appears, on either side, in training.
    uf = UnionFind()
    for d, e in sents:
        uf.union('de:' + key(d), 'en:' + key(e))
    groups = {}
    for d, e in sents:
        groups.setdefault(uf.find('de:' + key(d)), []).append((d, e))
    ordered = sorted(groups.items(), key=lambda kv: order(a.seed, kv[0]))

    test, dev, train = [], [], []
    for root, members in ordered:
        if len(test) < a.test:
            test.append(members[0])      # one reference per source sentence
        elif len(dev) < a.dev:
            dev.append(members[0])
        else:
            train.extend(members)
    n_train_all = len(train)
    if a.max_train and len(train) > a.max_train:
        train = train[:a.max_train]     # already in hashed order: a deterministic sample

    # Phrases: drop any whose German or English side is a held-out sentence's key, then
    # order by hash.
    held = {key(d) for d, _ in test + dev} | {key(e) for _, e in test + dev}
    phrases = [p for p in phrases if key(p[0]) not in held and key(p[1]) not in held]
    phrases.sort(key=lambda p: order(a.seed, key(p[0]) + '\t' + key(p[1])))
    n_phr_all = len(phrases)
    if a.max_phrases and len(phrases) > a.max_phrases:
        phrases = phrases[:a.max_phrases]

    os.makedirs(a.out, exist_ok=True)
    write_tsv(os.path.join(a.out, 'train.tsv'), train)
    write_tsv(os.path.join(a.out, 'dev.tsv'), dev)
    write_tsv(os.path.join(a.out, 'test.tsv'), test)
    write_tsv(os.path.join(a.out, 'phrases.tsv'), phrases)
    print(f'sentence pairs (deduplicated): {len(sents)} in {len(groups)} groups', file=sys.stderr)
    print(f'train {len(train)} (of {n_train_all}), dev {len(dev)}, test {len(test)}', file=sys.stderr)
    print(f'phrases {len(phrases)} (of {n_phr_all})', file=sys.stderr)


if __name__ == '__main__':
    main()
