/* test-window.c — drives the real window: load, run, views, output, export, errors. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lens-config.h"
#include "attn-analysis.h"
#include "lens-preferences.h"
#include "lens-summary-view.h"
#include "lens-window-private.h"
#include "lens-window.h"
#include "test-app-common.h"

static gboolean has_result (LensWindow *win) { return lens_window_get_result (win) != NULL; }
static gboolean grid_drawn (LensWindow *win) { return lens_grid_view_get_n_cells (lens_window_get_grid_view (win)) > 0; }

static char *
make_bad_model_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lens-bad-model-XXXXXX", &error);
  g_autofree char *config = NULL;

  g_assert_no_error (error);
  config = g_build_filename (dir, "config.json", NULL);
  g_assert_true (g_file_set_contents (config, "{ \"model_type\": \"bert\", garbage ]]", -1, NULL));
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static const char *
top_label (const AttnResult *r)
{
  guint best = 0;

  for (guint i = 1; i < r->n_labels; i++)
    if (r->label_probs[i] > r->label_probs[best])
      best = i;
  return r->labels[best];
}

/* A deep copy of a token sequence, for a result built by hand. */
static void
copy_tokens (AttnTokenSeq *to, const AttnTokenSeq *from)
{
  to->len = from->len;
  to->ids = g_memdup2 (from->ids, from->len * sizeof (gint32));
  to->tokens = g_strdupv (from->tokens);
  to->display = g_strdupv (from->display);
  to->special = g_memdup2 (from->special, from->len);
}

/* The Summary view's norm-weighted band is α_ij · ‖v_j W_O‖ over the heads, rows
 * normalised, from the value norms the engine recorded (Kobayashi et al., 2020), for the
 * tokens shown; a result without value norms (recurrent attention) has no band. */
