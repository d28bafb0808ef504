/* attn-model.c — loading a model folder and dispatching to its architecture. */
#include "attn-model-private.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

static const struct { const char *model_type; const AttnArchClass *klass; } registry[] = {
  { "bert", &attn_arch_bert },
  { "distilbert", &attn_arch_bert },
  { "roberta", &attn_arch_bert },
  { "gpt2", &attn_arch_gpt2 },
  { "marian", &attn_arch_marian },
  { "whisper", &attn_arch_whisper },
  { "attn-rnn", &attn_arch_rnn },
};

AttnModel *
attn_model_ref (AttnModel *model)
{
  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
attn_model_unref (AttnModel *model)
{
  if (model == NULL || !g_atomic_int_dec_and_test (&model->ref_count))
    return;
  if (model->klass && model->arch)
    model->klass->free_arch (model->arch);
  g_clear_pointer (&model->tokenizer, attn_tokenizer_unref);
  g_clear_pointer (&model->target_tokenizer, attn_tokenizer_unref);
  g_clear_pointer (&model->config, json_object_unref);
  g_clear_pointer (&model->generation_config, json_object_unref);
  g_ptr_array_unref (model->buffers);
  g_free (model->dir);
  g_free (model->name);
  g_free (model->config_path);
  g_free (model);
}

/* generation_config.json's decoding defaults (Hugging Face's keys), checked here so that
 * a folder with unusable values is refused when it loads: "length_penalty" (what a
 * beam divides its scores by length to the power of) and "num_beams" (the beam width
 * the window starts with; runs without options decode greedily). */
static gboolean
read_generation_defaults (AttnModel *model, const char *gen_path, GError **error)
{
  JsonObject *gen = model->generation_config;
  gint64 beams = 1;

  model->length_penalty = 1.0;
  model->num_beams = 1;
  if (gen == NULL)
    return TRUE;
  if (json_object_has_member (gen, "length_penalty"))
    {
      model->length_penalty = attn_config_double_or (gen, "length_penalty", -1);
      if (!(model->length_penalty > 0 && model->length_penalty <= ATTN_LENGTH_PENALTY_MAX))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("%s: “length_penalty” must be a number above 0 and at most %g"),
                       gen_path, ATTN_LENGTH_PENALTY_MAX);
          return FALSE;
        }
    }
  if (json_object_has_member (gen, "num_beams") &&
      !attn_config_int (gen, gen_path, &beams, 1, ATTN_BEAM_SIZE_MAX, error, "num_beams", NULL))
    return FALSE;
  model->num_beams = (int) beams;
  return TRUE;
}

AttnModel *
attn_model_load (const char *dir, GError **error)
{
  g_autoptr(AttnModel) model = NULL;
  g_autoptr(AttnCheckpoint) ckpt = NULL;
  g_autofree char *gen_path = NULL;
  const char *model_type;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s is not a folder"), dir);
      return NULL;
    }
  model = g_new0 (AttnModel, 1);
  model->ref_count = 1;
  model->dir = g_canonicalize_filename (dir, NULL);
  model->name = g_path_get_basename (model->dir);
  model->buffers = g_ptr_array_new_with_free_func (g_free);
  model->config_path = g_build_filename (dir, "config.json", NULL);
  model->config = attn_config_load_file (model->config_path, error);
  if (model->config == NULL)
    return NULL;
  gen_path = g_build_filename (dir, "generation_config.json", NULL);
  if (g_file_test (gen_path, G_FILE_TEST_EXISTS))
    {
      model->generation_config = attn_config_load_file (gen_path, error);
      if (model->generation_config == NULL)
        return NULL;
    }
  if (!read_generation_defaults (model, gen_path, error))
    return NULL;
  model_type = attn_config_string_or (model->config, "model_type", NULL);
  if (model_type == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s has no “model_type”"), model->config_path);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (registry); i++)
    if (g_str_equal (model_type, registry[i].model_type))
      model->klass = registry[i].klass;
  if (model->klass == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED,
                   _("%s: model type “%s” is not supported (supported: bert, distilbert, roberta, gpt2, marian, whisper)"),
                   model->config_path, model_type);
      return NULL;
    }
  ckpt = attn_checkpoint_open_dir (dir, error);
  if (ckpt == NULL)
    return NULL;
  if (!model->klass->load (model, ckpt, error))
    return NULL;
  if (model->target_tokenizer == NULL && model->tokenizer != NULL)
    model->target_tokenizer = attn_tokenizer_ref (model->tokenizer);
  return g_steal_pointer (&model);
}

