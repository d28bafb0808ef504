#!/usr/bin/env python3
"""How sharply and in what order a translator's cross-attention aligns.

    tools/translator-attention.py ATTN_CLI MODEL_DIR

Runs MODEL_DIR on each source of its examples.json (attn-cli run --attention cross),
averages the cross-attention over layers and heads (as the teaching workbench's row
of translators shows it) and prints, over all output tokens: the mean weight of the
strongest source token, the share of output tokens whose strongest source token is
the final </s>, and the share of steps that keep or advance the strongest source
token (left to right), and the share of source tokens (</s> included) that are the
strongest for at least one output token (coverage: attention stuck on one token
covers one per sentence). Each source and its output go to stderr. The model cards of
the built-in translators quote these figures.
"""
import json
import os
import subprocess
import sys


def rows_of(result):
    layers, heads, queries, keys = result['attention']['cross']['shape']
    a = result['attention']['cross']['data']
    n = layers * heads
    return [[sum(a[(lh * queries + q) * keys + k] for lh in range(n)) / n for k in range(keys)]
            for q in range(queries)]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    cli, model = sys.argv[1], sys.argv[2]
    with open(os.path.join(model, 'examples.json'), encoding='utf-8') as f:
        examples = json.load(f)
    strongest, on_eos, forward, tokens, steps, covered, sources = 0.0, 0, 0, 0, 0, 0, 0
    for example in examples:
        out = subprocess.run([cli, 'run', model, '--source', example['source'],
                              '--attention', 'cross', '--json', '-', '-q'],
                             capture_output=True, text=True, check=True).stdout
        result = json.loads(out)
        previous, chosen, rows = None, set(), rows_of(result)
        for row in rows:
            k = max(range(len(row)), key=row.__getitem__)
            strongest += row[k]
            on_eos += k == len(row) - 1
            tokens += 1
            if previous is not None:
                steps += 1
                forward += k >= previous
            previous = k
            chosen.add(k)
        covered += len(chosen)
        sources += len(rows[0]) if rows else 0
        print(f"{example['source']} → {result['output']['text'].strip()}", file=sys.stderr)
    print(f"{os.path.basename(os.path.normpath(model))}: {tokens} output tokens; strongest source "
          f"token {strongest / tokens:.2f} of the weight; on </s> {100 * on_eos / tokens:.0f} %; "
          f"steps that keep or advance it {100 * forward / max(steps, 1):.0f} %; "
          f"source tokens covered {100 * covered / max(sources, 1):.0f} %")


if __name__ == '__main__':
    main()
