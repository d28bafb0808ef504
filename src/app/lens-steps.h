/* lens-steps.h — the numbers of one head's attention for one query, step by step.
 *
 * Pure computation (no GTK, no drawing): from a head's traced q, K, V, its scale
 * and mask, the raw scores q·kⱼ, the scaled scores, the mask, the softmax at a
 * temperature T (softmax(s / T)) and the weighted sum of the values. The step
 * view draws these numbers; the tests compare them with the engine's weights. */
#pragma once

#include <glib.h>

#include "attn-model.h"

G_BEGIN_DECLS

typedef enum {
  LENS_STEP_QUERY,      /* q */
  LENS_STEP_KEYS,       /* K */
  LENS_STEP_SCORES,     /* q · kⱼ */
  LENS_STEP_SCALE,      /* × 1/√d_k */
  LENS_STEP_MASK,       /* −∞ where hidden */
  LENS_STEP_SOFTMAX,    /* α = softmax (s / T) */
  LENS_STEP_OUTPUT,     /* Σ αⱼ vⱼ */
  LENS_N_STEPS
} LensStep;

typedef enum {
  LENS_MASK_NONE,
  LENS_MASK_CAUSAL,
  LENS_MASK_PADDING,
  LENS_MASK_BOTH,
} LensMaskKind;

typedef struct {
  int           query;        /* row of the trace */
  int           n_keys, dh;
  float         scale;        /* 1/√d_k as the model applies it */
  float         temperature;
  LensMaskKind  mask_kind;
  const float  *q;            /* [dh], borrowed from the trace */
  const float  *k, *v;        /* [n_keys, dh], borrowed */
  float        *raw;          /* [n_keys] q · kⱼ */
  float        *scaled;       /* [n_keys] raw × scale */
  guint8       *hidden;       /* [n_keys] 1: masked (−∞) */
  float        *weights;      /* [n_keys] softmax (scaled / T), 0 where hidden */
  float        *output;       /* [dh] Σ weightsⱼ vⱼ */
} LensSteps;

/* Computes everything for query `query` of a filled trace; FALSE if it is out of range. */
gboolean     lens_steps_compute     (LensSteps *steps, const AttnHeadTrace *trace, int query,
                                     float temperature);
/* Recomputes the softmax and the output at another temperature. */
void         lens_steps_set_temperature (LensSteps *steps, float temperature);
void         lens_steps_clear       (LensSteps *steps);

/* Softmax of x / t over the entries not hidden (hidden may be NULL): out [n]. */
void         lens_softmax_masked    (const float *x, const guint8 *hidden, int n, float t, float *out);

const char  *lens_step_title        (LensStep step);

/* The query to show: `query` if the trace has it, else the middle one for a causal head
 * (it sees half the keys, the mask hides the rest) and the first otherwise. */
int          lens_trace_default_query (const AttnHeadTrace *trace, int query);

G_END_DECLS
