/* attn-train-text.c — training a causal language model on plain text: the train and
 * dev files read once into token streams (attn_lm_encode_text: documents separated
 * by <|endoftext|>), contiguous chunks of context + 1 tokens drawn from the seed,
 * and the dev loss and perplexity.
 *
 * A training chunk k of an epoch starts at token phase + k·context, where the phase
 * in [0, context) is drawn per epoch so that chunk boundaries move between epochs;
 * the chunks' order is a seeded shuffle. The batch of step n is a function of the
 * seed and n alone, so runs and resumed runs are reproducible.
 *
 * With repeat_fraction p > 0, each training row is, with probability p, a repeated
 * row: a span of L tokens of its chunk (L drawn in [8, context / 2], its place at
 * random) is written over a later place of the same chunk, again at random (right
 * after it or further on), and the text goes on after the copy. The copy can only be
 * continued well by looking back at what followed the same tokens before (the
 * induction-head circuit, Olsson et al., 2022); no marker and no fixed position tells
 * where it is, so no positional shortcut learns it. With repeat_random q, that fraction
 * of the repeated rows first writes L random tokens (no special ones) at the first
 * place, so that only copying predicts the second: text alone lets the model guess much
 * of a copy from the words around it. Which rows repeat, how, L and the two places are
 * drawn from the seed, the step and the row, so resumed runs stay reproducible. The dev
 * stream is never changed: it is cut
 * at 0, context, 2·context, …: every dev token after the first is predicted once,
 * with 0 … context − 1 tokens of context. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"
#include "attn-lm.h"
#include "attn-tokenizer.h"
#include "attn-train-private.h"

struct _AttnTextCorpus {
  AttnTokenizer *tok;
  char          *tok_dir;
  int            vocab;
  gint32         eos;
  int            context, batch_size;
  guint64        seed;
  double         repeat_fraction, repeat_random;
  int            random_lo, random_hi;   /* the ids random spans are drawn from */
  gint32        *row;                    /* context + 1 tokens: repeat_row's work space */
  GArray        *train, *dev;      /* gint32 token streams */
  int            n_dev_docs, n_train_docs;
  /* the current epoch: chunk start offsets in batch order */
  gint64         epoch;
  int            n_chunks, n_batches;
  gint64        *order;
};

void
attn_text_corpus_free (AttnTextCorpus *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->tok, attn_tokenizer_unref);
  g_free (c->tok_dir);
  g_clear_pointer (&c->train, g_array_unref);
  g_clear_pointer (&c->dev, g_array_unref);
  g_free (c->order);
  g_free (c->row);
  g_free (c);
}

static GArray *
read_stream (AttnTextCorpus *c, const char *path, const char *what, int *n_docs, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  gsize len;
  GArray *ids;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   g_str_equal (what, "dev") ? _("Cannot read the dev text: %s") : _("Cannot read the training text: %s"),
                   local->message);
      return NULL;
    }
  ids = attn_lm_encode_text (c->tok, text, len, c->eos, n_docs, error);
  if (ids == NULL)
    {
      g_prefix_error (error, _("%s: "), path);
      return NULL;
    }
  if ((int) ids->len < c->context + 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s has %u tokens, fewer than one chunk of context + 1 = %d"), path, ids->len,
                   c->context + 1);
      g_array_unref (ids);
      return NULL;
    }
  return ids;
}

