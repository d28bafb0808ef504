/* attn-train-recipe.c — a training configuration as JSON: the "config" of
 * trainer_state.json (written with every saved trainer, read back on resume) and the
 * recipes of `attn-cli train --recipe`, which use the same keys; corpus paths are
 * written relative to the saved folder and read relative to the recipe's. */
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "attn-error.h"
#include "attn-model.h"
#include "attn-train-json.h"
#include "attn-trainer-private.h"

static const char *decay_names[] = { "linear", "cosine", "invsqrt", "constant" };
static const char *act_names[] = { "relu", "gelu", "gelu_new" };   /* AttnTrainAct */
static const char *score_init_names[] = { "random", "identity", "zero" };   /* AttnScoreInit */


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
  if (rel->len == 0)   /* the folder itself */
    g_string_append_c (rel, '.');
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

/* Re-expresses the path members of a saved configuration (written relative to
 * from_dir by add_path) relative to to_dir, for a saved folder copied elsewhere. */
void
attn_train_config_json_rebase (JsonObject *config, const char *from_dir, const char *to_dir)
{
  static const char *const keys[] = { "train", "extra_train", "dev", "init", "tokenizer" };
  g_autofree char *abs_from = g_canonicalize_filename (from_dir, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *n = json_object_get_member (config, keys[i]);
      const char *v = n != NULL && json_node_get_value_type (n) == G_TYPE_STRING
                      ? json_node_get_string (n) : NULL;
      g_autofree char *full = NULL, *rel = NULL;
      if (v == NULL || v[0] == '\0')
        continue;
      full = g_canonicalize_filename (v, abs_from);
      rel = relative_path (full, to_dir);
      json_object_set_string_member (config, keys[i], rel);
    }
}

/* base_dir: the folder the JSON is saved in (corpus paths are written relative to it). */
void
attn_train_config_to_json (const AttnTrainConfig *c, JsonBuilder *jb, const char *base_dir)
{
#define I(k, v) do { json_builder_set_member_name (jb, k); json_builder_add_int_value (jb, v); } while (0)
#define D(k, v) do { json_builder_set_member_name (jb, k); json_builder_add_double_value (jb, attn_train_short_float (v)); } while (0)
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
  if (c->num_beams > 0)
    I ("num_beams", c->num_beams);
  if (c->length_penalty > 0)
    D ("length_penalty", c->length_penalty);
  if (c->n_alignment_heads > 0)
    {
      json_builder_set_member_name (jb, "alignment_heads");
      json_builder_add_value (jb, attn_train_alignment_heads_node (c));
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
        ATTN_KV_BOOL ("grow_layers", TRUE);
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
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: “%s” must be a number"), where, name);
      return FALSE;
    }
  *out = json_node_get_double (n);
  return TRUE;
}

/* "alignment_heads": [[layer, head], …] of the decoder (checked against the model's
 * sizes once they are known). */
static gboolean
member_alignment_heads (JsonObject *o, const char *where, AttnTrainConfig *c, GError **error)
{
  JsonNode *n = json_object_get_member (o, "alignment_heads");
  JsonArray *a = n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;

  if (n == NULL)
    return TRUE;
  if (a == NULL || json_array_get_length (a) == 0
      || json_array_get_length (a) > ATTN_TRAIN_MAX_ALIGNMENT_HEADS)
    goto bad;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonArray *p = JSON_NODE_HOLDS_ARRAY (e) ? json_node_get_array (e) : NULL;
      if (p == NULL || json_array_get_length (p) != 2)
        goto bad;
      for (guint k = 0; k < 2; k++)
        {
          JsonNode *v = json_array_get_element (p, k);
          if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_INT64
              || json_node_get_int (v) < 0 || json_node_get_int (v) > 1024)
            goto bad;
          c->alignment_heads[i][k] = (int) json_node_get_int (v);
        }
    }
  c->n_alignment_heads = (int) json_array_get_length (a);
  return TRUE;
bad:
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
               _("%s: “alignment_heads” must be a list of 1 to %d [layer, head] pairs"), where,
               ATTN_TRAIN_MAX_ALIGNMENT_HEADS);
  return FALSE;
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
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: “%s” must be a path"), where, name);
      return FALSE;
    }
  path = g_canonicalize_filename (s, base_dir);
  check = inside != NULL ? g_build_filename (path, inside, NULL) : g_strdup (path);
  if (!g_file_test (check, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   g_strcmp0 (inside, "tokenizer.json") == 0
                   ? _("%s: “%s”: %s does not exist (build it with attn-cli tokenizer --out DIR)")
                   : _("%s: “%s”: %s does not exist"), where, name, check);
      return FALSE;
    }
  if (strlen (path) >= out_size)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: “%s”: the path is too long"), where,
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
                   _("%s: “%s” must be a language code such as \"de\" or \"en\""), where, name);
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
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: “%s” must be %s"), where, name, choices);
  return FALSE;
}

/* Applies the members of o over the defaults of its task and arch; relative
 * corpus paths are taken from base_dir (NULL: the working directory). */
