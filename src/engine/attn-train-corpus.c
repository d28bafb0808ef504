/* attn-train-corpus.c — training on a TSV corpus: sentence pairs for translation,
 * or labelled texts for a classifier (arch "bert"), read and tokenized once;
 * batches of similar length drawn from the seed; the evaluation of greedy
 * translations of the dev pairs with corpus BLEU and chrF, or of the dev texts'
 * predicted labels with accuracy and F1.
 *
 * Every pair is stored as token ids: the source with </s> appended, the target
 * without it; a batch adds the decoder start token in front of the decoder input
 * and </s> after the labels, the layout of the toy tasks (attn-train-tasks.c).
 *
 * A speech corpus (Whisper) keeps each pair's audio path instead of source ids; its
 * clips, features and batches are attn-train-speech.c's. */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "attn-audio.h"
#include "attn-confusion.h"
#include "attn-error.h"
#include "attn-metrics.h"
#include "attn-tokenizer.h"
#include "attn-train-corpus-private.h"

#define BUCKET_BATCHES 64   /* batches per length-sorting window */



static void
pairs_init (Pairs *p)
{
  p->ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  p->src_off = g_array_new (FALSE, FALSE, sizeof (int));
  p->src_n = g_array_new (FALSE, FALSE, sizeof (int));
  p->tgt_off = g_array_new (FALSE, FALSE, sizeof (int));
  p->tgt_n = g_array_new (FALSE, FALSE, sizeof (int));
}

static void
pairs_clear (Pairs *p)
{
  g_clear_pointer (&p->ids, g_array_unref);
  g_clear_pointer (&p->src_off, g_array_unref);
  g_clear_pointer (&p->src_n, g_array_unref);
  g_clear_pointer (&p->tgt_off, g_array_unref);
  g_clear_pointer (&p->tgt_n, g_array_unref);
}


void
attn_pairs_add (Pairs *p, const gint32 *src, int ns, const gint32 *tgt, int nt)
{
  int off = (int) p->ids->len;
  g_array_append_val (p->src_off, off);
  g_array_append_val (p->src_n, ns);
  g_array_append_vals (p->ids, src, ns);
  off = (int) p->ids->len;
  g_array_append_val (p->tgt_off, off);
  g_array_append_val (p->tgt_n, nt);
  g_array_append_vals (p->ids, tgt, nt);
}

void
attn_corpus_free (AttnCorpus *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->tok, attn_tokenizer_unref);
  g_free (c->tok_dir);
  pairs_clear (&c->train);
  pairs_clear (&c->dev);
  g_clear_pointer (&c->dev_refs, g_ptr_array_unref);
  g_clear_pointer (&c->train_audio, g_ptr_array_unref);
  g_clear_pointer (&c->dev_audio, g_ptr_array_unref);
  g_clear_pointer (&c->labels, g_ptr_array_unref);
  g_clear_pointer (&c->label_ids, g_hash_table_unref);
  g_free (c->order);
  g_free (c);
}

static gint32
first_id (AttnTokenizer *tok, const char *const *names)
{
  for (int i = 0; names[i] != NULL; i++)
    {
      gint32 id = attn_tokenizer_token_to_id (tok, names[i]);
      if (id >= 0)
        return id;
    }
  return -1;
}

/* Token ids of text without the post-processor's specials. */
GArray *
attn_corpus_encode (AttnCorpus *c, const char *text, GError **error)
{
  g_autoptr (AttnEncoding) enc = attn_tokenizer_encode (c->tok, text, NULL, FALSE, error);
  GArray *ids;
  if (enc == NULL)
    return NULL;
  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint32), enc->len + 1);
  g_array_append_vals (ids, enc->ids, enc->len);
  return ids;
}

/* One labelled text: [CLS] text [SEP], the text cut to max_tokens − 2 tokens
 * (subject and start of the body of an e-mail), and its label's index. */
