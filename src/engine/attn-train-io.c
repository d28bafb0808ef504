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
 * Recipes (attn-cli train --recipe) use the same keys as trainer_state.json's "config". */
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "attn-error.h"
#include "attn-train-json.h"
#include "attn-trainer-private.h"

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
      const char *digits = name + strlen (prefix);
      char *end;
      guint64 n;
      if (!g_str_has_prefix (name, prefix))
        continue;
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
                       "%s has %d %s layers, more than the %d of the recipe (growing adds "
                       "layers, it never removes any)", dir, saved[s], whisper_stacks[s], layers);
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

/* ---- configuration as JSON ---- */

static const char *decay_names[] = { "linear", "cosine", "invsqrt", "constant" };
static const char *act_names[] = { "relu", "gelu", "gelu_new" };   /* AttnTrainAct */
static const char *score_init_names[] = { "random", "identity", "zero" };   /* AttnScoreInit */

/* The shortest decimal that reads back as the same float: 0.1, not 0.100000001490116. */
static double
short_float (float f)
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

/* `path` relative to the folder `base` ("../../data/x.tsv"), so that a saved run
 * names its corpus wherever the tree is checked out; `path` itself when the two share
 * nothing but the root. */
static char *
relative_path (const char *path, const char *base)
{
  g_autofree char *p = g_canonicalize_filename (path, NULL), *b = g_canonicalize_filename (base, NULL);
  g_auto(GStrv) pc = g_strsplit (p, G_DIR_SEPARATOR_S, -1), bc = g_strsplit (b, G_DIR_SEPARATOR_S, -1);
  GString *rel;
  guint common = 0;

  while (pc[common] && bc[common] && g_str_equal (pc[common], bc[common]))
    common++;
  if (common <= 1)   /* "" before the first separator: only the root in common */
    return g_steal_pointer (&p);
  rel = g_string_new (NULL);
  for (guint i = common; bc[i]; i++)
    if (bc[i][0] != '\0')
      g_string_append (rel, ".." G_DIR_SEPARATOR_S);
  for (guint i = common; pc[i]; i++)
    {
      g_string_append (rel, pc[i]);
      if (pc[i + 1])
        g_string_append_c (rel, G_DIR_SEPARATOR);
    }
  return g_string_free (rel, FALSE);
}

/* A corpus path, relative to base_dir, as member `key` (nothing when the path is empty). */
static void
add_path (JsonBuilder *jb, const char *key, const char *path, const char *base_dir)
{
  g_autofree char *rel = NULL;

  if (path[0] == '\0')
    return;
  rel = relative_path (path, base_dir);
  json_builder_set_member_name (jb, key);
  json_builder_add_string_value (jb, rel);
}

