/* attn-model.h — loading a model folder and running it.
 *
 * A model is loaded once from a Hugging Face style folder (config.json,
 * model.safetensors, tokenizer files) and is then read-only: attn_model_run()
 * may be called from any thread, several at once; each run allocates its own
 * buffers and returns a new AttnResult. */
#pragma once

#include <gio/gio.h>
#include "attn-result.h"
#include "attn-tokenizer.h"

G_BEGIN_DECLS

typedef struct _AttnModel AttnModel;

typedef enum {
  ATTN_MODALITY_TEXT,          /* one text (optionally a second text: BERT pairs) */
  ATTN_MODALITY_TRANSLATION,   /* source text and optional target */
  ATTN_MODALITY_SPEECH,        /* audio */
} AttnModality;

typedef enum {
  ATTN_DECODE_GREEDY,
  ATTN_DECODE_BEAM,
} AttnDecodeMode;

typedef struct {
  /* text models */
  const char   *text;
  const char   *text_pair;       /* BERT sentence pairs; NULL otherwise */
  /* translation */
  const char   *source;
  const char   *target;          /* NULL or "": generate; else force-decoded */
  /* speech: a file, or samples already at 16 kHz mono */
  const char   *audio_path;
  const float  *audio_samples;
  gsize         n_audio_samples;
  /* ids instead of text (the encoder's, or a decoder-only model's) */
  const gint32 *input_ids;
  guint         n_input_ids;
  const guint8 *attention_mask;  /* n_input_ids entries, 0 = padding; NULL: all 1 */
  const gint32 *type_ids;        /* n_input_ids segment ids; NULL: all 0 */
  const gint32 *decoder_ids;     /* forced decoder input, start token first */
  guint         n_decoder_ids;
} AttnInput;

/* The inside of one head, for teaching: ask for a kind, layer and head before the run;
 * the run fills in that head's query, key and value vectors (after their projections,
 * before scaling) so every step from q·k to the weighted sum can be shown with the
 * model's own numbers. For decoder and cross kinds: of the recorded forced pass. */
typedef struct {
  AttnKind  kind;
  int       layer, head;
  /* filled by the run */
  gboolean  filled;
  int       queries, keys, dh;
  float     scale;                 /* 1/√d_k as the model applies it */
  int       causal_offset;         /* -1: none; else key j is hidden from query i when j > i + offset */
  float    *q, *k, *v;             /* [queries, dh], [keys, dh], [keys, dh] */
  guint8   *key_mask;              /* [keys] (0 = padding) or NULL */
} AttnHeadTrace;

void           attn_head_trace_clear      (AttnHeadTrace *trace);

typedef struct {
  AttnDecodeMode decode;
  int            beam_size;        /* for ATTN_DECODE_BEAM */
  int            max_new_tokens;   /* 0: the model's default */
  guint          kinds_mask;       /* attention kinds to record; 0 means all */
  AttnHeadTrace *trace;            /* NULL, or a head to look inside */
  /* a beam's finished hypotheses are ranked by their log-probability divided by
   * length^length_penalty: above 1 favours longer outputs, below 1 shorter ones;
   * 0: the model's own (generation_config.json's "length_penalty", else 1) */
  double         length_penalty;
} AttnRunOptions;

#define ATTN_RUN_OPTIONS_INIT { ATTN_DECODE_GREEDY, 4, 0, 0, NULL, 0 }
/* The range a length penalty may take (besides 0, "the model's own"). */
#define ATTN_LENGTH_PENALTY_MAX 5.0
/* The widest beam (beam_size, generation_config.json's "num_beams"). */
#define ATTN_BEAM_SIZE_MAX 64

/* Called from the running thread with a fraction in [0, 1] and a short phrase. */
typedef void (*AttnProgressFunc) (double fraction, const char *what, gpointer user_data);

AttnModel     *attn_model_load            (const char *dir, GError **error);
AttnModel     *attn_model_ref             (AttnModel *model);
void           attn_model_unref           (AttnModel *model);

const char    *attn_model_get_name        (AttnModel *model);   /* folder's base name or config "_name_or_path" */
const char    *attn_model_get_dir         (AttnModel *model);
const char    *attn_model_get_architecture(AttnModel *model);   /* "bert", "gpt2", "marian", "whisper", "rnn" */
AttnModality   attn_model_get_modality    (AttnModel *model);
/* The length penalty a beam uses when the run options leave it at 0. */
double         attn_model_get_length_penalty (AttnModel *model);
/* generation_config.json's "num_beams" (else 1): the decoding the model is best used
 * with, which the window starts from; attn_model_run() decodes as its options say. */
int            attn_model_get_num_beams   (AttnModel *model);
gboolean       attn_model_is_encoder_decoder (AttnModel *model);
gboolean       attn_model_accepts_pair    (AttnModel *model);   /* BERT: second text */
int            attn_model_get_n_layers    (AttnModel *model);   /* encoder layers, or the only stack */
int            attn_model_get_n_heads     (AttnModel *model);
int            attn_model_get_n_decoder_layers (AttnModel *model);
int            attn_model_get_n_decoder_heads  (AttnModel *model);
int            attn_model_get_max_positions (AttnModel *model); /* input tokens the model accepts */
gint64         attn_model_get_n_params    (AttnModel *model);
guint          attn_model_get_kinds       (AttnModel *model);   /* mask of the AttnKinds it has */
AttnTokenizer *attn_model_get_tokenizer   (AttnModel *model);   /* the (source) tokenizer, or NULL */
AttnTokenizer *attn_model_get_target_tokenizer (AttnModel *model); /* the decoder's tokenizer (Marian's target side), or NULL */

/* Counts the tokens `text` gives (with special tokens), for the input pane's counter. */
int            attn_model_count_tokens    (AttnModel *model, const char *text, const char *pair,
                                           GError **error);

/* The length in bytes of the longest start of `text` that the model accepts with `pair`
 * beside it (NULL: none): cut after a word where one fits, else after a character; the
 * whole length when everything fits, 0 when not even the pair fits. -1 on error. */
gssize         attn_model_fit_prefix      (AttnModel *model, const char *text, const char *pair,
                                           GError **error);

AttnResult    *attn_model_run             (AttnModel *model, const AttnInput *input,
                                           const AttnRunOptions *options,
                                           GCancellable *cancellable,
                                           AttnProgressFunc progress, gpointer progress_data,
                                           GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnModel, attn_model_unref)

G_END_DECLS
