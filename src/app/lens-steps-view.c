/* lens-steps-view.c — "How attention is computed": controls, keyboard, hover, drawing. */
#include "lens-steps-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lens-control-bar.h"
#include "lens-steps-draw.h"
#include "lens-view.h"

struct _LensStepsView
{
  GtkWidget            parent_instance;

  GtkWidget           *layer_spin, *head_spin, *query_drop;
  GtkStringList       *query_model;
  GtkWidget           *back_button, *next_button, *step_label;
  GtkWidget           *temp_scale, *temp_label;
  GtkWidget           *area;

  LensSelection       *selection;
  LensViewOptions     *options;
  const AttnHeadTrace *trace;        /* borrowed from the workbench */
  AttnResult          *result;       /* the traced run */
  char                *message;

  LensSteps            steps;
  gboolean             have_steps;
  LensStep             step;
  double               temperature;
  char                *query_label;
  char               **key_labels;
  LensStepsLayout      layout;
  int                  hover_row, hover_dim;
  gboolean             syncing;      /* controls being set from the selection */
};

G_DEFINE_FINAL_TYPE (LensStepsView, lens_steps_view, GTK_TYPE_WIDGET)

static int
current_query (LensStepsView *self)
{
  if (self->trace == NULL || !self->trace->filled)
    return -1;
  return lens_trace_default_query (self->trace, self->selection ? lens_selection_get_query (self->selection) : -1);
}

static void
recompute (LensStepsView *self)
{
  const AttnTokenSeq *qseq, *kseq;
  AttnKind kind;
  int q = current_query (self);

  g_clear_pointer (&self->query_label, g_free);
  g_clear_pointer (&self->key_labels, g_strfreev);
  self->have_steps = q >= 0 && lens_steps_compute (&self->steps, self->trace, q, self->temperature);
  if (self->have_steps && self->result)
    {
      kind = self->trace->kind;
      qseq = lens_result_query_tokens (self->result, kind);
      kseq = lens_result_key_tokens (self->result, kind);
      self->query_label = lens_token_label (qseq, q);
      self->key_labels = g_new0 (char *, self->steps.n_keys + 1);
      for (int j = 0; j < self->steps.n_keys; j++)
        self->key_labels[j] = lens_token_label (kseq, j);
    }
  gtk_widget_queue_draw (self->area);
}

static void
update_step_controls (LensStepsView *self)
{
  g_autofree char *text = g_strdup_printf (_("Step %d of %d"), self->step + 1, LENS_N_STEPS);

  gtk_label_set_text (GTK_LABEL (self->step_label), text);
  gtk_widget_set_sensitive (self->back_button, self->step > 0);
  gtk_widget_set_sensitive (self->next_button, self->step < LENS_N_STEPS - 1);
}

/* layer and head ranges, and the query tokens, from the traced run */
static void
sync_controls (LensStepsView *self)
{
  AttnResult *r = self->result;
  AttnKind kind = self->selection ? lens_selection_get_kind (self->selection) : ATTN_KIND_SELF;
  const AttnWeights *w = r && (guint) kind < ATTN_N_KINDS ? r->attention[kind] : NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->query_model));
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  self->syncing = TRUE;
  gtk_spin_button_set_range (GTK_SPIN_BUTTON (self->layer_spin), 1, w ? w->layers : 1);
  gtk_spin_button_set_range (GTK_SPIN_BUTTON (self->head_spin), 1, w ? w->heads : 1);
  if (self->selection)
    {
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->layer_spin), lens_selection_get_layer (self->selection) + 1);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->head_spin), lens_selection_get_head (self->selection) + 1);
    }
  if (w)
    {
      const AttnTokenSeq *qseq = lens_result_query_tokens (r, kind);

      for (int i = 0; i < w->queries; i++)
        {
          g_autofree char *tok = lens_token_label (qseq, i);

          g_ptr_array_add (labels, g_strdup_printf ("%d · %s", i + 1, tok));
        }
    }
  g_ptr_array_add (labels, NULL);
  gtk_string_list_splice (self->query_model, 0, n_old, (const char *const *) labels->pdata);
  if (w && w->queries > 0)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->query_drop), MAX (current_query (self), 0));
  gtk_widget_set_sensitive (self->query_drop, w != NULL);
  self->syncing = FALSE;
}

