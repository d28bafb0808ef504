/* attn-trainer.h — training small attention models step by step.
 *
 * An AttnTrainer owns a model (an encoder–decoder Transformer with Marian's
 * layout, a recurrent "attn-rnn" model, or a BERT text classifier), its
 * optimizer and its data. The
 * window drives it from a worker thread: attn_trainer_step() runs a number of
 * updates and calls the progress callback every N steps (on that thread) with
 * the loss and the cross-attention of a fixed probe input. A trainer is used
 * by one thread at a time. The same config and seed give the same run, bit for
 * bit; attn_trainer_save() writes a Hugging Face style folder that
 * attn_model_load() runs and attn_trainer_resume() continues from. */
#pragma once

#include <gio/gio.h>
#include "attn-result.h"
#include "attn-scores.h"   /* AttnScoreKind: additive, dot, general, scaled-dot */

G_BEGIN_DECLS

typedef struct _AttnTrainer AttnTrainer;

typedef enum {
  ATTN_TASK_COPY,
  ATTN_TASK_REVERSE,
  ATTN_TASK_SORT,
} AttnTask;

typedef enum {
  ATTN_ARCH_TRANSFORMER,     /* saved as model_type "marian" */
  ATTN_ARCH_GRU,             /* saved as model_type "attn-rnn", cell "gru" */
  ATTN_ARCH_LSTM,            /* saved as model_type "attn-rnn", cell "lstm" */
  ATTN_ARCH_BERT,            /* a text classifier on labelled texts, saved as
                              * BertForSequenceClassification (model_type "bert") */
  ATTN_ARCH_GPT2,            /* a causal language model, saved as model_type "gpt2" */
  ATTN_ARCH_WHISPER,         /* speech recognition, saved as model_type "whisper" */
} AttnTrainArch;

typedef enum {
  ATTN_DECAY_LINEAR,
  ATTN_DECAY_COSINE,
  ATTN_DECAY_INVSQRT,
  ATTN_DECAY_CONSTANT,
} AttnDecay;

typedef enum {
  ATTN_TRAIN_ACT_RELU,       /* the Transformer's feed-forward activation */
  ATTN_TRAIN_ACT_GELU,
  ATTN_TRAIN_ACT_GELU_NEW,   /* GPT-2's tanh approximation (the default of "gpt2") */
} AttnTrainAct;

/* How a recurrent model's general (bilinear) score matrix W_g starts. */
typedef enum {
  ATTN_SCORE_INIT_RANDOM,    /* Xavier-normal, like the other matrices (the default) */
  ATTN_SCORE_INIT_IDENTITY,  /* W_g = I: the general score starts as the dot score */
  ATTN_SCORE_INIT_ZERO,      /* W_g = 0: attention starts uniform */
} AttnScoreInit;

#define ATTN_TRAIN_MAX_ALIGNMENT_HEADS 32