/* base_dir: the folder the JSON is saved in (corpus paths are written relative to it). */
static void
config_to_json (const AttnTrainConfig *c, JsonBuilder *jb, const char *base_dir)
{
#define I(k, v) do { json_builder_set_member_name (jb, k); json_builder_add_int_value (jb, v); } while (0)
#define D(k, v) do { json_builder_set_member_name (jb, k); json_builder_add_double_value (jb, short_float (v)); } while (0)
#define S(k, v) do { json_builder_set_member_name (jb, k); json_builder_add_string_value (jb, v); } while (0)
  json_builder_begin_object (jb);
  if (c->train_path[0] == '\0')
    S ("task", attn_task_name (c->task));
  S ("arch", attn_train_arch_name (c->arch));
  S ("score", attn_score_name (c->score));
  I ("seed", (gint64) c->seed);
  I ("min_len", c->min_len);
  I ("max_len", c->max_len);
  I ("batch_size", c->batch_size);
  I ("steps", c->steps);
  D ("lr", c->lr);
  D ("beta1", c->beta1);
  D ("beta2", c->beta2);
  D ("weight_decay", c->weight_decay);
  D ("clip_norm", c->clip_norm);
  I ("warmup_steps", c->warmup_steps);
  S ("decay", decay_names[c->decay]);
  D ("min_lr_ratio", c->min_lr_ratio);
  D ("dropout", c->dropout);
  D ("label_smoothing", c->label_smoothing);
  I ("d_model", c->d_model);
  I ("ffn_dim", c->ffn_dim);
  I ("layers", c->layers);
  I ("heads", c->heads);
  S ("activation", act_names[c->activation]);
  I ("embed_dim", c->embed_dim);
  I ("hidden_size", c->hidden_size);
  I ("attention_dim", c->attention_dim);
  if (c->arch == ATTN_ARCH_GRU || c->arch == ATTN_ARCH_LSTM)
    {
      S ("score_init", score_init_names[c->score_init]);
      D ("score_lr_scale", c->score_lr_scale);
    }
  I ("eval_size", c->eval_size);
  if (c->train_path[0] != '\0')
    {
      add_path (jb, "train", c->train_path, base_dir);
      add_path (jb, "extra_train", c->extra_train_path, base_dir);
      add_path (jb, "dev", c->dev_path, base_dir);
      add_path (jb, "init", c->init_dir, base_dir);
      add_path (jb, "tokenizer", c->tokenizer_dir, base_dir);
      I ("source_column", c->source_column);
      I ("target_column", c->target_column);
      I ("max_tokens", c->max_tokens);
      I ("eval_every", c->eval_every);
      if (c->source_lang[0] != '\0')
        S ("source_lang", c->source_lang);
      if (c->target_lang[0] != '\0')
        S ("target_lang", c->target_lang);
    }
  if (c->arch == ATTN_ARCH_WHISPER)
    {
      I ("n_mels", c->n_mels);
      I ("window_seconds", c->window_seconds);
      D ("ctc_weight", c->ctc_weight);
      I ("freq_masks", c->freq_masks);
      I ("freq_mask_width", c->freq_mask_width);
      I ("time_masks", c->time_masks);
      I ("time_mask_width", c->time_mask_width);
      if (c->freq_warp != 0)
        D ("freq_warp", c->freq_warp);
      if (c->grow_layers)
        {
          json_builder_set_member_name (jb, "grow_layers");
          json_builder_add_boolean_value (jb, TRUE);
        }
    }
  if (c->arch == ATTN_ARCH_GPT2)
    {
      I ("context", c->context);
      D ("repeat_fraction", c->repeat_fraction);
      D ("repeat_random", c->repeat_random);
    }
  json_builder_end_object (jb);
#undef I
#undef D
#undef S
}

static gboolean
member_number (JsonObject *o, const char *name, const char *where, double *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  GType t;
  if (n == NULL)
    return TRUE;
  t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;
  if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "%s: “%s” must be a number", where, name);
      return FALSE;
    }
  *out = json_node_get_double (n);
  return TRUE;
}

/* A corpus path member: made absolute against base_dir (the recipe's folder),
 * and checked to exist (a regular file, or a folder holding tokenizer.json). */
static gboolean
member_path (JsonObject *o, const char *name, const char *where, const char *base_dir,
             const char *inside, char *out, gsize out_size, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  const char *s;
  g_autofree char *path = NULL, *check = NULL;

  if (n == NULL)
    return TRUE;
  s = JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
      ? json_node_get_string (n) : NULL;
  if (s == NULL || s[0] == '\0')
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "%s: “%s” must be a path", where, name);
      return FALSE;
    }
  path = g_canonicalize_filename (s, base_dir);
  check = inside != NULL ? g_build_filename (path, inside, NULL) : g_strdup (path);
  if (!g_file_test (check, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "%s: “%s”: %s does not exist%s", where,
                   name, check, g_strcmp0 (inside, "tokenizer.json") == 0
                   ? " (build it with attn-cli tokenizer --out DIR)" : "");
      return FALSE;
    }
  if (strlen (path) >= out_size)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "%s: “%s”: the path is too long", where,
                   name);
      return FALSE;
    }
  g_strlcpy (out, path, out_size);
  return TRUE;
}

