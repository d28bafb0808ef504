/* lens-grid-view.c — layers × heads thumbnails; hover enlarges, click opens the head. */
#include "lens-grid-view.h"

#include <glib/gi18n.h>

#include "lens-grid-draw.h"

struct _LensGridView
{
  LensView       parent_instance;
  LensGridCache *cache;
  LensGridLayout layout;
  int            hover_layer, hover_head;
  double         hover_x, hover_y;
  int            n_cells;     /* thumbnails drawn by the last draw */
  guint          more_source; /* builds the thumbnails still missing, a slice a frame */
};

/* per frame, at most this long building thumbnails (a 60 Hz frame is 16.7 ms) */
#define BUILD_SLICE_US 8000

G_DEFINE_FINAL_TYPE (LensGridView, lens_grid_view, LENS_TYPE_VIEW)

static const float *
get_head (gpointer data, int layer, int head)
{
  return lens_view_get_head (LENS_VIEW (data), layer, head);
}

static gboolean
draw_more (gpointer data)
{
  LensGridView *self = data;

  self->more_source = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static void
lens_grid_view_draw (LensView *view, cairo_t *cr, const LensHeatmapStyle *style,
                     double width, double height)
{
  LensGridView *self = LENS_GRID_VIEW (view);
  const LensMatrixSource *src = lens_view_get_source (view);
  LensSelection *sel = lens_view_get_selection (view);
  const AttnWeights *w = src->weights;
  g_autofree char *title = NULL;
  gboolean exporting = style->bg[3] > 0;
  LensHeatmapStyle marked;
  int missing;

  if (self->cache == NULL || self->cache->layers != w->layers || self->cache->heads != w->heads)
    {
      g_clear_pointer (&self->cache, lens_grid_cache_free);
      self->cache = lens_grid_cache_new (w->layers, w->heads);
    }

  title = g_strdup_printf (_("%s — %d layers × %d heads, %d × %d tokens; hover to enlarge, click to open"),
                           lens_kind_title (lens_selection_get_kind (sel)),
                           w->layers, w->heads, src->n_rows, src->n_cols);
  /* a decoder step: its query row outlined, for the decoder and cross kinds */
  marked = *style;
  marked.highlight_row = -1;
  if (lens_selection_get_kind (sel) == ATTN_KIND_DECODER || lens_selection_get_kind (sel) == ATTN_KIND_CROSS)
    for (int r = 0; r < src->n_rows; r++)
      if (lens_selection_get_query (sel) >= 0 && src->rows[r] == lens_selection_get_query (sel))
        marked.highlight_row = r;
  missing = lens_grid_draw (cr, &marked, self->cache, get_head, view, w->layers, w->heads, src->n_rows, src->n_cols,
                            (const char *const *) src->row_labels, (const char *const *) src->col_labels,
                            title, lens_selection_get_layer (sel), lens_selection_get_head (sel),
                            exporting ? -1 : self->hover_layer, exporting ? -1 : self->hover_head,
                            self->hover_x, self->hover_y, width, height,
                            exporting ? 0 : g_get_monotonic_time () + BUILD_SLICE_US);
  lens_grid_layout (style, w->layers, w->heads, width, height, &self->layout);
  self->n_cells = w->layers * w->heads - missing;
  if (missing > 0 && self->more_source == 0)
    self->more_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, draw_more, self, NULL);
}

static void
lens_grid_view_invalidate (LensView *view)
{
  LensGridView *self = LENS_GRID_VIEW (view);

  g_clear_pointer (&self->cache, lens_grid_cache_free);
  self->hover_layer = self->hover_head = -1;
  self->n_cells = 0;
}

static gboolean
hit (LensGridView *self, double x, double y, int *layer, int *head)
{
  const LensMatrixSource *src = lens_view_get_source (LENS_VIEW (self));

  if (src == NULL)
    return FALSE;
  return lens_grid_hit (&self->layout, src->weights->layers, src->weights->heads, x, y, layer, head);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LensGridView *self)
{
  int layer = -1, head = -1;

  hit (self, x, y, &layer, &head);
  if (layer != self->hover_layer || head != self->hover_head || layer >= 0)
    {
      self->hover_layer = layer;
      self->hover_head = head;
      self->hover_x = x;
      self->hover_y = y;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *motion, LensGridView *self)
{
  self->hover_layer = self->hover_head = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *click, int n_press, double x, double y, LensGridView *self)
{
  LensSelection *sel = lens_view_get_selection (LENS_VIEW (self));
  int layer, head;

  if (sel == NULL || !hit (self, x, y, &layer, &head))
    return;
  lens_selection_set_layer (sel, layer);
  lens_selection_set_head (sel, head);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-view", "s", "head");
}

static void
lens_grid_view_dispose (GObject *object)
{
  LensGridView *self = LENS_GRID_VIEW (object);

  g_clear_handle_id (&self->more_source, g_source_remove);
  g_clear_pointer (&self->cache, lens_grid_cache_free);
  G_OBJECT_CLASS (lens_grid_view_parent_class)->dispose (object);
}

static void
lens_grid_view_class_init (LensGridViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LensViewClass *view_class = LENS_VIEW_CLASS (klass);

  object_class->dispose = lens_grid_view_dispose;
  view_class->draw = lens_grid_view_draw;
  view_class->invalidate = lens_grid_view_invalidate;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "lens-grid-view");
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_grid_view_init (LensGridView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->hover_layer = self->hover_head = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attention of every layer and head"), -1);
}

GtkWidget *
lens_grid_view_new (void)
{
  return g_object_new (LENS_TYPE_GRID_VIEW, NULL);
}

int
lens_grid_view_get_n_cells (LensGridView *self)
{
  g_return_val_if_fail (LENS_IS_GRID_VIEW (self), 0);
  return self->n_cells;
}

gboolean
lens_grid_view_get_cell_center (LensGridView *self, int layer, int head, double *x, double *y)
{
  const LensMatrixSource *src;
  double pitch = self->layout.cell + self->layout.gap;

  g_return_val_if_fail (LENS_IS_GRID_VIEW (self), FALSE);
  src = lens_view_get_source (LENS_VIEW (self));
  if (src == NULL || self->n_cells == 0 || layer < 0 || head < 0 ||
      layer >= src->weights->layers || head >= src->weights->heads)
    return FALSE;
  *x = self->layout.x + head * pitch + self->layout.cell / 2;
  *y = self->layout.y + layer * pitch + self->layout.cell / 2;
  return TRUE;
}
