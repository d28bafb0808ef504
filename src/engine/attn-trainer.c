/* attn-trainer.c — the step-by-step training API (see attn-trainer.h):
 * batches from the seeded task generator, forward/backward, clipping, AdamW,
 * progress reports with the probe's cross-attention, and evaluation on
 * held-out sequences. Saving and resuming live in attn-train-io.c, the
 * configuration's defaults in attn-train-config.c. */
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"
#include "attn-train-private.h"
#include "attn-trainer-private.h"

/* ---- construction ---- */

static const int probe_digits[] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };

static char *
ids_to_text (const gint32 *ids, int n)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, ids[i] >= 0 && ids[i] < ATTN_TOY_VOCAB ? attn_toy_words ()[ids[i]] : "?");
    }
  return g_string_free (s, FALSE);
}

/* The probe: a fixed source and the task's answer as the forced decoder input. */
static void
make_probe (AttnTrainer *t, const int *digits, int n)
{
  int y[64];
  AttnBatch *b = &t->probe;

  attn_batch_reserve (b, 1, n + 1, n + 1);
  attn_task_apply (t->cfg.task, digits, n, y);
  for (int j = 0; j <= n; j++)
    {
      b->src[j] = j < n ? ATTN_TOY_DIGIT0 + digits[j] : ATTN_TOY_EOS;
      b->tgt_in[j] = j == 0 ? ATTN_TOY_BOS : ATTN_TOY_DIGIT0 + y[j - 1];
      b->tgt_out[j] = j < n ? ATTN_TOY_DIGIT0 + y[j] : ATTN_TOY_EOS;
    }
  b->src_len[0] = b->tgt_len[0] = n + 1;
  g_free (t->probe_source);
  g_free (t->probe_target);
  t->probe_source = ids_to_text (b->src, n + 1);
  t->probe_target = ids_to_text (b->tgt_in, n + 1);
}

/* "3 1 4" → digits; 1 to max_digits of them. */
static int
parse_digits (const char *source, int *digits, int max_digits, GError **error)
{
  g_auto (GStrv) words = g_strsplit_set (source, " \t\n", -1);
  int n = 0;

  for (int i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      if (w[0] == '\0')
        continue;
      if (w[1] != '\0' || !g_ascii_isdigit (w[0]))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                       _("“%s” is not a digit; the toy models read digits 0–9 separated by spaces"), w);
          return -1;
        }
      if (n == max_digits)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The input has more than %d digits"),
                       max_digits);
          return -1;
        }
      digits[n++] = w[0] - '0';
    }
  if (n == 0)
    g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The input has no digits"));
  return n > 0 ? n : -1;
}

gboolean
attn_trainer_set_probe (AttnTrainer *t, const char *source, GError **error)
{
  int digits[40];
  int n;

  if (t->corpus != NULL || t->text != NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("A corpus trainer's probe is the start of its dev data and cannot be changed"));
      return FALSE;
    }
  n = parse_digits (source, digits, MIN (40, t->model_max_source), error);
  if (n < 0)
    return FALSE;
  make_probe (t, digits, n);
  return TRUE;
}

static void
make_held_out (AttnTrainer *t)
{
  AttnRng rng;
  int x[64];

  attn_rng_seed (&rng, t->cfg.seed ^ G_GUINT64_CONSTANT (0x5eed0f4e1d07));
  t->held_out = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  t->eval_x = g_new0 (int, (gsize) t->cfg.eval_size * t->cfg.max_len);
  t->eval_n = g_new0 (int, t->cfg.eval_size);
  for (int i = 0; i < t->cfg.eval_size; i++)
    {
      guint64 key;
      int n;
      do
        {
          n = attn_task_draw (&rng, t->cfg.min_len, t->cfg.max_len, x);
          key = attn_task_key (x, n);
        }
      while (g_hash_table_contains (t->held_out, &key));
      g_hash_table_add (t->held_out, g_memdup2 (&key, sizeof key));
      memcpy (t->eval_x + (gsize) i * t->cfg.max_len, x, sizeof (int) * n);
      t->eval_n[i] = n;
    }
}

static int
max_positions (const AttnTrainConfig *c, AttnCorpus *corpus)
{
  if (c->arch == ATTN_ARCH_BERT)
    return c->max_tokens;   /* [CLS] and [SEP] included: the longest input trained on */
  return MAX (64, (corpus != NULL ? c->max_tokens : c->max_len) + 2);
}

