/* lens-examples.c — the examples of a model and the Examples menu, for the three input panes. */
#include "lens-examples.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

static void
example_free (gpointer data)
{
  LensExample *e = data;

  g_free (e->first);
  g_free (e->second);
  g_free (e);
}

/* An array of LensExample. */
GPtrArray *
lens_examples_new (void)
{
  return g_ptr_array_new_with_free_func (example_free);
}

void
lens_examples_add (GPtrArray *examples, const char *first, const char *second)
{
  LensExample *e = g_new (LensExample, 1);

  e->first = g_strdup (first);
  e->second = g_strdup (second);
  g_ptr_array_add (examples, e);
}

/* The string member KEYS[0], falling back on KEYS[1] and so on when absent (a null member gives NULL). */
static const char *
string_member (JsonObject *o, const char *const *keys)
{
  if (keys == NULL || keys[0] == NULL)
    return NULL;
  return json_object_get_string_member_with_default (o, keys[0], string_member (o, keys + 1));
}

/* Empties EXAMPLES, then reads DIR/examples.json: a list of objects whose FIRST_KEYS (the first
 * one present) give the first string and SECOND_KEYS the second, and, when PLAIN_STRINGS, of
 * plain strings too. Entries without a first string are left out. */
void
lens_examples_load (GPtrArray *examples, const char *dir, gboolean plain_strings,
                    const char *const *first_keys, const char *const *second_keys)
{
  g_autofree char *path = g_build_filename (dir, "examples.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *list;

  g_ptr_array_set_size (examples, 0);
  if (!json_parser_load_from_file (parser, path, NULL) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_ARRAY (root))
    return;

  list = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *o;
      const char *first;

      if (plain_strings && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          lens_examples_add (examples, json_node_get_string (node), NULL);
          continue;
        }
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      o = json_node_get_object (node);
      first = string_member (o, first_keys);
      if (first)
        lens_examples_add (examples, first, string_member (o, second_keys));
    }
}

/* TEXT, or its first MAX_CHARS - 1 characters and an ellipsis when it is longer than MAX_CHARS. */
char *
lens_examples_ellipsize (const char *text, int max_chars)
{
  if (g_utf8_strlen (text, -1) > max_chars)
    return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (text, max_chars - 1) - text), text);
  return g_strdup (text);
}

/* The flat “Examples” menu button of an input pane's header. */
GtkWidget *
lens_examples_button_new (const char *tooltip)
{
  GtkWidget *button = gtk_menu_button_new ();

  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Examples"));
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

/* Gives BUTTON a menu of LABELS, item i activating ACTION with the target i (type "u");
 * the button is insensitive when there are none. */
void
lens_examples_set_menu (GtkWidget *button, const char *const *labels, guint n_labels, const char *action)
{
  g_autoptr(GMenu) menu = g_menu_new ();

  for (guint i = 0; i < n_labels; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (labels[i], NULL);

      g_menu_item_set_action_and_target (item, action, "u", i);
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_sensitive (button, n_labels > 0);
}

void
lens_examples_update_menu (GtkWidget *button, GPtrArray *examples, int max_chars, const char *action)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < examples->len; i++)
    {
      LensExample *e = examples->pdata[i];
      g_autofree char *label = e->second && e->second[0] ? g_strdup_printf ("%s  ⇄  %s", e->first, e->second)
                                                         : g_strdup (e->first);

      g_ptr_array_add (labels, lens_examples_ellipsize (label, max_chars));
    }
  lens_examples_set_menu (button, (const char *const *) labels->pdata, labels->len, action);
}
