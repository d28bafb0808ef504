/* lens-scores.h — one query and its keys under the four score functions, sparsemax,
 * and sparse masks over a head's whole score matrix; where the score parameters
 * and the translators to compare come from. Pure computation (no GTK). */
#pragma once

#include <glib.h>

#include "attn-model.h"
#include "attn-scores.h"

G_BEGIN_DECLS

#define LENS_N_SCORES 4
#define LENS_ILLUSTRATIVE_SEED 7u

/* The four in the order the view shows them: additive, dot, general, scaled dot. */
extern const AttnScoreKind lens_score_order[LENS_N_SCORES];

/* Parameters of the general and additive scores for vectors of size d. The
 * additive score's bias b is folded in as one more column: W_q' = [W_q | b]
 * applied to q' = [q ; 1], W_k' = [W_k | 0] to k' = [k ; 0]. */
typedef struct {
  int       d, a;
  float    *w;               /* general: [d, d] */
  float    *wq, *wk;         /* additive: [a, d + 1] */
  float    *v;               /* additive: [a] */
  char     *general_from;    /* the model the general W was learned by, or NULL: illustrative */
  char     *additive_from;   /* the same for the additive parameters */
} LensScoreParams;

/* Fixed random parameters (seed LENS_ILLUSTRATIVE_SEED): W ~ N(0, 1/d), etc. */
void      lens_score_params_illustrative (LensScoreParams *p, int d);
/* Replaces the general or additive parameters with those of a trained attn-rnn model
 * folder whose hidden size is d (config "score" says which it has). FALSE if the
 * folder does not fit; p is then unchanged. */
gboolean  lens_score_params_learned      (LensScoreParams *p, const char *dir, GError **error);
void      lens_score_params_clear        (LensScoreParams *p);

/* Scores of q [d] against keys [n, d] under every function, then the softmax of
 * each over the keys not hidden. scores/weights: [LENS_N_SCORES, n] in lens_score_order. */
void      lens_scores_all                (const LensScoreParams *p, const float *q, const float *keys,
                                          int n, int d, const guint8 *hidden, float *scores, float *weights);

/* sparsemax over the entries not hidden (hidden ones get exactly 0). */
void      lens_sparsemax_masked          (const float *z, const guint8 *hidden, int n, float *out);

typedef enum {
  LENS_SPARSE_LOCAL,
  LENS_SPARSE_STRIDED,
} LensSparseMask;

/* The head's scaled scores Q Kᵀ · scale [tq, tk] with its own mask, then the local-window
 * or strided mask (attn_mask_local / attn_mask_strided), then a softmax per row.
 * weights [tq, tk]; hidden [tq, tk] is 1 where a cell is masked. */
void      lens_sparse_attention          (const AttnHeadTrace *trace, LensSparseMask mask, int param,
                                          float *weights, guint8 *hidden);


G_END_DECLS