AttnTrainModel *
attn_trainer_build_model (const AttnTrainConfig *c, AttnCorpus *corpus, AttnTextCorpus *text,
                          GError **error)
{
  int vocab = ATTN_TOY_VOCAB, positions = max_positions (c, corpus);
  gint32 pad = ATTN_TOY_PAD, bos = ATTN_TOY_BOS, eos = ATTN_TOY_EOS;
  static const AttnTAct acts[] = { ATTN_TACT_RELU, ATTN_TACT_GELU, ATTN_TACT_GELU_NEW };

  if (c->arch == ATTN_ARCH_WHISPER)
    {
      AttnWhisperTrainConfig wc = { 0 };
      if (corpus == NULL || !attn_corpus_whisper_prompt (corpus, &wc))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("A Whisper model trains on a speech corpus (“train”, “dev”, “tokenizer”)"));
          return NULL;
        }
      attn_corpus_special (corpus, &wc.vocab, &pad, &bos, &wc.eos_id);
      wc.d_model = c->d_model;
      wc.ffn_dim = c->ffn_dim;
      wc.encoder_layers = wc.decoder_layers = c->layers;
      wc.heads = c->heads;
      wc.n_mels = c->n_mels;
      wc.max_source_positions = 50 * c->window_seconds;
      wc.max_target_positions = c->max_tokens;
      wc.dropout = c->dropout;
      wc.ctc_weight = c->ctc_weight;
      return attn_train_whisper_new (&wc, error);
    }
  if (corpus != NULL)
    attn_corpus_special (corpus, &vocab, &pad, &bos, &eos);
  if (c->arch == ATTN_ARCH_GPT2)
    {
      /* GPT-2 has no padding token; <|endoftext|> is its bos and eos */
      AttnGpt2Config gc = { vocab, c->d_model, c->ffn_dim, c->layers, c->heads, c->context,
                            -1, 0, 0, c->dropout, acts[c->activation] };
      if (text != NULL)
        attn_text_corpus_special (text, &gc.vocab, &gc.eos_id);
      gc.bos_id = gc.eos_id;
      return attn_train_gpt2_new (&gc, error);
    }
  if (c->arch == ATTN_ARCH_BERT)
    {
      /* one token type: the trainer reads single texts, and a model without a second
       * type tells the window and HF not to offer sentence pairs (as RoBERTa) */
      AttnBertConfig bc = { vocab, c->d_model, c->ffn_dim, c->layers, c->heads, positions, 1,
                            0, NULL, pad, bos, eos, c->dropout, acts[c->activation] };
      if (corpus == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("arch “bert” trains a text classifier: the recipe needs “train”, “dev” "
                       "and “tokenizer” (labelled texts), not a toy task"));
          return NULL;
        }
      bc.labels = attn_corpus_labels (corpus, &bc.n_labels);
      return attn_train_bert_new (&bc, error);
    }
  if (c->arch == ATTN_ARCH_TRANSFORMER)
    {
      AttnTfConfig tc = { vocab, c->d_model, c->ffn_dim, c->layers, c->layers, c->heads,
                          positions, pad, bos, eos, c->dropout, acts[c->activation] };
      return attn_train_transformer_new (&tc, error);
    }
  else
    {
      AttnRnnConfig rc = { vocab, c->embed_dim, c->hidden_size, c->attention_dim, positions,
                           pad, bos, eos,
                           c->arch == ATTN_ARCH_LSTM ? ATTN_CELL_LSTM : ATTN_CELL_GRU,
                           c->score, c->dropout };
      return attn_rnn_new (&rc, error);
    }
}

