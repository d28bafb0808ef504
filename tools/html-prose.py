#!/usr/bin/env python3
"""Extract English prose paragraphs from DocBook-generated HTML books (Debian's
debian-handbook and debian-reference) and split them by document (page).

Usage: html-prose.py OUT_DIR --book NAME:DIR:GLOB [--book …] [--kjv FILE]
                      [--dev 0.1] [--test 0.1]

Standard library only. Keeps the text of <p> and <div class="para"> elements that are
not inside <pre>, <table>, program listings, screens, navigation headers or footers;
inline markup (<code>, <em>, links) is kept as its text. A paragraph is kept when it
has at least 8 words, ends in . ! ? : or ), and at least 60 % of its characters are
letters or spaces (drops command lines and file listings). Whitespace is normalised;
typographic quotes are kept. Output: OUT_DIR/{train,dev,test}.txt, one paragraph per
line, documents separated by one empty line, documents in hash order.

--kjv FILE reads the output of `bible -f gen1:1-rev22:21` (Debian's bible-kjv): lines
"Ge1:1 In the beginning …"; each book is one document and each chapter one paragraph
(its verses joined by spaces, references dropped).
"""
import argparse
import fnmatch
import hashlib
import html.parser
import os
import re
import sys

SKIP_TAGS = {'pre', 'table', 'script', 'style', 'head'}
SKIP_CLASSES = {'programlisting', 'screen', 'navheader', 'navfooter', 'toc', 'titlepage',
                'index', 'footnotes', 'literallayout', 'synopsis', 'cmdsynopsis',
                'docnav', 'legalnotice', 'revhistory', 'author', 'authorgroup'}
VOID = {'br', 'img', 'hr', 'meta', 'link', 'input', 'col', 'area', 'base', 'wbr'}


class Prose(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []          # (tag, skipping, is_para)
        self.skip = 0
        self.para = None         # list of text pieces while inside a paragraph
        self.para_depth = 0
        self.paras = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if tag == 'br' and self.para is not None:
                self.para.append(' ')
            return
        cls = set((dict(attrs).get('class') or '').split())
        skipping = tag in SKIP_TAGS or bool(cls & SKIP_CLASSES)
        is_para = (tag == 'p' or (tag == 'div' and 'para' in cls)) and self.para is None and not self.skip
        self.stack.append((tag, skipping, is_para))
        if skipping:
            self.skip += 1
        if is_para:
            self.para = []

    def handle_endtag(self, tag):
        # Pop to the matching tag (HTML from DocBook is well formed; be lenient anyway).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                break
        else:
            return
        while len(self.stack) > i:
            t, skipping, is_para = self.stack.pop()
            if skipping:
                self.skip -= 1
            if is_para and self.para is not None:
                self.paras.append(''.join(self.para))
                self.para = None

    def handle_data(self, data):
        if self.para is not None and not self.skip:
            self.para.append(data)


END = re.compile(r'[.!?:)]["”’]?$')


def good(p):
    if len(p.split()) < 8 or not END.search(p):
        return False
    letters = sum(1 for c in p if c.isalpha() or c == ' ')
    return letters >= 0.6 * len(p)


def paragraphs(path):
    with open(path, encoding='utf-8') as f:
        parser = Prose()
        parser.feed(f.read())
        parser.close()
    out = []
    for p in parser.paras:
        p = ' '.join(p.replace('\u00a0', ' ').split())
        if good(p):
            out.append(p)
    return out


KJV_LINE = re.compile(r'^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$')


def kjv_documents(path):
    books = {}
    order = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = KJV_LINE.match(line.rstrip('\n'))
            if not m:
                raise SystemExit(f'html-prose: unexpected line in {path}: {line[:60]!r}')
            book, chapter, text = m.group(1), int(m.group(2)), ' '.join(m.group(4).split())
            if book not in books:
                books[book] = {}
                order.append(book)
            books[book].setdefault(chapter, []).append(text)
    return [(f'kjv/{i + 1:02d}-{b}', [' '.join(books[b][c]) for c in sorted(books[b])])
            for i, b in enumerate(order)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--book', action='append', default=[], help='NAME:DIR:GLOB')
    ap.add_argument('--kjv', help='output of bible -f gen1:1-rev22:21')
    ap.add_argument('--dev', type=float, default=0.1)
    ap.add_argument('--test', type=float, default=0.1)
    ap.add_argument('--seed', default='attention-lens-english-1')
    a = ap.parse_args()

    docs = []
    for spec in a.book:
        name, d, glob = spec.split(':', 2)
        for fn in sorted(os.listdir(d)):
            if fnmatch.fnmatch(fn, glob):
                paras = paragraphs(os.path.join(d, fn))
                if paras:
                    docs.append((f'{name}/{fn}', paras))
    if a.kjv:
        docs.extend(kjv_documents(a.kjv))
    docs.sort(key=lambda dp: hashlib.sha256(f'{a.seed}\t{dp[0]}'.encode()).hexdigest())

    # Assign whole documents, in hash order, until each held-out split has its share
    # of the characters.
    total = sum(len(p) + 1 for _, ps in docs for p in ps)
    splits = {'test': [], 'dev': [], 'train': []}
    size = {'test': 0, 'dev': 0, 'train': 0}
    for doc in docs:
        n = sum(len(p) + 1 for p in doc[1])
        if size['test'] < a.test * total:
            s = 'test'
        elif size['dev'] < a.dev * total:
            s = 'dev'
        else:
            s = 'train'
        splits[s].append(doc)
        size[s] += n

    os.makedirs(a.out, exist_ok=True)
    for s, ds in splits.items():
        with open(os.path.join(a.out, f'{s}.txt'), 'w', encoding='utf-8', newline='\n') as f:
            f.write('\n\n'.join('\n'.join(ps) for _, ps in ds))
            f.write('\n')
        with open(os.path.join(a.out, f'{s}.docs'), 'w', encoding='utf-8', newline='\n') as f:
            for name, ps in ds:
                f.write(f'{name}\t{len(ps)}\n')
        words = sum(len(p.split()) for _, ps in ds for p in ps)
        print(f'{s}: {len(ds)} documents, {sum(len(ps) for _, ps in ds)} paragraphs, '
              f'{words} words, {size[s]} characters', file=sys.stderr)


if __name__ == '__main__':
    main()