static void
check_summary_norm_weighted (AttnResult *result)
{
  g_autoptr(LensSelection) sel = lens_selection_new ();
  g_autoptr(LensViewOptions) options = lens_view_options_new ();
  GtkWidget *view = g_object_ref_sink (lens_summary_view_new ());
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 900, 700);
  cairo_t *cr = cairo_create (surface);
  const AttnWeights *w = result->attention[ATTN_KIND_SELF], *vn = result->value_norms[ATTN_KIND_SELF];
  int Q = w->queries, K = w->keys;
  g_autofree float *want = g_new (float, (gsize) Q * K);
  g_autoptr(AttnResult) bare = attn_result_new ();
  double max_diff = 0;

  g_assert_nonnull (vn);
  lens_selection_set_kind (sel, ATTN_KIND_SELF);
  lens_view_set_selection (LENS_VIEW (view), sel);
  lens_view_set_options (LENS_VIEW (view), options);
  lens_view_set_result (LENS_VIEW (view), result);
  g_assert_null (lens_summary_view_get_norm_weighted (LENS_SUMMARY_VIEW (view), 0));   /* not drawn yet */
  lens_view_draw_export (LENS_VIEW (view), cr, 900, 700);
  for (int l = 0; l < w->layers; l++)
    {
      const float *got = lens_summary_view_get_norm_weighted (LENS_SUMMARY_VIEW (view), l);

      g_assert_nonnull (got);
      for (int i = 0; i < Q; i++)
        {
          double row = 0;

          for (int j = 0; j < K; j++)
            {
              double x = 0, sum = 0;

              /* the formula, written out */
              for (int k = 0; k < K; k++)
                for (int h = 0; h < w->heads; h++)
                  {
                    double t = attn_weights_head (w, l, h)[(gsize) i * K + k] * attn_weights_head (vn, l, h)[k];
                    sum += t;
                    if (k == j)
                      x += t;
                  }
              want[(gsize) i * K + j] = (float) (x / sum);
              row += got[(gsize) i * K + j];
              max_diff = MAX (max_diff, fabs (got[(gsize) i * K + j] - want[(gsize) i * K + j]));
            }
          g_assert_cmpfloat_with_epsilon (row, 1.0, 1e-5);
        }
      /* with the value norms it is not the plain mean over heads */
      if (l == 0)
        {
          g_autofree float *mean = g_new (float, (gsize) Q * K);
          double diff = 0;

          attn_head_mean (w, 0, mean);
          for (gsize t = 0; t < (gsize) Q * K; t++)
            diff = MAX (diff, fabs (mean[t] - got[t]));
          g_assert_cmpfloat (diff, >, 1e-3);
        }
    }
  g_test_message ("norm-weighted against the formula: max difference %.3g", max_diff);
  g_assert_cmpfloat (max_diff, <, 1e-5);

  /* hidden special tokens: the band keeps the shown rows and columns */
  g_object_set (options, "hide-special-tokens", TRUE, NULL);
  lens_view_draw_export (LENS_VIEW (view), cr, 900, 700);
  {
    const LensMatrixSource *src = lens_view_get_source (LENS_VIEW (view));
    const float *got = lens_summary_view_get_norm_weighted (LENS_SUMMARY_VIEW (view), 0);

    g_assert_cmpint (src->n_cols, ==, K - 2);   /* [CLS] and [SEP] */
    attn_norm_weighted (w, vn, 0, -1, want);
    g_assert_cmpfloat_with_epsilon (got[0], want[(gsize) src->rows[0] * K + src->cols[0]], 1e-7);
    g_assert_cmpfloat_with_epsilon (got[(gsize) src->n_rows * src->n_cols - 1],
                                    want[(gsize) src->rows[src->n_rows - 1] * K + src->cols[src->n_cols - 1]], 1e-7);
  }
  g_object_set (options, "hide-special-tokens", FALSE, NULL);

  /* the same weights without value norms: no band, and drawing still works */
  bare->model_name = g_strdup (result->model_name);
  bare->architecture = g_strdup ("rnn");
  bare->n_layers = result->n_layers;
  bare->n_heads = result->n_heads;
  copy_tokens (&bare->input, &result->input);
  bare->attention[ATTN_KIND_SELF] = attn_weights_new (w->layers, w->heads, Q, K);
  memcpy (bare->attention[ATTN_KIND_SELF]->data, w->data, sizeof (float) * w->layers * w->heads * Q * K);
  lens_view_set_result (LENS_VIEW (view), bare);
  lens_view_draw_export (LENS_VIEW (view), cr, 900, 700);
  g_assert_null (lens_summary_view_get_norm_weighted (LENS_SUMMARY_VIEW (view), 0));
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  g_object_unref (view);
}