static gboolean
add_labelled (AttnCorpus *c, const AttnTrainConfig *cfg, const char *path, int line,
              char **cols, gboolean dev, GError **error)
{
  const char *label = cols[cfg->target_column];
  gpointer id = g_hash_table_lookup (c->label_ids, label);
  g_autoptr (GArray) ids = NULL;
  gint32 target;

  if (id == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s:%d: the label “%s” does not occur in the training file"), path, line, label);
      return FALSE;
    }
  target = GPOINTER_TO_INT (id) - 1;
  if ((ids = attn_corpus_encode (c, cols[cfg->source_column], error)) == NULL)
    {
      g_prefix_error (error, _("%s:%d: "), path, line);
      return FALSE;
    }
  if ((int) ids->len + 2 > cfg->max_tokens)
    {
      g_array_set_size (ids, cfg->max_tokens - 2);
      if (!dev)
        c->info.n_too_long++;
    }
  g_array_prepend_val (ids, c->bos);
  g_array_append_val (ids, c->eos);
  attn_pairs_add (dev ? &c->dev : &c->train, (gint32 *) ids->data, ids->len, &target, 1);
  if (!dev)
    c->info.train_tokens += ids->len;
  return TRUE;
}

/* The labels of a classification corpus: every value of the training file's
 * label column, sorted, so that the same file always gives the same indices. */
static gboolean
collect_labels (AttnCorpus *c, const AttnTrainConfig *cfg, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) local = NULL;
  GList *names;

  if (!g_file_get_contents (cfg->train_path, &text, NULL, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("Cannot read the training corpus: %s"),
                   local->message);
      return FALSE;
    }
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) cols = NULL;
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      cols = g_strsplit (lines[i], "\t", -1);
      /* short lines are reported when the file is read */
      if (cfg->target_column < (int) g_strv_length (cols)
          && !g_hash_table_contains (seen, cols[cfg->target_column]))
        g_hash_table_add (seen, g_strdup (cols[cfg->target_column]));
    }
  names = g_list_sort (g_hash_table_get_keys (seen), (GCompareFunc) strcmp);
  c->labels = g_ptr_array_new_with_free_func (g_free);
  c->label_ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_ptr_array_add (c->labels, l->data);   /* takes the string */
      g_hash_table_insert (c->label_ids, l->data, GINT_TO_POINTER (c->labels->len));
    }
  g_list_free (names);
  if (c->labels->len < 2)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   g_dngettext (GETTEXT_PACKAGE, "%s has %u label in column %d; a classifier needs at least two",
                                "%s has %u labels in column %d; a classifier needs at least two", c->labels->len),
                   cfg->train_path, c->labels->len, cfg->target_column);
      return FALSE;
    }
  g_ptr_array_add (c->labels, NULL);   /* a NULL-terminated list of names */
  return TRUE;
}

/* Reads one TSV file. dev: keep every pair (cutting long sources) and the
 * reference texts; training: skip long pairs and pairs whose source is in `dev_sources`. */
static gboolean
read_tsv (AttnCorpus *c, const AttnTrainConfig *cfg, const char *path, gboolean dev,
          GHashTable *dev_sources, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  g_auto (GStrv) lines = NULL;
  Pairs *p = dev ? &c->dev : &c->train;
  int need = MAX (cfg->source_column, cfg->target_column);
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   dev ? _("Cannot read the dev corpus: %s") : _("Cannot read the training corpus: %s"),
                   local->message);
      return FALSE;
    }
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s is not UTF-8 text"), path);
      return FALSE;
    }
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) cols = NULL;
      g_autoptr (GArray) s = NULL, t = NULL;
      int ncols;

      g_strchomp (lines[i]);   /* \r and trailing blanks */
      if (lines[i][0] == '\0')
        continue;
      cols = g_strsplit (lines[i], "\t", -1);
      ncols = (int) g_strv_length (cols);
      if (need >= ncols)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "%s:%d: has %d column; the recipe reads column %d (columns count from 0)",
                                    "%s:%d: has %d columns; the recipe reads column %d (columns count from 0)",
                                    ncols),
                       path, i + 1, ncols, need);
          return FALSE;
        }
      if (!dev && g_hash_table_contains (dev_sources, cols[cfg->source_column]))
        {
          c->info.n_in_dev++;
          continue;
        }
      if (c->speech)
        {
          if (!attn_corpus_read_clip (c, cfg, path, i + 1, cols[cfg->source_column],
                                      cols[cfg->target_column], dev, error))
            return FALSE;
          continue;
        }
      if (c->classify)
        {
          if (!add_labelled (c, cfg, path, i + 1, cols, dev, error))
            return FALSE;
          if (dev)
            g_hash_table_add (dev_sources, g_strdup (cols[cfg->source_column]));
          continue;
        }
      if ((s = attn_corpus_encode (c, cols[cfg->source_column], error)) == NULL
          || (t = attn_corpus_encode (c, cols[cfg->target_column], error)) == NULL)
        {
          g_prefix_error (error, _("%s:%d: "), path, i + 1);
          return FALSE;
        }
      if (dev)
        {
          g_array_set_size (s, MIN (s->len, (guint) cfg->max_tokens - 1));
          g_array_set_size (t, MIN (t->len, (guint) cfg->max_tokens - 1));
          g_hash_table_add (dev_sources, g_strdup (cols[cfg->source_column]));
          g_ptr_array_add (c->dev_refs, g_strdup (cols[cfg->target_column]));
        }
      else if ((int) s->len + 1 > cfg->max_tokens || (int) t->len + 1 > cfg->max_tokens)
        {
          c->info.n_too_long++;
          continue;
        }
      g_array_append_val (s, c->eos);
      attn_pairs_add (p, (gint32 *) s->data, s->len, (gint32 *) t->data, t->len);
      if (!dev)
        c->info.train_tokens += t->len + 1;
    }
  return TRUE;
}

