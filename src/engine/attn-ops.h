/* attn-ops.h — the numeric kernels every architecture uses.
 *
 * Activations are row-major [tokens, features]. Matrix products go through
 * OpenBLAS (cblas_sgemm); element-wise kernels are written to vectorise. */
#pragma once

#include <glib.h>
#include "attn-alloc.h"

G_BEGIN_DECLS

typedef enum {
  ATTN_ACT_GELU,        /* exact, erf-based */
  ATTN_ACT_GELU_TANH,   /* "gelu_new", "gelu_pytorch_tanh" */
  ATTN_ACT_RELU,
  ATTN_ACT_SILU,        /* "swish", "silu" */
  ATTN_ACT_TANH,
} AttnActivation;

gboolean attn_activation_from_name (const char *name, AttnActivation *act);

/* A dense layer: y = x Wᵀ + b with W [out, in] (PyTorch Linear), or y = x W + b with
 * W [in, out] when `in_major` (GPT-2's Conv1D). b may be NULL. */
typedef struct {
  float    *w;
  float    *b;
  int       in, out;
  gboolean  in_major;
} AttnLinear;

typedef struct {
  float *gamma, *beta;   /* [d] */
  int    d;
  float  eps;
} AttnLayerNorm;

/* y[rows, out] = x[rows, in] · lin (+ bias); y may not alias x. */
void  attn_linear_forward (const AttnLinear *lin, const float *x, int rows, float *y);
/* Same with explicit leading dimensions. */
void  attn_linear_forward_ld (const AttnLinear *lin, const float *x, int ldx, int rows, float *y, int ldy);

void  attn_layer_norm     (const AttnLayerNorm *ln, const float *x, int rows, float *y);
void  attn_activate       (AttnActivation act, float *x, gsize n);
void  attn_add_inplace    (float *y, const float *x, gsize n);

/* Softmax of each row of x [rows, cols] in place. Entries equal to -INFINITY become 0. */
/* OpenBLAS's own threads off (returns what to restore) and back on. The engine
 * spreads large products over its own pool; OpenBLAS's threads, which spin while they
 * wait, only stall small products on a loaded machine. */
int   attn_blas_threads_single  (void);
void  attn_blas_threads_restore (int saved);

void  attn_softmax_rows   (float *x, int rows, int cols);
/* Vectorised exp, relative error below 2e-7. */
void  attn_exp_inplace    (float *x, gsize n);

/* Multi-head scaled dot-product attention that records its probabilities.
 *   q: [tq, heads*dh] (leading dimension ldq), k, v: [tk, heads*dh] (ldk, ldv)
 *   probs: [heads, tq, tk] — written (the recorded attention)
 *   out: [tq, heads*dh] (ldo)
 * causal_offset >= 0 masks key j for query i when j > i + causal_offset; -1: no causal mask.
 * key_mask: [tk] of 0/1, NULL for none (0 = padding, never attended). */
void  attn_attention      (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                           int tq, int tk, int heads, int dh, float scale,
                           int causal_offset, const guint8 *key_mask,
                           float *probs, float *out, int ldo);

/* Norms of each key's value vector after the output projection, per head:
 * out[h * tk + j] = ‖v_j,h W_O,h‖ with W_O the attention's output layer (its columns
 * h·dh … (h+1)·dh, or rows when in_major). */
void  attn_value_norms    (const float *v, int ldv, int tk, int heads, int dh,
                           const AttnLinear *out_proj, float *out);

/* 1-D convolution, kernel 3, padding 1, as Whisper's front end.
 * in: [c_in, t_in] when `channels_first`, else [t_in, c_in]; w: [c_out, c_in, 3]; b: [c_out];
 * out: [t_out, c_out] with t_out = (t_in + 2 - 3) / stride + 1. `col` is scratch of
 * t_out * c_in * 3 floats. */
void  attn_conv1d_k3      (const float *in, gboolean channels_first, int c_in, int t_in,
                           const float *w, const float *b, int c_out, int stride,
                           float *col, float *out);

/* Sinusoidal positions as Marian (and fairseq) lay them out: [n_pos, d], the sines in
 * the first half, cosines in the second. */
void  attn_sinusoidal_positions (float *out, int n_pos, int d);

G_END_DECLS
