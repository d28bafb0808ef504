/* attn-train-private.h — the training side of libattn, shared between its files.
 *
 * Conventions used by every kernel here:
 *  - float32, row-major; a "[N, d]" buffer is N rows of d floats.
 *  - Linear weights have the Hugging Face / PyTorch layout [out, in]: y = x W^T + b.
 *  - Backward kernels ACCUMULATE into every gradient they are given (+=), so
 *    residual branches and shared weights add up naturally; the caller zeroes.
 *    A NULL gradient pointer means "not needed".
 *  - Nothing here allocates inside a step once buffers are sized, prints, or exits. */
#pragma once

#include <glib.h>
#include "attn-result.h"
#include "attn-safetensors.h"
#include "attn-trainer.h"

G_BEGIN_DECLS

/* ---- a small deterministic PRNG (splitmix64), identical on every platform ---- */

typedef struct {
  guint64 state;
} AttnRng;

void    attn_rng_seed    (AttnRng *rng, guint64 seed);
guint64 attn_rng_next    (AttnRng *rng);
double  attn_rng_uniform (AttnRng *rng);              /* [0, 1) */
int     attn_rng_int     (AttnRng *rng, int n);       /* [0, n) */
float   attn_rng_normal  (AttnRng *rng);              /* N(0, 1), Box–Muller */

/* ---- parameters: one allocation for values, one for gradients ---- */

typedef struct {
  char   *name;          /* the checkpoint name, e.g. "model.shared.weight" */
  int     ndim;
  gint64  shape[4];
  gsize   offset;        /* into data / grad */
  gsize   numel;
  gboolean decay;        /* AdamW weight decay applies (matrices, not biases/norms) */
  float   lr_scale;      /* multiplies the learning rate (and so the decay) for this tensor; 1 */
} AttnParamInfo;

typedef struct {
  GArray *info;          /* AttnParamInfo */
  gsize   total;
  float  *data;          /* [total] */
  float  *grad;          /* [total] */
} AttnParams;

AttnParams *attn_params_new      (void);
void        attn_params_free     (AttnParams *params);
/* Declares a tensor; returns its offset. Only before attn_params_alloc(). */
gsize       attn_params_add      (AttnParams *params, const char *name, int ndim,
                                  const gint64 *shape, gboolean decay);
void        attn_params_alloc    (AttnParams *params);
void        attn_params_zero_grad(AttnParams *params);
const AttnParamInfo *attn_params_find (AttnParams *params, const char *name);
/* Writes every tensor into one .safetensors file. */
gboolean    attn_params_save     (AttnParams *params, const char *path, GError **error);
/* Reads every declared tensor (by name and shape) from a checkpoint folder. */
gboolean    attn_params_load     (AttnParams *params, const char *dir, GError **error);
/* attn_params_load for a Whisper model that may be deeper than the saved one (the recipe
 * key "grow_layers"): the saved encoder and decoder layers fill the first ones, the others
 * keep their initialisation except their output projections (self_attn.out_proj,
 * encoder_attn.out_proj, fc2), which are set to zero; fails when the folder has more
 * than `layers` layers or lacks anything else. */
gboolean    attn_params_load_grown (AttnParams *params, const char *dir, int layers,
                                    GError **error);

#define ATTN_P(params, off) ((params)->data + (off))
#define ATTN_G(params, off) ((params)->grad + (off))

/* tanh to within a few float ulps, several times faster than libm's tanhf:
 * an odd Taylor polynomial near 0, 1 − 2 / (e^{2x} + 1) elsewhere. */
static inline float
attn_tanhf (float x)
{
  float x2 = x * x;
  if (x2 < 0.0625f)   /* |x| < 0.25: the x⁹ term is below 1e-7 */
    return x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315))));
  return 1.0f - 2.0f / (__builtin_expf (2.0f * x) + 1.0f);
}

/* ---- kernels (attn-train-ops.c) ---- */

