/* attn-analysis.h — aggregates over heads and layers, and word alignments.
 *
 * These are summaries of attention weights, not explanations of a prediction:
 * the views label them so. */
#pragma once

#include <glib.h>
#include "attn-result.h"

G_BEGIN_DECLS

/* Mean (or max) over the heads of one layer given as [heads, q, k]: out [q, k]. */
void     attn_mean_over_heads (const float *layer, int heads, int q, int k, float *out);
void     attn_max_over_heads  (const float *layer, int heads, int q, int k, float *out);
/* The same for layer `layer` of a result's weights. */
void     attn_head_mean      (const AttnWeights *w, int layer, float *out);
void     attn_head_max       (const AttnWeights *w, int layer, float *out);
/* Mean over all layers and heads: out [queries, keys]. */
void     attn_all_mean       (const AttnWeights *w, float *out);

/* Attention rollout (Abnar & Zuidema, 2020) for square self-attention through layers
 * 0 … last of data [layers, heads, n, n]: per layer Â = row-normalised (½ mean over
 * heads + ½ I), and R = Â_last · … · Â_0. out: [n, n]. */
void     attn_rollout        (const float *data, int layers, int heads, int n, int last, float *out);

/* Softmax of logits [n], then the k most probable: ids and probabilities, best first.
 * Returns how many were written (min (k, n)). */
int      attn_top_k          (const float *logits, int n, int k, gint32 *ids, float *probs);

/* Norm-weighted attention (Kobayashi et al., 2020): α_ij · ‖v_j W_O‖ for one head,
 * each row rescaled to sum to 1. vn: the result's value_norms of the same kind.
 * head < 0 sums over heads first. out: [queries, keys]. */
void     attn_norm_weighted  (const AttnWeights *w, const AttnWeights *vn, int layer, int head, float *out);

/* --- word alignments --------------------------------------------------------- */

typedef enum {
  ATTN_ALIGN_ARGMAX,   /* the output token y_i aligns with the argmax of the row that predicted it */
  ATTN_ALIGN_SHIFT,    /* …of the row one step later, where y_i is the decoder's input (Chen et al., 2020) */
} AttnAlignMethod;

typedef struct {
  int src, tgt;        /* word indices, 0-based */
} AttnLink;

/* Groups tokens into words: word[t] is the word index of token t, -1 for special tokens.
 * Returns the number of words; `words` (optional) receives each word's text. */
int      attn_group_words    (const AttnTokenSeq *seq, int *word, GPtrArray *words);

/* Cross-attention matrix [target tokens, source tokens] for one head (head ≥ 0), one
 * layer's mean (head < 0), or the mean over all layers (layer < 0). Rows are decoder
 * inputs (start token first), as recorded. out: [queries, keys]. */
void     attn_cross_matrix   (const AttnWeights *cross, int layer, int head, float *out);

/* Hard word alignment of a forced or generated pair: links between source words and
 * target words (the decoder's input tokens after the start token), sorted. */
GArray  *attn_align_words    (const AttnResult *r, int layer, int head, AttnAlignMethod method);

/* "0-0 1-2 …" (Pharaoh format: source-target). */
char    *attn_links_to_pharaoh (const GArray *links);

/* Parses one line of a gold alignment: "i-j" sure, "i?j" or "i-j-p" possible,
 * "i-j-s" sure. sure and possible receive AttnLinks (possible includes sure). */
gboolean attn_parse_gold     (const char *line, GArray *sure, GArray *possible, GError **error);

typedef struct {
  guint  hyp, sure, hyp_and_sure, hyp_and_possible;
} AttnAerCounts;

void     attn_aer_add        (AttnAerCounts *c, const GArray *hyp, const GArray *sure, const GArray *possible);
/* precision = |A∩P|/|A|, recall = |A∩S|/|S|, AER = 1 − (|A∩S| + |A∩P|) / (|A| + |S|). */
void     attn_aer_scores     (const AttnAerCounts *c, double *precision, double *recall, double *aer);

G_END_DECLS