void
lens_steps_view_set_trace (LensStepsView *self, const AttnHeadTrace *trace, AttnResult *result,
                           const char *message)
{
  g_return_if_fail (LENS_IS_STEPS_VIEW (self));

  self->trace = trace;
  if (result)
    attn_result_ref (result);
  g_clear_pointer (&self->result, attn_result_unref);
  self->result = result;
  g_free (self->message);
  self->message = g_strdup (message);
  sync_controls (self);
  recompute (self);
}

/* ---- the selection and options ---- */

static void
on_selection_notify (LensSelection *sel, GParamSpec *pspec, LensStepsView *self)
{
  if (g_str_equal (pspec->name, "query"))
    {
      self->syncing = TRUE;
      if (self->trace && self->trace->filled)
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->query_drop), MAX (current_query (self), 0));
      self->syncing = FALSE;
      recompute (self);
    }
  else if (g_str_equal (pspec->name, "layer") || g_str_equal (pspec->name, "head"))
    {
      self->syncing = TRUE;
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->layer_spin), lens_selection_get_layer (sel) + 1);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->head_spin), lens_selection_get_head (sel) + 1);
      self->syncing = FALSE;
    }
}

void
lens_steps_view_set_selection (LensStepsView *self, LensSelection *selection)
{
  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection)
    g_signal_connect_object (selection, "notify", G_CALLBACK (on_selection_notify), self, 0);
  sync_controls (self);
}

void
lens_steps_view_set_options (LensStepsView *self, LensViewOptions *options)
{
  if (self->options)
    g_signal_handlers_disconnect_by_data (self->options, self);
  g_set_object (&self->options, options);
  if (options)
    g_signal_connect_object (options, "notify", G_CALLBACK (gtk_widget_queue_draw), self->area,
                             G_CONNECT_SWAPPED);
}

static void
on_layer_head_changed (LensStepsView *self)
{
  if (self->syncing || self->selection == NULL)
    return;
  lens_selection_set_layer (self->selection, gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->layer_spin)) - 1);
  lens_selection_set_head (self->selection, gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->head_spin)) - 1);
}

static void
on_query_selected (LensStepsView *self)
{
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->query_drop));

  if (self->syncing || self->selection == NULL || i == GTK_INVALID_LIST_POSITION)
    return;
  lens_selection_set_query (self->selection, (int) i);
}

/* ---- steps and temperature ---- */

LensStep
lens_steps_view_get_step (LensStepsView *self)
{
  return self->step;
}

void
lens_steps_view_set_step (LensStepsView *self, LensStep step)
{
  step = CLAMP ((int) step, 0, LENS_N_STEPS - 1);
  if (self->step == step)
    return;
  self->step = step;
  self->hover_row = self->hover_dim = -1;
  update_step_controls (self);
  gtk_widget_queue_draw (self->area);
}

double
lens_steps_view_get_temperature (LensStepsView *self)
{
  return self->temperature;
}

void
lens_steps_view_set_temperature (LensStepsView *self, double temperature)
{
  gtk_range_set_value (GTK_RANGE (self->temp_scale), temperature);
}

static void
on_temperature_changed (LensStepsView *self)
{
  g_autofree char *text = NULL;

  self->temperature = gtk_range_get_value (GTK_RANGE (self->temp_scale));
  text = g_strdup_printf ("T = %.2f", self->temperature);
  gtk_label_set_text (GTK_LABEL (self->temp_label), text);
  if (self->have_steps)
    lens_steps_set_temperature (&self->steps, self->temperature);
  gtk_widget_queue_draw (self->area);
}