AttnTextCorpus *
attn_text_corpus_load (const AttnTrainConfig *cfg, GError **error)
{
  g_autofree char *tok_path = g_build_filename (cfg->tokenizer_dir, "tokenizer.json", NULL);
  AttnTextCorpus *c;

  if (cfg->context < 2 || cfg->dev_path[0] == '\0' || cfg->tokenizer_dir[0] == '\0')
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("A language-model recipe needs “train”, “dev” and “tokenizer”, and “context” ≥ 2"));
      return NULL;
    }
  c = g_new0 (AttnTextCorpus, 1);
  c->tok = attn_tokenizer_new_from_json (tok_path, error);
  if (c->tok == NULL)
    {
      g_prefix_error (error, _("Tokenizer for training (%s): "), tok_path);
      attn_text_corpus_free (c);
      return NULL;
    }
  c->tok_dir = g_strdup (cfg->tokenizer_dir);
  c->vocab = (int) attn_tokenizer_vocab_size (c->tok);
  c->eos = attn_tokenizer_token_to_id (c->tok, "<|endoftext|>");
  if (c->eos < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s has no <|endoftext|> token to separate documents (train it with "
                   "attn-cli tokenizer --kind bpe)"), tok_path);
      attn_text_corpus_free (c);
      return NULL;
    }
  attn_induction_token_range (c->tok, &c->random_lo, &c->random_hi);
  c->context = cfg->context;
  c->batch_size = cfg->batch_size;
  c->seed = cfg->seed;
  c->repeat_fraction = cfg->repeat_fraction;
  c->repeat_random = cfg->repeat_random;
  c->row = g_new (gint32, MAX (cfg->context, 0) + 1);
  c->epoch = -1;
  if (!(cfg->repeat_fraction >= 0 && cfg->repeat_fraction <= 1)
      || !(cfg->repeat_random >= 0 && cfg->repeat_random <= 1)
      || (cfg->repeat_fraction > 0 && cfg->context < 17))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("“repeat_fraction” and “repeat_random” must be between 0 and 1, and "
                   "repeats need “context” ≥ 17"));
      attn_text_corpus_free (c);
      return NULL;
    }
  if ((c->dev = read_stream (c, cfg->dev_path, "dev", &c->n_dev_docs, error)) == NULL
      || (c->train = read_stream (c, cfg->train_path, "training", &c->n_train_docs, error)) == NULL)
    {
      attn_text_corpus_free (c);
      return NULL;
    }
  /* chunks whose last token (the phase's worst case included) is in the stream */
  c->n_chunks = ((int) c->train->len - c->context) / c->context;
  if (c->n_chunks < 1)
    c->n_chunks = 1;
  c->n_batches = MAX (1, c->n_chunks / c->batch_size);
  c->order = g_new (gint64, (gsize) c->n_batches * c->batch_size);
  return c;
}

void
attn_text_corpus_special (AttnTextCorpus *c, int *vocab, gint32 *eos)
{
  *vocab = c->vocab;
  *eos = c->eos;
}

const char *
attn_text_corpus_tokenizer_dir (AttnTextCorpus *c)
{
  return c->tok_dir;
}

void
attn_text_corpus_get_info (AttnTextCorpus *c, AttnTrainCorpusInfo *info)
{
  memset (info, 0, sizeof *info);
  info->n_train = c->n_chunks;
  info->n_dev = (int) ((c->dev->len - 1 + c->context - 1) / c->context);
  info->train_tokens = c->train->len;
  info->dev_tokens = c->dev->len;
  info->n_train_docs = c->n_train_docs;
  info->n_dev_docs = c->n_dev_docs;
}

/* ---- batches ---- */

static void
make_epoch (AttnTextCorpus *c, gint64 epoch)
{
  int n = c->n_chunks, total = c->n_batches * c->batch_size;
  g_autofree gint64 *starts = g_new (gint64, MAX (n, total));
  AttnRng rng;
  gint64 phase;

  attn_rng_seed (&rng, c->seed ^ G_GUINT64_CONSTANT (0x7e47c0) ^ ((guint64) epoch * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)));
  phase = MIN (attn_rng_int (&rng, c->context), (gint64) c->train->len - 1 - c->context);
  for (int i = 0; i < n; i++)
    starts[i] = phase + (gint64) i * c->context;
  for (int i = n - 1; i > 0; i--)
    {
      int j = attn_rng_int (&rng, i + 1);
      gint64 tmp = starts[i];
      starts[i] = starts[j];
      starts[j] = tmp;
    }
  /* fewer chunks than one batch: repeat them */
  for (int i = n; i < total; i++)
    starts[i] = starts[i % n];
  memcpy (c->order, starts, sizeof (gint64) * total);
  c->epoch = epoch;
}

/* Row b of batch: inputs stream[start … start + T), targets one further; rows
 * past the stream's end are cut short (their missing targets are -1, ignored). */
static void
fill_row (AttnTextCorpus *c, const GArray *stream, gint64 start, int T, AttnBatch *batch, int b)
{
  const gint32 *s = (const gint32 *) stream->data;
  gint32 *in = batch->tgt_in + (gsize) b * T, *out = batch->tgt_out + (gsize) b * T;
  int n = (int) MIN ((gint64) T, (gint64) stream->len - 1 - start);

  for (int j = 0; j < T; j++)
    {
      in[j] = j < n ? s[start + j] : c->eos;
      out[j] = j < n ? s[start + j + 1] : -1;
    }
  batch->tgt_len[b] = n;
  batch->src_len[b] = 0;
}

