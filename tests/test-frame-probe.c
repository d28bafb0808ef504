/* test-frame-probe.c — the frame probe in the real program writes a complete report.
 *
 * Runs attention-lens (its path is the first argument) with LENS_FRAME_PROBE on the
 * BERT fixture for a handful of frames, and once with no run, and checks that the
 * JSON has every field with sane values: finite and positive, percentiles in order,
 * as many frames as asked for, the fixture's shape. No timing is asserted: the
 * figures depend on the machine (bench/attn-bench-window reports them). */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "lens-renderer.h"

#define FRAMES 4

static const char *app_path;
static char *fixtures;

/* Runs the program with the probe writing to `json` (GSK_RENDERER unset when
 * `renderer` is NULL); the parsed report. */
static JsonObject *
run_probe (const char *json, gboolean run, const char *renderer)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *bus = g_find_program_in_path ("dbus-run-session");
  JsonNode *root;
  int status;

  env = g_environ_setenv (env, "LENS_FRAME_PROBE", json, TRUE);
  env = g_environ_setenv (env, "LENS_FRAME_PROBE_FRAMES", G_STRINGIFY (FRAMES), TRUE);
  env = g_environ_setenv (env, "LENS_FRAME_PROBE_TIMEOUT", "90", TRUE);
  env = renderer ? g_environ_setenv (env, "GSK_RENDERER", renderer, TRUE) : g_environ_unsetenv (env, "GSK_RENDERER");
  /* a GtkApplication warns without a session bus: give it one where we can, so
   * that any other warning stays fatal */
  if (bus)
    {
      g_ptr_array_add (argv, g_strdup (bus));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  else
    env = g_environ_unsetenv (env, "G_DEBUG");
  g_ptr_array_add (argv, g_strdup (app_path));
  if (run)
    {
      g_ptr_array_add (argv, g_strdup ("--model"));
      g_ptr_array_add (argv, g_build_filename (fixtures, "bert", NULL));
      g_ptr_array_add (argv, g_strdup ("--text"));
      g_ptr_array_add (argv, g_strdup ("The animal didn't cross the street because it was too tired."));
      g_ptr_array_add (argv, g_strdup ("--run"));
    }
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  json_parser_load_from_file (parser, json, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static double
number (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    g_error ("the report has no number “%s”", name);
  return json_node_get_double (node);
}

static void
assert_positive (JsonObject *o, const char *name)
{
  double v = number (o, name);

  if (!isfinite (v) || v <= 0)
    g_error ("“%s” is %g, not a positive finite number", name, v);
}

static void
assert_stats (JsonObject *report, const char *name, int n)
{
  JsonObject *s;

  g_assert_true (json_object_has_member (report, name));
  s = json_object_get_object_member (report, name);
  g_assert_nonnull (s);
  g_assert_cmpint ((int) number (s, "n"), ==, n);
  assert_positive (s, "p50");
  assert_positive (s, "p95");
  assert_positive (s, "max");
  g_assert_cmpfloat (number (s, "p50"), <=, number (s, "p95"));
  g_assert_cmpfloat (number (s, "p95"), <=, number (s, "max"));
}

static void
assert_start (JsonObject *report)
{
  assert_positive (report, "start_to_window_ms");
  assert_positive (report, "main_to_window_ms");
  g_assert_cmpfloat (number (report, "before_main_ms"), >=, 0);
  g_assert_cmpfloat (fabs (number (report, "before_main_ms") + number (report, "main_to_window_ms")
                           - number (report, "start_to_window_ms")), <, 1e-6);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (report, "renderer"), "Gsk"));
  g_assert_true (json_node_is_null (json_object_get_member (report, "error")));
}

static void
test_probe_run (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("lens-probe-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (tmp, "probe.json", NULL);
  g_autoptr(JsonObject) report = run_probe (json, TRUE, "cairo");

  assert_start (report);
  assert_stats (report, "grid_redraw_ms", FRAMES);
  assert_stats (report, "hover_ms", FRAMES);
  /* three moves a head: moves 0 and 3 enter a new one */
  assert_stats (report, "hover_new_head_ms", (FRAMES + 2) / 3);
  g_assert_true (json_object_has_member (report, "grid_redraw_presented_ms"));
  g_assert_true (json_object_has_member (report, "hover_presented_ms"));
  /* the fixture: 2 layers × 4 heads; the sentence and [CLS], [SEP] */
  g_assert_cmpint ((int) number (report, "layers"), ==, 2);
  g_assert_cmpint ((int) number (report, "heads_per_layer"), ==, 4);
  g_assert_cmpint ((int) number (report, "heads"), ==, 8);
  g_assert_cmpint ((int) number (report, "tokens"), >, 12);
  assert_positive (report, "grid_width");
  assert_positive (report, "grid_height");
  g_assert_cmpint ((int) number (report, "frames_requested"), ==, FRAMES);

  g_unlink (json);
  g_rmdir (tmp);
}

static void
test_probe_start (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("lens-probe-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (tmp, "probe.json", NULL);
  g_autoptr(JsonObject) report = run_probe (json, FALSE, NULL);

  /* no run: the first frame only, no frames driven */
  assert_start (report);
  /* GTK's own choice, except without a GPU device: Cairo (lens-renderer.c) */
  if (!g_file_test ("/dev/dri", G_FILE_TEST_IS_DIR))
    g_assert_cmpstr (json_object_get_string_member (report, "renderer"), ==, "GskCairoRenderer");
  g_assert_cmpint ((int) number (json_object_get_object_member (report, "grid_redraw_ms"), "n"), ==, 0);
  g_assert_cmpint ((int) number (json_object_get_object_member (report, "hover_ms"), "n"), ==, 0);

  g_unlink (json);
  g_rmdir (tmp);
}

static void
test_renderer_choice (void)
{
  /* no GPU device and no choice made: Cairo; otherwise GTK decides */
  g_assert_cmpstr (lens_renderer_choice (NULL, FALSE), ==, "cairo");
  g_assert_cmpstr (lens_renderer_choice ("", FALSE), ==, "cairo");
  g_assert_null (lens_renderer_choice (NULL, TRUE));
  /* an explicit GSK_RENDERER always wins */
  g_assert_null (lens_renderer_choice ("gl", FALSE));
  g_assert_null (lens_renderer_choice ("cairo", TRUE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-frame-probe PATH-TO-attention-lens");
  app_path = argv[1];
  fixtures = g_strdup (g_getenv ("ATTN_FIXTURES"));
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP needs a display: run the app suite under xvfb-run\n");
      return 0;
    }
  g_assert_nonnull (fixtures);

  g_test_add_func ("/frame-probe/run", test_probe_run);
  g_test_add_func ("/frame-probe/renderer-choice", test_renderer_choice);
  g_test_add_func ("/frame-probe/start", test_probe_start);
  return g_test_run ();
}