/* y[n, out] = x[n, in] W[out, in]^T + b[out]   (b may be NULL) */
void   attn_op_linear_fwd    (const float *x, int n, int in, const float *w, const float *b,
                              int out, float *y);
/* dx[n, in] += dy W; dw[out, in] += dy^T x; db[out] += Σ_rows dy */
void   attn_op_linear_bwd    (const float *x, int n, int in, const float *w, int out,
                              const float *dy, float *dx, float *dw, float *db);
/* The same with the weight stored [in, out], as GPT-2's Conv1D: y = x W + b;
 * dx += dy W^T, dw[in, out] += x^T dy, db += Σ_rows dy. */
void   attn_op_linear_t_fwd  (const float *x, int n, int in, const float *w, const float *b,
                              int out, float *y);
void   attn_op_linear_t_bwd  (const float *x, int n, int in, const float *w, int out,
                              const float *dy, float *dx, float *dw, float *db);

/* Layer norm over the last dimension; mean/rstd [n] are kept for backward. */
void   attn_op_layernorm_fwd (const float *x, int n, int d, const float *g, const float *b,
                              float eps, float *y, float *mean, float *rstd);
void   attn_op_layernorm_bwd (const float *x, int n, int d, const float *g, const float *mean,
                              const float *rstd, const float *dy, float *dx, float *dg, float *db);

typedef enum {
  ATTN_TACT_GELU,         /* exact, erf-based (HF "gelu") */
  ATTN_TACT_RELU,
  ATTN_TACT_SWISH,        /* x·σ(x) (HF "swish"/"silu", opus-mt) */
  ATTN_TACT_TANH,
  ATTN_TACT_GELU_NEW,     /* tanh approximation (HF "gelu_new", GPT-2) */
} AttnTAct;

gboolean attn_tact_from_name  (const char *name, AttnTAct *act);
const char *attn_tact_name    (AttnTAct act);
void   attn_op_act_fwd       (AttnTAct act, const float *x, gsize n, float *y);
/* dx += dy · act'(x) */
void   attn_op_act_bwd       (AttnTAct act, const float *x, gsize n, const float *dy, float *dx);

/* y[i] = table[ids[i]] · scale */
void   attn_op_embedding_fwd (const gint32 *ids, int n, const float *table, int d, float scale,
                              float *y);
void   attn_op_embedding_bwd (const gint32 *ids, int n, int d, float scale, const float *dy,
                              float *dtable);
/* Adds Marian's sinusoidal positions (sin in the first half, cos in the second) to
 * x[B, T, d], positions 0 … T-1. */
void   attn_op_add_sinusoid  (float *x, int B, int T, int d);

/* Multi-head scaled dot-product attention.
 * q [B, Tq, d]; k, v [B, Tk, d]; heads split d; keys j >= klen[b] are masked
 * (klen NULL: none); causal masks j > i. p [B, H, Tq, Tk] keeps the weights. */
typedef struct {
  int          B, Tq, Tk, d, heads;
  const int   *klen;
  gboolean     causal;
} AttnAttnShape;

void   attn_op_attention_fwd (const AttnAttnShape *s, const float *q, const float *k,
                              const float *v, float *p, float *out);
/* scratch: [Tq, Tk] floats */
void   attn_op_attention_bwd (const AttnAttnShape *s, const float *q, const float *k,
                              const float *v, const float *p, const float *dout,
                              float *dq, float *dk, float *dv, float *scratch);

/* Masked softmax of rows in place: row i of [rows, n] keeps its first valid[i] entries
 * (valid NULL: all), the rest become 0. */
void   attn_op_softmax_rows  (float *x, int rows, int n, const int *valid);
/* dx = p ⊙ (dp − Σ p·dp), written (not accumulated), rows of n. */
void   attn_op_softmax_bwd   (const float *p, const float *dp, int rows, int n, float *dx);

/* 1-D convolution, Whisper style: x [B, Cin, T], w [Cout, Cin, K], b [Cout],
 * y [B, Cout, Tout] with Tout = (T + 2·pad − K) / stride + 1.
 * col: scratch [Cin·K, Tout]. */
