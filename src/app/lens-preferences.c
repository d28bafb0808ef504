/* lens-preferences.c — colour map, scale, special tokens, presentation mode, threads. */
#include "lens-preferences.h"

#include <glib/gi18n.h>

struct _LensPreferences
{
  AdwPreferencesWindow parent_instance;
  GSettings           *settings;
  AdwComboRow         *colour_map_row;
  AdwComboRow         *scale_row;
  GtkSwitch           *hide_special_switch;
  GtkSwitch           *presentation_switch;
  GtkSpinButton       *threads_spin;
};

G_DEFINE_FINAL_TYPE (LensPreferences, lens_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* the rows list the enum's nicks in schema order */
static const char *colour_maps[] = { "viridis", "magma", "cividis", "grey", NULL };
static const char *scales[] = { "linear", "log", "row", NULL };

static gboolean
nick_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i]; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const char *const *nicks = user_data;
  guint i = g_value_get_uint (value);

  if (i >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[i]);
}

static void
lens_preferences_dispose (GObject *object)
{
  LensPreferences *self = LENS_PREFERENCES (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (lens_preferences_parent_class)->dispose (object);
}

static void
lens_preferences_class_init (LensPreferencesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lens_preferences_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/attentionlens/AttentionLens/lens-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, LensPreferences, colour_map_row);
  gtk_widget_class_bind_template_child (widget_class, LensPreferences, scale_row);
  gtk_widget_class_bind_template_child (widget_class, LensPreferences, hide_special_switch);
  gtk_widget_class_bind_template_child (widget_class, LensPreferences, presentation_switch);
  gtk_widget_class_bind_template_child (widget_class, LensPreferences, threads_spin);
}

static void
lens_preferences_init (LensPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lens_preferences_new (GtkWindow *parent, GSettings *settings)
{
  LensPreferences *self = g_object_new (LENS_TYPE_PREFERENCES,
                                        "transient-for", parent,
                                        "modal", TRUE,
                                        NULL);

  self->settings = g_object_ref (settings);
  g_settings_bind_with_mapping (settings, "colour-map", self->colour_map_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                (gpointer) colour_maps, NULL);
  g_settings_bind_with_mapping (settings, "scale", self->scale_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                (gpointer) scales, NULL);
  g_settings_bind (settings, "hide-special-tokens", self->hide_special_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "presentation-mode", self->presentation_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "worker-threads", self->threads_spin, "value", G_SETTINGS_BIND_DEFAULT);
  return GTK_WIDGET (self);
}