AttnCorpus *
attn_corpus_load (const AttnTrainConfig *cfg, GError **error)
{
  static const char *const eos_names[] = { "</s>", "[SEP]", "<|endoftext|>", NULL };
  static const char *const pad_names[] = { "<pad>", "[PAD]", NULL };
  static const char *const bos_names[] = { "<s>", "[CLS]", NULL };
  g_autofree char *tok_path = g_build_filename (cfg->tokenizer_dir, "tokenizer.json", NULL);
  g_autoptr (GHashTable) dev_sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  AttnCorpus *c;

  if (cfg->source_column < 0 || cfg->target_column < 0 || cfg->source_column == cfg->target_column)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("“source_column” (%d) and “target_column” (%d) must be different columns ≥ 0"),
                   cfg->source_column, cfg->target_column);
      return NULL;
    }
  if (cfg->max_tokens < 2 || cfg->dev_path[0] == '\0' || cfg->tokenizer_dir[0] == '\0'
      || (cfg->arch == ATTN_ARCH_BERT && cfg->max_tokens < 3))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("A corpus recipe needs “dev” and “tokenizer”, and “max_tokens” ≥ 2 (≥ 3 for "
                   "a classifier)"));
      return NULL;
    }
  c = g_new0 (AttnCorpus, 1);
  c->classify = cfg->arch == ATTN_ARCH_BERT;
  c->tok = attn_tokenizer_new_from_json (tok_path, error);
  if (c->tok == NULL)
    {
      g_prefix_error (error, _("Tokenizer for training (%s): "), tok_path);
      attn_corpus_free (c);
      return NULL;
    }
  c->tok_dir = g_strdup (cfg->tokenizer_dir);
  c->vocab = (int) attn_tokenizer_vocab_size (c->tok);
  c->eos = first_id (c->tok, eos_names);
  c->pad = first_id (c->tok, pad_names);
  c->bos = first_id (c->tok, bos_names);
  if (c->classify && (c->bos < 0 || c->eos < 0 || c->pad < 0))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s lacks [CLS], [SEP] or [PAD] (<s>, </s>, <pad>), which a classifier needs; "
                   "build it with attn-cli tokenizer --kind wordpiece"), tok_path);
      attn_corpus_free (c);
      return NULL;
    }
  if (c->pad < 0)
    c->pad = c->eos;
  if (c->bos < 0)
    c->bos = c->pad;
  c->speech = cfg->arch == ATTN_ARCH_WHISPER;
  if (c->speech)
    {
      c->n_mels = cfg->n_mels;
      c->window = (gsize) cfg->window_seconds * ATTN_SAMPLE_RATE;
      c->train_audio = g_ptr_array_new_with_free_func (g_free);
      c->dev_audio = g_ptr_array_new_with_free_func (g_free);
      if (!attn_corpus_speech_init (c, tok_path, error))
        {
          attn_corpus_free (c);
          return NULL;
        }
      c->spec = (AttnSpecAugment) { cfg->freq_masks, cfg->freq_mask_width, cfg->time_masks,
                                    cfg->time_mask_width, cfg->freq_warp };
      if (cfg->window_seconds < 1 || cfg->window_seconds > 30 || cfg->max_tokens <= c->prompt.n_prompt
          || c->spec.freq_masks < 0 || c->spec.time_masks < 0 || c->spec.freq_width < 0
          || c->spec.time_width < 0 || c->spec.freq_width >= cfg->n_mels
          || !(c->spec.freq_warp >= 0 && c->spec.freq_warp <= 0.3f))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("A Whisper recipe needs “window_seconds” from 1 to 30, “max_tokens” "
                       "above the prompt's %d tokens, SpecAugment counts and widths ≥ 0 "
                       "(“freq_mask_width” below “n_mels”) and a “freq_warp” from 0 to 0.3"),
                       c->prompt.n_prompt);
          attn_corpus_free (c);
          return NULL;
        }
    }
  if (c->eos < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s has no end-of-sequence token (</s>, [SEP] or <|endoftext|>)"), tok_path);
      attn_corpus_free (c);
      return NULL;
    }
  c->max_tokens = cfg->max_tokens;
  c->batch_size = cfg->batch_size;
  c->seed = cfg->seed;
  c->epoch = -1;
  pairs_init (&c->train);
  pairs_init (&c->dev);
  c->dev_refs = g_ptr_array_new_with_free_func (g_free);
  if ((c->classify && !collect_labels (c, cfg, error))
      || !read_tsv (c, cfg, cfg->dev_path, TRUE, dev_sources, error)
      || !read_tsv (c, cfg, cfg->train_path, FALSE, dev_sources, error)
      || (cfg->extra_train_path[0] != '\0'
          && !read_tsv (c, cfg, cfg->extra_train_path, FALSE, dev_sources, error)))
    {
      attn_corpus_free (c);
      return NULL;
    }
  c->info.n_train = (int) c->train.src_n->len;
  c->info.n_dev = (int) c->dev.src_n->len;
  if (c->info.n_train == 0 || c->info.n_dev == 0)
    {
      const char *path = c->info.n_train == 0 ? cfg->train_path : cfg->dev_path;

      if (c->info.n_train == 0)
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     c->classify ? _("%s has no training texts") : _("%s has no training pairs"), path);
      else
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     c->classify ? _("%s has no dev texts") : _("%s has no dev pairs"), path);
      attn_corpus_free (c);
      return NULL;
    }
  c->n_batches = (c->info.n_train + c->batch_size - 1) / c->batch_size;
  c->order = g_new (int, (gsize) c->n_batches * c->batch_size);
  return c;
}