typedef struct {
  AttnTask      task;
  AttnTrainArch arch;
  AttnScoreKind     score;            /* recurrent models */
  guint64       seed;
  int           min_len, max_len; /* digits per sequence */
  int           batch_size;
  int           steps;            /* planned updates: the schedule's length */
  /* optimisation */
  float         lr, beta1, beta2, weight_decay, clip_norm;
  int           warmup_steps;
  AttnDecay     decay;
  float         min_lr_ratio;
  float         dropout, label_smoothing;
  /* Transformer and BERT */
  int           d_model, ffn_dim, layers, heads;
  AttnTrainAct  activation;
  /* recurrent */
  int           embed_dim, hidden_size, attention_dim;
  AttnScoreInit score_init;       /* recipe key "score_init": random, identity or zero */
  float         score_lr_scale;   /* learning-rate multiplier for the score's own weights
                                   * (model.decoder.attention.*); 1 */
  /* held-out sequences for evaluation (never drawn for training) */
  int           eval_size;
  /* A parallel corpus instead of the toy task when train_path is not empty: TSV
   * files (absolute paths once read from a recipe), a folder with the shared
   * source/target tokenizer.json, the columns of source and target, the longest
   * pair in tokens (source with </s>, target with </s>; longer training pairs are
   * skipped, longer dev sources cut), and an evaluation every eval_every steps
   * (0: at the end only; the caller runs it).
   * For arch BERT the files hold labelled texts: source_column is the text,
   * target_column the label (defaults 1 and 0: "label TAB text"), and max_tokens
   * counts [CLS] and [SEP] (longer texts are cut, not skipped). */
  char          train_path[1024], dev_path[1024], tokenizer_dir[1024];
  /* translation pairs: a second training file read after train_path (e.g. a dictionary's
   * phrase pairs beside its example sentences; empty: none), with the same columns */
  char          extra_train_path[1024];
  /* a corpus model's starting weights: a saved folder of the same architecture and sizes
   * (fine-tuning; empty: random initialisation). Only the weights are taken: the
   * optimizer, the schedule and the data order start afresh. */
  char          init_dir[1024];
  /* Whisper with an init_dir (recipe key "grow_layers"): the init may have fewer encoder
   * and decoder layers than `layers`. Its layers become the first ones; each added layer
   * is appended after them with its output projections (attention out_proj, fc2) at
   * zero, so that it passes its input through and the grown model computes what the
   * init computed, then learns. */
  gboolean      grow_layers;
  int           source_column, target_column, max_tokens, eval_every;
  /* the languages of the two columns ("de", "en"; empty: unknown), written to the
   * saved config.json as "source_lang"/"target_lang" so the window can tell which
   * translators translate the same way */
  char          source_lang[16], target_lang[16];
  /* models that generate: the decoding they are best used with, chosen on dev after
   * training and written to the saved generation_config.json as Hugging Face's
   * "num_beams" (the window's starting beam width) and "length_penalty" (0: not set) */
  int           num_beams;
  float         length_penalty;
  /* Whisper: the decoder's cross-attention heads that time words ([layer, head] pairs,
   * chosen on dev after training), written to generation_config.json as
   * "alignment_heads" (none: the engine uses the upper half of the layers) */
  int           alignment_heads[ATTN_TRAIN_MAX_ALIGNMENT_HEADS][2];
  int           n_alignment_heads;
  /* Whisper: the source column holds audio paths (relative to the TSV's folder), the
   * target column transcripts; the tokenizer must have Whisper's special tokens. The
   * encoder reads windows of window_seconds (max_source_positions = 50 × that) of
   * n_mels log-mel bins; max_tokens is the decoder's length, prompt included. */
  int           n_mels, window_seconds;
  float         ctc_weight;     /* Whisper: weight of the auxiliary CTC loss (0: none) */
  /* Whisper: SpecAugment on the training clips' features (never on dev): freq_masks
   * bands of 0…freq_mask_width mel bins and time_masks spans of 0…time_mask_width frames
   * (at most a fifth of the clip each) are set to the clip's mean (0: none) */
  int           freq_masks, freq_mask_width, time_masks, time_mask_width;
  /* Whisper: before the masks, each training clip's mel axis is stretched or squeezed by
   * a factor drawn from [1 − freq_warp, 1 + freq_warp] (a vocal-tract-length
   * perturbation; 0: none) */
  float         freq_warp;
  /* "gpt2": plain-text train and dev files (one paragraph per line, documents
   * separated by an empty line) and a byte-level BPE tokenizer; the model reads
   * chunks of `context` tokens, which is also its number of positions. With
   * repeat_fraction > 0 that fraction of the training rows (drawn per row) repeats a
   * span of its own text after <|endoftext|>, to teach copying by induction. */
  int           context;
  float         repeat_fraction;
  float         repeat_random;   /* of those, the fraction whose span is random tokens */
} AttnTrainConfig;

/* Defaults that learn the toy tasks quickly on a laptop CPU. */
void          attn_train_config_init   (AttnTrainConfig *config, AttnTask task, AttnTrainArch arch);

gboolean      attn_task_from_name      (const char *name, AttnTask *task);
const char   *attn_task_name           (AttnTask task);
gboolean      attn_train_arch_from_name(const char *name, AttnTrainArch *arch);
const char   *attn_train_arch_name     (AttnTrainArch arch);

/* Reads a JSON recipe: an object whose members override the defaults of its
 * "task" and "arch" ("seed", "steps", "lr", "batch_size", "d_model", …), or that
 * names a corpus ("train", "dev", "tokenizer": paths relative to the recipe's
 * folder). Unknown keys, missing files and bad values are ATTN_ERROR_CONFIG. */
gboolean      attn_train_config_from_recipe (const char *path, AttnTrainConfig *config,
                                             GError **error);

typedef struct {
  gint64             step, total_steps;
  double             loss;               /* mean over the steps since the last report */
  double             token_accuracy;     /* of the same steps */
  double             lr, grad_norm;
  double             tokens_per_second;  /* target tokens (BERT: texts) */
  double             elapsed, seconds_left;
  const AttnWeights *attention;          /* probe cross-attention [layers, heads, tgt, src]
                                          * (BERT: self-attention [layers, heads, src, src]; a
                                          * language model: its causal self-attention); borrowed */
  const char        *probe_source;       /* "3 1 4 1 5 9 2 6 </s>" */
  const char        *probe_target;       /* "<s> 6 2 9 5 1 4 1 3" (decoder inputs) */
} AttnTrainProgress;

typedef void (*AttnTrainFunc) (const AttnTrainProgress *progress, gpointer user_data);

AttnTrainer  *attn_trainer_new         (const AttnTrainConfig *config, GError **error);
/* Continues from a folder written by attn_trainer_save(). */
AttnTrainer  *attn_trainer_resume      (const char *dir, GError **error);
void          attn_trainer_free        (AttnTrainer *trainer);
/* Writes from_dir's trainer_state.json into to_dir with its corpus, "init" and
 * "tokenizer" paths rewritten to name the same files from to_dir (for a trained folder
 * copied elsewhere, e.g. into models/). */
gboolean      attn_trainer_state_copy  (const char *from_dir, const char *to_dir,
                                        GError **error);