int    attn_op_conv1d_out_len(int T, int K, int stride, int pad);
void   attn_op_conv1d_fwd    (const float *x, int B, int cin, int T, const float *w,
                              const float *b, int cout, int K, int stride, int pad,
                              float *y, float *col);
void   attn_op_conv1d_bwd    (const float *x, int B, int cin, int T, const float *w,
                              int cout, int K, int stride, int pad, const float *dy,
                              float *dx, float *dw, float *db, float *col, float *dcol);

/* Cross-entropy with label smoothing ε: the target distribution is
 * (1 − ε)·onehot + ε / V. Rows whose target equals `ignore` do not count.
 * Returns the mean loss over counted rows; dlogits (may be NULL) is WRITTEN with
 * the gradient of that mean. *n_counted and *n_correct (argmax hits) may be NULL. */
double attn_op_cross_entropy (const float *logits, int n, int V, const gint32 *targets,
                              gint32 ignore, float smoothing, float *dlogits,
                              int *n_counted, int *n_correct);

/* Connectionist temporal classification (Graves et al., 2006) of one sequence: the
 * negative log-probability of `labels` [n] over all alignments of logits [T, V] (raw
 * scores, softmax over V per frame) with `blank` between and around them. dlogits (may
 * be NULL) is WRITTEN with the gradient times `scale`. When no alignment fits (T too
 * short for the labels and their repeats) it returns +inf and a zero gradient. */
double attn_op_ctc_loss      (const float *logits, int T, int V, const gint32 *labels, int n,
                              gint32 blank, float scale, float *dlogits);

/* Dropout: y = x · mask / (1 − p), mask drawn from rng (mask [n] bytes kept). */
void   attn_op_dropout_fwd   (const float *x, gsize n, float p, AttnRng *rng, guint8 *mask,
                              float *y);
void   attn_op_dropout_bwd   (const float *dy, gsize n, float p, const guint8 *mask, float *dx);

/* Dropout while training with p > 0, else y = x (a copy unless x == y); the
 * backward ADDS dy (through the mask when dropout ran) into dx. */
void   attn_op_dropout_or_copy     (const float *x, gsize n, float p, gboolean train,
                                    AttnRng *rng, guint8 *mask, float *y);
void   attn_op_dropout_or_copy_bwd (const float *dy, gsize n, float p, gboolean train,
                                    const guint8 *mask, float *dx);

/* y += x */
void   attn_op_add           (float *y, const float *x, gsize n);

/* ---- Transformer sub-layers (attn-train-block.c) ----
 * Post-layer-norm, shared by the Marian Transformer and BERT:
 *   attention     x → LN(x + dropout(out_proj(Attn(q_proj x, k_proj kv, v_proj kv))))
 *   feed-forward  x → LN(x + dropout(fc2(act(fc1 x))))
 * and pre-layer-norm (AttnBlock.pre_norm), Whisper's:
 *   attention     x → x + dropout(out_proj(Attn(q_proj LN(x), k_proj kv', v_proj kv')))
 *                 kv' = LN(x) for self-attention (kv == x), else kv as given
 *   feed-forward  x → x + dropout(fc2(act(fc1 LN(x))))                              */

#define ATTN_NO_PARAM ((gsize) -1)   /* the offset of a tensor a model does not have */

typedef struct {
  gsize q_w, q_b, k_w, k_b, v_w, v_b, o_w, o_b, ln_g, ln_b;   /* k_b may be ATTN_NO_PARAM */
} AttnSubOff;

typedef struct {
  gsize fc1_w, fc1_b, fc2_w, fc2_b, ln_g, ln_b;
} AttnFfnOff;