void
attn_corpus_special (AttnCorpus *c, int *vocab, gint32 *pad, gint32 *bos, gint32 *eos)
{
  *vocab = c->vocab;
  *pad = c->pad;
  *bos = c->bos;
  *eos = c->eos;
}

const char *
attn_corpus_tokenizer_dir (AttnCorpus *c)
{
  return c->tok_dir;
}

void
attn_corpus_get_info (AttnCorpus *c, AttnTrainCorpusInfo *info)
{
  *info = c->info;
  if (c->classify)
    {
      info->n_labels = (int) c->labels->len - 1;
      info->labels = (const char *const *) c->labels->pdata;
    }
}

const char *const *
attn_corpus_labels (AttnCorpus *c, int *n_labels)
{
  *n_labels = c->classify ? (int) c->labels->len - 1 : 0;
  return c->classify ? (const char *const *) c->labels->pdata : NULL;
}

/* ---- batches ---- */

static void
shuffle (AttnRng *rng, int *v, int n)
{
  for (int i = n - 1; i > 0; i--)
    {
      int j = attn_rng_int (rng, i + 1), tmp = v[i];
      v[i] = v[j];
      v[j] = tmp;
    }
}

static const Pairs *sort_pairs;

static int
cmp_length (const void *a, const void *b)
{
  int ia = *(const int *) a, ib = *(const int *) b;
  int la = P_INT (sort_pairs->src_n, ia) + P_INT (sort_pairs->tgt_n, ia);
  int lb = P_INT (sort_pairs->src_n, ib) + P_INT (sort_pairs->tgt_n, ib);
  return la != lb ? (la > lb) - (la < lb) : (ia > ib) - (ia < ib);   /* total order */
}