const LensSteps *
lens_steps_view_get_steps (LensStepsView *self)
{
  return self->have_steps ? &self->steps : NULL;
}

const char *
lens_steps_view_get_message (LensStepsView *self)
{
  return self->have_steps ? NULL : self->message;
}

static void
step_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LensStepsView *self = LENS_STEPS_VIEW (widget);

  lens_steps_view_set_step (self, self->step + (g_str_equal (name, "steps.next") ? 1 : -1));
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                LensStepsView *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;
  if (keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right)
    lens_steps_view_set_step (self, self->step + 1);
  else if (keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left)
    lens_steps_view_set_step (self, self->step - 1);
  else
    return FALSE;
  return TRUE;
}

/* ---- drawing and hover ---- */

void
lens_steps_view_draw (LensStepsView *self, cairo_t *cr, double width, double height, gboolean for_export)
{
  LensHeatmapStyle style;
  g_autofree char *head_label = NULL;

  lens_workbench_style_init (GTK_WIDGET (self), self->options, &style, for_export);
  if (style.bg[3] > 0)
    {
      cairo_set_source_rgba (cr, style.bg[0], style.bg[1], style.bg[2], style.bg[3]);
      cairo_paint (cr);
    }
  if (!self->have_steps)
    {
      const char *msg = self->message ? self->message
                        : _("Run a model to see how one of its heads computes its weights, step by step.");

      style.fg[3] *= 0.7;
      lens_draw_text (cr, &style, msg, 0, height / 2 - style.font_size, width, 0.5, FALSE, 1.2);
      return;
    }
  head_label = g_strdup_printf (_("Layer %d · Head %d · %s"), self->trace->layer + 1, self->trace->head + 1,
                                lens_kind_title (self->trace->kind));
  lens_steps_draw (cr, &style, &(LensStepsScene) {
                     .steps = &self->steps,
                     .step = self->step,
                     .query_label = self->query_label,
                     .key_labels = (const char *const *) self->key_labels,
                     .head_label = head_label,
                     .hover_row = for_export ? -1 : self->hover_row,
                     .hover_dim = for_export ? -1 : self->hover_dim,
                   }, width, height, for_export ? NULL : &self->layout);
}

static void
draw_area (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  lens_steps_view_draw (LENS_STEPS_VIEW (data), cr, width, height, FALSE);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LensStepsView *self)
{
  int row = -1, dim = -1;

  if (!self->have_steps || !lens_steps_hit (&self->layout, x, y, &row, &dim))
    row = dim = -1;
  if (row == self->hover_row && dim == self->hover_dim)
    return;
  self->hover_row = row;
  self->hover_dim = dim;
  gtk_widget_queue_draw (self->area);
}

static void
on_leave (GtkEventControllerMotion *motion, LensStepsView *self)
{
  self->hover_row = self->hover_dim = -1;
  gtk_widget_queue_draw (self->area);
}

static void
on_pressed (GtkGestureClick *click, int n, double x, double y, LensStepsView *self)
{
  gtk_widget_grab_focus (self->area);
}

/* ---- class ---- */

static void
lens_steps_view_dispose (GObject *object)
{
  LensStepsView *self = LENS_STEPS_VIEW (object);
  GtkWidget *child;

  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->options)
    g_signal_handlers_disconnect_by_data (self->options, self->area);
  g_clear_object (&self->selection);
  g_clear_object (&self->options);
  g_clear_pointer (&self->result, attn_result_unref);
  lens_steps_clear (&self->steps);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->query_label, g_free);
  g_clear_pointer (&self->key_labels, g_strfreev);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (lens_steps_view_parent_class)->dispose (object);
}