/* Saved activations of one attention sub-layer. */
typedef struct {
  const float *x, *kv;      /* inputs (not owned) */
  float  *xn;               /* [Nq, d]  pre-LN: LN(x) */
  float  *q;                /* [Nq, d] */
  float  *k, *v;            /* [Nk, d] */
  float  *p;                /* [B, H, Tq, Tk] */
  float  *ctx;              /* [Nq, d] */
  float  *h;                /* [Nq, d]  post-LN: x + dropout(out_proj(ctx)) */
  float  *y;                /* [Nq, d]  the output (post-LN: the layer norm of h) */
  float  *mean, *rstd;      /* [Nq] */
  guint8 *mask;             /* [Nq, d] dropout */
} AttnSubAct;

/* Saved activations of one feed-forward sub-layer. */
typedef struct {
  const float *x;
  float  *xn;               /* [N, d]  pre-LN: LN(x) */
  float  *f1, *a1;          /* [N, ffn] */
  float  *h, *y;            /* [N, d] */
  float  *mean, *rstd;      /* [N] */
  guint8 *mask;             /* [N, d] */
} AttnFfnAct;

/* The settings and buffers the sub-layers share. The model sets params, d, ffn,
 * dropout, ln_eps and act, and calls attn_block_reset () whenever its batch
 * grows; the activation and model buffers it takes with attn_block_fbuf () are
 * freed by the next reset or by attn_block_clear (). */
typedef struct {
  AttnParams *params;
  int         d, ffn;
  float       dropout, ln_eps;
  AttnTAct    act;
  gboolean    pre_norm;     /* the layer norm before each sub-layer (Whisper) */
  GPtrArray  *buffers;
  /* gradient scratch: [n_max, d] ×6, [n_max, ffn] ×2, [t_max, t_max] */
  float      *g_c, *g_d, *g_e, *g_q, *g_k, *g_v, *g_f1, *g_f2, *scratch;
} AttnBlock;

/* names: the q, k, v, out projections and the layer norm (".weight"/".bias" appended) */
void    attn_block_declare_attn (AttnParams *p, const char *const names[5], int d, AttnSubOff *o);
/* the same without a key bias (Whisper's k_proj) */
void    attn_block_declare_attn_no_k_bias (AttnParams *p, const char *const names[5], int d,
                                           AttnSubOff *o);
/* names: fc1, fc2 and the layer norm */
void    attn_block_declare_ffn  (AttnParams *p, const char *const names[3], int d, int ffn,
                                 AttnFfnOff *o);
void    attn_block_reset        (AttnBlock *blk, gsize n_max, gsize t_max);
void    attn_block_clear        (AttnBlock *blk);
float  *attn_block_fbuf         (AttnBlock *blk, gsize n);   /* zeroed */
guint8 *attn_block_mbuf         (AttnBlock *blk, gsize n);
gint32 *attn_block_ibuf         (AttnBlock *blk, gsize n);
void    attn_block_alloc_attn   (AttnBlock *blk, AttnSubAct *a, gsize nq, gsize nk, gsize np);
void    attn_block_alloc_ffn    (AttnBlock *blk, AttnFfnAct *a, gsize n);

/* The layers of an encoder–decoder (Marian, Whisper): each layer's parameter offsets
 * (cross only in decoder layers) and its saved activations. */
typedef struct {
  AttnSubOff self, cross;
  AttnFfnOff ffn;
} AttnLayerOff;

typedef struct {
  int           n_enc, n_dec;
  AttnLayerOff *enc, *dec;
  AttnSubAct   *enc_self, *dec_self, *dec_cross;
  AttnFfnAct   *enc_ffn, *dec_ffn;
} AttnEncDec;

void    attn_enc_dec_init       (AttnEncDec *s, int n_enc, int n_dec);
void    attn_enc_dec_clear      (AttnEncDec *s);
/* The activations of B sequences, Ts source and Tt target positions (attn_block_reset
 * first), H heads. */
void    attn_enc_dec_alloc      (AttnEncDec *s, AttnBlock *blk, gsize B, gsize H, gsize Ts,
                                 gsize Tt);
/* Sequence b's cross-attention [n_dec, H, tgt_len, src_len] in the last forward pass, whose
 * shape was Tt × Ts. */