static void
make_epoch (AttnCorpus *c, gint64 epoch)
{
  int n = c->info.n_train, B = c->batch_size, window = BUCKET_BATCHES * B;
  g_autofree int *pairs = g_new (int, n);
  g_autofree int *batch_order = g_new (int, c->n_batches);
  g_autofree int *sorted = g_new (int, (gsize) c->n_batches * B);
  AttnRng rng;

  attn_rng_seed (&rng, c->seed ^ G_GUINT64_CONSTANT (0xc0a905) ^ ((guint64) epoch * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)));
  for (int i = 0; i < n; i++)
    pairs[i] = i;
  shuffle (&rng, pairs, n);
  sort_pairs = &c->train;   /* qsort has no user data; one thread trains at a time */
  for (int start = 0; start < n; start += window)
    qsort (pairs + start, MIN (window, n - start), sizeof (int), cmp_length);
  for (int i = 0; i < c->n_batches * B; i++)
    sorted[i] = i < n ? pairs[i] : -1;
  for (int i = 0; i < c->n_batches; i++)
    batch_order[i] = i;
  shuffle (&rng, batch_order, c->n_batches);
  for (int i = 0; i < c->n_batches; i++)
    memcpy (c->order + (gsize) i * B, sorted + (gsize) batch_order[i] * B, sizeof (int) * B);
  c->epoch = epoch;
}

/* A classification batch: the texts, and each label in tgt_in and tgt_out [B, 1]. */
static void
fill_labelled (AttnCorpus *c, const Pairs *p, const int *idx, int B, AttnBatch *batch)
{
  int T = 1, n = 0;
  for (int b = 0; b < B; b++)
    if (idx[b] >= 0)
      {
        T = MAX (T, P_INT (p->src_n, idx[b]));
        n++;
      }
  attn_batch_reserve (batch, n, T, 1);
  n = 0;
  for (int b = 0; b < B; b++)
    {
      int i = idx[b], ns;
      const gint32 *s;
      if (i < 0)
        continue;
      ns = P_INT (p->src_n, i);
      s = P_IDS (p) + P_INT (p->src_off, i);
      for (int j = 0; j < T; j++)
        batch->src[(gsize) n * T + j] = j < ns ? s[j] : c->pad;
      batch->tgt_in[n] = batch->tgt_out[n] = P_IDS (p)[P_INT (p->tgt_off, i)];
      batch->src_len[n] = ns;
      batch->tgt_len[n] = 1;
      n++;
    }
}

/* Fills batch with pairs idx[0 … B) of p (idx -1: skipped). */
static gboolean
fill_batch (AttnCorpus *c, const Pairs *p, const int *idx, int B, AttnBatch *batch,
            GError **error)
{
  int Ts = 1, Tt = 1, n = 0;

  if (c->speech)
    return attn_corpus_fill_speech (c, p, idx, B, batch, error);
  if (c->classify)
    {
      fill_labelled (c, p, idx, B, batch);
      return TRUE;
    }
  for (int b = 0; b < B; b++)
    if (idx[b] >= 0)
      {
        Ts = MAX (Ts, P_INT (p->src_n, idx[b]));
        Tt = MAX (Tt, P_INT (p->tgt_n, idx[b]) + 1);
        n++;
      }
  attn_batch_reserve (batch, n, Ts, Tt);
  n = 0;
  for (int b = 0; b < B; b++)
    {
      int i = idx[b], ns, nt;
      const gint32 *s, *t;
      gint32 *src = batch->src + (gsize) n * Ts;
      gint32 *ti = batch->tgt_in + (gsize) n * Tt;
      gint32 *to = batch->tgt_out + (gsize) n * Tt;
      if (i < 0)
        continue;
      ns = P_INT (p->src_n, i);
      nt = P_INT (p->tgt_n, i);
      s = P_IDS (p) + P_INT (p->src_off, i);
      t = P_IDS (p) + P_INT (p->tgt_off, i);
      for (int j = 0; j < Ts; j++)
        src[j] = j < ns ? s[j] : c->pad;
      for (int j = 0; j < Tt; j++)
        {
          ti[j] = j == 0 ? c->bos : j <= nt ? t[j - 1] : c->pad;
          to[j] = j < nt ? t[j] : j == nt ? c->eos : c->pad;
        }
      batch->src_len[n] = ns;
      batch->tgt_len[n] = nt + 1;
      n++;
    }
  return TRUE;
}