static void
test_window_bert (void)
{
  g_autofree char *bert = g_build_filename (test_fixtures, "bert", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("lens-window-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (tmp, "head.csv", NULL);
  g_autofree char *npy = g_build_filename (tmp, "self.npy", NULL);
  g_autofree char *png = g_build_filename (tmp, "grid.png", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *bad = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  LensWindow *win;
  AttnModel *model;
  AttnResult *result;
  const AttnWeights *w;
  gsize len;

  win = lens_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (win), 1200, 800);
  gtk_window_present (GTK_WINDOW (win));

  /* a bad folder before any model: the error says what to do instead of "the previous
   * model stays loaded", and nothing is loaded */
  bad = make_bad_model_dir ();
  lens_window_load_model (win, bad);
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_null (lens_window_get_model (win));
  g_assert_nonnull (strstr (lens_window_get_last_error (win), "Choose a built-in model"));

  /* the window is up before the model: loading happens on the worker */
  lens_window_load_model (win, bert);
  g_assert_null (lens_window_get_model (win));
  g_assert_true (test_app_wait_for (win, test_app_has_model));
  model = lens_window_get_model (win);
  g_assert_cmpstr (attn_model_get_architecture (model), ==, "bert");
  /* nothing was typed: the input starts from the first example (the fixture has no
   * examples.json, so the app's own first one) */
  {
    g_autofree char *text = lens_window_get_text (win);
    g_assert_cmpstr (text, ==, "The animal didn't cross the street because it was too tired.");
  }

  /* run twice at once: the first job is cancelled and only the second result shows */
  lens_window_set_text (win, "A first sentence that will be replaced.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  lens_window_set_text (win, "The animal didn't cross the street because it was too tired.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (test_app_wait_for (win, has_result));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  result = lens_window_get_result (win);
  g_assert_cmpint (result->input.len, >, 10);
  g_assert_cmpstr (result->input.tokens[1], ==, "the");   /* the second text, not the first */

  /* the grid draws every layer × head */
  w = result->attention[ATTN_KIND_SELF];
  g_assert_nonnull (w);
  g_assert_true (test_app_wait_for (win, grid_drawn));
  g_assert_cmpint (lens_grid_view_get_n_cells (lens_window_get_grid_view (win)), ==,
                   attn_model_get_n_layers (model) * attn_model_get_n_heads (model));
  g_assert_cmpint (w->layers * w->heads, ==, attn_model_get_n_layers (model) * attn_model_get_n_heads (model));

  check_summary_norm_weighted (result);

  /* the output pane leads with the most probable label */
  g_assert_cmpint (result->output_kind, ==, ATTN_OUTPUT_LABELS);
  g_assert_cmpstr (lens_output_pane_get_headline (lens_window_get_output_pane (win)), ==, top_label (result));

  /* export: the selected head as CSV, every head as NPY, the view as PNG */
  lens_selection_set_layer (lens_window_get_selection (win), 1);
  lens_selection_set_head (lens_window_get_selection (win), 2);
  g_assert_true (lens_window_export_to_file (win, LENS_EXPORT_CSV, csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, result->input.len + 2);   /* header, rows, "" */
  {
    g_auto(GStrv) first = g_strsplit (lines[1], ",", -1);
    const float *head = attn_weights_head (w, 1, 2);

    g_assert_cmpstr (first[0], ==, "[CLS]");
    g_assert_cmpuint (g_strv_length (first), ==, result->input.len + 1);
    for (guint k = 0; k < result->input.len; k++)
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (first[k + 1], NULL), head[k], 1e-7);
  }

  g_assert_true (lens_window_export_to_file (win, LENS_EXPORT_NPY, npy, &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (npy, &contents, &len, NULL));
  {
    guint16 hl = (guint8) contents[8] | ((guint8) contents[9] << 8);
    g_autofree char *want = g_strdup_printf ("'shape': (%d, %d, %d, %d)", w->layers, w->heads, w->queries, w->keys);

    g_assert_nonnull (g_strstr_len (contents + 10, hl, want));
    g_assert_cmpuint (len, ==, 10 + hl + sizeof (float) * w->layers * w->heads * w->queries * w->keys);
    g_assert_cmpmem (contents + 10 + hl, sizeof (float) * w->queries * w->keys,
                     w->data, sizeof (float) * w->queries * w->keys);
  }

  g_assert_true (lens_window_export_to_file (win, LENS_EXPORT_PNG, png, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));

  /* hiding special tokens (a GSettings key) takes [CLS] and [SEP] out of the views */
  {
    g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
    const LensMatrixSource *src;
    guint n_special = 0;

    for (guint i = 0; i < result->input.len; i++)
      n_special += result->input.special[i] != 0;
    g_assert_cmpuint (n_special, ==, 2);
    g_settings_set_boolean (settings, "hide-special-tokens", TRUE);
    src = lens_view_get_source (LENS_VIEW (lens_window_get_grid_view (win)));
    g_assert_nonnull (src);
    g_assert_cmpint (src->n_rows, ==, result->input.len - n_special);
    g_assert_cmpint (src->n_cols, ==, result->input.len - n_special);
    g_assert_cmpstr (src->row_labels[0], ==, "the");
    /* the rows shown are the weights' own rows */
    g_assert_cmpfloat (lens_view_get_head (LENS_VIEW (lens_window_get_grid_view (win)), 0, 0)[0], ==,
                       attn_weights_head (w, 0, 0)[1 * w->keys + 1]);
    g_settings_set_boolean (settings, "hide-special-tokens", FALSE);
    src = lens_view_get_source (LENS_VIEW (lens_window_get_grid_view (win)));
    g_assert_cmpint (src->n_rows, ==, result->input.len);
    g_assert_true (test_app_wait_for (win, grid_drawn));
  }

  /* a bad folder: an error is shown, the model and the result stay */
  lens_window_load_model (win, bad);
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_nonnull (strstr (lens_window_get_last_error (win), "The previous model stays loaded"));
  g_assert_true (lens_window_get_model (win) == model);
  g_assert_true (lens_window_get_result (win) == result);
  g_assert_cmpint (lens_grid_view_get_n_cells (lens_window_get_grid_view (win)), ==, w->layers * w->heads);

  /* blank text is refused before it reaches the model: nothing runs, the result stays */
  lens_window_set_text (win, " \n\t ");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_cmpuint (lens_window_get_runs_in_flight (win), ==, 0);
  g_assert_true (lens_window_get_result (win) == result);

  /* and running still works with the model that stayed */
  lens_window_set_text (win, "The animal didn't cross the street because it was too tired.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_nonnull (lens_window_get_result (win));
  g_assert_true (lens_window_get_result (win) != result);

  remove_dir (bad);
  g_unlink (csv);
  g_unlink (npy);
  g_unlink (png);
  g_rmdir (tmp);

  /* the error dialog too */
  test_app_close_windows ();
}

/* the templates and menus that the application loads parse, and the
 * preferences write GSettings */
static void
test_resources (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/org/attentionlens/AttentionLens/gtk/help-overlay.ui");
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWidget *prefs;
  g_autofree char *map = NULL;

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
  /* the window's own key bindings are all listed */
  {
    g_autoptr(GString) accels = g_string_new (NULL);
    GSList *objects = gtk_builder_get_objects (builder);
    static const char *bound[] = { "Escape", "<Control>o", "<Control>Return", "<Control><Shift>c",
                                   "<Alt>1", "<Alt>5", "<Alt>6", "<Alt>7" };

    for (GSList *l = objects; l; l = l->next)
      if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        {
          g_autofree char *accel = NULL;

          g_object_get (l->data, "accelerator", &accel, NULL);
          g_string_append_printf (accels, " %s ", accel ? accel : "");
        }
    g_slist_free (objects);
    for (guint i = 0; i < G_N_ELEMENTS (bound); i++)
      {
        g_autofree char *word = g_strdup_printf (" %s ", bound[i]);
        g_autofree char *inside = g_strdup_printf (" %s", bound[i]);

        if (strstr (accels->str, word) == NULL && strstr (accels->str, inside) == NULL)
          g_error ("the shortcuts window does not list %s", bound[i]);
      }
  }
  gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay")));

  g_settings_set_string (settings, "colour-map", "cividis");
  prefs = lens_preferences_new (NULL, settings);
  g_assert_true (ADW_IS_PREFERENCES_WINDOW (prefs));
  map = g_settings_get_string (settings, "colour-map");
  g_assert_cmpstr (map, ==, "cividis");   /* binding did not reset it */
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_settings_reset (settings, "colour-map");
}

/* The window opens at the size it was closed at, its input pane as wide as it was. */
static void
test_window_geometry (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  LensWindow *win;
  int width = 0, height = 0;

  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 640);
  win = lens_window_new (NULL);
  gtk_window_get_default_size (GTK_WINDOW (win), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
  gtk_window_present (GTK_WINDOW (win));

  /* a resize is kept on closing */
  gtk_window_set_default_size (GTK_WINDOW (win), 1010, 700);
  gtk_window_close (GTK_WINDOW (win));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1010);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* a window that was maximized is asked to maximize again; whether it is shows only
   * under a window manager (Xvfb has none), so here only its size is checked */
  g_settings_set_boolean (settings, "window-maximized", TRUE);
  win = lens_window_new (NULL);
  gtk_window_get_default_size (GTK_WINDOW (win), &width, &height);
  g_assert_cmpint (width, ==, 1010);
  g_assert_cmpint (height, ==, 700);
  gtk_window_close (GTK_WINDOW (win));

  /* the input pane keeps the width it was given */
  g_settings_set_int (settings, "input-pane-width", 420);
  win = lens_window_new (NULL);
  {
    GtkWidget *paned = test_app_find_widget (GTK_WIDGET (win), GTK_TYPE_PANED);

    g_assert_cmpint (gtk_paned_get_position (GTK_PANED (paned)), ==, 420);
    gtk_paned_set_position (GTK_PANED (paned), 380);
    g_assert_cmpint (g_settings_get_int (settings, "input-pane-width"), ==, 380);
  }
  gtk_window_close (GTK_WINDOW (win));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  g_settings_reset (settings, "window-maximized");
  g_settings_reset (settings, "input-pane-width");
  test_app_close_windows ();
}

/* A text longer than the model reads is not sent to fail: the window asks, and
 * "Shorten and Run" keeps the words that fit (one step that undo takes back). */
static void
test_window_too_long (void)
{
  g_autofree char *bert = g_build_filename (test_fixtures, "bert", NULL);
  g_autoptr(GString) long_text = g_string_new ("A sentence about the weather.");
  LensWindow *win = lens_window_new (NULL);
  AdwMessageDialog *dialog;
  AttnResult *result;
  GtkWidget *text_view;

  for (int i = 0; i < 60; i++)
    g_string_append (long_text, " The animal didn't cross the street because it was too tired.");
  gtk_window_present (GTK_WINDOW (win));
  lens_window_load_model (win, bert);
  g_assert_true (test_app_wait_for (win, test_app_has_model));
  lens_window_set_text (win, long_text->str);

  /* Cancel: nothing runs, nothing changes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_cmpuint (lens_window_get_runs_in_flight (win), ==, 0);
  dialog = test_app_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (lens_window_get_last_error (win), "reads at most 128"));
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpuint (lens_window_get_runs_in_flight (win), ==, 0);
  g_assert_null (lens_window_get_result (win));
  {
    g_autofree char *text = lens_window_get_text (win);
    g_assert_cmpstr (text, ==, long_text->str);
  }

  /* Shorten and Run */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  dialog = test_app_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "shorten");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (test_app_wait_for (win, has_result));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  result = lens_window_get_result (win);
  g_assert_cmpuint (result->input.len, <=, 128);
  g_assert_cmpuint (result->input.len, >, 110);
  {
    g_autofree char *text = lens_window_get_text (win);
    g_assert_true (g_str_has_prefix (long_text->str, text));
    g_assert_cmpuint (strlen (text), <, long_text->len);
    g_assert_true (g_ascii_isspace (long_text->str[strlen (text)]));   /* after a word */
  }

  /* undo brings the rest back */
  text_view = test_app_find_widget (GTK_WIDGET (win), GTK_TYPE_TEXT_VIEW);
  g_assert_true (gtk_widget_activate_action (text_view, "text.undo", NULL));
  {
    g_autofree char *text = lens_window_get_text (win);
    g_assert_cmpstr (text, ==, long_text->str);
  }

  /* a huge text is not tokenized whole to say so (its words bound its tokens from
   * below), and shortening it works the same */
  {
    g_autoptr(GString) huge = g_string_new (NULL);
    AttnResult *before = lens_window_get_result (win);

    for (int i = 0; i < 20000; i++)
      g_string_append (huge, "word ");
    lens_window_set_text (win, huge->str);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
    dialog = test_app_message_dialog ();
    g_assert_nonnull (dialog);
    g_assert_nonnull (strstr (lens_window_get_last_error (win), "It has 20000 words, but bert reads at most 128 tokens"));
    adw_message_dialog_response (dialog, "shorten");
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_assert_true (test_app_wait_for (win, test_app_is_idle));
    result = lens_window_get_result (win);
    g_assert_true (result != before);
    g_assert_cmpuint (result->input.len, <=, 128);
    g_assert_cmpuint (result->input.len, >, 100);
  }
  test_app_close_windows ();
}

/* The items of the model menu's section called `title`, or 0 without one. */
static int
menu_section_size (GMenuModel *menu, const char *title)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (section && g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label) &&
          g_str_equal (label, title))
        return g_menu_model_get_n_items (section);
    }
  return 0;
}

