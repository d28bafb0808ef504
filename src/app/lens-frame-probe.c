/* lens-frame-probe.c — opt-in frame timing of the running window (LENS_FRAME_PROBE).
 *
 * What it measures:
 *   start_to_window_ms = before_main_ms + main_to_window_ms, where
 *     before_main_ms    from the kernel's start time of the process (/proc/self/stat
 *                       field 22, in clock ticks since boot: the fork) to the top of
 *                       main(), on CLOCK_BOOTTIME: exec, dynamic linking, constructors.
 *                       Its resolution is one tick (10 ms at USER_HZ 100), rounded up.
 *     main_to_window_ms from the top of main() to the end of the first frame the
 *                       window's GdkFrameClock paints ("after-paint"), on the
 *                       monotonic clock.
 *   grid_redraw_ms      per frame: the selection moves to the next head (as → does),
 *                       made in the frame clock's update phase (a tick callback), to
 *                       that frame's after-paint: the whole grid drawn again with the
 *                       new head outlined, layout, snapshot and render.
 *   hover_ms            the same from a synthetic "motion" emitted on the grid view's
 *                       GtkEventControllerMotion (the handler a pointer move runs) at
 *                       the centre of a thumbnail and two points beside it, one head
 *                       after another: each third move enlarges a new head
 *                       (hover_new_head_ms alone).
 *   *_presented_ms      change to the frame's presentation time from GdkFrameTimings,
 *                       where the backend reports one (n = 0 where it does not).
 * "After paint" is when GTK has handed the frame to the renderer and windowing system
 * (for GL: after the buffer swap is queued), not when a screen showed it. */
#include "lens-frame-probe.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_FRAMES      120
#define DEFAULT_TIMEOUT_S   600
#define HOVER_MOVES_PER_HEAD 3

/* the process-wide switch, set once in main() */
static struct {
  char  *path;            /* NULL: the probe is off */
  gint64 main_us;         /* monotonic time at the top of main() */
  double before_main_ms;  /* NAN when /proc could not tell */
  int    frames;
  int    timeout_s;
} conf;

typedef enum {
  PHASE_WINDOW,   /* waiting for the first frame */
  PHASE_RESULT,   /* waiting for the result's grid to be complete */
  PHASE_GRID,
  PHASE_HOVER,
  PHASE_DONE,
} Phase;

typedef struct {
  gint64  counter;  /* frame counter of the frame that painted the change */
  gint64  change;   /* monotonic µs of the change */
  GArray *into;     /* where its presentation latency goes */
} PendingTiming;

typedef struct {
  LensWindow    *win;          /* owns the probe (object data) */
  GdkFrameClock *clock;        /* the window's, ref'd */
  gulong         paint_id;
  guint          tick_id;      /* on the grid view, while measuring */
  guint          poll_id;      /* while waiting for the result */
  guint          timeout_id;
  gboolean       want_result;
  Phase          phase;
  int            step;         /* frames measured in this phase */
  gint64         change;       /* monotonic µs of the change awaiting its paint, 0: none */
  gboolean       change_new_head;
  double         main_to_window_ms;
  char          *error;
  GArray        *grid, *hover, *hover_new;              /* double ms */
  GArray        *grid_presented, *hover_presented;      /* double ms */
  GArray        *pending;                                /* PendingTiming */
} Probe;

/* ---- start time ---- */

/* From the process start the kernel recorded (the fork) to now, in ms; NAN if unknown. */
static double
ms_since_process_start (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_comm;
  struct timespec boot;
  long tick = sysconf (_SC_CLK_TCK);
  guint64 start_ticks;

  if (tick <= 0 || !g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      clock_gettime (CLOCK_BOOTTIME, &boot) != 0)
    return NAN;
  /* "pid (comm) state ppid …": comm may hold spaces and parentheses */
  after_comm = strrchr (stat, ')');
  if (after_comm == NULL)
    return NAN;
  fields = g_strsplit (after_comm + 2, " ", 0);
  /* fields[0] is field 3 (state): starttime, field 22, is fields[19] */
  if (g_strv_length (fields) < 20)
    return NAN;
  errno = 0;
  start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
  if (errno != 0)
    return NAN;
  return (boot.tv_sec + boot.tv_nsec / 1e9 - (double) start_ticks / tick) * 1000.0;
}