gboolean
attn_corpus_make_batch (AttnCorpus *c, gint64 step, AttnBatch *batch, GError **error)
{
  gint64 epoch = step / c->n_batches;
  if (epoch != c->epoch)
    make_epoch (c, epoch);
  c->step = step;
  return fill_batch (c, &c->train, c->order + (step % c->n_batches) * c->batch_size,
                     c->batch_size, batch, error);
}

static char *
tokens_text (AttnCorpus *c, const gint32 *ids, int n)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    {
      const char *tok = attn_tokenizer_id_to_token (c->tok, ids[i]);
      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, tok != NULL ? tok : "?");
    }
  return g_string_free (s, FALSE);
}

gboolean
attn_corpus_probe (AttnCorpus *c, AttnBatch *batch, char **source, char **target,
                   GError **error)
{
  int idx = 0;
  if (!fill_batch (c, &c->dev, &idx, 1, batch, error))
    return FALSE;
  *source = c->speech ? g_path_get_basename (g_ptr_array_index (c->dev_audio, 0))
                      : tokens_text (c, batch->src, batch->src_len[0]);
  *target = c->classify ? g_strdup (g_ptr_array_index (c->labels, batch->tgt_out[0]))
                        : tokens_text (c, batch->tgt_in, batch->tgt_len[0]);
  return TRUE;
}

/* ---- evaluation ---- */

char *
attn_corpus_decode_output (AttnCorpus *c, const gint32 *out, int max_len)
{
  int len = 0;
  while (len < max_len && out[len] != c->eos)
    len++;
  return attn_tokenizer_decode (c->tok, out, len, TRUE);
}

int
attn_corpus_max_output (AttnCorpus *c, const AttnBatch *b)
{
  int longest = 0;
  if (c->speech)
    return c->max_tokens - c->prompt.n_prompt + 1;   /* the transcript and <|endoftext|> */
  for (int i = 0; i < b->B; i++)
    longest = MAX (longest, b->src_len[i]);
  return MIN (2 * longest + 10, c->max_tokens);
}

static int
argmax (const float *x, int n)
{
  int best = 0;
  for (int i = 1; i < n; i++)
    if (x[i] > x[best])
      best = i;
  return best;
}

/* A classifier on the first n dev texts: accuracy, F1 of the positive class (the
 * second label of two) and macro F1. */
static void
evaluate_labels (AttnCorpus *c, AttnTrainModel *m, int n, AttnTrainEval *eval)
{
  int chunk = 64, L = (int) c->labels->len - 1;
  g_autoptr (AttnConfusion) conf = attn_confusion_new (L);
  g_autofree int *idx = g_new (int, chunk);
  AttnBatch b = { 0 };

  for (int first = 0; first < n; first += chunk)
    {
      int B = MIN (chunk, n - first);
      const float *logits;
      for (int i = 0; i < B; i++)
        idx[i] = first + i;
      fill_batch (c, &c->dev, idx, B, &b, NULL);   /* texts: cannot fail */
      m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, NULL);
      logits = m->klass->logits (m);
      for (int i = 0; i < B; i++)
        attn_confusion_add (conf, b.tgt_out[i], argmax (logits + (gsize) i * L, L));
    }
  attn_batch_clear (&b);
  memset (eval, 0, sizeof *eval);
  eval->n = n;
  eval->accuracy = attn_confusion_accuracy (conf);
  eval->exact_match = eval->token_accuracy = eval->accuracy;
  eval->macro_f1 = attn_confusion_macro_f1 (conf);
  eval->f1 = -1;
  if (L == 2)
    {
      AttnClassScores pos;
      attn_confusion_class (conf, 1, &pos);
      eval->f1 = pos.f1;
    }
  eval->aligned = -1;
  eval->best_layer = -1;
  eval->bleu = eval->chrf = eval->wer = eval->cer = -1;
  eval->perplexity = eval->induction = -1;
}

