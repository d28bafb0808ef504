/* attn-train-io.c — checkpoints of trainable models and trainers.
 *
 * A saved folder is a Hugging Face model folder that the inference engine loads:
 *   config.json, generation_config.json   (model_type "marian", "attn-rnn" or "gpt2"; a
 *                                          BERT classifier's config.json alone)
 *   model.safetensors                      (float32, the model's own tensor names)
 *   tokenizer.json, vocab.json, tokenizer_config.json   (word-level digits; a corpus
 *                                          trainer copies its tokenizer.json instead)
 * and, for resuming, the training state:
 *   trainer_state.json                     (the AttnTrainConfig, step, PRNG states,
 *                                           the last evaluation)
 *   optimizer.safetensors                  (AdamW moments "exp_avg.<name>", "exp_avg_sq.<name>")
 * Recipes (attn-cli train --recipe) use the same keys as trainer_state.json's "config"
 * (attn-train-recipe.c reads and writes them). */
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "attn-error.h"
#include "attn-train-json.h"
#include "attn-trainer-private.h"

/* The shortest decimal that reads back as the same float: 0.1, not 0.100000001490116. */
double
attn_train_short_float (float f)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int digits = 6; digits < 9; digits++)
    {
      double d;
      g_ascii_formatd (buf, sizeof buf, digits == 6 ? "%.6g" : digits == 7 ? "%.7g" : "%.8g", f);
      d = g_ascii_strtod (buf, NULL);
      if ((float) d == f)
        return d;
    }
  return f;
}

gboolean
attn_train_write_json (JsonBuilder *jb, const char *dir, const char *name, GError **error)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (jb);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, path, error);
}

void
attn_train_json_enc_dec_sizes (JsonBuilder *jb, int d_model, int encoder_layers,
                               int decoder_layers, int heads, int ffn_dim, int vocab)
{
  ATTN_KV_INT ("d_model", d_model);
  ATTN_KV_INT ("encoder_layers", encoder_layers);
  ATTN_KV_INT ("decoder_layers", decoder_layers);
  ATTN_KV_INT ("encoder_attention_heads", heads);
  ATTN_KV_INT ("decoder_attention_heads", heads);
  ATTN_KV_INT ("encoder_ffn_dim", ffn_dim);
  ATTN_KV_INT ("decoder_ffn_dim", ffn_dim);
  ATTN_KV_INT ("vocab_size", vocab);
}

/* ---- parameters ---- */

/* Writes one or more float arrays laid out like params, each under a name prefix. */
static gboolean
write_tensors (AttnParams *params, const float *const *bases, const char *const *prefixes,
               guint n_sets, const char *path, GError **error)
{
  guint n = params->info->len;
  AttnTensorOut *out = g_new0 (AttnTensorOut, (gsize) n * n_sets);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok;

  g_hash_table_insert (meta, (gpointer) "format", (gpointer) "pt");
  for (guint s = 0; s < n_sets; s++)
    for (guint i = 0; i < n; i++)
      {
        const AttnParamInfo *info = &g_array_index (params->info, AttnParamInfo, i);
        AttnTensorOut *o = &out[s * n + i];
        char *name = g_strconcat (prefixes[s], info->name, NULL);
        g_ptr_array_add (names, name);
        o->name = name;
        o->ndim = info->ndim;
        memcpy (o->shape, info->shape, sizeof (gint64) * info->ndim);
        o->data = bases[s] + info->offset;
      }
  ok = attn_safetensors_write (path, out, n * n_sets, ATTN_DTYPE_F32, meta, error);
  g_ptr_array_unref (names);
  g_free (out);
  return ok;
}

static gboolean
read_tensor (const AttnParamInfo *info, float *base, const char *prefix, AttnCheckpoint *ckpt,
             GError **error)
{
  g_autofree char *name = g_strconcat (prefix, info->name, NULL);
  float *v = attn_checkpoint_read_f32 (ckpt, name, info->ndim, info->shape, error);
  if (v == NULL)
    return FALSE;
  memcpy (base + info->offset, v, sizeof (float) * info->numel);
  g_free (v);
  return TRUE;
}

static gboolean
read_tensors (AttnParams *params, float *base, const char *prefix, AttnCheckpoint *ckpt,
              GError **error)
{
  for (guint i = 0; i < params->info->len; i++)
    if (!read_tensor (&g_array_index (params->info, AttnParamInfo, i), base, prefix, ckpt, error))
      return FALSE;
  return TRUE;
}

gboolean
attn_params_save (AttnParams *params, const char *path, GError **error)
{
  const float *bases[1] = { params->data };
  const char *prefixes[1] = { "" };
  return write_tensors (params, bases, prefixes, 1, path, error);
}

