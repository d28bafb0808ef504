/* attn-trainer-private.h — the trainer's state, shared by attn-trainer.c and
 * attn-train-io.c (saving and resuming). */
#pragma once

#include <json-glib/json-glib.h>

#include "attn-train-private.h"

G_BEGIN_DECLS

struct _AttnTrainer {
  AttnTrainConfig cfg;
  AttnTrainModel *model;
  AttnAdamW      *opt;
  AttnRng         data_rng;       /* batches */
  AttnRng         drop_rng;       /* dropout masks */
  gint64          step;
  double          elapsed;        /* seconds spent in steps */

  GHashTable     *held_out;       /* keys of the evaluation sequences (guint64 *) */
  int            *eval_x;         /* [eval_size, max_len] digits */
  int            *eval_n;         /* [eval_size] */
  AttnBatch       batch;
  AttnBatch       probe;          /* one fixed sequence */
  char           *probe_source, *probe_target;
  int             model_max_source;   /* source tokens the model's positions allow, less eos */
  AttnCorpus     *corpus;         /* NULL for a toy task */
  AttnTextCorpus *text;           /* a language model's text (then corpus is NULL) */
  AttnTrainEval   last_eval;      /* n = 0: none yet */
  gint64          last_eval_step;

  /* reporting */
  int             every;
  AttnTrainFunc   func;
  gpointer        user_data;
  GDestroyNotify  destroy;
  double          acc_loss;
  int             acc_steps;
  gint64          acc_tokens, acc_correct;
  gint64          report_time;
  double          last_lr, last_norm;
};

/* corpus, text: NULL for a toy task (else the vocabulary and special ids come from
 * the one given) */
AttnTrainModel *attn_trainer_build_model (const AttnTrainConfig *config, AttnCorpus *corpus,
                                          AttnTextCorpus *text, GError **error);
/* A trainer with the model's parameters still zero (to be loaded or initialised). */
AttnTrainer    *attn_trainer_new_uninit  (const AttnTrainConfig *config, GError **error);

/* attn-train-recipe.c: a configuration as the JSON object of trainer_state.json's
 * "config" (corpus paths relative to base_dir), and back (relative paths taken from
 * base_dir; `where` names the file in errors). */
void     attn_train_config_to_json   (const AttnTrainConfig *c, JsonBuilder *jb,
                                      const char *base_dir);
gboolean attn_train_config_from_json (JsonObject *o, const char *where, const char *base_dir,
                                      AttnTrainConfig *c, GError **error);
/* The path members of such an object ("train", "init", …), relative to from_dir,
 * rewritten relative to to_dir (for a saved folder copied elsewhere). */
void     attn_train_config_json_rebase (JsonObject *config, const char *from_dir,
                                        const char *to_dir);
/* attn-train-io.c: the object at the root of a JSON file (parser keeps it alive). */
JsonObject *attn_train_load_json_object (const char *path, JsonParser *parser, GError **error);

G_END_DECLS