gboolean
attn_corpus_evaluate (AttnCorpus *c, AttnTrainModel *m, int n, AttnTrainEval *eval,
                      GError **error)
{
  int chunk = c->speech ? 16 : 64, tokens = 0, correct = 0, exact = 0;
  g_autoptr (GPtrArray) hyps = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *idx = g_new (int, chunk);
  AttnBatch b = { 0 };

  n = n <= 0 ? c->info.n_dev : MIN (n, c->info.n_dev);
  if (c->classify)
    {
      evaluate_labels (c, m, n, eval);
      return TRUE;
    }
  for (int first = 0; first < n; first += chunk)
    {
      int B = MIN (chunk, n - first), L;
      AttnLossStats st;
      g_autofree gint32 *out = NULL;

      for (int i = 0; i < B; i++)
        idx[i] = first + i;
      if (!fill_batch (c, &c->dev, idx, B, &b, error))
        {
          attn_batch_clear (&b);
          return FALSE;
        }
      m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, &st);
      tokens += st.tokens;
      correct += st.correct;
      L = attn_corpus_max_output (c, &b);
      out = g_new (gint32, (gsize) B * L);
      attn_train_model_greedy (m, &b, L, out);
      for (int i = 0; i < B; i++)
        {
          char *hyp = attn_corpus_decode_output (c, out + (gsize) i * L, L);
          exact += g_str_equal (hyp, g_ptr_array_index (c->dev_refs, first + i));
          g_ptr_array_add (hyps, hyp);
        }
    }
  attn_batch_clear (&b);
  memset (eval, 0, sizeof *eval);
  eval->n = n;
  eval->exact_match = n > 0 ? (double) exact / n : 0;
  eval->token_accuracy = tokens > 0 ? (double) correct / tokens : 0;
  eval->aligned = -1;
  eval->best_layer = -1;
  eval->bleu = eval->chrf = eval->wer = eval->cer = -1;
  eval->accuracy = eval->f1 = eval->macro_f1 = -1;
  eval->perplexity = eval->induction = -1;
  if (c->speech)
    {
      eval->wer = attn_wer ((const char *const *) hyps->pdata,
                            (const char *const *) c->dev_refs->pdata, n, NULL);
      eval->cer = attn_cer ((const char *const *) hyps->pdata,
                            (const char *const *) c->dev_refs->pdata, n, NULL);
      return TRUE;
    }
  eval->bleu = attn_bleu ((const char *const *) hyps->pdata,
                          (const char *const *) c->dev_refs->pdata, n, NULL);
  eval->chrf = attn_chrf ((const char *const *) hyps->pdata,
                          (const char *const *) c->dev_refs->pdata, n, NULL);
  return TRUE;
}

char *
attn_corpus_translate (AttnCorpus *c, AttnTrainModel *m, const char *source, GError **error)
{
  g_autoptr (GArray) s = NULL;
  g_autofree gint32 *out = NULL;
  AttnBatch b = { 0 };
  char *text;
  int L;

  if (c->speech)
    return attn_corpus_transcribe (c, m, source, error);
  if ((s = attn_corpus_encode (c, source, error)) == NULL)
    return NULL;
  g_array_set_size (s, MIN (s->len, (guint) c->max_tokens - 1));
  g_array_append_val (s, c->eos);
  attn_batch_reserve (&b, 1, s->len, 1);
  memcpy (b.src, s->data, sizeof (gint32) * s->len);
  b.src_len[0] = s->len;
  L = attn_corpus_max_output (c, &b);
  out = g_new (gint32, L);
  attn_train_model_greedy (m, &b, L, out);
  text = attn_corpus_decode_output (c, out, L);
  attn_batch_clear (&b);
  return text;
}

char *
attn_corpus_classify (AttnCorpus *c, AttnTrainModel *m, const char *text, GError **error)
{
  g_autoptr (GArray) ids = attn_corpus_encode (c, text, error);
  AttnBatch b = { 0 };
  int L = (int) c->labels->len - 1, k;

  if (ids == NULL)
    return NULL;
  g_array_set_size (ids, MIN (ids->len, (guint) c->max_tokens - 2));
  g_array_prepend_val (ids, c->bos);
  g_array_append_val (ids, c->eos);
  attn_batch_reserve (&b, 1, ids->len, 1);
  memcpy (b.src, ids->data, sizeof (gint32) * ids->len);
  b.src_len[0] = ids->len;
  b.tgt_in[0] = b.tgt_out[0] = 0;
  b.tgt_len[0] = 1;
  m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, NULL);
  k = argmax (m->klass->logits (m), L);
  attn_batch_clear (&b);
  return g_strdup (g_ptr_array_index (c->labels, k));
}