const char *attn_model_get_name (AttnModel *m) { return m->name; }
const char *attn_model_get_dir (AttnModel *m) { return m->dir; }
const char *attn_model_get_architecture (AttnModel *m) { return m->klass->name; }
AttnModality attn_model_get_modality (AttnModel *m) { return m->modality; }
double attn_model_get_length_penalty (AttnModel *m) { return m->length_penalty; }
int attn_model_get_num_beams (AttnModel *m) { return m->num_beams; }
gboolean attn_model_is_encoder_decoder (AttnModel *m) { return m->encoder_decoder; }
gboolean attn_model_accepts_pair (AttnModel *m) { return m->accepts_pair; }
int attn_model_get_n_layers (AttnModel *m) { return m->n_layers; }
int attn_model_get_n_heads (AttnModel *m) { return m->n_heads; }
int attn_model_get_n_decoder_layers (AttnModel *m) { return m->n_dec_layers; }
int attn_model_get_n_decoder_heads (AttnModel *m) { return m->n_dec_heads; }
int attn_model_get_max_positions (AttnModel *m) { return m->max_positions; }
gint64 attn_model_get_n_params (AttnModel *m) { return m->n_params; }
guint attn_model_get_kinds (AttnModel *m) { return m->kinds; }
AttnTokenizer *attn_model_get_tokenizer (AttnModel *m) { return m->tokenizer; }
AttnTokenizer *attn_model_get_target_tokenizer (AttnModel *m) { return m->target_tokenizer; }

AttnEncoding *
attn_model_encode (AttnModel *model, AttnTokenizer *tok, const char *text, const char *pair,
                   gboolean add_special, GError **error)
{
  AttnEncoding *enc;
  if (tok == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING,
                   _("%s has no tokenizer files, so it cannot read text; give token ids instead"), model->dir);
      return NULL;
    }
  enc = attn_tokenizer_encode (tok, text, pair, add_special, error);
  if (enc == NULL)
    return NULL;
  if (model->max_positions > 0 && enc->len > (guint) model->max_positions)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("The input has %u tokens, but %s accepts at most %d; shorten the text"),
                   enc->len, model->name, model->max_positions);
      attn_encoding_free (enc);
      return NULL;
    }
  return enc;
}

int
attn_model_count_tokens (AttnModel *model, const char *text, const char *pair, GError **error)
{
  g_autoptr(AttnEncoding) enc = NULL;
  if (model->tokenizer == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s has no tokenizer"), model->name);
      return -1;
    }
  enc = attn_tokenizer_encode (model->tokenizer, text, pair, TRUE, error);
  return enc ? (int) enc->len : -1;
}

/* Does the start of text, `len` bytes, fit? -1 on error. */
static int
prefix_fits (AttnModel *model, const char *text, gsize len, const char *pair, GError **error)
{
  g_autofree char *prefix = g_strndup (text, len);
  int n = attn_model_count_tokens (model, prefix, pair, error);
  return n < 0 ? -1 : n <= model->max_positions;
}

/* The largest cut in cuts[0..n) whose prefix fits, by bisection (more text never has
 * fewer tokens); 0 when none does, -1 on error. */
static gssize
largest_fitting_cut (AttnModel *model, const char *text, const gsize *cuts, gsize n, const char *pair,
                     GError **error)
{
  gsize lo = 0, hi = n;   /* cuts[0..lo) fit, cuts[hi..n) do not */
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      int fits = prefix_fits (model, text, cuts[mid], pair, error);
      if (fits < 0)
        return -1;
      if (fits)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo > 0 ? (gssize) cuts[lo - 1] : 0;
}

gssize
attn_model_fit_prefix (AttnModel *model, const char *text, const char *pair, GError **error)
{
  g_autoptr(GArray) words = NULL, chars = NULL;
  gsize len = strlen (text);
  gssize best;

  if (model->max_positions <= 0)   /* no limit */
    return (gssize) len;

  /* after each word: where a run of spaces starts. Every word gives at least one
   * token, so no more than max_positions words can fit: a huge text is searched over
   * its first words only, and is not tokenized whole. */
  words = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (gsize i = 1; i < len && words->len <= (guint) model->max_positions; i++)
    if (g_ascii_isspace (text[i]) && !g_ascii_isspace (text[i - 1]))
      g_array_append_val (words, i);
  if (words->len <= (guint) model->max_positions)
    {
      /* few words: the text may fit whole */
      int fits = prefix_fits (model, text, len, pair, error);
      if (fits != 0)
        return fits < 0 ? -1 : (gssize) len;
    }
  best = largest_fitting_cut (model, text, (const gsize *) words->data, words->len, pair, error);
  if (best != 0)
    return best;

  /* not even the first word fits: after a character, within the first word */
  chars = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (const char *p = g_utf8_next_char (text); p <= text + len && *p && !g_ascii_isspace (*p);
       p = g_utf8_next_char (p))
    {
      gsize at = (gsize) (p - text);
      g_array_append_val (chars, at);
    }
  return largest_fitting_cut (model, text, (const gsize *) chars->data, chars->len, pair, error);
}