void
lens_frame_probe_start (void)
{
  const char *path = g_getenv ("LENS_FRAME_PROBE");
  const char *s;

  if (path == NULL || path[0] == '\0')
    return;
  conf.main_us = g_get_monotonic_time ();
  conf.before_main_ms = ms_since_process_start ();
  conf.path = g_strdup (path);
  s = g_getenv ("LENS_FRAME_PROBE_FRAMES");
  conf.frames = s ? CLAMP (atoi (s), 1, 10000) : DEFAULT_FRAMES;
  s = g_getenv ("LENS_FRAME_PROBE_TIMEOUT");
  conf.timeout_s = s ? CLAMP (atoi (s), 1, 86400) : DEFAULT_TIMEOUT_S;
}

gboolean
lens_frame_probe_enabled (void)
{
  return conf.path != NULL;
}

/* ---- the report ---- */

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* {"p50", "p95", "max", "n"}: nearest-rank percentiles; null figures when n = 0 */
static void
add_stats (JsonBuilder *b, const char *name, GArray *ms)
{
  g_autoptr(GArray) sorted = g_array_copy (ms);
  guint n = sorted->len;

  g_array_sort (sorted, compare_doubles);
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  {
    const char *keys[] = { "p50", "p95", "max" };
    double q[] = { 0.50, 0.95, 1.0 };

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        json_builder_set_member_name (b, keys[i]);
        if (n == 0)
          json_builder_add_null_value (b);
        else
          json_builder_add_double_value (b, g_array_index (sorted, double, MAX ((guint) ceil (q[i] * n), 1) - 1));
      }
  }
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, n);
  json_builder_end_object (b);
}

static void
add_double_or_null (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static gboolean
write_report (Probe *p, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  AttnResult *result = lens_window_get_result (p->win);
  const AttnWeights *w = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (p->win));
  GtkWidget *grid = GTK_WIDGET (lens_window_get_grid_view (p->win));
  double before = conf.before_main_ms;

  if (result)
    w = result->attention[lens_selection_get_kind (lens_window_get_selection (p->win))];

  json_builder_begin_object (b);
  add_double_or_null (b, "start_to_window_ms", isfinite (before) ? before + p->main_to_window_ms : NAN);
  add_double_or_null (b, "before_main_ms", before);
  add_double_or_null (b, "main_to_window_ms", p->main_to_window_ms);
  add_stats (b, "grid_redraw_ms", p->grid);
  add_stats (b, "hover_ms", p->hover);
  add_stats (b, "hover_new_head_ms", p->hover_new);
  add_stats (b, "grid_redraw_presented_ms", p->grid_presented);
  add_stats (b, "hover_presented_ms", p->hover_presented);
  json_builder_set_member_name (b, "tokens");
  json_builder_add_int_value (b, w ? w->queries : 0);
  json_builder_set_member_name (b, "layers");
  json_builder_add_int_value (b, w ? w->layers : 0);
  json_builder_set_member_name (b, "heads_per_layer");
  json_builder_add_int_value (b, w ? w->heads : 0);
  json_builder_set_member_name (b, "heads");
  json_builder_add_int_value (b, w ? w->layers * w->heads : 0);
  json_builder_set_member_name (b, "grid_width");
  json_builder_add_int_value (b, gtk_widget_get_width (grid));
  json_builder_set_member_name (b, "grid_height");
  json_builder_add_int_value (b, gtk_widget_get_height (grid));
  json_builder_set_member_name (b, "frames_requested");
  json_builder_add_int_value (b, p->want_result ? conf.frames : 0);
  json_builder_set_member_name (b, "renderer");
  json_builder_add_string_value (b, renderer ? G_OBJECT_TYPE_NAME (renderer) : "none");
  json_builder_set_member_name (b, "error");
  if (p->error)
    json_builder_add_string_value (b, p->error);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, conf.path, error);
}

static void
finish (Probe *p, const char *error)
{
  g_autoptr(GError) write_error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (p->win));

  if (p->phase == PHASE_DONE)
    return;
  p->phase = PHASE_DONE;
  if (error)
    p->error = g_strdup (error);
  if (p->tick_id)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (lens_window_get_grid_view (p->win)), p->tick_id);
      p->tick_id = 0;
    }
  g_clear_handle_id (&p->poll_id, g_source_remove);
  g_clear_handle_id (&p->timeout_id, g_source_remove);
  if (!write_report (p, &write_error))
    g_printerr ("LENS_FRAME_PROBE: %s\n", write_error->message);
  if (app)
    g_application_quit (G_APPLICATION (app));
}

