/* lens-translators.c — finding the translators the workbench's row compares. */
#include "lens-translators.h"

#include <json-glib/json-glib.h>

#include "attn-scores.h"
#include "lens-models.h"
#include "lens-scores.h"


static void
translator_free (gpointer data)
{
  LensTranslator *t = data;

  g_free (t->dir);
  g_free (t->name);
  g_free (t->model_type);
  g_free (t->score);
  g_free (t->pair);
  g_free (t);
}

static int
score_rank (const char *score)
{
  for (int s = 0; s < LENS_N_SCORES; s++)
    if (g_strcmp0 (score, attn_score_name (lens_score_order[s])) == 0)
      return s;
  return LENS_N_SCORES;
}

static int
compare_translators (gconstpointer a, gconstpointer b)
{
  const LensTranslator *x = *(LensTranslator **) a, *y = *(LensTranslator **) b;
  int rx = g_str_equal (x->model_type, "marian") ? LENS_N_SCORES + 1 : score_rank (x->score);
  int ry = g_str_equal (y->model_type, "marian") ? LENS_N_SCORES + 1 : score_rank (y->score);

  return rx != ry ? rx - ry : g_strcmp0 (x->name, y->name);
}

/* Keeps the translators of the language pair most of them share (ties: the pair that
 * sorts first), so one sentence suits every model in the row. */
static void
keep_main_pair (GPtrArray *list)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  const char *best = NULL;
  guint best_n = 0;

  for (guint i = 0; i < list->len; i++)
    {
      const char *pair = ((LensTranslator *) g_ptr_array_index (list, i))->pair;
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pair)) + 1;

      g_hash_table_insert (counts, (gpointer) pair, GUINT_TO_POINTER (n));
      if (n > best_n || (n == best_n && g_strcmp0 (pair, best) < 0))
        best = pair, best_n = n;
    }
  for (guint i = list->len; i-- > 0;)
    if (!g_str_equal (((LensTranslator *) g_ptr_array_index (list, i))->pair, best))
      g_ptr_array_remove_index (list, i);
}

GPtrArray *
lens_translators_scan (const char *dir)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (translator_free);
  g_autoptr(GDir) d = dir ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *config = g_build_filename (path, "config.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      LensModelGroup group;
      JsonObject *o;
      const char *type;
      LensTranslator *t;

      if (!lens_model_group_for_dir (path, &group) || group != LENS_MODEL_GROUP_TRANSLATION ||
          !json_parser_load_from_file (parser, config, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      o = json_node_get_object (json_parser_get_root (parser));
      type = json_object_get_string_member_with_default (o, "model_type", "");
      t = g_new0 (LensTranslator, 1);
      t->dir = g_steal_pointer (&path);
      t->name = g_strdup (name);
      t->model_type = g_strdup (type);
      t->pair = g_strdup_printf ("%s-%s", json_object_get_string_member_with_default (o, "source_lang", ""),
                                 json_object_get_string_member_with_default (o, "target_lang", ""));
      if (g_str_equal (type, "attn-rnn"))
        {
          t->score = g_strdup (json_object_get_string_member_with_default (o, "score", "additive"));
          t->hidden = json_object_get_int_member_with_default (o, "hidden_size", 0);
        }
      g_ptr_array_add (list, t);
    }
  keep_main_pair (list);
  g_ptr_array_sort (list, compare_translators);
  return list;
}

char *
lens_translators_missing (GPtrArray *list)
{
  /* the recurrent scores the built-in translators are trained with */
  static const AttnScoreKind recurrent[] = { ATTN_SCORE_ADDITIVE, ATTN_SCORE_DOT, ATTN_SCORE_GENERAL };
  GString *s = g_string_new (NULL);
  gboolean marian = FALSE;
  GString *scores = g_string_new (NULL);

  for (guint k = 0; k < G_N_ELEMENTS (recurrent); k++)
    {
      const char *want = attn_score_name (recurrent[k]);
      gboolean found = FALSE;

      for (guint i = 0; i < list->len; i++)
        {
          LensTranslator *t = g_ptr_array_index (list, i);

          found = found || g_strcmp0 (t->score, want) == 0;
        }
      if (!found)
        g_string_append_printf (scores, "%s%s", scores->len ? ", " : "", want);
    }
  for (guint i = 0; i < list->len; i++)
    marian = marian || g_str_equal (((LensTranslator *) g_ptr_array_index (list, i))->model_type, "marian");
  if (scores->len)
    g_string_append_printf (s, "attn-rnn (%s)", scores->str);
  if (!marian)
    g_string_append_printf (s, "%smarian", s->len ? ", " : "");
  g_string_free (scores, TRUE);
  return g_string_free (s, FALSE);
}
