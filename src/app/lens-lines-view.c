/* lens-lines-view.c — two columns of tokens, a line per weight, up to four heads. */
#include "lens-lines-view.h"

#include <glib/gi18n.h>
#include <math.h>

struct _LensLinesView
{
  LensView parent_instance;
  int      n_heads;
  int      focus_side, focus_index;
  double   top;                 /* where the token columns start */
  double   column_h;            /* and how tall they are */
};

G_DEFINE_FINAL_TYPE (LensLinesView, lens_lines_view, LENS_TYPE_VIEW)

enum {
  PROP_0,
  PROP_N_HEADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Okabe–Ito: told apart with every common colour-vision deficiency */
static const double head_colours[LENS_LINES_MAX_HEADS][3] = {
  { 0.000, 0.447, 0.698 },   /* blue */
  { 0.835, 0.369, 0.000 },   /* vermillion */
  { 0.000, 0.620, 0.451 },   /* bluish green */
  { 0.800, 0.475, 0.655 },   /* reddish purple */
};

#define COLUMN_FRACTION 0.32

static double
pitch_for (int n, double height)
{
  return height / MAX (n, 1);
}

void
lens_lines_draw (cairo_t *cr, const LensHeatmapStyle *style,
                 const float *const *matrices, const int *head_ids, int n_heads,
                 int rows, int cols,
                 const char *const *row_labels, const char *const *col_labels,
                 int focus_side, int focus_index,
                 double x, double y, double width, double height)
{
  double legend_h = style->font_size * 1.8;
  double top = y + legend_h;
  double h = height - legend_h;
  double row_pitch = pitch_for (rows, h), col_pitch = pitch_for (cols, h);
  double left = x + width * COLUMN_FRACTION, right = x + width * (1 - COLUMN_FRACTION);
  double lh = style->font_size * 1.3;
  int row_step = MAX (1, (int) ceil (lh / row_pitch));
  int col_step = MAX (1, (int) ceil (lh / col_pitch));
  double lx = x;

  /* legend: which colour is which head */
  for (int i = 0; i < n_heads; i++)
    {
      char buf[32];

      cairo_set_source_rgb (cr, head_colours[i][0], head_colours[i][1], head_colours[i][2]);
      cairo_rectangle (cr, lx, y + legend_h * 0.25, style->font_size, style->font_size);
      cairo_fill (cr);
      g_snprintf (buf, sizeof buf, _("Head %d"), head_ids[i] + 1);
      lens_draw_text (cr, style, buf, lx + style->font_size * 1.4, y + legend_h * 0.25 - 2, 0, 0.0, FALSE, 1.0);
      lx += style->font_size * 1.4 + lens_text_width (cr, style, buf, FALSE, 1.0) + style->font_size * 1.5;
    }

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, MAX (1.0, MIN (3.0, MIN (row_pitch, col_pitch) * 0.25)));
  for (int i = 0; i < n_heads; i++)
    {
      const float *m = matrices[i];

      if (m == NULL)
        continue;
      for (int r = 0; r < rows; r++)
        {
          double y0 = top + (r + 0.5) * row_pitch;
          double row_max = 0;

          if (focus_side == 1 && r != focus_index)
            continue;
          if (style->scale == LENS_SCALE_ROW)
            for (int c = 0; c < cols; c++)
              row_max = MAX (row_max, m[(gsize) r * cols + c]);

          for (int c = 0; c < cols; c++)
            {
              double w = m[(gsize) r * cols + c];

              if (focus_side == 2 && c != focus_index)
                continue;
              if (style->scale == LENS_SCALE_ROW && row_max > 0)
                w /= row_max;
              /* each head's colour, fading with the weight; several heads add up */
              w /= n_heads > 1 ? 1.3 : 1.0;
              if (w < 0.01)
                continue;
              cairo_set_source_rgba (cr, head_colours[i][0], head_colours[i][1], head_colours[i][2], MIN (w, 1.0));
              cairo_move_to (cr, left + 6, y0);
              cairo_line_to (cr, right - 6, top + (c + 0.5) * col_pitch);
              cairo_stroke (cr);
            }
        }
    }
  cairo_restore (cr);

  for (int r = 0; r < rows; r += (focus_side == 1 ? 1 : row_step))
    {
      gboolean focus = focus_side == 1 && r == focus_index;

      if (focus_side == 1 && !focus && r % row_step)
        continue;
      lens_draw_text (cr, style, row_labels[r], x, top + (r + 0.5) * row_pitch - lh * 0.5,
                      left - x, 1.0, focus, 1.0);
    }
  for (int c = 0; c < cols; c += (focus_side == 2 ? 1 : col_step))
    {
      gboolean focus = focus_side == 2 && c == focus_index;

      if (focus_side == 2 && !focus && c % col_step)
        continue;
      lens_draw_text (cr, style, col_labels[c], right, top + (c + 0.5) * col_pitch - lh * 0.5,
                      x + width - right, 0.0, focus, 1.0);
    }
}

