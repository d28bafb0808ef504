/* lens-models.c — the models directory and the model picker's groups. */
#include "lens-models.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "lens-config.h"

const char *
lens_model_group_title (LensModelGroup group)
{
  switch (group)
    {
    case LENS_MODEL_GROUP_SPEECH:      return _("Speech");
    case LENS_MODEL_GROUP_TRANSLATION: return _("Translation");
    case LENS_MODEL_GROUP_TEACHING:    return _("Teaching");
    case LENS_MODEL_GROUP_TEXT:
    default:                           return _("Text");
    }
}

/* A model the trainer made on a toy task (copy, reverse, sort) belongs to Teaching,
 * whatever its architecture: its trainer_state.json names the task. A recurrent
 * translator trained on a corpus is a translation model like Marian. */
static gboolean
is_toy_model (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "trainer_state.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *config;

  if (!json_parser_load_from_file (parser, path, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  config = json_object_get_object_member (json_node_get_object (root), "config");
  return config != NULL && json_object_has_member (config, "task");
}

gboolean
lens_model_group_for_dir (const char *dir, LensModelGroup *group)
{
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *type;

  if (!json_parser_load_from_file (parser, path, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  type = json_object_get_string_member_with_default (json_node_get_object (root), "model_type", "");

  if (is_toy_model (dir))
    *group = LENS_MODEL_GROUP_TEACHING;
  else if (g_str_equal (type, "whisper"))
    *group = LENS_MODEL_GROUP_SPEECH;
  else if (g_str_equal (type, "marian") || g_str_equal (type, "attn-rnn"))
    *group = LENS_MODEL_GROUP_TRANSLATION;
  else
    *group = LENS_MODEL_GROUP_TEXT;
  return TRUE;
}

gboolean
lens_running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, LENS_BUILD_DIR "/");
}

/* An installed folder, looked for first relative to the executable (so a
 * moved prefix or a DESTDIR staging finds its own data), then where the
 * build configured it. */
static char *
installed_dir (const char *from_bin, const char *configured)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL && from_bin[0] != '\0')
    {
      g_autofree char *bindir = g_path_get_dirname (exe);
      g_autofree char *path = g_build_filename (bindir, from_bin, NULL);
      g_autofree char *canonical = g_canonicalize_filename (path, NULL);

      if (g_file_test (canonical, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&canonical);
    }
  return g_strdup (configured);
}

char *
lens_data_dir (void)
{
  return installed_dir (LENS_DATADIR_FROM_BIN, LENS_DATADIR);
}

char *
lens_locale_dir (void)
{
  if (lens_running_uninstalled ())
    return g_build_filename (LENS_BUILD_DIR, "po", NULL);
  return installed_dir (LENS_LOCALEDIR_FROM_BIN, LOCALEDIR);
}

char *
lens_models_dir (void)
{
  const char *env = g_getenv ("ATTN_MODELS_DIR");
  g_autofree char *data = lens_data_dir ();
  g_autofree char *installed = g_build_filename (data, "models", NULL);
  g_autofree char *source = g_build_filename (LENS_SOURCE_DIR, "models", NULL);

  if (env && *env)
    return g_strdup (env);
  if (!lens_running_uninstalled () && g_file_test (installed, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&installed);
  if (g_file_test (source, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&source);
  return g_steal_pointer (&installed);
}

static void
model_info_free (gpointer data)
{
  LensModelInfo *info = data;

  g_free (info->dir);
  g_free (info->name);
  g_free (info);
}

static int
compare_info (gconstpointer a, gconstpointer b)
{
  const LensModelInfo *x = *(LensModelInfo **) a;
  const LensModelInfo *y = *(LensModelInfo **) b;

  if (x->group != y->group)
    return x->group - y->group;
  return g_utf8_collate (x->name, y->name);
}

GPtrArray *
lens_models_scan (const char *dir)
{
  GPtrArray *models = g_ptr_array_new_with_free_func (model_info_free);
  g_autoptr(GDir) d = dir ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;

  if (d == NULL)
    return models;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      LensModelGroup group;
      LensModelInfo *info;

      if (!lens_model_group_for_dir (path, &group))
        continue;
      info = g_new0 (LensModelInfo, 1);
      info->dir = g_steal_pointer (&path);
      info->name = g_strdup (name);
      info->group = group;
      g_ptr_array_add (models, info);
    }
  g_ptr_array_sort (models, compare_info);
  return models;
}

char *
lens_models_default (void)
{
  g_autofree char *dir = lens_models_dir ();
  g_autoptr(GPtrArray) models = lens_models_scan (dir);

  for (guint i = 0; i < models->len; i++)
    {
      LensModelInfo *info = g_ptr_array_index (models, i);

      if (info->group == LENS_MODEL_GROUP_TEXT)
        return g_strdup (info->dir);
    }
  if (models->len > 0)
    return g_strdup (((LensModelInfo *) g_ptr_array_index (models, 0))->dir);
  if (lens_running_uninstalled ())
    return g_build_filename (LENS_SOURCE_DIR, "tests", "fixtures", "bert", NULL);
  return NULL;
}
