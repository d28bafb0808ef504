/* lens-window-models.c — the window's model menu: the built-in models by group, the
 * teaching workbench's pages, the test fixtures when run from the build tree, recent
 * folders, and Open Model Folder…. */
#include "lens-window-private.h"

#include <glib/gi18n.h>

#include "lens-config.h"
#include "lens-models.h"

#define MAX_RECENT 8

static void
append_model_section (GMenu *menu, const char *title, GPtrArray *models, LensModelGroup group)
{
  g_autoptr(GMenu) section = g_menu_new ();

  for (guint i = 0; i < models->len; i++)
    {
      LensModelInfo *info = g_ptr_array_index (models, i);
      g_autoptr(GMenuItem) item = NULL;

      if (info->group != group)
        continue;
      item = g_menu_item_new (info->name, NULL);
      g_menu_item_set_action_and_target (item, "win.load-model", "s", info->dir);
      g_menu_append_item (section, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (section)) > 0)
    g_menu_append_section (menu, title, G_MENU_MODEL (section));
}

/* Is dir one of the models (LensModelInfo) of a scan? */
static gboolean
is_listed (GPtrArray *models, const char *dir)
{
  for (guint i = 0; i < models->len; i++)
    {
      LensModelInfo *info = g_ptr_array_index (models, i);
      g_autoptr(GFile) a = g_file_new_for_path (info->dir);
      g_autoptr(GFile) b = g_file_new_for_path (dir);

      if (g_file_equal (a, b))
        return TRUE;
    }
  return FALSE;
}

void
lens_window_rebuild_model_menu (LensWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) recent = g_menu_new ();
  g_autoptr(GMenu) open = g_menu_new ();
  g_autofree char *dir = lens_models_dir ();
  g_autoptr(GPtrArray) models = lens_models_scan (dir);
  g_auto(GStrv) folders = g_settings_get_strv (self->settings, "recent-folders");

  for (int g = 0; g < LENS_N_MODEL_GROUPS; g++)
    append_model_section (menu, lens_model_group_title (g), models, g);

  /* the teaching workbench, always there: it works with any model */
  {
    g_autoptr(GMenu) teach = g_menu_new ();

    g_menu_append (teach, _("How Attention Is Computed"), "win.show-view::steps");
    g_menu_append (teach, _("Score Functions"), "win.show-view::scores");
    g_menu_append (teach, _("Watch It Learn"), "win.show-view::learn");
    g_menu_append_section (menu, _("Teaching Workbench"), G_MENU_MODEL (teach));
  }

  if (lens_running_uninstalled ())
    {
      /* the engine's reference checkpoints, handy while developing */
      g_autofree char *fixtures = g_build_filename (LENS_SOURCE_DIR, "tests", "fixtures", NULL);
      g_autoptr(GPtrArray) refs = lens_models_scan (fixtures);
      g_autoptr(GMenu) section = g_menu_new ();

      for (guint i = 0; i < refs->len; i++)
        {
          LensModelInfo *info = g_ptr_array_index (refs, i);
          g_autoptr(GMenuItem) item = g_menu_item_new (info->name, NULL);

          g_menu_item_set_action_and_target (item, "win.load-model", "s", info->dir);
          g_menu_append_item (section, item);
        }
      if (refs->len > 0)
        g_menu_append_section (menu, _("Test Fixtures"), G_MENU_MODEL (section));
    }

  /* folders opened by hand: not the built-in ones (listed above already), not the
   * ones that are gone */
  for (guint i = 0; folders[i]; i++)
    {
      g_autofree char *base = g_path_get_basename (folders[i]);
      g_autoptr(GMenuItem) item = NULL;

      if (is_listed (models, folders[i]) || !g_file_test (folders[i], G_FILE_TEST_IS_DIR))
        continue;
      item = g_menu_item_new (base, NULL);
      g_menu_item_set_action_and_target (item, "win.load-model", "s", folders[i]);
      g_menu_append_item (recent, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (recent)) > 0)
    {
      g_menu_append (recent, _("_Clear Recent Folders"), "win.clear-recent");
      g_menu_append_section (menu, _("Recent"), G_MENU_MODEL (recent));
    }

  g_menu_append (open, _("_Open Model Folder…"), "win.open-model");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (open));
  gtk_menu_button_set_menu_model (self->model_button, G_MENU_MODEL (menu));
}

void
lens_window_remember_folder (LensWindow *self, const char *dir)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-folders");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) folders = NULL;
  guint n = 1;

  g_strv_builder_add (builder, dir);
  for (guint i = 0; old[i] && n < MAX_RECENT; i++)
    if (!g_str_equal (old[i], dir))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  folders = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-folders", (const char *const *) folders);
  g_settings_set_string (self->settings, "last-model", dir);
  lens_window_rebuild_model_menu (self);
}

void
lens_window_clear_recent_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensWindow *self = LENS_WINDOW (widget);

  g_settings_reset (self->settings, "recent-folders");
  lens_window_rebuild_model_menu (self);
}

static void
on_folder_response (GtkNativeDialog *dialog, int response, LensWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path)
        lens_window_load_model (self, path);
    }
  g_object_unref (dialog);
}

void
lens_window_open_model_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Open Model Folder"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
