/* attn-rnn-private.h — recurrent layers shared by the attn-rnn model's
 * training code (attn-rnn.c) and its inference plug-in. */
#pragma once

#include <json-glib/json-glib.h>
#include "attn-train-private.h"

G_BEGIN_DECLS

/* One direction of one recurrent layer over a padded, time-major batch. */
typedef struct {
  AttnCell     cell;
  int          T, B, in, H;
  gboolean     reverse;
  const int   *len;                     /* [B] valid steps; NULL: all T */
  const float *w_ih, *w_hh, *b_ih, *b_hh;
  float       *dw_ih, *dw_hh, *db_ih, *db_hh;   /* gradients (accumulated); NULL: skip */
} AttnRnnSeq;

/* Buffers for one direction, G = 3 (GRU) or 4 (LSTM) gates. */
typedef struct {
  float *xw;      /* [T, B, G·H] input projections (+ b_ih) */
  float *cache;   /* [T, B, 5·H] GRU: r z n hn; LSTM: i f g o c */
  float *hprev;   /* [T, B, H] state before each step */
  float *cprev;   /* [T, B, H] LSTM cell before each step */
  float *hout;    /* [T, B, H] state after each step */
  float *dxw;     /* [T, B, G·H] */
  float *dhw;     /* [T, B, G·H] */
  float *tmp;     /* [B, G·H] */
  float *h, *c;   /* [B, H] running state; after forward: the final state */
  float *dh, *dc; /* [B, H] */
} AttnRnnBufs;

int   attn_rnn_gates      (AttnCell cell);
void  attn_rnn_bufs_init  (AttnRnnBufs *bufs, AttnCell cell, int T, int B, int H);
void  attn_rnn_bufs_clear (AttnRnnBufs *bufs);
/* x [T, B, in]; h0, c0 [B, H] or NULL (zeros). */
void  attn_rnn_seq_fwd    (const AttnRnnSeq *s, const float *x, const float *h0, const float *c0,
                           AttnRnnBufs *bufs);
/* dhout [T, B, H] (or NULL) is the gradient at every output; dh_final/dc_final at
 * the final state (or NULL). Accumulates into dx [T, B, in], dh0, dc0 (each may be NULL). */
void  attn_rnn_seq_bwd    (const AttnRnnSeq *s, const float *x, AttnRnnBufs *bufs,
                           const float *dhout, const float *dh_final, const float *dc_final,
                           float *dx, float *dh0, float *dc0);

/* Inference without dropout or loss: the logits of each sequence's last decoder position
 * (batch->tgt_len[b] − 1), written to logits [B, vocab]. The model's own logits and
 * cross-attention buffers are left as scratch (run a full forward pass to read them). */
void  attn_rnn_forward_last (AttnTrainModel *m, const AttnBatch *batch, float *logits);

/* Reads the attn-rnn config.json object (see docs/training.md, "The attn-rnn model"). */
gboolean attn_rnn_config_from_json (JsonObject *config, const char *where, AttnRnnConfig *out,
                                    GError **error);

G_END_DECLS