AttnWeights *attn_enc_dec_cross (const AttnEncDec *s, int H, int b, int Tt, int Ts,
                                 int tgt_len, int src_len);
void    attn_block_attn_fwd     (AttnBlock *blk, const AttnSubOff *o, AttnSubAct *a,
                                 const float *x, const float *kv, const AttnAttnShape *s,
                                 gboolean train, AttnRng *rng);
/* dy: the gradient at a->y. Adds into dx (the query input) and dkv (the key/value
 * input; may equal dx for self-attention). dx and dkv must not be block scratch. */
void    attn_block_attn_bwd     (AttnBlock *blk, const AttnSubOff *o, AttnSubAct *a,
                                 const AttnAttnShape *s, gboolean train, const float *dy,
                                 float *dx, float *dkv);
void    attn_block_ffn_fwd      (AttnBlock *blk, const AttnFfnOff *o, AttnFfnAct *a,
                                 const float *x, int N, gboolean train, AttnRng *rng);
void    attn_block_ffn_bwd      (AttnBlock *blk, const AttnFfnOff *o, AttnFfnAct *a, int N,
                                 gboolean train, const float *dy, float *dx);

/* ---- a batch of padded sequence pairs ---- */

typedef struct {
  int     B, Ts, Tt;     /* sequences, padded source length, padded target length */
  gint32 *src;           /* [B, Ts], pad-filled; ends with eos */
  int    *src_len;       /* [B] */
  gint32 *tgt_in;        /* [B, Tt]: bos y1 … yn, pad-filled */
  gint32 *tgt_out;       /* [B, Tt]: y1 … yn eos, pad-filled (pad = ignored) */
  int    *tgt_len;       /* [B]: n + 1 */
  int     cap_B, cap_Ts, cap_Tt;
  /* speech: log-mel features [B, n_mels, frames] instead of source tokens (src unused,
   * src_len = Ts = the encoder's positions) */
  float  *feats;
  int     n_mels, frames;
  gsize   cap_feats;
} AttnBatch;

void   attn_batch_reserve    (AttnBatch *batch, int B, int Ts, int Tt);
void   attn_batch_reserve_feats (AttnBatch *batch, int n_mels, int frames);   /* after _reserve */
void   attn_batch_clear      (AttnBatch *batch);

/* ---- trainable models: a small vtable so the trainer drives either kind ---- */

typedef struct {
  double loss;           /* mean smoothed cross-entropy */
  int    tokens;         /* counted target tokens */
  int    correct;        /* of which the argmax was right */
} AttnLossStats;

typedef struct _AttnTrainModel AttnTrainModel;

typedef struct {
  const char *name;
  /* forward (+ backward into params->grad when `backward`); dropout only when `train` */
  void          (*forward)   (AttnTrainModel *m, const AttnBatch *batch, float smoothing,
                              gboolean train, gboolean backward, AttnRng *rng,
                              AttnLossStats *stats);
  /* logits of the last forward, [B, Tt, V] */
  const float  *(*logits)    (AttnTrainModel *m);
  /* cross-attention of sequence b of the last forward, as [layers, heads, Tt, Ts] */
  AttnWeights  *(*cross)     (AttnTrainModel *m, int b, int tgt_len, int src_len);
  /* writes config.json (+ generation_config.json) into dir */
  gboolean      (*save_config) (AttnTrainModel *m, const char *dir, GError **error);
  void          (*free)      (AttnTrainModel *m);
  /* greedy decoding of batch's sources (NULL: repeated full forward passes, see
   * attn_train_model_greedy) */
  void          (*greedy)    (AttnTrainModel *m, AttnBatch *batch, int max_len, gint32 *out);
} AttnTrainModelClass;

struct _AttnTrainModel {
  const AttnTrainModelClass *klass;
  AttnParams *params;
  int         vocab;
  gint32      pad_id, bos_id, eos_id;
};