/* Recent folders: a folder that is gone and a built-in model (listed above already) are
 * left out, and Clear Recent Folders empties the list. */
static void
test_window_recent (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *bert = g_build_filename (test_fixtures, "bert", NULL);
  g_autofree char *builtin = g_build_filename (LENS_SOURCE_DIR, "models", "english-gpt2", NULL);
  const char *folders[] = { "/nonexistent/attention-lens-model", bert, builtin, NULL };
  LensWindow *win;
  GMenuModel *menu;

  g_settings_set_strv (settings, "recent-folders", folders);
  win = lens_window_new (NULL);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (test_app_find_widget (GTK_WIDGET (win), GTK_TYPE_MENU_BUTTON)));
  g_assert_cmpint (menu_section_size (menu, "Recent"), ==, 2);   /* bert, and Clear */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.clear-recent", NULL));
  {
    g_auto(GStrv) left = g_settings_get_strv (settings, "recent-folders");
    g_assert_cmpuint (g_strv_length (left), ==, 0);
  }
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (test_app_find_widget (GTK_WIDGET (win), GTK_TYPE_MENU_BUTTON)));
  g_assert_cmpint (menu_section_size (menu, "Recent"), ==, 0);
  test_app_close_windows ();
}

/* A folder dropped on the window opens as a model. A text file dropped while a text
 * model is loaded becomes the input; a file that is not text (the model's weights) is
 * refused and changes nothing. */
