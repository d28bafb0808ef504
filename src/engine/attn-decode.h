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

/* Keys and values of the tokens a decoder has seen, per layer: [layers, cap, d] each. */
typedef struct {
  int    layers, cap, d, len;
  float *k, *v;
} AttnKvCache;

AttnKvCache *attn_kv_cache_new    (int layers, int cap, int d);
void         attn_kv_cache_free   (gpointer cache);
/* Copies what src holds into dst (same shape). */
void         attn_kv_cache_copy   (AttnKvCache *dst, const AttnKvCache *src);
static inline float *attn_kv_cache_k (AttnKvCache *c, int layer) { return c->k + (gsize) layer * c->cap * c->d; }
static inline float *attn_kv_cache_v (AttnKvCache *c, int layer) { return c->v + (gsize) layer * c->cap * c->d; }
/* Stores the keys and values of n new tokens for one layer from rows of a fused
 * [n, ld] projection whose keys start at column k_col and values at v_col. */
void         attn_kv_cache_store  (AttnKvCache *c, int layer, const float *rows, int ld, int n,
                                   int k_col, int v_col);

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
  /* progress: reported from progress_from to progress_to as tokens are generated */
  void        (*progress) (double fraction, const char *what, gpointer data);
  gpointer      progress_data;
  double        progress_from, progress_to;
} AttnDecodeParams;

/* Generates after `prefix` (the decoder's start tokens, or a prompt). Fills
 * r->generated (with the tokenizer's strings when tok is given), r->generated_probs,
 * r->alt_ids, r->alt_probs and, for beams, r->beam. */
gboolean attn_decode_generate (const AttnDecoderOps *ops, gpointer self,
                               const gint32 *prefix, int n_prefix,
                               const AttnDecodeParams *params, AttnResult *r,
                               AttnTokenizer *tok, GError **error);

G_END_DECLS