/* A language code like "de" or "pt-br": 2–15 lower-case letters or '-'. */
static gboolean
member_lang (JsonObject *o, const char *name, const char *where, char *out, gsize out_size,
             GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  const char *v = n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
                    ? json_node_get_string (n) : NULL;
  gboolean ok = v != NULL && strlen (v) >= 2 && strlen (v) < out_size;

  if (n == NULL)
    return TRUE;
  for (const char *p = v; ok && *p; p++)
    ok = (*p >= 'a' && *p <= 'z') || *p == '-';
  if (!ok)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   "%s: “%s” must be a language code such as \"de\" or \"en\"", where, name);
      return FALSE;
    }
  g_strlcpy (out, v, out_size);
  return TRUE;
}

/* Reads the string member `name` (if present) as an index into names. */
static gboolean
member_enum (JsonObject *o, const char *name, const char *const *names, guint n_names,
             const char *where, const char *choices, int *out, GError **error)
{
  const char *s;

  if (!json_object_has_member (o, name))
    return TRUE;
  s = json_object_get_string_member (o, name);
  for (guint i = 0; s != NULL && i < n_names; i++)
    if (g_str_equal (s, names[i]))
      {
        *out = (int) i;
        return TRUE;
      }
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "%s: “%s” must be %s", where, name, choices);
  return FALSE;
}

/* Applies the members of o over the defaults of its task and arch; relative
 * corpus paths are taken from base_dir (NULL: the working directory). */