const AttnTrainConfig *attn_trainer_get_config (AttnTrainer *trainer);
gint64        attn_trainer_get_step    (AttnTrainer *trainer);
/* Lengthens a (resumed) run to `steps` updates in all. Only for schedules that do not
 * depend on the run's length (invsqrt, constant): the result equals a run made with
 * `steps` from the start. Others, or a length not beyond the current step, are an
 * ATTN_ERROR_CONFIG error. */
gboolean      attn_trainer_extend      (AttnTrainer *trainer, int steps, GError **error);
gint64        attn_trainer_get_n_params(AttnTrainer *trainer);

/* every ≤ 0 turns reports off. */
void          attn_trainer_set_callback (AttnTrainer *trainer, int every, AttnTrainFunc func,
                                         gpointer user_data, GDestroyNotify destroy);

/* Runs n_steps updates. Cancellation is checked between steps; a cancelled run
 * returns FALSE with G_IO_ERROR_CANCELLED and the trainer stays consistent (it
 * can be saved or stepped again). `last_loss` (may be NULL) gets the last step's loss. */
gboolean      attn_trainer_step        (AttnTrainer *trainer, int n_steps, GCancellable *cancellable,
                                        double *last_loss, GError **error);

/* Replaces the probe (default: the first digits of π, as long as the mean training
 * length) with a space-separated digit string; its forced target is the task's answer. */
gboolean      attn_trainer_set_probe   (AttnTrainer *trainer, const char *source, GError **error);

/* The probe's cross-attention under the current weights (attn_weights_free it). */
AttnWeights  *attn_trainer_probe_attention (AttnTrainer *trainer);

typedef struct {
  int    n;                 /* held-out sequences evaluated */
  double exact_match;       /* greedy output equals the answer, eos included */
  double token_accuracy;    /* teacher-forced argmax accuracy */
  double aligned;           /* fraction of decoder steps whose cross-attention argmax (best
                             * layer, heads averaged) is the aligned source position;
                             * < 0 for tasks without a fixed alignment (sort) */
  int    best_layer;
  double bleu, chrf;        /* corpus BLEU and chrF (0–100) of the greedy translations
                             * of the dev pairs against their references; < 0 for toy tasks */
  double wer, cer;          /* speech: word and character error rates (%, attn-metrics.h) of
                             * the greedy transcripts of the dev clips; < 0 otherwise */
  double accuracy;          /* a classifier's accuracy on the dev texts (0–1; exact_match
                             * and token_accuracy say the same); < 0 for other models */
  double f1;                /* F1 (0–1) of the positive class, the second of two labels in
                             * sorted order ("spam" of "ham"/"spam"); < 0 otherwise */
  double macro_f1;          /* the mean F1 over all labels; < 0 for other models */
  /* a language model: n is the number of dev chunks, exact_match < 0 */
  gint64 tokens;            /* dev tokens predicted */
  double loss;              /* their mean cross-entropy (nats per token) */
  double perplexity;        /* exp (loss); < 0 when not a language model */
  double induction;         /* the best head's induction score (attn-lm.h's probe, as
                             * attn-cli eval measures it); < 0 when not a language model */
  int    induction_layer, induction_head;   /* that head, from 0 */
} AttnTrainEval;

/* What a corpus trainer read (all 0 for a toy task). */
typedef struct {
  int n_train;              /* training pairs (texts, clips) kept */
  int n_dev;                /* dev pairs (texts, clips) */
  int n_too_long;           /* training pairs skipped for max_tokens (texts cut to it;
                             * clips: also audio longer than the window) */
  int n_in_dev;             /* training pairs skipped because their source is a dev source */
  gint64 train_tokens;      /* target tokens (with </s>) of the kept training pairs
                             * (texts: their tokens with [CLS] and [SEP]) */
  int n_labels;             /* a classifier's labels, sorted; 0 and NULL otherwise */
  const char *const *labels;   /* borrowed from the trainer */
  /* a language model: n_train and n_dev count chunks of `context` tokens, train_tokens
   * is the training stream's length */
  gint64 dev_tokens;        /* tokens of the dev stream */
  int n_train_docs, n_dev_docs;
} AttnTrainCorpusInfo;

void          attn_trainer_get_corpus_info (AttnTrainer *trainer, AttnTrainCorpusInfo *info);

gboolean      attn_trainer_evaluate    (AttnTrainer *trainer, int n, AttnTrainEval *eval,
                                        GError **error);

/* The evaluation stores its result in the trainer; attn_trainer_save () writes the
 * last one to trainer_state.json ("eval"). For a corpus, n ≤ 0 means eval_size
 * pairs (or all dev pairs, if fewer). */

/* Greedy answer for a space-separated digit string ("3 1 4"), or, for a corpus
 * trainer, the detokenized translation of a sentence, or a classifier's label for
 * a text, or, for a language model, the greedy continuation of a prompt; newly
 * allocated. */
char         *attn_trainer_predict     (AttnTrainer *trainer, const char *source, GError **error);

/* Writes config.json, model.safetensors, the tokenizer files (a corpus trainer's
 * tokenizer.json is copied) and the training state. */
gboolean      attn_trainer_save        (AttnTrainer *trainer, const char *dir, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnTrainer, attn_trainer_free)

G_END_DECLS