/* The encoder–decoder Transformer with Marian's parameters and layout. */
typedef struct {
  int      vocab, d_model, ffn_dim, encoder_layers, decoder_layers, heads, max_positions;
  gint32   pad_id, bos_id, eos_id;
  float    dropout;
  AttnTAct  act;
} AttnTfConfig;

AttnTrainModel *attn_train_transformer_new (const AttnTfConfig *config, GError **error);
void            attn_train_transformer_init (AttnTrainModel *m, AttnRng *rng);
/* The FLOPs of one training step (forward + backward ≈ 3 × forward) on a padded
 * batch, counting the matrix products only. */
gint64          attn_train_transformer_flops (AttnTrainModel *m, int B, int Ts, int Tt);

/* WhisperForConditionalGeneration with Hugging Face's names and layout: log-mel features
 * [n_mels, 2 · max_source_positions] → conv1d (k 3) + GELU → conv1d (k 3, stride 2) +
 * GELU → fixed sinusoidal positions → pre-LN encoder layers (no key bias) → final layer
 * norm; decoder: token embeddings (unscaled) + learned positions → pre-LN layers with
 * cross-attention → final layer norm → the output layer tied to the token embeddings.
 * The decoder starts with `prompt` (<|startoftranscript|> <|en|> <|transcribe|>
 * <|notimestamps|>); labels of −1 are not counted. */
#define ATTN_WHISPER_MAX_PROMPT 4

typedef struct {
  int      vocab, d_model, ffn_dim, encoder_layers, decoder_layers, heads;
  int      n_mels, max_source_positions, max_target_positions;
  gint32   eos_id;                        /* <|endoftext|>: also pad and bos */
  gint32   prompt[ATTN_WHISPER_MAX_PROMPT];
  int      n_prompt;                      /* prompt[0] is the decoder start token */
  gint32   lang_id, task_id, no_timestamps_id;   /* written to generation_config.json */
  float    dropout;
  /* training only: weight of an auxiliary CTC loss on the encoder's output, scored with
   * the tied output layer and <|endoftext|> as the blank (0: none). The reported loss is
   * then cross-entropy + ctc_weight × CTC per transcript token. Nothing is added to the
   * saved model. */
  float    ctc_weight;
} AttnWhisperTrainConfig;

AttnTrainModel *attn_train_whisper_new  (const AttnWhisperTrainConfig *config, GError **error);
void            attn_train_whisper_init (AttnTrainModel *m, AttnRng *rng);

/* A BERT text classifier with Hugging Face's BertForSequenceClassification
 * layout (attn-train-bert.c). It reads the source side of a batch ([CLS] … [SEP],
 * src_len real tokens, padding keys masked) and the class of sequence b in
 * tgt_out[b · Tt]; its logits are [B, n_labels]. Its `cross` method returns the
 * self-attention of sequence b, [layers, heads, src_len, src_len]. */
typedef struct {
  int      vocab, d_model, ffn_dim, layers, heads, max_positions, type_vocab, n_labels;
  const char *const *labels;     /* n_labels names, copied (config.json's id2label) */
  gint32   pad_id, cls_id, sep_id;
  float    dropout;              /* embeddings, sub-layer outputs and the pooled output */
  AttnTAct act;
} AttnBertConfig;

AttnTrainModel *attn_train_bert_new  (const AttnBertConfig *config, GError **error);
void            attn_train_bert_init (AttnTrainModel *m, AttnRng *rng);

/* The decoder-only Transformer with GPT-2's parameters and layout (GPT2LMHeadModel,
 * attn-train-gpt2.c). It reads the decoder side of a batch (tgt_in → tgt_out);
 * pad_id < 0: no padding token (targets of -1 are ignored). Its `cross` method
 * returns the causal self-attention [layers, heads, len, len]. */
typedef struct {
  int      vocab, d_model, ffn_dim, layers, heads, n_positions;
  gint32   pad_id, bos_id, eos_id;
  float    dropout;
  AttnTAct act;
} AttnGpt2Config;