gboolean
attn_train_config_from_json (JsonObject *o, const char *where, const char *base_dir,
                             AttnTrainConfig *c, GError **error)
{
  static const char *known[] = {
    "task", "arch", "score", "seed", "min_len", "max_len", "batch_size", "steps", "lr", "beta1",
    "beta2", "weight_decay", "clip_norm", "warmup_steps", "decay", "min_lr_ratio", "dropout",
    "label_smoothing", "d_model", "ffn_dim", "layers", "heads", "embed_dim", "hidden_size",
    "attention_dim", "score_init", "score_lr_scale", "eval_size", "activation", "train",
    "extra_train", "init", "dev", "tokenizer", "source_column",
    "target_column", "max_tokens", "eval_every", "source_lang", "target_lang", "context",
    "n_mels", "window_seconds", "ctc_weight", "freq_masks", "freq_mask_width", "time_masks",
    "time_mask_width", "repeat_fraction", "repeat_random", "grow_layers", "freq_warp", "num_beams",
    "length_penalty", "alignment_heads", NULL
  };
  const char *task_s = "reverse", *arch_s = "transformer";
  AttnTask task;
  AttnTrainArch arch;
  g_autoptr (GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data) && ((const char *) l->data)[0] != '_')
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: unknown key “%s”"), where,
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
                   _("%s: “task” must be copy, reverse or sort"), where);
      return FALSE;
    }
  if (arch_s == NULL || !attn_train_arch_from_name (arch_s, &arch))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s: “arch” must be transformer, gru, lstm, bert, gpt2 or whisper"), where);
      return FALSE;
    }
  attn_train_config_init (c, task, arch);
  if (json_object_has_member (o, "score"))
    {
      const char *s = json_object_get_string_member (o, "score");
      if (s == NULL || !attn_score_from_name (s, &c->score))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("%s: “score” must be additive, dot, general or scaled-dot"), where);
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
      { "length_penalty", NULL, &c->length_penalty },
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
                         _("%s: “seed” must be a non-negative integer"), where);
            return FALSE;
          }
        c->seed = (guint64) json_node_get_int (n);
      }
    if (json_object_has_member (o, "num_beams"))
      {
        JsonNode *n = json_object_get_member (o, "num_beams");
        if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
            || json_node_get_int (n) < 1 || json_node_get_int (n) > ATTN_BEAM_SIZE_MAX)
          {
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                         _("%s: “num_beams” must be an integer from 1 to %d"), where,
                         ATTN_BEAM_SIZE_MAX);
            return FALSE;
          }
        c->num_beams = (int) json_node_get_int (n);
      }
    if (json_object_has_member (o, "length_penalty")
        && !(c->length_penalty > 0 && c->length_penalty <= ATTN_LENGTH_PENALTY_MAX))
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     _("%s: “length_penalty” must be above 0 and at most %g"), where,
                     ATTN_LENGTH_PENALTY_MAX);
        return FALSE;
      }
    if (!member_alignment_heads (o, where, c, error))
      return FALSE;
    if (c->n_alignment_heads > 0 && arch != ATTN_ARCH_WHISPER)
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     _("%s: “alignment_heads” is for speech (whisper) recipes"), where);
        return FALSE;
      }
    for (int i = 0; i < c->n_alignment_heads; i++)
      if (c->alignment_heads[i][0] >= c->layers || c->alignment_heads[i][1] >= c->heads)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("%s: alignment head [%d, %d] is not in a decoder of %d layers × %d heads"),
                       where, c->alignment_heads[i][0], c->alignment_heads[i][1], c->layers, c->heads);
          return FALSE;
        }
    if ((c->num_beams > 0 || c->length_penalty > 0) && arch == ATTN_ARCH_BERT)
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     _("%s: “num_beams” and “length_penalty” are for models that generate"), where);
        return FALSE;
      }
    if (json_object_has_member (o, "grow_layers"))
      {
        JsonNode *n = json_object_get_member (o, "grow_layers");
        if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
          {
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                         _("%s: “grow_layers” must be true or false"), where);
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
                   _("%s: “train”, “dev” and “tokenizer” go together"), where);
      return FALSE;
    }
  if (c->extra_train_path[0] != '\0'
      && (c->train_path[0] == '\0' || c->arch == ATTN_ARCH_BERT || c->arch == ATTN_ARCH_GPT2))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s: “extra_train” is for translation and speech recipes"), where);
      return FALSE;
    }
  if (!member_lang (o, "source_lang", where, c->source_lang, sizeof c->source_lang, error)
      || !member_lang (o, "target_lang", where, c->target_lang, sizeof c->target_lang, error))
    return FALSE;
  if (c->train_path[0] != '\0' && json_object_has_member (o, "task"))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s: a recipe names a toy “task” or a corpus (“train”), not both"), where);
      return FALSE;
    }
  if (c->source_column < 0 || c->target_column < 0 || c->source_column == c->target_column
      || c->max_tokens < 2 || c->eval_every < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s: “source_column” and “target_column” must be different columns ≥ 0, "
                   "“max_tokens” ≥ 2 and “eval_every” ≥ 0"), where);
      return FALSE;
    }
  return TRUE;
}

gboolean
attn_train_config_from_recipe (const char *path, AttnTrainConfig *config, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *abs_path = g_canonicalize_filename (path, NULL);
  g_autofree char *base_dir = g_path_get_dirname (abs_path);
  JsonObject *o = attn_train_load_json_object (path, parser, error);
  return o != NULL && attn_train_config_from_json (o, path, base_dir, config, error);
}
