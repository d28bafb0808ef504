/* bench-models.h — random-weight checkpoints shaped like real models, for the benchmarks.
 *
 * Each writes config.json and model.safetensors (F16) into an existing folder; the
 * weights are uniform random values drawn from `rng`, scaled as an initialiser would
 * (std ≈ 0.02, layer-norm gains ≈ 1). No tokenizer files: a caller that runs text
 * adds them. On an I/O error they abort with g_error(): these are benchmarks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* BERT encoder with a 2-label classifier: D wide, L layers of H heads, FF feed-forward,
 * V-word vocabulary, 512 positions. */
void bench_make_bert    (GRand *rng, const char *dir, int D, int L, int H, int FF, int V);
/* GPT-2: D wide, L layers of H heads, V-word vocabulary, P positions. */
void bench_make_gpt2    (GRand *rng, const char *dir, int D, int L, int H, int V, int P);
/* Whisper: D wide, L encoder and L decoder layers of H heads, FF feed-forward,
 * V-word vocabulary, `mels` mel bins. */
void bench_make_whisper (GRand *rng, const char *dir, int D, int L, int H, int FF, int V, int mels);

G_END_DECLS