AttnTrainModel *attn_train_gpt2_new  (const AttnGpt2Config *config, GError **error);
void            attn_train_gpt2_init (AttnTrainModel *m, AttnRng *rng);

/* The recurrent encoder–decoder with attention ("attn-rnn"). */
typedef enum {
  ATTN_CELL_GRU,
  ATTN_CELL_LSTM,
} AttnCell;

typedef struct {
  int       vocab, embed_dim, hidden_size, attention_dim, max_positions;
  gint32    pad_id, bos_id, eos_id;
  AttnCell  cell;
  AttnScoreKind score;
  float     dropout;
} AttnRnnConfig;

AttnTrainModel *attn_rnn_new         (const AttnRnnConfig *config, GError **error);
void            attn_rnn_init        (AttnTrainModel *m, AttnRng *rng, AttnScoreInit score_init);

/* Greedy decoding by repeated forward passes (the sequences in batch->src);
 * out [B, max_len] receives the tokens up to and including eos (pad after). */
void   attn_train_model_greedy (AttnTrainModel *m, AttnBatch *batch, int max_len, gint32 *out);

/* ---- optimizer (attn-train-optim.c) ---- */

typedef struct {
  float     lr, beta1, beta2, eps, weight_decay;
  int       warmup_steps, total_steps;
  AttnDecay decay;
  float     min_lr_ratio;   /* the floor of linear/cosine decay, as a fraction of lr */
} AttnOptimConfig;

typedef struct {
  AttnOptimConfig config;
  gsize  n;
  float *m, *v;
  gint64 step;
} AttnAdamW;

AttnAdamW *attn_adamw_new       (const AttnOptimConfig *config, gsize n);
void       attn_adamw_free      (AttnAdamW *opt);
double     attn_adamw_lr        (const AttnOptimConfig *config, gint64 step);
/* One update of params from params->grad; returns the learning rate used. */
double     attn_adamw_update    (AttnAdamW *opt, AttnParams *params);
/* Scales gradients so that their global L2 norm is at most max_norm (≤ 0: no clip);
 * returns the norm before clipping. */
double     attn_clip_grad_norm  (AttnParams *params, double max_norm);

/* ---- parallel corpora and labelled texts (attn-train-corpus.c) ---- */

typedef struct _AttnCorpus AttnCorpus;

/* Reads and tokenizes config->train_path and dev_path with the tokenizer in
 * config->tokenizer_dir. Training pairs whose source is also a dev source are dropped.
 * For a Whisper recipe the source column holds audio files (paths relative to the TSV's
 * folder), read once here to check them; batches read them again and compute the log-mel
 * features of one window (attn-train-speech.c).
 * With arch "bert" the files hold labelled texts (text in source_column, label in
 * target_column), stored as [CLS] text [SEP] cut to max_tokens, and batches have
 * the label index in tgt_out [B, 1]. */
AttnCorpus *attn_corpus_load          (const AttnTrainConfig *config, GError **error);
void        attn_corpus_free          (AttnCorpus *corpus);
/* Vocabulary size and the special ids (decoder start: <s>, else <pad> as Marian's). */
void        attn_corpus_special       (AttnCorpus *corpus, int *vocab, gint32 *pad, gint32 *bos,
                                       gint32 *eos);
const char *attn_corpus_tokenizer_dir (AttnCorpus *corpus);
void        attn_corpus_get_info      (AttnCorpus *corpus, AttnTrainCorpusInfo *info);
/* The batch of update `step` (0-based), a function of the seed and step alone: each
 * epoch is a seeded shuffle, sorted by length within windows of 64 batches into
 * batches of similar length, whose order is shuffled again. */
gboolean    attn_corpus_make_batch    (AttnCorpus *corpus, gint64 step, AttnBatch *batch,
                                       GError **error);
/* Dev pair 0 as a one-sequence batch, and its tokens as text (for the probe). */
gboolean    attn_corpus_probe         (AttnCorpus *corpus, AttnBatch *batch, char **source,
                                       char **target, GError **error);