/* Turns the filled row b into a repeated row: its tokens (inputs and the last target,
 * context + 1) with a span of L copied from place a over place d ≥ a + L — the span
 * first made of random tokens when `random_span`; the targets follow from the new inputs. */
static void
repeat_row (AttnTextCorpus *c, AttnBatch *batch, int b, AttnRng *rng, gboolean random_span)
{
  int T = c->context, n = batch->tgt_len[b];
  gint32 *in = batch->tgt_in + (gsize) b * T, *out = batch->tgt_out + (gsize) b * T;
  gint32 *seq = c->row;
  int L = 8 + attn_rng_int (rng, T / 2 - 8 + 1), a, d;

  if (n < T)    /* a row cut short by the stream's end stays as it is */
    return;
  a = attn_rng_int (rng, T + 1 - 2 * L + 1);
  d = a + L + attn_rng_int (rng, T + 1 - L - (a + L) + 1);
  memcpy (seq, in, sizeof (gint32) * T);
  seq[T] = out[T - 1];
  for (int j = 0; random_span && j < L; j++)
    seq[a + j] = c->random_lo + attn_rng_int (rng, c->random_hi - c->random_lo);
  memmove (seq + d, seq + a, sizeof (gint32) * L);
  memcpy (in, seq, sizeof (gint32) * T);
  memcpy (out, seq + 1, sizeof (gint32) * T);
}

void
attn_text_corpus_make_batch (AttnTextCorpus *c, gint64 step, AttnBatch *batch)
{
  gint64 epoch = step / c->n_batches;
  const gint64 *starts;

  if (epoch != c->epoch)
    make_epoch (c, epoch);
  starts = c->order + (step % c->n_batches) * c->batch_size;
  attn_batch_reserve (batch, c->batch_size, 0, c->context);
  for (int b = 0; b < c->batch_size; b++)
    {
      fill_row (c, c->train, starts[b], c->context, batch, b);
      if (c->repeat_fraction > 0)
        {
          AttnRng rng;
          attn_rng_seed (&rng, c->seed ^ G_GUINT64_CONSTANT (0x5e9ea7)
                               ^ ((guint64) step * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15))
                               ^ ((guint64) b << 48));
          if (attn_rng_uniform (&rng) < c->repeat_fraction)
            repeat_row (c, batch, b, &rng, attn_rng_uniform (&rng) < c->repeat_random);
        }
    }
}

static char *
tokens_text (AttnTextCorpus *c, const gint32 *ids, int n)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *tok = attn_tokenizer_token_display (c->tok, ids[i]);
      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, tok != NULL ? tok : "?");
    }
  return g_string_free (s, FALSE);
}

/* The first 24 dev tokens (fewer for a short context), for watching the attention. */
void
attn_text_corpus_probe (AttnTextCorpus *c, AttnBatch *batch, char **source, char **target)
{
  int T = MIN (24, c->context);
  attn_batch_reserve (batch, 1, 0, T);
  fill_row (c, c->dev, 0, T, batch, 0);
  *source = tokens_text (c, batch->tgt_in, T);
  *target = g_strdup (*source);
}

/* ---- evaluation ---- */

/* The induction probe of attn-lm.h on the training model: the best head's mean score
 * over the probe's sequences (FALSE when the context or vocabulary is too small). */