gboolean
attn_params_load (AttnParams *params, const char *dir, GError **error)
{
  g_autoptr (AttnCheckpoint) ckpt = attn_checkpoint_open_dir (dir, error);
  if (ckpt == NULL)
    return FALSE;
  return read_tensors (params, params->data, "", ckpt, error);
}

static const char *const whisper_stacks[] = { "encoder", "decoder" };

/* The layer of a Whisper tensor "model.encoder.layers.N.…" (stack 0) or
 * "model.decoder.layers.N.…" (stack 1) and the rest of its name after "N.", or -1. */
static int
whisper_layer_of (const char *name, int *stack, const char **rest)
{
  for (int s = 0; s < 2; s++)
    {
      g_autofree char *prefix = g_strdup_printf ("model.%s.layers.", whisper_stacks[s]);
      const char *digits;
      char *end;
      guint64 n;
      if (!g_str_has_prefix (name, prefix))
        continue;
      digits = name + strlen (prefix);
      n = g_ascii_strtoull (digits, &end, 10);
      if (end == digits || *end != '.' || n > G_MAXINT)
        return -1;
      *stack = s;
      *rest = end + 1;
      return (int) n;
    }
  return -1;
}

gboolean
attn_params_load_grown (AttnParams *params, const char *dir, int layers, GError **error)
{
  static const char *const outputs[] = { "self_attn.out_proj.", "encoder_attn.out_proj.", "fc2." };
  g_autoptr (AttnCheckpoint) ckpt = attn_checkpoint_open_dir (dir, error);
  int saved[2] = { 0, 0 };

  if (ckpt == NULL)
    return FALSE;
  for (int s = 0; s < 2; s++)
    {
      for (;; saved[s]++)
        {
          g_autofree char *name = g_strdup_printf ("model.%s.layers.%d.fc1.weight",
                                                   whisper_stacks[s], saved[s]);
          if (attn_checkpoint_find (ckpt, name) == NULL)
            break;
        }
      if (saved[s] > layers)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       s == 0 ? _("%s has %d encoder layers, more than the %d of the recipe (growing adds "
                                  "layers, it never removes any)")
                              : _("%s has %d decoder layers, more than the %d of the recipe (growing adds "
                                  "layers, it never removes any)"), dir, saved[s], layers);
          return FALSE;
        }
    }
  for (guint i = 0; i < params->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (params->info, AttnParamInfo, i);
      const char *rest = NULL;
      int stack = 0, layer = whisper_layer_of (info->name, &stack, &rest);

      if (layer >= saved[stack])   /* an added layer: keep its initialisation … */
        {
          for (guint o = 0; o < G_N_ELEMENTS (outputs); o++)
            if (g_str_has_prefix (rest, outputs[o]))   /* … but add nothing to the stream */
              memset (params->data + info->offset, 0, sizeof (float) * info->numel);
          continue;
        }
      if (!read_tensor (info, params->data, "", ckpt, error))
        return FALSE;
    }
  return TRUE;
}

JsonObject *
attn_train_load_json_object (const char *path, JsonParser *parser, GError **error)
{
  JsonNode *root;
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: not a JSON object"), path);
      return NULL;
    }
  return json_node_get_object (root);
}

/* ---- trainer save / resume ---- */

/* A corpus trainer's folder gets its tokenizer's files, byte for byte. */
static gboolean
copy_tokenizer (const char *from_dir, const char *dir, GError **error)
{
  static const char *const names[] = { "tokenizer.json", "tokenizer_config.json" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from = g_build_filename (from_dir, names[i], NULL);
      g_autofree char *to = g_build_filename (dir, names[i], NULL);
      g_autofree char *text = NULL;
      gsize len;
      if (i > 0 && !g_file_test (from, G_FILE_TEST_EXISTS))
        continue;
      if (!g_file_get_contents (from, &text, &len, error)
          || !g_file_set_contents (to, text, len, error))
        return FALSE;
    }
  return TRUE;
}

/* Reads dir/name (a JSON object), lets `edit` change it, writes it back. */
static gboolean
rewrite_json (const char *dir, const char *name,
              void (*edit) (JsonObject *o, const AttnTrainConfig *c), const AttnTrainConfig *c,
              GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  JsonObject *o;

  if ((o = attn_train_load_json_object (path, parser, error)) == NULL)
    return FALSE;
  edit (o, c);
  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, path, error);
}