AttnResult *
attn_model_run (AttnModel *model, const AttnInput *input, const AttnRunOptions *options,
                GCancellable *cancellable, AttnProgressFunc progress, gpointer progress_data,
                GError **error)
{
  AttnRunOptions defaults = ATTN_RUN_OPTIONS_INIT, resolved;
  AttnRunCtx ctx = { cancellable, progress, progress_data, NULL };
  AttnResult *result;
  gint64 start = g_get_monotonic_time ();
  int blas_threads;

  if (options == NULL)
    options = &defaults;
  if (options->decode == ATTN_DECODE_BEAM && (options->beam_size < 1 || options->beam_size > ATTN_BEAM_SIZE_MAX))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The beam width must be between 1 and %d"),
                   ATTN_BEAM_SIZE_MAX);
      return NULL;
    }
  if (!(options->length_penalty >= 0 && options->length_penalty <= ATTN_LENGTH_PENALTY_MAX))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("The length penalty must be above 0 and at most %g"), ATTN_LENGTH_PENALTY_MAX);
      return NULL;
    }
  if (options->max_new_tokens < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The number of new tokens cannot be negative"));
      return NULL;
    }
  /* Only BERT-style models read a second text; another model would drop it silently. */
  if (input->text_pair != NULL && !model->accepts_pair)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s does not take a second text"), model->name);
      return NULL;
    }
  if (!attn_run_ctx_check (&ctx, error))
    return NULL;
  if (options->trace != NULL)
    {
      attn_head_trace_clear (options->trace);
      ctx.trace = options->trace;
    }
  /* inference spreads its work over the engine's pool (attn-parallel.c); OpenBLAS's
   * threads would spin beside it: 3× the wall-clock time of a translation run with the
   * machine's cores busy (measured on the de-en model, 200 sentences) */
  blas_threads = attn_blas_threads_single ();
  if (options->length_penalty == 0)
    {
      resolved = *options;
      resolved.length_penalty = model->length_penalty;
      options = &resolved;
    }
  result = model->klass->run (model, input, options, &ctx, error);
  attn_blas_threads_restore (blas_threads);
  if (result != NULL)
    {
      result->seconds = (g_get_monotonic_time () - start) / 1e6;
      attn_run_ctx_progress (&ctx, 1.0, "done");
    }
  return result;
}

/* --- helpers for architectures ---------------------------------------------- */

float *
attn_model_alloc (AttnModel *model, gsize n)
{
  float *p = g_new0 (float, MAX (n, 1));
  g_ptr_array_add (model->buffers, p);
  return p;
}

float *
attn_model_read (AttnModel *model, AttnCheckpoint *ckpt, const char *name,
                 int ndim, const gint64 *shape, GError **error)
{
  float *p = attn_checkpoint_read_f32 (ckpt, name, ndim, shape, error);
  gint64 n = 1;
  if (p == NULL)
    return NULL;
  for (int i = 0; i < ndim; i++)
    n *= shape[i];
  model->n_params += n;
  g_ptr_array_add (model->buffers, p);
  return p;
}

float *
attn_model_read_optional (AttnModel *model, AttnCheckpoint *ckpt, const char *name,
                          int ndim, const gint64 *shape, GError **error)
{
  if (attn_checkpoint_find (ckpt, name) == NULL)
    return NULL;
  return attn_model_read (model, ckpt, name, ndim, shape, error);
}