/* A speech corpus (config->arch whisper: audio paths and transcripts) fills the prompt,
 * its special ids and the vocabulary size of wc; FALSE for a text corpus. */
gboolean    attn_corpus_whisper_prompt (AttnCorpus *corpus, AttnWhisperTrainConfig *wc);
gboolean    attn_corpus_evaluate      (AttnCorpus *corpus, AttnTrainModel *model, int n,
                                       AttnTrainEval *eval, GError **error);
char       *attn_corpus_translate     (AttnCorpus *corpus, AttnTrainModel *model,
                                       const char *source, GError **error);
/* A classification corpus (arch "bert"): its label names, sorted (NULL-terminated;
 * NULL with 0 for a parallel corpus), and the label a model gives a text. */
const char *const *attn_corpus_labels (AttnCorpus *corpus, int *n_labels);
char       *attn_corpus_classify      (AttnCorpus *corpus, AttnTrainModel *model,
                                       const char *text, GError **error);

/* ---- plain text for a language model (attn-train-text.c) ---- */

typedef struct _AttnTextCorpus AttnTextCorpus;

/* Reads and tokenizes config->train_path and dev_path (attn_lm_encode_text) with the
 * byte-level BPE tokenizer in config->tokenizer_dir; chunks of config->context. */
AttnTextCorpus *attn_text_corpus_load       (const AttnTrainConfig *config, GError **error);
void        attn_text_corpus_free           (AttnTextCorpus *corpus);
void        attn_text_corpus_special        (AttnTextCorpus *corpus, int *vocab, gint32 *eos);
const char *attn_text_corpus_tokenizer_dir  (AttnTextCorpus *corpus);
void        attn_text_corpus_get_info       (AttnTextCorpus *corpus, AttnTrainCorpusInfo *info);
/* batch_size chunks of `context` inputs and their next tokens, for update `step` */
void        attn_text_corpus_make_batch     (AttnTextCorpus *corpus, gint64 step, AttnBatch *batch);
void        attn_text_corpus_probe          (AttnTextCorpus *corpus, AttnBatch *batch,
                                             char **source, char **target);
/* Mean loss and perplexity over the first n dev chunks (n ≤ 0: all). */
gboolean    attn_text_corpus_evaluate       (AttnTextCorpus *corpus, AttnTrainModel *model, int n,
                                             AttnTrainEval *eval, GError **error);
char       *attn_text_corpus_continue       (AttnTextCorpus *corpus, AttnTrainModel *model,
                                             const char *prompt, GError **error);

/* ---- toy tasks (attn-train-tasks.c) ---- */

/* The toy vocabulary: <pad> <s> </s> <unk> then the digits. */
#define ATTN_TOY_PAD  0
#define ATTN_TOY_BOS  1
#define ATTN_TOY_EOS  2
#define ATTN_TOY_UNK  3
#define ATTN_TOY_DIGIT0 4
#define ATTN_TOY_VOCAB 14

/* Writes vocab.json, tokenizer.json (word-level + whitespace) and
 * tokenizer_config.json for a word-level vocabulary into dir. */
gboolean    attn_toy_write_tokenizer (const char *dir, const char *const *words, int n_words,
                                      GError **error);
const char *const *attn_toy_words    (void);   /* ATTN_TOY_VOCAB strings */

/* Fills y (length n) with the task's answer for digits x (values 0–9). */
void        attn_task_apply     (AttnTask task, const int *x, int n, int *y);
/* Draws one sequence of digits of length in [min_len, max_len] into x; returns n. */
int         attn_task_draw      (AttnRng *rng, int min_len, int max_len, int *x);
/* Packs B (digits, answer) pairs into batch with bos/eos/pad. */
void        attn_task_make_batch(AttnTask task, AttnRng *rng, int B, int min_len, int max_len,
                                 GHashTable *exclude, AttnBatch *batch);
/* A key for a digit sequence, for held-out sets. */
guint64     attn_task_key       (const int *x, int n);

G_END_DECLS