static gboolean
induction_probe (AttnTextCorpus *c, AttnTrainModel *m, AttnTrainEval *eval)
{
  int period = MIN (ATTN_INDUCTION_PERIOD, (c->context - 1) / 2), lo, hi, n = 0, cells = 0;
  int heads = 1, best = 0;
  g_autofree gint32 *ids = g_new (gint32, 1 + 2 * ATTN_INDUCTION_PERIOD);
  g_autofree double *sum = NULL, *one = NULL;
  AttnBatch b = { 0 };

  attn_induction_token_range (c->tok, &lo, &hi);
  for (int seed = 1; period >= 2 && seed <= ATTN_INDUCTION_SEEDS; seed++)
    {
      AttnWeights *w;
      if ((n = attn_induction_sequence (seed, lo, hi, period, c->eos, ids)) < 0)
        break;
      attn_batch_reserve (&b, 1, 0, n);
      memcpy (b.tgt_in, ids, sizeof (gint32) * n);
      for (int j = 0; j < n; j++)
        b.tgt_out[j] = -1;
      b.tgt_len[0] = n;
      b.src_len[0] = 0;
      m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, NULL);
      w = m->klass->cross (m, 0, n, 0);
      if (sum == NULL)
        {
          heads = w->heads;
          cells = w->layers * heads;
          sum = g_new0 (double, cells);
          one = g_new (double, cells);
        }
      attn_induction_scores (w, 1, period, one);
      for (int i = 0; i < cells; i++)
        sum[i] += one[i] / ATTN_INDUCTION_SEEDS;
      attn_weights_free (w);
    }
  attn_batch_clear (&b);
  if (sum == NULL || n < 0)
    return FALSE;
  for (int i = 1; i < cells; i++)
    if (sum[i] > sum[best])
      best = i;
  eval->induction = sum[best];
  eval->induction_layer = best / heads;
  eval->induction_head = best % heads;
  return TRUE;
}

gboolean
attn_text_corpus_evaluate (AttnTextCorpus *c, AttnTrainModel *m, int n, AttnTrainEval *eval,
                           GError **error)
{
  int T = c->context, all = (int) ((c->dev->len - 1 + T - 1) / T), done = 0;
  gint64 tokens = 0, correct = 0;
  double nll = 0;
  AttnBatch b = { 0 };

  n = n <= 0 ? all : MIN (n, all);
  while (done < n)
    {
      int B = MIN (c->batch_size, n - done);
      AttnLossStats st;
      attn_batch_reserve (&b, B, 0, T);
      for (int i = 0; i < B; i++)
        fill_row (c, c->dev, (gint64) (done + i) * T, T, &b, i);
      m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, &st);
      nll += st.loss * st.tokens;
      tokens += st.tokens;
      correct += st.correct;
      done += B;
    }
  attn_batch_clear (&b);
  if (!isfinite (nll))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The dev loss is not finite"));
      return FALSE;
    }
  memset (eval, 0, sizeof *eval);
  eval->n = n;
  eval->exact_match = -1;
  eval->token_accuracy = tokens > 0 ? (double) correct / tokens : 0;
  eval->aligned = -1;
  eval->best_layer = -1;
  eval->bleu = eval->chrf = eval->wer = eval->cer = -1;
  eval->accuracy = eval->f1 = eval->macro_f1 = -1;
  eval->tokens = tokens;
  eval->loss = tokens > 0 ? nll / tokens : 0;
  eval->perplexity = attn_lm_perplexity (nll, tokens);
  eval->induction = -1;
  induction_probe (c, m, eval);
  return TRUE;
}

/* Greedy continuation of a prompt (up to 30 tokens, or <|endoftext|>, or the
 * context), by full forward passes: slow, but only for a quick look. */
char *
attn_text_corpus_continue (AttnTextCorpus *c, AttnTrainModel *m, const char *prompt,
                           GError **error)
{
  g_autoptr (AttnEncoding) enc = attn_tokenizer_encode (c->tok, prompt, NULL, FALSE, error);
  g_autoptr (GArray) ids = NULL;
  AttnBatch b = { 0 };
  guint n_prompt;
  char *text;

  if (enc == NULL)
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_array_append_val (ids, c->eos);   /* a document starts after a separator */
  g_array_append_vals (ids, enc->ids, MIN (enc->len, (guint) c->context - 1));
  n_prompt = ids->len;
  while (ids->len < (guint) c->context && ids->len < n_prompt + 30)
    {
      int T = (int) ids->len, arg = 0;
      const float *z;
      attn_batch_reserve (&b, 1, 0, T);
      memcpy (b.tgt_in, ids->data, sizeof (gint32) * T);
      for (int j = 0; j < T; j++)
        b.tgt_out[j] = -1;
      b.tgt_len[0] = T;
      m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, NULL);
      z = m->klass->logits (m) + (gsize) (T - 1) * m->vocab;
      for (int v = 1; v < m->vocab; v++)
        if (z[v] > z[arg])
          arg = v;
      if (arg == c->eos)
        break;
      g_array_append_val (ids, arg);
    }
  attn_batch_clear (&b);
  text = attn_tokenizer_decode (c->tok, (gint32 *) ids->data + n_prompt, ids->len - n_prompt,
                                TRUE);
  return text;
}
