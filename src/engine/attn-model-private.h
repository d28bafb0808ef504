/* attn-model-private.h — what an architecture implements to plug into AttnModel. */
#pragma once

#include "attn-model.h"
#include "attn-ops.h"
#include "attn-safetensors.h"
#include "attn-config.h"

G_BEGIN_DECLS

/* Cancellation and progress of one run. */
typedef struct {
  GCancellable     *cancellable;
  AttnProgressFunc  progress;
  gpointer          progress_data;
  AttnHeadTrace    *trace;
} AttnRunCtx;

/* Copies head trace->head of an attention call into ctx->trace when the kind and layer
 * match (arguments as attn_attention's). */
void       attn_run_ctx_trace    (AttnRunCtx *ctx, AttnKind kind, int layer,
                                  const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                                  int tq, int tk, int heads, int dh, float scale,
                                  int causal_offset, const guint8 *key_mask);

typedef struct {
  const char *name;                         /* "bert" */
  /* Reads config + weights into model->arch and fills the model's public fields. */
  gboolean   (*load)      (AttnModel *model, AttnCheckpoint *ckpt, GError **error);
  void       (*free_arch) (gpointer arch);
  AttnResult*(*run)       (AttnModel *model, const AttnInput *input, const AttnRunOptions *options,
                           AttnRunCtx *ctx, GError **error);
} AttnArchClass;

struct _AttnModel {
  gint                 ref_count;
  char                *dir;
  char                *name;
  char                *config_path;
  JsonObject          *config;
  JsonObject          *generation_config;   /* NULL when the folder has none */
  double               length_penalty;      /* generation_config's, else 1 */
  int                  num_beams;           /* generation_config's, else 1 */
  const AttnArchClass *klass;
  gpointer             arch;

  AttnModality         modality;
  gboolean             encoder_decoder;
  gboolean             accepts_pair;
  int                  n_layers, n_heads, n_dec_layers, n_dec_heads;
  int                  max_positions;
  gint64               n_params;
  guint                kinds;
  AttnTokenizer       *tokenizer;          /* source / only tokenizer; may be NULL */
  AttnTokenizer       *target_tokenizer;   /* Marian's target side; else same as tokenizer */
  GPtrArray           *buffers;            /* weight buffers owned by the model */
};

extern const AttnArchClass attn_arch_bert;
extern const AttnArchClass attn_arch_gpt2;
extern const AttnArchClass attn_arch_marian;
extern const AttnArchClass attn_arch_whisper;
extern const AttnArchClass attn_arch_rnn;        /* attn-rnn-arch.c */

/* Reads a floating tensor into a model-owned float32 buffer, counting its parameters.
 * Shape: ndim values. Returns NULL with error set when absent or misshapen. */
float     *attn_model_read   (AttnModel *model, AttnCheckpoint *ckpt, const char *name,
                              int ndim, const gint64 *shape, GError **error);
/* Same, but returns NULL without error when the tensor is absent. */
float     *attn_model_read_optional (AttnModel *model, AttnCheckpoint *ckpt, const char *name,
                                     int ndim, const gint64 *shape, GError **error);
/* "<prefix>.weight" [out, in] and "<prefix>.bias" [out] (bias may be optional). */
gboolean   attn_model_read_linear (AttnModel *model, AttnCheckpoint *ckpt, const char *prefix,
                                   int in, int out, gboolean bias_optional, AttnLinear *lin, GError **error);
/* Several linears with the same input stacked into one [n_parts × out_each, in] layer
 * (query, key and value in one product). Absent biases are zero. */
gboolean   attn_model_read_fused (AttnModel *model, AttnCheckpoint *ckpt, const char *const *prefixes,
                                  int n_parts, int in, int out_each, AttnLinear *lin, GError **error);
/* "<prefix>.weight"/"<prefix>.bias" (or .gamma/.beta). */
gboolean   attn_model_read_layer_norm (AttnModel *model, AttnCheckpoint *ckpt, const char *prefix,
                                       int d, float eps, AttnLayerNorm *ln, GError **error);
/* A model-owned zeroed buffer. */
float     *attn_model_alloc  (AttnModel *model, gsize n);

gboolean   attn_run_ctx_check    (AttnRunCtx *ctx, GError **error);
void       attn_run_ctx_progress (AttnRunCtx *ctx, double fraction, const char *what);

/* Fills a token sequence from ids, using the tokenizer for strings when there is one. */
void       attn_model_fill_tokens (AttnTokenizer *tok, AttnTokenSeq *seq, const gint32 *ids, guint n);
/* Starts a result with the model's name, architecture and sizes. */
AttnResult *attn_model_result_new (AttnModel *model);
/* Encodes text with a tokenizer, checking the length against the model's limit. */
AttnEncoding *attn_model_encode   (AttnModel *model, AttnTokenizer *tok, const char *text,
                                   const char *pair, gboolean add_special, GError **error);


G_END_DECLS