/* ---- driving the frames ---- */

/* The grid view's pointer-motion controller: the one a real pointer drives. */
static GtkEventController *
motion_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n = g_list_model_get_n_items (controllers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (c))
        return c;   /* the widget keeps it */
    }
  return NULL;
}

/* Move k: head k / 3 in reading order, at its centre, then a quarter pitch either side. */
static gboolean
hover_point (LensGridView *grid, const AttnWeights *w, int k, double *x, double *y, gboolean *new_head)
{
  int cell = (k / HOVER_MOVES_PER_HEAD) % (w->layers * w->heads);
  int layer = cell / w->heads, head = cell % w->heads;
  double nx, ny, quarter = 0;

  if (!lens_grid_view_get_cell_center (grid, layer, head, x, y))
    return FALSE;
  if (lens_grid_view_get_cell_center (grid, layer, head > 0 ? head - 1 : MIN (head + 1, w->heads - 1), &nx, &ny))
    quarter = fabs (*x - nx) / 4;
  *x += (k % HOVER_MOVES_PER_HEAD == 1 ? -quarter : k % HOVER_MOVES_PER_HEAD == 2 ? quarter : 0);
  *new_head = k % HOVER_MOVES_PER_HEAD == 0;
  return TRUE;
}

/* The frame clock's update phase: one change per frame, painted in this frame. */
static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  Probe *p = data;
  LensGridView *grid = LENS_GRID_VIEW (widget);

  if (p->change != 0)
    return G_SOURCE_CONTINUE;   /* the last change has not been painted yet */
  if (p->phase == PHASE_GRID)
    {
      LensSelection *sel = lens_window_get_selection (p->win);
      AttnResult *result = lens_window_get_result (p->win);
      const AttnWeights *w = result->attention[lens_selection_get_kind (sel)];

      p->change = g_get_monotonic_time ();
      lens_selection_set_head (sel, (lens_selection_get_head (sel) + 1) % w->heads);
      gtk_widget_queue_draw (widget);
    }
  else if (p->phase == PHASE_HOVER)
    {
      AttnResult *result = lens_window_get_result (p->win);
      const AttnWeights *w = result->attention[lens_selection_get_kind (lens_window_get_selection (p->win))];
      GtkEventController *motion = motion_controller (widget);
      double x, y;

      if (motion == NULL || !hover_point (grid, w, p->step, &x, &y, &p->change_new_head))
        {
          p->tick_id = 0;   /* removed by the return value */
          finish (p, "the grid view has no pointer-motion controller or no layout");
          return G_SOURCE_REMOVE;
        }
      p->change = g_get_monotonic_time ();
      g_signal_emit_by_name (motion, "motion", x, y);
    }
  return G_SOURCE_CONTINUE;
}

/* Presentation times arrive after the frame, when the backend reports them. */
static void
collect_presented (Probe *p)
{
  for (guint i = 0; i < p->pending->len;)
    {
      PendingTiming *t = &g_array_index (p->pending, PendingTiming, i);
      GdkFrameTimings *timings = gdk_frame_clock_get_timings (p->clock, t->counter);

      if (timings && !gdk_frame_timings_get_complete (timings))
        {
          i++;
          continue;
        }
      if (timings && gdk_frame_timings_get_presentation_time (timings) > 0)
        {
          double ms = (gdk_frame_timings_get_presentation_time (timings) - t->change) / 1000.0;

          g_array_append_val (t->into, ms);
        }
      g_array_remove_index_fast (p->pending, i);   /* complete, or out of the history */
    }
}

static void
on_after_paint (GdkFrameClock *clock, Probe *p)
{
  gint64 now = g_get_monotonic_time ();

  if (p->phase == PHASE_WINDOW)
    {
      p->main_to_window_ms = (now - conf.main_us) / 1000.0;
      p->phase = PHASE_RESULT;
      if (!p->want_result)
        finish (p, NULL);
      return;
    }
  collect_presented (p);
  if (p->change == 0 || (p->phase != PHASE_GRID && p->phase != PHASE_HOVER))
    return;

  {
    double ms = (now - p->change) / 1000.0;
    PendingTiming t = { gdk_frame_clock_get_frame_counter (clock), p->change,
                        p->phase == PHASE_GRID ? p->grid_presented : p->hover_presented };

    g_array_append_val (p->phase == PHASE_GRID ? p->grid : p->hover, ms);
    if (p->phase == PHASE_HOVER && p->change_new_head)
      g_array_append_val (p->hover_new, ms);
    g_array_append_val (p->pending, t);
  }
  p->change = 0;
  if (++p->step < conf.frames)
    return;
  p->step = 0;
  if (p->phase == PHASE_GRID)
    p->phase = PHASE_HOVER;
  else
    finish (p, NULL);
}

