/* attn-decode.h — greedy and beam-search generation over any decoder with a cache.
 *
 * An architecture supplies a decoder as AttnDecoderOps: a per-hypothesis cache
 * (keys/values, or a recurrent state) and a step that feeds tokens and returns
 * the next-token logits. Generation fills the result's generated tokens, their
 * probabilities and top-k alternatives, and the beam candidates kept per step. */
#pragma once

#include <gio/gio.h>
#include "attn-result.h"
#include "attn-tokenizer.h"

G_BEGIN_DECLS

typedef struct {
  gpointer (*cache_new)  (gpointer self);
  void     (*cache_free) (gpointer cache);
  void     (*cache_copy) (gpointer self, gpointer dst, gconstpointer src);
  /* Feeds n tokens after what the cache holds; writes the logits [vocab] of the last. */
  gboolean (*step)       (gpointer self, gpointer cache, const gint32 *tokens, int n,
                          float *logits, GError **error);
} AttnDecoderOps;

typedef struct {
  int           vocab;
  int           max_new_tokens;
  gint32        eos;               /* -1: none */
  gint32        forced_eos;        /* forced as the last allowed token; -1: none */
  int           beam_size;         /* 1: greedy */
  float         length_penalty;    /* beam scores are divided by length^penalty (0 → 1.0) */
  const gint32 *suppress;          /* never generated */
  int           n_suppress;
  const gint32 *begin_suppress;    /* not generated as the first token */
  int           n_begin_suppress;
  GCancellable *cancellable;
} AttnDecodeParams;

/* Generates after `prefix` (the decoder's start tokens, or a prompt). Fills
 * r->generated (with the tokenizer's strings when tok is given), r->generated_probs,
 * r->alt_ids, r->alt_probs and, for beams, r->beam. */
gboolean attn_decode_generate (const AttnDecoderOps *ops, gpointer self,
                               const gint32 *prefix, int n_prefix,
                               const AttnDecodeParams *params, AttnResult *r,
                               AttnTokenizer *tok, GError **error);

G_END_DECLS