static void
lens_lines_view_draw (LensView *view, cairo_t *cr, const LensHeatmapStyle *style,
                      double width, double height)
{
  LensLinesView *self = LENS_LINES_VIEW (view);
  const LensMatrixSource *src = lens_view_get_source (view);
  LensSelection *sel = lens_view_get_selection (view);
  int layer = lens_selection_get_layer (sel);
  int heads = src->weights->heads;
  int n = MIN (self->n_heads, heads);
  const float *mats[LENS_LINES_MAX_HEADS];
  int ids[LENS_LINES_MAX_HEADS];
  g_autofree char *title = NULL;
  double line = ceil (style->font_size * 1.6);

  for (int i = 0; i < n; i++)
    {
      ids[i] = (lens_selection_get_head (sel) + i) % heads;
      mats[i] = lens_view_get_head (view, layer, ids[i]);
    }

  title = g_strdup_printf (_("Layer %d — %s: queries on the left, keys on the right; hover a token to isolate it"),
                           layer + 1, lens_kind_title (lens_selection_get_kind (sel)));
  lens_draw_text (cr, style, title, 8, style->font_size * 0.4, width - 16, 0.0, TRUE, 1.1);

  /* lens_lines_draw() puts its legend above the columns */
  self->top = line * 1.4 + style->font_size * 1.8;
  self->column_h = height - 8 - self->top;
  lens_lines_draw (cr, style, mats, ids, n, src->n_rows, src->n_cols,
                   (const char *const *) src->row_labels, (const char *const *) src->col_labels,
                   style->bg[3] > 0 ? 0 : self->focus_side, self->focus_index,
                   8, line * 1.4, width - 16, height - 8 - line * 1.4);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LensLinesView *self)
{
  const LensMatrixSource *src = lens_view_get_source (LENS_VIEW (self));
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  int side = 0, index = -1;

  if (src != NULL && y >= self->top && self->column_h > 0)
    {
      if (x < 8 + (width - 16) * COLUMN_FRACTION + 6)
        {
          side = 1;
          index = (int) ((y - self->top) / pitch_for (src->n_rows, self->column_h));
        }
      else if (x > 8 + (width - 16) * (1 - COLUMN_FRACTION) - 6)
        {
          side = 2;
          index = (int) ((y - self->top) / pitch_for (src->n_cols, self->column_h));
        }
      if ((side == 1 && index >= src->n_rows) || (side == 2 && index >= src->n_cols))
        side = 0;
    }
  if (side == 0)
    index = -1;
  if (side != self->focus_side || index != self->focus_index)
    {
      self->focus_side = side;
      self->focus_index = index;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *motion, LensLinesView *self)
{
  self->focus_side = 0;
  self->focus_index = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lens_lines_view_invalidate (LensView *view)
{
  LensLinesView *self = LENS_LINES_VIEW (view);

  self->focus_side = 0;
  self->focus_index = -1;
}

static void
lens_lines_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_HEADS: g_value_set_int (value, LENS_LINES_VIEW (object)->n_heads); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_lines_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_HEADS: lens_lines_view_set_n_heads (LENS_LINES_VIEW (object), g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_lines_view_class_init (LensLinesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LensViewClass *view_class = LENS_VIEW_CLASS (klass);

  object_class->get_property = lens_lines_view_get_property;
  object_class->set_property = lens_lines_view_set_property;
  view_class->draw = lens_lines_view_draw;
  view_class->invalidate = lens_lines_view_invalidate;

  properties[PROP_N_HEADS] = g_param_spec_int ("n-heads", NULL, NULL, 1, LENS_LINES_MAX_HEADS, 1,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "lens-lines-view");
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_lines_view_init (LensLinesView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->n_heads = 1;
  self->focus_index = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attention as lines between query and key tokens"), -1);
}

GtkWidget *
lens_lines_view_new (void)
{
  return g_object_new (LENS_TYPE_LINES_VIEW, NULL);
}

int
lens_lines_view_get_n_heads (LensLinesView *self)
{
  return self->n_heads;
}

void
lens_lines_view_set_n_heads (LensLinesView *self, int n_heads)
{
  g_return_if_fail (LENS_IS_LINES_VIEW (self));

  n_heads = CLAMP (n_heads, 1, LENS_LINES_MAX_HEADS);
  if (n_heads == self->n_heads)
    return;
  self->n_heads = n_heads;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_HEADS]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
