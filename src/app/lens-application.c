/* lens-application.c — AdwApplication: the actions table and the command line.
 *
 *   attention-lens [--model DIR | DIR] [--text TEXT] [--pair TEXT] [--audio FILE] [--run]
 *                  [--view NAME] [--kind KIND]
 *   attention-lens --list-models | --version
 *
 * The window shows at once; the model loads on the worker afterwards. */
#include "lens-application.h"

#include <glib/gi18n.h>

#include "attn-parallel.h"
#include "lens-config.h"
#include "lens-frame-probe.h"
#include "lens-models.h"
#include "lens-preferences.h"
#include "lens-window.h"

struct _LensApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;
  char          *model;
  char          *text;
  char          *pair;
  char          *audio;
  char          *view;
  char          *kind;
  gboolean       run;
};

G_DEFINE_FINAL_TYPE (LensApplication, lens_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, NULL, N_("Load the model in DIR"), N_("DIR") },
  { "text", 't', 0, G_OPTION_ARG_STRING, NULL, N_("Put TEXT in the input"), N_("TEXT") },
  { "pair", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Put TEXT in the second input (a BERT pair, or the target to align)"), N_("TEXT") },
  { "audio", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Use the audio FILE as input"), N_("FILE") },
  { "run", 'r', 0, G_OPTION_ARG_NONE, NULL, N_("Run the model once it is loaded"), NULL },
  { "view", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Show the view NAME: grid, head, lines, summary, alignment or speech"), N_("NAME") },
  { "kind", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Show the attention KIND: encoder, decoder, cross or self"), N_("KIND") },
  { "list-models", 0, 0, G_OPTION_ARG_NONE, NULL, N_("List the built-in models and exit"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { NULL }
};

/* One line per built-in model: group, name, folder (tab-separated). */
static int
list_models (void)
{
  g_autofree char *dir = lens_models_dir ();
  g_autoptr(GPtrArray) models = lens_models_scan (dir);

  if (models->len == 0)
    {
      g_printerr (_("There are no models in “%s”.\n"), dir);
      return 1;
    }
  for (guint i = 0; i < models->len; i++)
    {
      LensModelInfo *info = g_ptr_array_index (models, i);

      g_print ("%s\t%s\t%s\n", lens_model_group_title (info->group), info->name, info->dir);
    }
  return 0;
}

static int
lens_application_handle_local_options (GApplication *app, GVariantDict *dict)
{
  LensApplication *self = LENS_APPLICATION (app);
  const char *s;

  if (g_variant_dict_contains (dict, "version"))
    {
      g_print ("attention-lens %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_contains (dict, "list-models"))
    return list_models ();

  if (g_variant_dict_lookup (dict, "model", "^&ay", &s))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (s);
      self->model = g_file_get_path (file);
    }
  if (g_variant_dict_lookup (dict, "text", "&s", &s))
    self->text = g_strdup (s);
  if (g_variant_dict_lookup (dict, "pair", "&s", &s))
    self->pair = g_strdup (s);
  if (g_variant_dict_lookup (dict, "audio", "^&ay", &s))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (s);
      self->audio = g_file_get_path (file);
    }
  if (g_variant_dict_lookup (dict, "view", "&s", &s))
    self->view = g_strdup (s);
  if (g_variant_dict_lookup (dict, "kind", "&s", &s))
    self->kind = g_strdup (s);
  self->run = g_variant_dict_contains (dict, "run");
  return -1;
}

static void
lens_application_activate (GApplication *app)
{
  LensApplication *self = LENS_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  LensWindow *win;
  g_autofree char *dir = NULL;

  if (window)
    {
      gtk_window_present (window);
      return;
    }

  win = lens_window_new (GTK_APPLICATION (app));
  if (self->view && !lens_window_set_view (win, self->view))
    g_printerr (_("There is no view called “%s”; the views are grid, head, lines, summary, alignment and speech.\n"), self->view);
  if (self->kind)
    {
      AttnKind kind;

      if (attn_kind_from_name (self->kind, &kind))
        lens_selection_set_kind (lens_window_get_selection (win), kind);
      else
        g_printerr (_("There is no attention kind “%s”; the kinds are encoder, decoder, cross and self.\n"), self->kind);
    }
  if (self->text)
    lens_window_set_text (win, self->text);
  if (self->pair)
    lens_window_set_pair (win, self->pair);
  if (self->audio)
    lens_window_set_audio (win, self->audio);
  lens_frame_probe_watch (win, self->run);   /* nothing unless LENS_FRAME_PROBE is set */
  gtk_window_present (GTK_WINDOW (win));

  /* after the window: loading runs on the worker */
  if (self->model)
    dir = g_strdup (self->model);
  else
    {
      g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
      g_autofree char *last = g_settings_get_string (settings, "last-model");

      dir = last[0] && g_file_test (last, G_FILE_TEST_IS_DIR) ? g_steal_pointer (&last) : lens_models_default ();
    }
  if (dir)
    lens_window_load_model (win, dir);
  if (self->run)
    lens_window_run (win);
}

/* `attention-lens DIR`: a model folder given without --model (--model wins). */
static void
lens_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  LensApplication *self = LENS_APPLICATION (app);

  if (n_files > 0 && self->model == NULL)
    self->model = g_file_get_path (files[0]);
  lens_application_activate (app);
}

static void
on_threads_changed (GSettings *settings, const char *key, gpointer data)
{
  /* the engine's own pool follows at once */
  attn_parallel_set_threads (g_settings_get_int (settings, "worker-threads"));
}

static void
lens_application_startup (GApplication *app)
{
  LensApplication *self = LENS_APPLICATION (app);

  G_APPLICATION_CLASS (lens_application_parent_class)->startup (app);

  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect (self->settings, "changed::worker-threads", G_CALLBACK (on_threads_changed), NULL);
  on_threads_changed (self->settings, "worker-threads", NULL);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* run from the build tree (tools/run.sh): the application icon is not installed in an
   * icon theme yet, so the window, the About window and the shell find it in the source */
  if (lens_running_uninstalled ())
    {
      g_autofree char *icons = g_build_filename (LENS_SOURCE_DIR, "data", "icons", NULL);
      GdkDisplay *display = gdk_display_get_default ();

      if (display != NULL)
        gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (display), icons);
    }
  gtk_window_set_default_icon_name (APPLICATION_ID);
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  g_application_quit (G_APPLICATION (data));
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  gtk_window_present (GTK_WINDOW (lens_preferences_new (parent, settings)));
}

static void
shortcuts_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (data));

  if (window)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  const char *developers[] = { _("The Attention Lens authors"), NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Attention Lens"),
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "developers", developers,
                        /* TRANSLATORS: your names, one per line, shown in the About window */
                        "translator-credits", _("translator-credits"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "comments", _("See how attention works inside sequence models: every head of every layer, "
                                      "beside the model's prediction."),
                        NULL);
  /* the built-in models are trained on other people's text: say whose, under what terms */
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      _("Ding dictionary (the built-in translators and speech model)"),
                                      "© 1999–2022 Frank Richter", GTK_LICENSE_GPL_2_0, NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      _("The Debian Administrator's Handbook (the built-in language model)"),
                                      "© 2003–2015 Raphaël Hertzog, Roland Mas", GTK_LICENSE_GPL_2_0, NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      _("Debian Reference (the built-in language model)"),
                                      "© 2007–2013 Osamu Aoki", GTK_LICENSE_GPL_2_0, NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      _("King James Bible (the built-in language model)"), NULL, GTK_LICENSE_CUSTOM,
                                      _("The text is in the public domain."));
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      _("SpamAssassin public corpus (the built-in classifier)"), NULL,
                                      GTK_LICENSE_CUSTOM,
                                      _("The database is under the Open Data Commons Public Domain Dedication and "
                                        "License 1.0, its contents under Creative Commons Zero 1.0."));
  gtk_window_present (GTK_WINDOW (about));
}

static void
open_model_action (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (data));

  if (window)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.open-model", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "shortcuts", shortcuts_action },
  { "about", about_action },
  { "open-model", open_model_action },
};

static void
lens_application_finalize (GObject *object)
{
  LensApplication *self = LENS_APPLICATION (object);

  g_free (self->model);
  g_free (self->text);
  g_free (self->pair);
  g_free (self->audio);
  g_free (self->view);
  g_free (self->kind);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (lens_application_parent_class)->finalize (object);
}

static void
lens_application_class_init (LensApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lens_application_finalize;
  app_class->activate = lens_application_activate;
  app_class->open = lens_application_open;
  app_class->startup = lens_application_startup;
  app_class->handle_local_options = lens_application_handle_local_options;
}

static void
lens_application_init (LensApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *shortcut_accels[] = { "<Control>question", NULL };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcut_accels);
}

LensApplication *
lens_application_new (void)
{
  return g_object_new (LENS_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/attentionlens/AttentionLens",
                       NULL);
}
