/* attn-result.h — the immutable, reference-counted result of one model run.
 *
 * A run produces tokens, outputs, logits and every attention probability matrix
 * it computed. Once returned by attn_model_run() a result is never modified;
 * views and exporters only read it, from any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ATTN_KIND_ENCODER,   /* encoder self-attention (encoder–decoder models) */
  ATTN_KIND_DECODER,   /* decoder self-attention, causal (encoder–decoder models) */
  ATTN_KIND_CROSS,     /* decoder queries over encoder keys */
  ATTN_KIND_SELF,      /* the one attention of an encoder-only or decoder-only model */
  ATTN_N_KINDS
} AttnKind;

#define ATTN_KIND_MASK(k)   (1u << (k))
#define ATTN_KIND_MASK_ALL  ((1u << ATTN_N_KINDS) - 1)

const char *attn_kind_name      (AttnKind kind);   /* "encoder", "decoder", "cross", "self" */
gboolean    attn_kind_from_name (const char *name, AttnKind *kind);

/* Attention probabilities [layers, heads, queries, keys], row-major float32.
 * Rows sum to 1 over the keys the mask allows. */
typedef struct {
  int     layers, heads, queries, keys;
  float  *data;
  gboolean causal;     /* queries cannot see later keys */
} AttnWeights;

static inline const float *
attn_weights_head (const AttnWeights *w, int layer, int head)
{
  return w->data + ((gsize) layer * w->heads + head) * (gsize) w->queries * w->keys;
}

/* A token sequence: ids, vocabulary strings and display strings. */
typedef struct {
  guint    len;
  gint32  *ids;
  char   **tokens;     /* vocabulary strings ("##ing", "Ġthe") */
  char   **display;    /* readable labels (" the") */
  guint8  *special;    /* 1 for special tokens ([CLS], </s>, <|startoftranscript|>) */
} AttnTokenSeq;

typedef enum {
  ATTN_OUTPUT_NONE,
  ATTN_OUTPUT_LABELS,       /* a classifier: probabilities over labels */
  ATTN_OUTPUT_NEXT_TOKEN,   /* a language model: next-token distribution at every position (from logits) */
  ATTN_OUTPUT_GENERATED,    /* a generator: generated tokens with probabilities */
} AttnOutputKind;

#define ATTN_TOPK 5

/* One beam-search candidate kept at a decoding step. */
typedef struct {
  int      step;
  int      beam;           /* rank among the kept candidates, 0 = best */
  int      parent;         /* rank of the candidate it extends at step - 1, -1 at step 0 */
  gint32   token;
  float    score;          /* cumulative log-probability */
  gboolean finished;
} AttnBeamEntry;

typedef struct _AttnResult AttnResult;

struct _AttnResult {
  /* the model */
  char          *model_name;
  char          *architecture;      /* "bert", "gpt2", "marian", "whisper", "rnn" */
  int            n_layers, n_heads; /* of the main attention stack */

  /* the input: encoder tokens (or the only tokens of an encoder/decoder-only model) */
  AttnTokenSeq   input;
  gint32        *type_ids;          /* input.len entries, NULL unless a pair was given */
  /* the decoder's input tokens for the recorded forward pass (start token first);
   * len == 0 for encoder-only and decoder-only models */
  AttnTokenSeq   target;
  gboolean       target_forced;     /* the target was given by the user, not generated */
  int            decoder_prompt_len; /* the decoder's start tokens: row prompt_len − 1 + i of the
                                      * decoder/cross attention predicted generated token i */

  /* outputs */
  AttnOutputKind output_kind;
  guint          n_labels;
  char         **labels;            /* n_labels names */
  float         *label_probs;       /* n_labels probabilities */
  AttnTokenSeq   generated;         /* generated tokens (not the start token; eos included) */
  char          *generated_text;
  float         *generated_probs;   /* probability of each generated token */
  gint32        *alt_ids;           /* generated.len × ATTN_TOPK alternatives, best first */
  float         *alt_probs;
  GArray        *beam;              /* AttnBeamEntry, empty for greedy */
  double         length_penalty;    /* a beam ranked its finished outputs by score / length^this */

  /* logits of the forward pass that produced the attention:
   * [labels] for a classifier, [positions, vocab] otherwise */
  int            logits_rows, logits_cols;
  float         *logits;

  /* attention, NULL for kinds the model lacks or the run did not record */
  AttnWeights   *attention[ATTN_N_KINDS];
  /* ‖v_j W_O,h‖: the norm of what key j contributes through head h before weighting
   * (Kobayashi et al., 2020), [layers, heads, 1, keys]; NULL where attention is NULL.
   * For the decoder and cross kinds: of the recorded forced pass. */
  AttnWeights   *value_norms[ATTN_N_KINDS];

  /* speech: Whisper's alignment heads (layer, head pairs) for word timings */
  int            n_alignment_heads;
  int           *alignment_heads;   /* 2 × n_alignment_heads */
  /* speech: the log-mel features of the first window, [n_mels, n_frames] */
  int            mel_bins, mel_frames;
  float         *mel;
  double         audio_seconds;

  double         seconds;           /* wall time of the run */
};

AttnResult  *attn_result_new          (void);  /* for producers: zeroed, one reference */
AttnResult  *attn_result_ref          (AttnResult *result);
void         attn_result_unref        (AttnResult *result);

AttnWeights *attn_weights_new         (int layers, int heads, int queries, int keys);   /* zeroed */
AttnWeights *attn_weights_new_uninit  (int layers, int heads, int queries, int keys);   /* for producers that write every value */
void         attn_weights_free        (AttnWeights *w);

void         attn_token_seq_clear     (AttnTokenSeq *seq);
void         attn_token_seq_init      (AttnTokenSeq *seq, guint len);

/* Writes the CLI's JSON object (DESIGN.md) for the kinds in kinds_mask. */
char        *attn_result_to_json      (const AttnResult *result, guint kinds_mask, gsize *length);
gboolean     attn_result_write_json   (const AttnResult *result, guint kinds_mask,
                                       const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnResult, attn_result_unref)

G_END_DECLS
