/* test-app-common.c — the window tests' shared setup; see test-app-common.h. */
#include "test-app-common.h"

char *test_fixtures;

/* gtk_test_init, adw_init, and test_fixtures from ATTN_FIXTURES or ./tests/fixtures. */
void
test_app_init (int *argc, char ***argv)
{
  gtk_test_init (argc, argv, NULL);
  adw_init ();

  test_fixtures = g_strdup (g_getenv ("ATTN_FIXTURES"));
  if (test_fixtures == NULL)
    test_fixtures = g_build_filename (g_get_current_dir (), "tests", "fixtures", NULL);
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main loop until cond holds; FALSE after timeout_ms. */
gboolean
test_app_wait_for_ms (LensWindow *win, TestAppCondition cond, int timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, wake, NULL);
  gboolean ok = TRUE;

  while (!cond (win))
    {
      if (g_get_monotonic_time () > end)
        {
          ok = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  return ok;
}

gboolean
test_app_wait_for (LensWindow *win, TestAppCondition cond)
{
  return test_app_wait_for_ms (win, cond, TEST_APP_TIMEOUT_MS);
}

/* Destroys every toplevel: the windows, and dialogs too. */
void
test_app_close_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) top = g_list_model_get_item (toplevels, 0);
      gtk_window_destroy (top);
    }
}

gboolean
test_app_has_model (LensWindow *win)
{
  return lens_window_get_model (win) != NULL;
}

gboolean
test_app_is_idle (LensWindow *win)
{
  return !lens_window_is_busy (win);
}

GtkWidget *
test_app_find_widget (GtkWidget *w, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = test_app_find_widget (c, type);
      if (found)
        return found;
    }
  return NULL;
}

AdwMessageDialog *
test_app_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) top = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (top) && gtk_widget_get_visible (GTK_WIDGET (top)))
        return ADW_MESSAGE_DIALOG (top);
    }
  return NULL;
}