static void
lens_steps_view_class_init (LensStepsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_steps_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_install_action (widget_class, "steps.next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "steps.back", NULL, step_action);
}

static void
lens_steps_view_init (LensStepsView *self)
{
  GtkWidget *bar = lens_control_bar_new ();
  GtkWidget *bar2 = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *nav = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *stepping = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkEventController *motion, *keys;
  GtkGesture *click;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->temperature = 1.0;
  self->hover_row = self->hover_dim = -1;

  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_start (bar2, 12);
  gtk_widget_set_margin_end (bar2, 12);

  self->layer_spin = lens_control_bar_append_labelled (bar, _("_Layer"), gtk_spin_button_new_with_range (1, 1, 1));
  self->head_spin = lens_control_bar_append_labelled (bar, _("H_ead"), gtk_spin_button_new_with_range (1, 1, 1));
  self->query_model = gtk_string_list_new (NULL);
  self->query_drop = lens_control_bar_append_labelled (bar, _("_Query"),
                                                       gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->query_model)), NULL));
  g_signal_connect_swapped (self->layer_spin, "value-changed", G_CALLBACK (on_layer_head_changed), self);
  g_signal_connect_swapped (self->head_spin, "value-changed", G_CALLBACK (on_layer_head_changed), self);
  g_signal_connect_swapped (self->query_drop, "notify::selected", G_CALLBACK (on_query_selected), self);

  gtk_widget_add_css_class (nav, "linked");
  gtk_widget_set_halign (stepping, GTK_ALIGN_END);
  self->back_button = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->back_button), "steps.back");
  gtk_widget_set_tooltip_text (self->back_button, _("Back one step (←)"));
  self->next_button = gtk_button_new_with_mnemonic (_("_Next"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->next_button), "steps.next");
  gtk_widget_set_tooltip_text (self->next_button, _("Next step (→)"));
  gtk_widget_add_css_class (self->next_button, "suggested-action");
  gtk_box_append (GTK_BOX (nav), self->back_button);
  gtk_box_append (GTK_BOX (nav), self->next_button);
  gtk_box_append (GTK_BOX (stepping), nav);
  self->step_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->step_label, "numeric");
  gtk_box_append (GTK_BOX (stepping), self->step_label);
  lens_control_bar_append (bar, stepping);

  self->temp_scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0.1, 5.0, 0.05);
  gtk_scale_add_mark (GTK_SCALE (self->temp_scale), 1.0, GTK_POS_BOTTOM, NULL);
  gtk_range_set_value (GTK_RANGE (self->temp_scale), 1.0);
  gtk_widget_set_hexpand (self->temp_scale, TRUE);
  gtk_widget_set_size_request (self->temp_scale, 120, -1);
  gtk_widget_set_tooltip_text (self->temp_scale, _("Softmax temperature: below 1 sharpens the weights, above 1 flattens them"));
  {
    GtkWidget *label = gtk_label_new_with_mnemonic (_("_Temperature"));

    gtk_label_set_mnemonic_widget (GTK_LABEL (label), self->temp_scale);
    gtk_box_append (GTK_BOX (bar2), label);
    gtk_box_append (GTK_BOX (bar2), self->temp_scale);
  }
  self->temp_label = gtk_label_new ("T = 1.00");
  gtk_widget_add_css_class (self->temp_label, "numeric");
  gtk_box_append (GTK_BOX (bar2), self->temp_label);
  g_signal_connect_swapped (self->temp_scale, "value-changed", G_CALLBACK (on_temperature_changed), self);
  gtk_widget_set_parent (bar, GTK_WIDGET (self));
  gtk_widget_set_parent (bar2, GTK_WIDGET (self));

  self->area = gtk_drawing_area_new ();
  gtk_widget_set_vexpand (self->area, TRUE);
  gtk_widget_set_hexpand (self->area, TRUE);
  gtk_widget_set_focusable (self->area, TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->area), draw_area, self, NULL);
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (self->area, motion);
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (self->area, GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_parent (self->area, GTK_WIDGET (self));

  /* ←/→ step while the page has the focus (the text fields keep their arrows) */
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  update_step_controls (self);
}