static gboolean
config_from_json (JsonObject *o, const char *where, const char *base_dir, AttnTrainConfig *c,
                  GError **error)
{
  static const char *known[] = {
    "task", "arch", "score", "seed", "min_len", "max_len", "batch_size", "steps", "lr", "beta1",
    "beta2", "weight_decay", "clip_norm", "warmup_steps", "decay", "min_lr_ratio", "dropout",
    "label_smoothing", "d_model", "ffn_dim", "layers", "heads", "embed_dim", "hidden_size",
    "attention_dim", "score_init", "score_lr_scale", "eval_size", "activation", "train",
    "extra_train", "init", "dev", "tokenizer", "source_column",
    "target_column", "max_tokens", "eval_every", "source_lang", "target_lang", "context",
    "n_mels", "window_seconds", "ctc_weight", "freq_masks", "freq_mask_width", "time_masks",
    "time_mask_width", "repeat_fraction", "repeat_random", "grow_layers", "freq_warp", NULL
  };
  const char *task_s = "reverse", *arch_s = "transformer";
  AttnTask task;
  AttnTrainArch arch;
  g_autoptr (GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data) && ((const char *) l->data)[0] != '_')
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "%s: unknown key “%s”", where,
                     (const char *) l->data);
        return FALSE;
      }
  if (json_object_has_member (o, "task"))
    task_s = json_object_get_string_member (o, "task");
  if (json_object_has_member (o, "arch"))
    arch_s = json_object_get_string_member (o, "arch");
  if (task_s == NULL || !attn_task_from_name (task_s, &task))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   "%s: “task” must be copy, reverse or sort", where);
      return FALSE;
    }
  if (arch_s == NULL || !attn_train_arch_from_name (arch_s, &arch))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   "%s: “arch” must be transformer, gru, lstm, bert, gpt2 or whisper", where);
      return FALSE;
    }
  attn_train_config_init (c, task, arch);
  if (json_object_has_member (o, "score"))
    {
      const char *s = json_object_get_string_member (o, "score");
      if (s == NULL || !attn_score_from_name (s, &c->score))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       "%s: “score” must be additive, dot, general or scaled-dot", where);
          return FALSE;
        }
    }
  {
    int decay = c->decay, activation = c->activation, score_init = c->score_init;
    if (!member_enum (o, "decay", decay_names, G_N_ELEMENTS (decay_names), where,
                      "linear, cosine, invsqrt or constant", &decay, error)
        || !member_enum (o, "activation", act_names, G_N_ELEMENTS (act_names), where,
                         "relu, gelu or gelu_new", &activation, error)
        || !member_enum (o, "score_init", score_init_names, G_N_ELEMENTS (score_init_names),
                         where, "random, identity or zero", &score_init, error))
      return FALSE;
    c->decay = decay;
    c->activation = activation;
    c->score_init = score_init;
  }
  {
    struct { const char *name; int *i; float *f; } nums[] = {
      { "min_len", &c->min_len, NULL }, { "max_len", &c->max_len, NULL },
      { "batch_size", &c->batch_size, NULL }, { "steps", &c->steps, NULL },
      { "warmup_steps", &c->warmup_steps, NULL }, { "d_model", &c->d_model, NULL },
      { "ffn_dim", &c->ffn_dim, NULL }, { "layers", &c->layers, NULL },
      { "heads", &c->heads, NULL }, { "embed_dim", &c->embed_dim, NULL },
      { "hidden_size", &c->hidden_size, NULL }, { "attention_dim", &c->attention_dim, NULL },
      { "eval_size", &c->eval_size, NULL }, { "source_column", &c->source_column, NULL },
      { "target_column", &c->target_column, NULL }, { "max_tokens", &c->max_tokens, NULL },
      { "eval_every", &c->eval_every, NULL }, { "context", &c->context, NULL },
      { "n_mels", &c->n_mels, NULL }, { "window_seconds", &c->window_seconds, NULL },
      { "freq_masks", &c->freq_masks, NULL }, { "freq_mask_width", &c->freq_mask_width, NULL },
      { "time_masks", &c->time_masks, NULL }, { "time_mask_width", &c->time_mask_width, NULL },
      { "lr", NULL, &c->lr }, { "beta1", NULL, &c->beta1 }, { "beta2", NULL, &c->beta2 },
      { "weight_decay", NULL, &c->weight_decay }, { "clip_norm", NULL, &c->clip_norm },
      { "min_lr_ratio", NULL, &c->min_lr_ratio }, { "dropout", NULL, &c->dropout },
      { "label_smoothing", NULL, &c->label_smoothing },
      { "score_lr_scale", NULL, &c->score_lr_scale }, { "ctc_weight", NULL, &c->ctc_weight },
      { "repeat_fraction", NULL, &c->repeat_fraction },
      { "repeat_random", NULL, &c->repeat_random }, { "freq_warp", NULL, &c->freq_warp },
    };
    double seed = -1;
    for (guint i = 0; i < G_N_ELEMENTS (nums); i++)
      {
        double v = nums[i].i != NULL ? *nums[i].i : *nums[i].f;
        if (!member_number (o, nums[i].name, where, &v, error))
          return FALSE;
        if (nums[i].i != NULL)
          *nums[i].i = (int) v;
        else
          *nums[i].f = (float) v;
      }
    if (json_object_has_member (o, "seed"))
      {
        JsonNode *n = json_object_get_member (o, "seed");
        if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
            || (seed = (double) json_node_get_int (n)) < 0)
          {
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                         "%s: “seed” must be a non-negative integer", where);
            return FALSE;
          }
        c->seed = (guint64) json_node_get_int (n);
      }
    if (json_object_has_member (o, "grow_layers"))
      {
        JsonNode *n = json_object_get_member (o, "grow_layers");
        if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
          {
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                         "%s: “grow_layers” must be true or false", where);
            return FALSE;
          }
        c->grow_layers = json_node_get_boolean (n);
      }
  }
  if (!member_path (o, "train", where, base_dir, NULL, c->train_path, sizeof c->train_path, error)
      || !member_path (o, "extra_train", where, base_dir, NULL, c->extra_train_path,
                       sizeof c->extra_train_path, error)
      || !member_path (o, "dev", where, base_dir, NULL, c->dev_path, sizeof c->dev_path, error)
      || !member_path (o, "init", where, base_dir, "model.safetensors", c->init_dir,
                       sizeof c->init_dir, error)
      || !member_path (o, "tokenizer", where, base_dir, "tokenizer.json", c->tokenizer_dir,
                       sizeof c->tokenizer_dir, error))
    return FALSE;
  if ((c->train_path[0] != '\0') != (c->dev_path[0] != '\0')
      || (c->train_path[0] != '\0') != (c->tokenizer_dir[0] != '\0'))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   "%s: “train”, “dev” and “tokenizer” go together", where);
      return FALSE;
    }
  if (c->extra_train_path[0] != '\0'
      && (c->train_path[0] == '\0' || c->arch == ATTN_ARCH_BERT || c->arch == ATTN_ARCH_GPT2))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   "%s: “extra_train” is for translation and speech recipes", where);
      return FALSE;
    }
  if (!member_lang (o, "source_lang", where, c->source_lang, sizeof c->source_lang, error)
      || !member_lang (o, "target_lang", where, c->target_lang, sizeof c->target_lang, error))
    return FALSE;
  if (c->train_path[0] != '\0' && json_object_has_member (o, "task"))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   "%s: a recipe names a toy “task” or a corpus (“train”), not both", where);
      return FALSE;
    }
  if (c->source_column < 0 || c->target_column < 0 || c->source_column == c->target_column
      || c->max_tokens < 2 || c->eval_every < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   "%s: “source_column” and “target_column” must be different columns ≥ 0, "
                   "“max_tokens” ≥ 2 and “eval_every” ≥ 0", where);
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
load_object (const char *path, JsonParser *parser, GError **error)
{
  JsonNode *root;
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "%s: not a JSON object", path);
      return NULL;
    }
  return json_node_get_object (root);
}