static gboolean
check_config (const AttnTrainConfig *c, GError **error)
{
  if (c->min_len < 1 || c->max_len < c->min_len || c->max_len > 40 || c->batch_size < 1
      || c->steps < 1 || !(c->lr > 0) || c->eval_size < 1 || c->clip_norm < 0
      || c->label_smoothing < 0 || c->label_smoothing >= 1 || c->dropout < 0 || c->dropout >= 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("Training configuration is invalid (lengths %d–%d, batch %d, steps %d, lr %g)"),
                   c->min_len, c->max_len, c->batch_size, c->steps, c->lr);
      return FALSE;
    }
  if (!(c->score_lr_scale >= 0 && c->score_lr_scale <= 100))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("“score_lr_scale” must be between 0 and 100 (it is %g)"), c->score_lr_scale);
      return FALSE;
    }
  {
    /* both act on the recurrent score's own weights: refuse them where there are none */
    gboolean rnn = c->arch == ATTN_ARCH_GRU || c->arch == ATTN_ARCH_LSTM;
    if (c->score_init != ATTN_SCORE_INIT_RANDOM && !(rnn && c->score == ATTN_SCORE_GENERAL))
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     _("“score_init” applies to the general score of a gru or lstm model only"));
        return FALSE;
      }
    if (c->score_lr_scale != 1.0f
        && !(rnn && (c->score == ATTN_SCORE_GENERAL || c->score == ATTN_SCORE_ADDITIVE)))
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     _("“score_lr_scale” applies to a gru or lstm model with a general or additive "
                     "score only (the others have no score weights)"));
        return FALSE;
      }
  }
  if (c->grow_layers && (c->arch != ATTN_ARCH_WHISPER || c->init_dir[0] == '\0'))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("“grow_layers” applies to a whisper recipe with an “init” only"));
      return FALSE;
    }
  if (c->arch == ATTN_ARCH_GPT2 && (c->train_path[0] == '\0' || c->context < 2 || c->context > 4096))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("A “gpt2” language model trains on text: it needs “train”, “dev” and "
                   "“tokenizer”, and a “context” of 2 to 4096 tokens (it has %d)"), c->context);
      return FALSE;
    }
  return TRUE;
}

AttnTrainer *
attn_trainer_new_uninit (const AttnTrainConfig *config, GError **error)
{
  AttnTrainer *t;
  AttnTrainModel *m;
  AttnOptimConfig oc;
  AttnCorpus *corpus = NULL;
  AttnTextCorpus *text = NULL;

  if (!check_config (config, error))
    return NULL;
  if (config->arch == ATTN_ARCH_GPT2)
    {
      if ((text = attn_text_corpus_load (config, error)) == NULL)
        return NULL;
    }
  else if (config->train_path[0] != '\0' && (corpus = attn_corpus_load (config, error)) == NULL)
    return NULL;
  m = attn_trainer_build_model (config, corpus, text, error);
  if (m == NULL)
    {
      attn_corpus_free (corpus);
      attn_text_corpus_free (text);
      return NULL;
    }
  /* check_config allows a score_lr_scale other than 1 only for a recurrent score with weights */
  for (guint i = 0; config->score_lr_scale != 1.0f && i < m->params->info->len; i++)
    {
      AttnParamInfo *info = &g_array_index (m->params->info, AttnParamInfo, i);
      if (g_str_has_prefix (info->name, "model.decoder.attention."))
        info->lr_scale = config->score_lr_scale;
    }
  t = g_new0 (AttnTrainer, 1);
  t->cfg = *config;
  t->model = m;
  t->corpus = corpus;
  t->text = text;
  oc.lr = config->lr;
  oc.beta1 = config->beta1;
  oc.beta2 = config->beta2;
  oc.eps = 1e-8f;
  oc.weight_decay = config->weight_decay;
  oc.warmup_steps = config->warmup_steps;
  oc.total_steps = config->steps;
  oc.decay = config->decay;
  oc.min_lr_ratio = config->min_lr_ratio;
  t->opt = attn_adamw_new (&oc, m->params->total);
  attn_rng_seed (&t->data_rng, config->seed);
  attn_rng_seed (&t->drop_rng, config->seed ^ G_GUINT64_CONSTANT (0xd40b07));
  t->model_max_source = max_positions (config, corpus) - 1;
  if (text != NULL)
    {
      t->held_out = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      attn_text_corpus_probe (text, &t->probe, &t->probe_source, &t->probe_target);
      return t;
    }
  if (corpus != NULL)
    {
      /* the dev pairs are held out by construction (another file; training pairs
       * with a dev source are dropped when reading) */
      t->held_out = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      if (!attn_corpus_probe (corpus, &t->probe, &t->probe_source, &t->probe_target, error))
        {
          attn_trainer_free (t);
          return NULL;
        }
      return t;
    }
  make_held_out (t);
  make_probe (t, probe_digits,
              CLAMP ((config->min_len + config->max_len) / 2, 1, (int) G_N_ELEMENTS (probe_digits)));
  return t;
}