gboolean
attn_model_read_linear (AttnModel *model, AttnCheckpoint *ckpt, const char *prefix,
                        int in, int out, gboolean bias_optional, AttnLinear *lin, GError **error)
{
  g_autofree char *wn = g_strconcat (prefix, ".weight", NULL);
  g_autofree char *bn = g_strconcat (prefix, ".bias", NULL);
  gint64 ws[2] = { out, in }, bs[1] = { out };
  GError *local = NULL;

  lin->in = in;
  lin->out = out;
  lin->in_major = FALSE;
  lin->w = attn_model_read (model, ckpt, wn, 2, ws, error);
  if (lin->w == NULL)
    return FALSE;
  lin->b = bias_optional ? attn_model_read_optional (model, ckpt, bn, 1, bs, &local)
                         : attn_model_read (model, ckpt, bn, 1, bs, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
attn_model_read_fused (AttnModel *model, AttnCheckpoint *ckpt, const char *const *prefixes, int n_parts,
                       int in, int out_each, AttnLinear *lin, GError **error)
{
  lin->in = in;
  lin->out = out_each * n_parts;
  lin->in_major = FALSE;
  lin->w = attn_model_alloc (model, (gsize) lin->out * in);
  lin->b = attn_model_alloc (model, lin->out);
  for (int i = 0; i < n_parts; i++)
    {
      g_autofree char *wn = g_strconcat (prefixes[i], ".weight", NULL);
      g_autofree char *bn = g_strconcat (prefixes[i], ".bias", NULL);
      gint64 ws[2] = { out_each, in }, bs[1] = { out_each };
      g_autofree float *w = attn_checkpoint_read_f32 (ckpt, wn, 2, ws, error);
      g_autofree float *b = NULL;
      if (w == NULL)
        return FALSE;
      memcpy (lin->w + (gsize) i * out_each * in, w, (gsize) out_each * in * sizeof (float));
      model->n_params += (gint64) out_each * in;
      /* a missing bias (Whisper's k_proj) stays zero */
      if (attn_checkpoint_find (ckpt, bn) != NULL)
        {
          b = attn_checkpoint_read_f32 (ckpt, bn, 1, bs, error);
          if (b == NULL)
            return FALSE;
          memcpy (lin->b + (gsize) i * out_each, b, out_each * sizeof (float));
          model->n_params += out_each;
        }
    }
  return TRUE;
}

gboolean
attn_model_read_layer_norm (AttnModel *model, AttnCheckpoint *ckpt, const char *prefix,
                            int d, float eps, AttnLayerNorm *ln, GError **error)
{
  g_autofree char *wn = g_strconcat (prefix, ".weight", NULL);
  g_autofree char *bn = g_strconcat (prefix, ".bias", NULL);
  gint64 s[1] = { d };
  if (attn_checkpoint_find (ckpt, wn) == NULL)
    {
      g_free (wn);
      g_free (bn);
      wn = g_strconcat (prefix, ".gamma", NULL);
      bn = g_strconcat (prefix, ".beta", NULL);
      if (attn_checkpoint_find (ckpt, wn) == NULL)
        {
          g_free (wn);
          g_free (bn);
          wn = g_strconcat (prefix, ".weight", NULL);
          bn = g_strconcat (prefix, ".bias", NULL);
        }
    }
  ln->d = d;
  ln->eps = eps;
  ln->gamma = attn_model_read (model, ckpt, wn, 1, s, error);
  if (ln->gamma == NULL)
    return FALSE;
  ln->beta = attn_model_read (model, ckpt, bn, 1, s, error);
  return ln->beta != NULL;
}

void
attn_head_trace_clear (AttnHeadTrace *t)
{
  g_clear_pointer (&t->q, g_free);
  g_clear_pointer (&t->k, g_free);
  g_clear_pointer (&t->v, g_free);
  g_clear_pointer (&t->key_mask, g_free);
  t->filled = FALSE;
  t->queries = t->keys = t->dh = 0;
}

static float *
copy_head (const float *x, int ld, int rows, int col, int dh)
{
  float *out = g_new (float, (gsize) MAX (rows, 1) * dh);
  for (int r = 0; r < rows; r++)
    memcpy (out + (gsize) r * dh, x + (gsize) r * ld + col, dh * sizeof (float));
  return out;
}

void
attn_run_ctx_trace (AttnRunCtx *ctx, AttnKind kind, int layer,
                    const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                    int tq, int tk, int heads, int dh, float scale, int causal_offset, const guint8 *key_mask)
{
  AttnHeadTrace *t = ctx->trace;
  if (t == NULL || t->kind != kind || t->layer != layer || t->head < 0 || t->head >= heads)
    return;
  attn_head_trace_clear (t);
  t->queries = tq;
  t->keys = tk;
  t->dh = dh;
  t->scale = scale;
  t->causal_offset = causal_offset;
  t->q = copy_head (q, ldq, tq, t->head * dh, dh);
  t->k = copy_head (k, ldk, tk, t->head * dh, dh);
  t->v = copy_head (v, ldv, tk, t->head * dh, dh);
  t->key_mask = key_mask ? g_memdup2 (key_mask, tk) : NULL;
  t->filled = TRUE;
}

gboolean
attn_run_ctx_check (AttnRunCtx *ctx, GError **error)
{
  return !g_cancellable_set_error_if_cancelled (ctx->cancellable, error);
}

void
attn_run_ctx_progress (AttnRunCtx *ctx, double fraction, const char *what)
{
  if (ctx->progress)
    ctx->progress (CLAMP (fraction, 0.0, 1.0), what, ctx->progress_data);
}

/* The bytes a display label stands for: "\xE6" escapes (a byte-level token that is not
 * UTF-8 on its own) become that byte; everything else is copied. */
static GByteArray *
label_bytes (const char *label, gboolean *partial)
{
  GByteArray *b = g_byte_array_new ();
  *partial = FALSE;
  for (const char *p = label; *p; p++)
    {
      if (p[0] == '\\' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          guint8 v = (g_ascii_xdigit_value (p[2]) << 4) | g_ascii_xdigit_value (p[3]);
          g_byte_array_append (b, &v, 1);
          *partial = TRUE;
          p += 3;
        }
      else
        g_byte_array_append (b, (const guint8 *) p, 1);
    }
  return b;
}

/* Byte-level tokenizers split characters such as "é" or "日" over several tokens, whose
 * own labels are then bytes ("\xC3", "\xA9"). Label each such token with the character
 * it is part of and its share of it: "é ½", "é ²⁄₂" read better than escapes. */
static void
label_split_characters (AttnTokenSeq *seq)
{
  for (guint i = 0; i < seq->len; i++)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autofree guint *owner = NULL;
      gboolean partial, any = FALSE;
      guint j = i, k;
      /* the run of tokens from i on whose labels hold escaped bytes */
      while (j < seq->len && !seq->special[j])
        {
          g_autoptr(GByteArray) b = label_bytes (seq->display[j], &partial);
          if (!partial && j > i)
            break;
          any |= partial;
          g_byte_array_append (bytes, b->data, b->len);
          j++;
          if (!partial)
            break;
        }
      if (!any || j - i < 2 || !g_utf8_validate ((const char *) bytes->data, bytes->len, NULL))
        continue;
      /* which token each byte came from */
      owner = g_new (guint, bytes->len);
      k = 0;
      for (guint t = i; t < j; t++)
        {
          g_autoptr(GByteArray) b = label_bytes (seq->display[t], &partial);
          for (guint x = 0; x < b->len; x++)
            owner[k++] = t;
        }
      {
        g_autofree GString **labels = g_new0 (GString *, j - i);
        const char *s = (const char *) bytes->data, *end = s + bytes->len;
        for (guint t = 0; t < j - i; t++)
          labels[t] = g_string_new (NULL);
        while (s < end)
          {
            const char *next = g_utf8_next_char (s);
            guint first = owner[s - (const char *) bytes->data], last = owner[next - 1 - (const char *) bytes->data];
            for (guint t = first; t <= last; t++)
              {
                g_string_append_len (labels[t - i], s, next - s);
                if (last > first)
                  g_string_append_printf (labels[t - i], " %u/%u", t - first + 1, last - first + 1);
              }
            s = next;
          }
        for (guint t = i; t < j; t++)
          {
            g_free (seq->display[t]);
            seq->display[t] = g_string_free (labels[t - i], FALSE);
          }
      }
      i = j - 1;
    }
}

void
attn_model_fill_tokens (AttnTokenizer *tok, AttnTokenSeq *seq, const gint32 *ids, guint n)
{
  attn_token_seq_init (seq, n);
  for (guint i = 0; i < n; i++)
    {
      const char *t = tok ? attn_tokenizer_id_to_token (tok, ids[i]) : NULL;
      seq->ids[i] = ids[i];
      seq->tokens[i] = t ? g_strdup (t) : g_strdup_printf ("<%d>", ids[i]);
      seq->display[i] = t ? attn_tokenizer_token_display (tok, ids[i]) : g_strdup (seq->tokens[i]);
      seq->special[i] = tok ? attn_tokenizer_is_special (tok, ids[i]) : FALSE;
    }
  label_split_characters (seq);
}

AttnResult *
attn_model_result_new (AttnModel *model)
{
  AttnResult *r = attn_result_new ();
  r->model_name = g_strdup (model->name);
  r->architecture = g_strdup (model->klass->name);
  r->n_layers = model->n_layers;
  r->n_heads = model->n_heads;
  return r;
}