static void
test_window_drop (void)
{
  g_autofree char *bert = g_build_filename (test_fixtures, "bert", NULL);
  g_autofree char *weights = g_build_filename (bert, "model.safetensors", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("lens-drop-XXXXXX", NULL);
  g_autofree char *txt = g_build_filename (tmp, "note.txt", NULL);
  GValue value = G_VALUE_INIT;
  LensWindow *win = lens_window_new (NULL);
  AttnModel *model;

  gtk_window_present (GTK_WINDOW (win));
  g_value_init (&value, G_TYPE_FILE);
  g_value_take_object (&value, g_file_new_for_path (bert));
  g_assert_true (lens_window_on_drop (NULL, &value, 0, 0, win));
  g_assert_true (test_app_wait_for (win, test_app_has_model));
  model = lens_window_get_model (win);
  g_assert_cmpstr (attn_model_get_architecture (model), ==, "bert");
  g_value_unset (&value);

  g_assert_true (g_file_set_contents (txt, "Der Text aus einer Datei, über UTF-8.\n", -1, NULL));
  g_value_init (&value, G_TYPE_FILE);
  g_value_take_object (&value, g_file_new_for_path (txt));
  g_assert_true (lens_window_on_drop (NULL, &value, 0, 0, win));
  {
    g_autofree char *text = lens_window_get_text (win);
    g_assert_cmpstr (text, ==, "Der Text aus einer Datei, über UTF-8.\n");
  }
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_FILE);
  g_value_take_object (&value, g_file_new_for_path (weights));
  g_assert_false (lens_window_on_drop (NULL, &value, 0, 0, win));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_true (lens_window_get_model (win) == model);
  {
    g_autofree char *text = lens_window_get_text (win);
    g_assert_cmpstr (text, ==, "Der Text aus einer Datei, über UTF-8.\n");
  }
  g_value_unset (&value);
  g_unlink (txt);
  g_rmdir (tmp);
  test_app_close_windows ();
}

int
main (int argc, char **argv)
{
  test_app_init (&argc, &argv);

  g_test_add_func ("/window/resources", test_resources);
  g_test_add_func ("/window/bert", test_window_bert);
  g_test_add_func ("/window/geometry", test_window_geometry);
  g_test_add_func ("/window/drop", test_window_drop);
  g_test_add_func ("/window/recent", test_window_recent);
  g_test_add_func ("/window/too-long", test_window_too_long);
  return g_test_run ();
}