AttnTrainer *
attn_trainer_new (const AttnTrainConfig *config, GError **error)
{
  AttnTrainer *t = attn_trainer_new_uninit (config, error);
  AttnRng init;

  if (t == NULL)
    return NULL;
  attn_rng_seed (&init, config->seed ^ G_GUINT64_CONSTANT (0x1417));
  if (config->arch == ATTN_ARCH_GPT2)
    attn_train_gpt2_init (t->model, &init);
  else if (config->arch == ATTN_ARCH_BERT)
    attn_train_bert_init (t->model, &init);
  else if (config->arch == ATTN_ARCH_TRANSFORMER)
    attn_train_transformer_init (t->model, &init);
  else if (config->arch == ATTN_ARCH_WHISPER)
    attn_train_whisper_init (t->model, &init);
  else
    attn_rnn_init (t->model, &init, config->score_init);
  if (config->init_dir[0] != '\0')
    {
      g_autoptr (GError) local = NULL;
      if (!(config->grow_layers
            ? attn_params_load_grown (t->model->params, config->init_dir, config->layers, &local)
            : attn_params_load (t->model->params, config->init_dir, &local)))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("The recipe's “init” (%s) does not fit the model it describes: %s"),
                       config->init_dir, local->message);
          attn_trainer_free (t);
          return NULL;
        }
    }
  return t;
}

void
attn_trainer_free (AttnTrainer *t)
{
  if (t == NULL)
    return;
  if (t->destroy != NULL)
    t->destroy (t->user_data);
  t->model->klass->free (t->model);
  attn_adamw_free (t->opt);
  g_hash_table_unref (t->held_out);
  g_free (t->eval_x);
  g_free (t->eval_n);
  attn_batch_clear (&t->batch);
  attn_batch_clear (&t->probe);
  attn_corpus_free (t->corpus);
  attn_text_corpus_free (t->text);
  g_free (t->probe_source);
  g_free (t->probe_target);
  g_free (t);
}

const AttnTrainConfig *
attn_trainer_get_config (AttnTrainer *t)
{
  return &t->cfg;
}

gboolean
attn_trainer_extend (AttnTrainer *t, int steps, GError **error)
{
  if (t->cfg.decay != ATTN_DECAY_INVSQRT && t->cfg.decay != ATTN_DECAY_CONSTANT)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("This run's learning-rate schedule depends on its length (%d steps); only "
                   "invsqrt and constant schedules can be lengthened"), t->cfg.steps);
      return FALSE;
    }
  if (steps <= t->step)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("The run is at step %" PRId64 "; %d steps would not lengthen it"),
                   t->step, steps);
      return FALSE;
    }
  t->cfg.steps = steps;
  return TRUE;
}

gint64
attn_trainer_get_step (AttnTrainer *t)
{
  return t->step;
}

gint64
attn_trainer_get_n_params (AttnTrainer *t)
{
  return (gint64) t->model->params->total;
}

void
attn_trainer_set_callback (AttnTrainer *t, int every, AttnTrainFunc func, gpointer user_data,
                           GDestroyNotify destroy)
{
  if (t->destroy != NULL)
    t->destroy (t->user_data);
  t->every = every;
  t->func = func;
  t->user_data = user_data;
  t->destroy = destroy;
}

/* ---- stepping ---- */

AttnWeights *
attn_trainer_probe_attention (AttnTrainer *t)
{
  AttnTrainModel *m = t->model;
  m->klass->forward (m, &t->probe, 0.0f, FALSE, FALSE, NULL, NULL);
  return m->klass->cross (m, 0, t->probe.tgt_len[0], t->probe.src_len[0]);
}

static void
report (AttnTrainer *t)
{
  AttnTrainProgress p = { 0 };
  gint64 now = g_get_monotonic_time ();
  double span = (now - t->report_time) / 1e6;
  AttnWeights *w = attn_trainer_probe_attention (t);

  p.step = t->step;
  p.total_steps = t->cfg.steps;
  p.loss = t->acc_steps > 0 ? t->acc_loss / t->acc_steps : 0;
  p.token_accuracy = t->acc_tokens > 0 ? (double) t->acc_correct / t->acc_tokens : 0;
  p.lr = t->last_lr;
  p.grad_norm = t->last_norm;
  p.tokens_per_second = span > 0 ? t->acc_tokens / span : 0;
  p.elapsed = t->elapsed;
  p.seconds_left = t->step > 0 && t->step < t->cfg.steps
                   ? t->elapsed / t->step * (t->cfg.steps - t->step) : 0;
  p.attention = w;
  p.probe_source = t->probe_source;
  p.probe_target = t->probe_target;
  t->func (&p, t->user_data);
  attn_weights_free (w);
  t->acc_loss = 0;
  t->acc_steps = 0;
  t->acc_tokens = 0;
  t->acc_correct = 0;
  t->report_time = g_get_monotonic_time ();
}