static void
set_languages (JsonObject *o, const AttnTrainConfig *c)
{
  if (c->source_lang[0] != '\0')
    json_object_set_string_member (o, "source_lang", c->source_lang);
  if (c->target_lang[0] != '\0')
    json_object_set_string_member (o, "target_lang", c->target_lang);
}

JsonNode *
attn_train_alignment_heads_node (const AttnTrainConfig *c)
{
  JsonArray *heads = json_array_sized_new (c->n_alignment_heads);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (int i = 0; i < c->n_alignment_heads; i++)
    {
      JsonArray *pair = json_array_sized_new (2);
      json_array_add_int_element (pair, c->alignment_heads[i][0]);
      json_array_add_int_element (pair, c->alignment_heads[i][1]);
      json_array_add_array_element (heads, pair);
    }
  json_node_take_array (node, heads);
  return node;
}

static void
set_generation (JsonObject *o, const AttnTrainConfig *c)
{
  if (c->num_beams > 0)
    json_object_set_int_member (o, "num_beams", c->num_beams);
  if (c->length_penalty > 0)
    json_object_set_double_member (o, "length_penalty", attn_train_short_float (c->length_penalty));
  if (c->n_alignment_heads > 0)
    json_object_set_member (o, "alignment_heads", attn_train_alignment_heads_node (c));
}

/* config.json gets the corpus's languages, when the recipe names them;
 * generation_config.json the decoding it names (Hugging Face's keys) and a speech
 * model's alignment heads. */
static gboolean
add_recipe_choices (const AttnTrainConfig *c, const char *dir, GError **error)
{
  if ((c->source_lang[0] != '\0' || c->target_lang[0] != '\0')
      && !rewrite_json (dir, "config.json", set_languages, c, error))
    return FALSE;
  if ((c->num_beams > 0 || c->length_penalty > 0 || c->n_alignment_heads > 0)
      && !rewrite_json (dir, "generation_config.json", set_generation, c, error))
    return FALSE;
  return TRUE;
}

/* The last evaluation, as trainer_state.json's "eval". */
static void
write_eval (JsonBuilder *jb, const AttnTrainEval *e, gint64 step)
{
  json_builder_set_member_name (jb, "eval");
  json_builder_begin_object (jb);
  ATTN_KV_INT ("step", step);
  ATTN_KV_INT ("n", e->n);
  if (e->exact_match >= 0)
    ATTN_KV_DBL ("exact_match", e->exact_match);
  ATTN_KV_DBL ("token_accuracy", e->token_accuracy);
  if (e->perplexity >= 0)
    {
      ATTN_KV_INT ("tokens", e->tokens);
      ATTN_KV_DBL ("loss", e->loss);
      ATTN_KV_DBL ("perplexity", e->perplexity);
    }
  if (e->induction >= 0)
    {
      ATTN_KV_DBL ("induction", e->induction);
      ATTN_KV_INT ("induction_layer", e->induction_layer);
      ATTN_KV_INT ("induction_head", e->induction_head);
    }
  if (e->bleu >= 0)
    {
      ATTN_KV_DBL ("bleu", e->bleu);
      ATTN_KV_DBL ("chrf", e->chrf);
    }
  if (e->wer >= 0)
    {
      ATTN_KV_DBL ("wer", e->wer);
      ATTN_KV_DBL ("cer", e->cer);
    }
  if (e->aligned >= 0)
    ATTN_KV_DBL ("aligned", e->aligned);
  if (e->accuracy >= 0)
    {
      ATTN_KV_DBL ("accuracy", e->accuracy);
      ATTN_KV_DBL ("macro_f1", e->macro_f1);
    }
  if (e->f1 >= 0)
    ATTN_KV_DBL ("f1", e->f1);
  json_builder_end_object (jb);
}

