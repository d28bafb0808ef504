/* lens-head-view.c — one head's matrix: labels, hover read-out, zoom, pan, keyboard. */
#include "lens-head-view.h"

#include <glib/gi18n.h>
#include <math.h>

struct _LensHeadView
{
  LensView           parent_instance;
  cairo_surface_t   *cells;          /* one pixel per cell of the shown head */
  int                cells_layer, cells_head;
  LensHeatmapLayout  layout;
  double             top;            /* where the matrix starts (below the title) */
  double             zoom, pan_x, pan_y;
  double             drag_pan_x, drag_pan_y;
  int                hover_row, hover_col;
  char              *readout;
};

G_DEFINE_FINAL_TYPE (LensHeadView, lens_head_view, LENS_TYPE_VIEW)

enum {
  PROP_0,
  PROP_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static int
shown_row_of_query (const LensMatrixSource *src, int query)
{
  for (int r = 0; r < src->n_rows; r++)
    if (src->rows[r] == query)
      return r;
  return -1;
}

static void
update_readout (LensHeadView *self)
{
  LensView *view = LENS_VIEW (self);
  const LensMatrixSource *src = lens_view_get_source (view);
  LensSelection *sel = lens_view_get_selection (view);
  const float *m;

  g_clear_pointer (&self->readout, g_free);
  if (src == NULL || self->hover_row < 0 || self->hover_col < 0 ||
      self->hover_row >= src->n_rows || self->hover_col >= src->n_cols)
    return;
  m = lens_view_get_head (view, lens_selection_get_layer (sel), lens_selection_get_head (sel));
  if (m == NULL)
    return;
  if (lens_heatmap_is_masked (&(LensHeatmapStyle) { .causal = src->weights->causal },
                              src->rows[self->hover_row], src->cols[self->hover_col]))
    self->readout = g_strdup_printf (_("%s → %s: masked (a query cannot see later keys)"),
                                     src->row_labels[self->hover_row], src->col_labels[self->hover_col]);
  else
    self->readout = g_strdup_printf ("%s → %s: %.4f",
                                     src->row_labels[self->hover_row], src->col_labels[self->hover_col],
                                     m[(gsize) self->hover_row * src->n_cols + self->hover_col]);
}

static void
lens_head_view_draw (LensView *view, cairo_t *cr, const LensHeatmapStyle *base,
                     double width, double height)
{
  LensHeadView *self = LENS_HEAD_VIEW (view);
  const LensMatrixSource *src = lens_view_get_source (view);
  LensSelection *sel = lens_view_get_selection (view);
  int layer = lens_selection_get_layer (sel), head = lens_selection_get_head (sel);
  const float *m = lens_view_get_head (view, layer, head);
  gboolean exporting = base->bg[3] > 0;
  LensHeatmapStyle style = *base;
  g_autofree char *title = NULL;
  double line = ceil (base->font_size * 1.6);
  double bottom = exporting ? 0 : line * 1.2;
  int query_row;

  if (m == NULL)
    return;

  title = g_strdup_printf (_("Layer %d · Head %d — %s (rows: queries, columns: keys)"),
                           layer + 1, head + 1, lens_kind_title (lens_selection_get_kind (sel)));
  lens_draw_text (cr, base, title, 8, base->font_size * 0.4, width - 16, 0.0, TRUE, 1.1);
  self->top = line * 1.4;

  if (self->cells == NULL || self->cells_layer != layer || self->cells_head != head)
    {
      g_clear_pointer (&self->cells, cairo_surface_destroy);
      self->cells = lens_heatmap_cells_surface (&style, m, src->n_rows, src->n_cols);
      self->cells_layer = layer;
      self->cells_head = head;
    }

  style.zoom = exporting ? 1.0 : self->zoom;
  style.pan_x = exporting ? 0 : self->pan_x;
  style.pan_y = exporting ? 0 : self->pan_y;
  style.hover_row = exporting ? -1 : self->hover_row;
  style.hover_col = exporting ? -1 : self->hover_col;
  query_row = lens_selection_get_query (sel) >= 0
              ? shown_row_of_query (src, lens_selection_get_query (sel)) : -1;
  style.highlight_row = query_row;
  style.bg[3] = 0;

  cairo_save (cr);
  cairo_translate (cr, 8, self->top);
  lens_heatmap_draw_cached (cr, &style, m, src->n_rows, src->n_cols,
                            (const char *const *) src->row_labels, (const char *const *) src->col_labels,
                            width - 16, height - self->top - bottom, self->cells, &self->layout);
  cairo_restore (cr);

  /* keep the pan inside what the zoom allows */
  self->pan_x = CLAMP (self->pan_x, 0, self->layout.max_pan_x);
  self->pan_y = CLAMP (self->pan_y, 0, self->layout.max_pan_y);

  if (!exporting)
    {
      const char *hint = _("Hover a cell to read its weight · ←/→ heads · ↑/↓ layers · Ctrl+scroll zooms");
      LensHeatmapStyle text = *base;

      if (self->readout == NULL)
        text.fg[3] *= 0.65;
      lens_draw_text (cr, &text, self->readout ? self->readout : hint,
                      8, height - bottom + 2, width - 16, 0.0, self->readout != NULL, 1.0);
    }
}

static void
drop_cells (LensHeadView *self)
{
  g_clear_pointer (&self->cells, cairo_surface_destroy);
  self->cells_layer = self->cells_head = -1;
}

static void
lens_head_view_invalidate (LensView *view)
{
  LensHeadView *self = LENS_HEAD_VIEW (view);

  drop_cells (self);
  self->hover_row = self->hover_col = -1;
  g_clear_pointer (&self->readout, g_free);
}

static void
lens_head_view_selection_changed (LensView *view, const char *property)
{
  update_readout (LENS_HEAD_VIEW (view));
}

static gboolean
hit (LensHeadView *self, double x, double y, int *row, int *col)
{
  const LensMatrixSource *src = lens_view_get_source (LENS_VIEW (self));

  if (src == NULL)
    return FALSE;
  return lens_heatmap_hit (&self->layout, src->n_rows, src->n_cols, x - 8, y - self->top, row, col);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LensHeadView *self)
{
  int row = -1, col = -1;

  if (!hit (self, x, y, &row, &col))
    row = col = -1;
  if (row == self->hover_row && col == self->hover_col)
    return;
  self->hover_row = row;
  self->hover_col = col;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion, LensHeadView *self)
{
  self->hover_row = self->hover_col = -1;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *click, int n_press, double x, double y, LensHeadView *self)
{
  const LensMatrixSource *src = lens_view_get_source (LENS_VIEW (self));
  int row, col;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (src && hit (self, x, y, &row, &col))
    lens_selection_set_query (lens_view_get_selection (LENS_VIEW (self)), src->rows[row]);
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll, double dx, double dy, LensHeadView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if (state & GDK_CONTROL_MASK)
    {
      lens_head_view_set_zoom (self, self->zoom * (dy < 0 ? 1.25 : 0.8));
      return TRUE;
    }
  if (self->zoom <= 1.0)
    return FALSE;
  if (state & GDK_SHIFT_MASK)
    {
      dx = dy;
      dy = 0;
    }
  self->pan_x = CLAMP (self->pan_x + dx * 40, 0, self->layout.max_pan_x);
  self->pan_y = CLAMP (self->pan_y + dy * 40, 0, self->layout.max_pan_y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *drag, double x, double y, LensHeadView *self)
{
  self->drag_pan_x = self->pan_x;
  self->drag_pan_y = self->pan_y;
}

static void
on_drag_update (GtkGestureDrag *drag, double dx, double dy, LensHeadView *self)
{
  if (self->zoom <= 1.0)
    return;
  self->pan_x = CLAMP (self->drag_pan_x - dx, 0, self->layout.max_pan_x);
  self->pan_y = CLAMP (self->drag_pan_y - dy, 0, self->layout.max_pan_y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
step_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensView *view = LENS_VIEW (widget);
  const LensMatrixSource *src = lens_view_get_source (view);
  LensSelection *sel = lens_view_get_selection (view);
  int layers, heads, layer, head;

  if (src == NULL || sel == NULL)
    return;
  layers = src->weights->layers;
  heads = src->weights->heads;
  layer = lens_selection_get_layer (sel);
  head = lens_selection_get_head (sel);

  if (g_str_equal (action_name, "head.next"))
    head = (head + 1) % heads;
  else if (g_str_equal (action_name, "head.previous"))
    head = (head + heads - 1) % heads;
  else if (g_str_equal (action_name, "head.layer-down"))
    layer = MIN (layer + 1, layers - 1);
  else if (g_str_equal (action_name, "head.layer-up"))
    layer = MAX (layer - 1, 0);
  lens_selection_set_layer (sel, layer);
  lens_selection_set_head (sel, head);
}

static void
zoom_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensHeadView *self = LENS_HEAD_VIEW (widget);

  if (g_str_equal (action_name, "head.zoom-in"))
    lens_head_view_set_zoom (self, self->zoom * 1.25);
  else if (g_str_equal (action_name, "head.zoom-out"))
    lens_head_view_set_zoom (self, self->zoom * 0.8);
  else
    lens_head_view_set_zoom (self, 1.0);
}

static void
lens_head_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ZOOM: g_value_set_double (value, LENS_HEAD_VIEW (object)->zoom); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_head_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ZOOM: lens_head_view_set_zoom (LENS_HEAD_VIEW (object), g_value_get_double (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_head_view_dispose (GObject *object)
{
  LensHeadView *self = LENS_HEAD_VIEW (object);

  drop_cells (self);
  g_clear_pointer (&self->readout, g_free);
  G_OBJECT_CLASS (lens_head_view_parent_class)->dispose (object);
}

static void
lens_head_view_class_init (LensHeadViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LensViewClass *view_class = LENS_VIEW_CLASS (klass);

  object_class->dispose = lens_head_view_dispose;
  object_class->get_property = lens_head_view_get_property;
  object_class->set_property = lens_head_view_set_property;
  view_class->draw = lens_head_view_draw;
  view_class->invalidate = lens_head_view_invalidate;
  view_class->selection_changed = lens_head_view_selection_changed;

  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 1.0, 64.0, 1.0,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "head.next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "head.previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "head.layer-up", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "head.layer-down", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "head.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "head.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "head.zoom-reset", NULL, zoom_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "head.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "head.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "head.layer-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "head.layer-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "head.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "head.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "head.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "head.zoom-reset", NULL);

  gtk_widget_class_set_css_name (widget_class, "lens-head-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_head_view_init (LensHeadView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES |
                                                                GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->zoom = 1.0;
  self->hover_row = self->hover_col = -1;
  self->cells_layer = self->cells_head = -1;

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attention of the selected head"), -1);
}

GtkWidget *
lens_head_view_new (void)
{
  return g_object_new (LENS_TYPE_HEAD_VIEW, NULL);
}

double
lens_head_view_get_zoom (LensHeadView *self)
{
  return self->zoom;
}

void
lens_head_view_set_zoom (LensHeadView *self, double zoom)
{
  g_return_if_fail (LENS_IS_HEAD_VIEW (self));

  zoom = CLAMP (zoom, 1.0, 64.0);
  if (zoom == self->zoom)
    return;
  /* keep the centre where it was */
  self->pan_x = (self->pan_x + self->layout.view_w / 2) * zoom / self->zoom - self->layout.view_w / 2;
  self->pan_y = (self->pan_y + self->layout.view_h / 2) * zoom / self->zoom - self->layout.view_h / 2;
  self->pan_x = MAX (self->pan_x, 0);
  self->pan_y = MAX (self->pan_y, 0);
  self->zoom = zoom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
lens_head_view_get_readout (LensHeadView *self)
{
  return self->readout;
}