gboolean
attn_train_config_from_recipe (const char *path, AttnTrainConfig *config, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *abs_path = g_canonicalize_filename (path, NULL);
  g_autofree char *base_dir = g_path_get_dirname (abs_path);
  JsonObject *o = load_object (path, parser, error);
  return o != NULL && config_from_json (o, path, base_dir, config, error);
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

/* config.json gets the corpus's languages, when the recipe names them. */
static gboolean
add_languages (const AttnTrainConfig *c, const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  JsonObject *o;

  if (c->source_lang[0] == '\0' && c->target_lang[0] == '\0')
    return TRUE;
  if ((o = load_object (path, parser, error)) == NULL)
    return FALSE;
  if (c->source_lang[0] != '\0')
    json_object_set_string_member (o, "source_lang", c->source_lang);
  if (c->target_lang[0] != '\0')
    json_object_set_string_member (o, "target_lang", c->target_lang);
  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, path, error);
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
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, "Cannot create %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  if (!m->klass->save_config (m, dir, error)
      || !add_languages (&t->cfg, dir, error)
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
  config_to_json (&t->cfg, jb, dir);
  json_builder_end_object (jb);
  root = json_builder_get_root (jb);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, state_path, error);
}

static gboolean
parse_u64 (JsonObject *o, const char *name, const char *where, guint64 *out, GError **error)
{
  const char *s = json_object_has_member (o, name) ? json_object_get_string_member (o, name) : NULL;
  if (s == NULL || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, out, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "%s: “%s” is missing or malformed",
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

  o = load_object (state_path, parser, error);
  if (o == NULL)
    return NULL;
  co = json_object_has_member (o, "config") ? json_object_get_object_member (o, "config") : NULL;
  if (co == NULL || !json_object_has_member (o, "step"))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "%s: “step” or “config” is missing",
                   state_path);
      return NULL;
    }
  /* corpus paths are saved relative to the folder (older runs saved them absolute) */
  if (!config_from_json (co, state_path, abs_dir, &config, error)
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