static gboolean
grid_ready (Probe *p)
{
  AttnResult *result = lens_window_get_result (p->win);
  LensGridView *grid = lens_window_get_grid_view (p->win);
  const AttnWeights *w;

  if (result == NULL || lens_window_is_busy (p->win))
    return FALSE;
  w = result->attention[lens_selection_get_kind (lens_window_get_selection (p->win))];
  if (w == NULL)
    return FALSE;
  if (!gtk_widget_get_mapped (GTK_WIDGET (grid)))
    lens_window_set_view (p->win, "grid");
  /* every thumbnail built: the grid is what a user sees from now on */
  return lens_grid_view_get_n_cells (grid) == w->layers * w->heads;
}

static gboolean
poll_result (gpointer data)
{
  Probe *p = data;

  if (p->phase != PHASE_RESULT)
    return G_SOURCE_CONTINUE;
  if (lens_window_get_last_error (p->win))
    {
      p->poll_id = 0;
      finish (p, lens_window_get_last_error (p->win));
      return G_SOURCE_REMOVE;
    }
  if (!grid_ready (p))
    return G_SOURCE_CONTINUE;
  p->poll_id = 0;
  p->phase = PHASE_GRID;
  p->step = 0;
  p->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (lens_window_get_grid_view (p->win)), on_tick, p, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (gpointer data)
{
  Probe *p = data;
  static const char *phases[] = { "the first frame", "the result", "grid redraws", "hover moves", "" };
  g_autofree char *msg = g_strdup_printf ("timed out after %d s waiting for %s", conf.timeout_s, phases[p->phase]);

  p->timeout_id = 0;
  finish (p, msg);
  return G_SOURCE_REMOVE;
}

static void
on_realize (GtkWidget *widget, Probe *p)
{
  if (p->clock)
    return;
  p->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  p->paint_id = g_signal_connect (p->clock, "after-paint", G_CALLBACK (on_after_paint), p);
}

static void
probe_free (gpointer data)
{
  Probe *p = data;

  g_clear_handle_id (&p->poll_id, g_source_remove);
  g_clear_handle_id (&p->timeout_id, g_source_remove);
  if (p->clock)
    {
      g_clear_signal_handler (&p->paint_id, p->clock);
      g_object_unref (p->clock);
    }
  g_array_unref (p->grid);
  g_array_unref (p->hover);
  g_array_unref (p->hover_new);
  g_array_unref (p->grid_presented);
  g_array_unref (p->hover_presented);
  g_array_unref (p->pending);
  g_free (p->error);
  g_free (p);
}

void
lens_frame_probe_watch (LensWindow *win, gboolean want_result)
{
  Probe *p;

  g_return_if_fail (LENS_IS_WINDOW (win));
  if (conf.path == NULL)
    return;

  p = g_new0 (Probe, 1);
  p->win = win;
  p->want_result = want_result;
  p->main_to_window_ms = NAN;
  p->grid = g_array_new (FALSE, FALSE, sizeof (double));
  p->hover = g_array_new (FALSE, FALSE, sizeof (double));
  p->hover_new = g_array_new (FALSE, FALSE, sizeof (double));
  p->grid_presented = g_array_new (FALSE, FALSE, sizeof (double));
  p->hover_presented = g_array_new (FALSE, FALSE, sizeof (double));
  p->pending = g_array_new (FALSE, FALSE, sizeof (PendingTiming));
  g_object_set_data_full (G_OBJECT (win), "lens-frame-probe", p, probe_free);

  g_signal_connect_after (win, "realize", G_CALLBACK (on_realize), p);
  if (gtk_widget_get_realized (GTK_WIDGET (win)))
    on_realize (GTK_WIDGET (win), p);
  if (want_result)
    p->poll_id = g_timeout_add (20, poll_result, p);
  p->timeout_id = g_timeout_add_seconds (conf.timeout_s, on_timeout, p);
}