gboolean
attn_trainer_save (AttnTrainer *t, const char *dir, GError **error)
{
  AttnTrainModel *m = t->model;
  g_autofree char *model_path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *opt_path = g_build_filename (dir, "optimizer.safetensors", NULL);
  g_autofree char *state_path = g_build_filename (dir, "trainer_state.json", NULL);
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data_rng = NULL, *drop_rng = NULL;
  const float *moments[2] = { t->opt->m, t->opt->v };
  const char *moment_names[2] = { "exp_avg.", "exp_avg_sq." };

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("Cannot create %s: %s"), dir, g_strerror (e));
      return FALSE;
    }
  if (!m->klass->save_config (m, dir, error)
      || !add_recipe_choices (&t->cfg, dir, error)
      || !attn_params_save (m->params, model_path, error)
      || !(t->text != NULL ? copy_tokenizer (attn_text_corpus_tokenizer_dir (t->text), dir, error)
           : t->corpus != NULL ? copy_tokenizer (attn_corpus_tokenizer_dir (t->corpus), dir, error)
           : attn_toy_write_tokenizer (dir, attn_toy_words (), ATTN_TOY_VOCAB, error))
      || !write_tensors (m->params, moments, moment_names, 2, opt_path, error))
    return FALSE;
  data_rng = g_strdup_printf ("%" G_GUINT64_FORMAT, t->data_rng.state);
  drop_rng = g_strdup_printf ("%" G_GUINT64_FORMAT, t->drop_rng.state);
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "step");
  json_builder_add_int_value (jb, t->step);
  json_builder_set_member_name (jb, "optimizer_step");
  json_builder_add_int_value (jb, t->opt->step);
  json_builder_set_member_name (jb, "elapsed_seconds");
  json_builder_add_double_value (jb, t->elapsed);
  json_builder_set_member_name (jb, "data_rng");
  json_builder_add_string_value (jb, data_rng);
  json_builder_set_member_name (jb, "dropout_rng");
  json_builder_add_string_value (jb, drop_rng);
  if (t->last_eval.n > 0)
    write_eval (jb, &t->last_eval, t->last_eval_step);
  json_builder_set_member_name (jb, "config");
  attn_train_config_to_json (&t->cfg, jb, dir);
  json_builder_end_object (jb);
  root = json_builder_get_root (jb);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, state_path, error);
}

gboolean
attn_trainer_state_copy (const char *from_dir, const char *to_dir, GError **error)
{
  g_autofree char *from_path = g_build_filename (from_dir, "trainer_state.json", NULL);
  g_autofree char *to_path = g_build_filename (to_dir, "trainer_state.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  JsonObject *o;
  JsonNode *config;

  if ((o = attn_train_load_json_object (from_path, parser, error)) == NULL)
    return FALSE;
  config = json_object_get_member (o, "config");
  if (config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: “config” is missing"), from_path);
      return FALSE;
    }
  attn_train_config_json_rebase (json_node_get_object (config), from_dir, to_dir);
  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, to_path, error);
}

static gboolean
parse_u64 (JsonObject *o, const char *name, const char *where, guint64 *out, GError **error)
{
  const char *s = json_object_has_member (o, name) ? json_object_get_string_member (o, name) : NULL;
  if (s == NULL || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, out, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: “%s” is missing or malformed"),
                   where, name);
      return FALSE;
    }
  return TRUE;
}

AttnTrainer *
attn_trainer_resume (const char *dir, GError **error)
{
  g_autofree char *state_path = g_build_filename (dir, "trainer_state.json", NULL);
  g_autofree char *opt_path = g_build_filename (dir, "optimizer.safetensors", NULL);
  g_autofree char *abs_dir = g_canonicalize_filename (dir, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (AttnCheckpoint) om = NULL;
  JsonObject *o, *co;
  AttnTrainConfig config;
  AttnTrainer *t;
  guint64 data_rng, drop_rng;

  o = attn_train_load_json_object (state_path, parser, error);
  if (o == NULL)
    return NULL;
  co = json_object_has_member (o, "config") ? json_object_get_object_member (o, "config") : NULL;
  if (co == NULL || !json_object_has_member (o, "step"))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: “step” or “config” is missing"),
                   state_path);
      return NULL;
    }
  /* corpus paths are saved relative to the folder (older runs saved them absolute) */
  if (!attn_train_config_from_json (co, state_path, abs_dir, &config, error)
      || !parse_u64 (o, "data_rng", state_path, &data_rng, error)
      || !parse_u64 (o, "dropout_rng", state_path, &drop_rng, error))
    return NULL;
  t = attn_trainer_new_uninit (&config, error);
  if (t == NULL)
    return NULL;
  if (!attn_params_load (t->model->params, dir, error)
      || (om = attn_checkpoint_open_file (opt_path, error)) == NULL
      || !read_tensors (t->model->params, t->opt->m, "exp_avg.", om, error)
      || !read_tensors (t->model->params, t->opt->v, "exp_avg_sq.", om, error))
    {
      attn_trainer_free (t);
      return NULL;
    }
  t->step = json_object_get_int_member (o, "step");
  t->opt->step = json_object_has_member (o, "optimizer_step")
                 ? json_object_get_int_member (o, "optimizer_step") : t->step;
  t->elapsed = json_object_has_member (o, "elapsed_seconds")
               ? json_object_get_double_member (o, "elapsed_seconds") : 0;
  t->data_rng.state = data_rng;
  t->drop_rng.state = drop_rng;
  return t;
}