gboolean
attn_trainer_step (AttnTrainer *t, int n_steps, GCancellable *cancellable, double *last_loss,
                   GError **error)
{
  AttnTrainModel *m = t->model;
  const AttnTrainConfig *c = &t->cfg;

  if (t->report_time == 0)
    t->report_time = g_get_monotonic_time ();
  for (int s = 0; s < n_steps; s++)
    {
      AttnLossStats st;
      gint64 t0 = g_get_monotonic_time ();

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (t->text != NULL)
        attn_text_corpus_make_batch (t->text, t->step, &t->batch);
      else if (t->corpus != NULL)
        {
          if (!attn_corpus_make_batch (t->corpus, t->step, &t->batch, error))
            return FALSE;
        }
      else
        attn_task_make_batch (c->task, &t->data_rng, c->batch_size, c->min_len, c->max_len,
                              t->held_out, &t->batch);
      attn_params_zero_grad (m->params);
      m->klass->forward (m, &t->batch, c->label_smoothing, TRUE, TRUE, &t->drop_rng, &st);
      if (!isfinite (st.loss))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                       _("Training diverged at step %" PRId64 " (loss is not finite); "
                       "lower the learning rate"), t->step + 1);
          return FALSE;
        }
      t->last_norm = attn_clip_grad_norm (m->params, c->clip_norm);
      t->last_lr = attn_adamw_update (t->opt, m->params);
      t->step++;
      t->elapsed += (g_get_monotonic_time () - t0) / 1e6;
      t->acc_loss += st.loss;
      t->acc_steps++;
      t->acc_tokens += st.tokens;
      t->acc_correct += st.correct;
      if (last_loss != NULL)
        *last_loss = st.loss;
      if (t->func != NULL && t->every > 0 && t->step % t->every == 0)
        report (t);
    }
  return TRUE;
}

/* ---- evaluation ---- */

static int
aligned_source (AttnTask task, int i, int n)
{
  switch (task)
    {
    case ATTN_TASK_COPY:
      return i;
    case ATTN_TASK_REVERSE:
      return n - 1 - i;
    case ATTN_TASK_SORT:
    default:
      return -1;
    }
}

static void
fill_eval_batch (AttnTrainer *t, int first, int B, AttnBatch *b)
{
  int L = t->cfg.max_len, y[64];
  attn_batch_reserve (b, B, L + 1, L + 1);
  for (int i = 0; i < B; i++)
    {
      const int *x = t->eval_x + (gsize) (first + i) * L;
      int n = t->eval_n[first + i];
      attn_task_apply (t->cfg.task, x, n, y);
      for (int j = 0; j <= L; j++)
        {
          b->src[i * (L + 1) + j] = j < n ? ATTN_TOY_DIGIT0 + x[j] : j == n ? ATTN_TOY_EOS : ATTN_TOY_PAD;
          b->tgt_in[i * (L + 1) + j] = j == 0 ? ATTN_TOY_BOS : j <= n ? ATTN_TOY_DIGIT0 + y[j - 1]
                                                                       : ATTN_TOY_PAD;
          b->tgt_out[i * (L + 1) + j] = j < n ? ATTN_TOY_DIGIT0 + y[j] : j == n ? ATTN_TOY_EOS
                                                                                : ATTN_TOY_PAD;
        }
      b->src_len[i] = b->tgt_len[i] = n + 1;
    }
}

static gboolean evaluate_toy (AttnTrainer *t, int n, AttnTrainEval *eval);

gboolean
attn_trainer_evaluate (AttnTrainer *t, int n, AttnTrainEval *eval, GError **error)
{
  if (t->text != NULL)
    {
      if (!attn_text_corpus_evaluate (t->text, t->model,
                                      n <= 0 ? t->cfg.eval_size : MIN (n, t->cfg.eval_size), eval,
                                      error))
        return FALSE;
    }
  else if (t->corpus != NULL)
    {
      if (!attn_corpus_evaluate (t->corpus, t->model,
                                 n <= 0 ? t->cfg.eval_size : MIN (n, t->cfg.eval_size), eval,
                                 error))
        return FALSE;
    }
  else if (!evaluate_toy (t, n, eval))
    return FALSE;
  t->last_eval = *eval;
  t->last_eval_step = t->step;
  return TRUE;
}

void
attn_trainer_get_corpus_info (AttnTrainer *t, AttnTrainCorpusInfo *info)
{
  memset (info, 0, sizeof *info);
  if (t->text != NULL)
    attn_text_corpus_get_info (t->text, info);
  else if (t->corpus != NULL)
    attn_corpus_get_info (t->corpus, info);
}

static gboolean
evaluate_toy (AttnTrainer *t, int n, AttnTrainEval *eval)
{
  AttnTrainModel *m = t->model;
  int L = t->cfg.max_len, chunk = 128, exact = 0, tokens = 0, correct = 0;
  int n_layers = 0;
  gint64 *hits = NULL, steps = 0;
  AttnBatch b = { 0 };
  gint32 *out;

  n = n <= 0 ? t->cfg.eval_size : MIN (n, t->cfg.eval_size);
  out = g_new (gint32, (gsize) chunk * (L + 2));
  for (int first = 0; first < n; first += chunk)
    {
      int B = MIN (chunk, n - first);
      AttnLossStats st;

      fill_eval_batch (t, first, B, &b);
      /* teacher-forced: token accuracy and cross-attention */
      m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, &st);
      tokens += st.tokens;
      correct += st.correct;
      for (int i = 0; i < B; i++)
        {
          int len = b.src_len[i] - 1;
          AttnWeights *w = m->klass->cross (m, i, b.tgt_len[i], b.src_len[i]);
          if (hits == NULL)
            {
              n_layers = w->layers;
              hits = g_new0 (gint64, n_layers);
            }
          for (int step = 0; step < len; step++)
            {
              int want = aligned_source (t->cfg.task, step, len);
              if (want < 0)
                continue;
              for (int l = 0; l < w->layers; l++)
                {
                  int arg = 0;
                  float best = -1;
                  for (int j = 0; j < w->keys; j++)
                    {
                      float s = 0;
                      for (int h = 0; h < w->heads; h++)
                        s += attn_weights_head (w, l, h)[(gsize) step * w->keys + j];
                      if (s > best)
                        {
                          best = s;
                          arg = j;
                        }
                    }
                  hits[l] += arg == want;
                }
              steps += want >= 0;
            }
          attn_weights_free (w);
        }
      /* greedy generation */
      attn_train_model_greedy (m, &b, L + 2, out);
      for (int i = 0; i < B; i++)
        {
          int len = b.tgt_len[i];
          gboolean ok = TRUE;
          for (int j = 0; j < len && ok; j++)
            ok = out[i * (L + 2) + j] == b.tgt_out[i * b.Tt + j];
          exact += ok;
        }
    }
  eval->n = n;
  eval->exact_match = (double) exact / n;
  eval->token_accuracy = tokens > 0 ? (double) correct / tokens : 0;
  eval->aligned = -1;
  eval->best_layer = -1;
  eval->bleu = eval->chrf = -1;
  eval->wer = eval->cer = -1;
  eval->tokens = 0;
  eval->loss = 0;
  eval->perplexity = eval->induction = -1;
  eval->accuracy = eval->f1 = eval->macro_f1 = -1;
  for (int l = 0; l < n_layers && steps > 0; l++)
    if ((double) hits[l] / steps > eval->aligned)
      {
        eval->aligned = (double) hits[l] / steps;
        eval->best_layer = l;
      }
  g_free (hits);
  g_free (out);
  attn_batch_clear (&b);
  return TRUE;
}

char *
attn_trainer_predict (AttnTrainer *t, const char *source, GError **error)
{
  int digits[60];
  AttnBatch b = { 0 };
  gint32 *out;
  int n, max_out, len = 0;
  char *text;

  if (t->text != NULL)
    return attn_text_corpus_continue (t->text, t->model, source, error);
  if (t->corpus != NULL && t->cfg.arch == ATTN_ARCH_BERT)
    return attn_corpus_classify (t->corpus, t->model, source, error);
  if (t->corpus != NULL)
    return attn_corpus_translate (t->corpus, t->model, source, error);
  n = parse_digits (source, digits, MIN (60, t->model_max_source), error);
  if (n < 0)
    return NULL;
  attn_batch_reserve (&b, 1, n + 1, 1);
  for (int j = 0; j < n; j++)
    b.src[j] = ATTN_TOY_DIGIT0 + digits[j];
  b.src[n] = ATTN_TOY_EOS;
  b.src_len[0] = n + 1;
  max_out = MIN (2 * n + 2, t->model_max_source);
  out = g_new (gint32, max_out);
  attn_train_model_greedy (t->model, &b, max_out, out);
  while (len < max_out && out[len] != ATTN_TOY_EOS && out[len] != ATTN_TOY_PAD)
    len++;
  text = ids_to_text (out, len);
  g_free (out);
  attn_batch_clear (&b);
  return text;
}
