/* lens-workbench.c — the teaching workbench: sections, and the traced re-run they share. */
#include "lens-workbench.h"

#include <glib/gi18n.h>

#include "lens-learn-view.h"
#include "lens-scores-view.h"
#include "lens-steps-view.h"
#include "lens-worker.h"

struct _LensWorkbench
{
  GtkWidget        parent_instance;

  GtkWidget       *stack;
  LensStepsView   *steps;
  LensScoresView  *scores;
  LensLearnView   *learn;

  LensSelection   *selection;
  LensViewOptions *options;
  LensWorker      *worker;

  /* the window's last run: its input (copied) and outcome */
  char            *text, *text_pair, *source, *target, *audio_path;
  gboolean         have_input;
  AttnModel       *model;
  AttnResult      *result;

  /* the traced re-run */
  AttnHeadTrace   *trace;
  AttnResult      *trace_result;
  gboolean         stale;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (LensWorkbench, lens_workbench, GTK_TYPE_WIDGET)

void
lens_workbench_style_init (GtkWidget *widget, LensViewOptions *options, LensHeatmapStyle *style,
                           gboolean for_export)
{
  lens_heatmap_style_init (style);
  if (options)
    {
      style->colormap = lens_view_options_get_colormap (options);
      style->font_size = lens_view_options_get_presentation_mode (options) ? 22.0 : 13.0;
    }
  if (!for_export && widget)
    {
      GdkRGBA fg;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
      G_GNUC_END_IGNORE_DEPRECATIONS
      style->fg[0] = fg.red; style->fg[1] = fg.green; style->fg[2] = fg.blue; style->fg[3] = fg.alpha;
      style->bg[3] = 0.0;
      if (fg.red + fg.green + fg.blue > 1.5)
        {
          style->mask[0] = 0.27; style->mask[1] = 0.29; style->mask[2] = 0.36;
        }
    }
}

static void
free_trace (LensWorkbench *self)
{
  if (self->trace)
    {
      attn_head_trace_clear (self->trace);
      g_clear_pointer (&self->trace, g_free);
    }
  g_clear_pointer (&self->trace_result, attn_result_unref);
}

/* hands the trace (or a message) to the sections that show it */
static void
publish (LensWorkbench *self, const char *message)
{
  const AttnHeadTrace *t = self->trace && self->trace->filled ? self->trace : NULL;

  lens_steps_view_set_trace (self->steps, t, self->trace_result, message);
  lens_scores_view_set_trace (self->scores, t, self->trace_result, self->model, message);
}

static void
on_traced (gpointer owner, AttnModel *model, AttnResult *result, AttnHeadTrace *trace, const GError *error)
{
  LensWorkbench *self = owner;

  self->busy = FALSE;
  publish (self, NULL);   /* the sections let go of the old trace first */
  free_trace (self);
  if (result == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Could not look inside the head: %s"),
                                              error ? error->message : _("unknown error"));
      publish (self, msg);
      return;
    }
  self->trace = trace;
  self->trace_result = attn_result_ref (result);
  if (trace == NULL || !trace->filled)
    publish (self, _("This model does not show the inside of its heads (q, k and v). "
                     "Choose a Transformer: BERT, GPT-2, Marian or Whisper."));
  else
    publish (self, NULL);
}

static void
maybe_trace (LensWorkbench *self)
{
  AttnInput input = { 0 };
  AttnKind kind;
  const AttnWeights *w;
  int layer, head;

  if (!self->stale || !gtk_widget_get_mapped (GTK_WIDGET (self)) || self->selection == NULL)
    return;
  if (self->model == NULL || self->result == NULL || !self->have_input)
    {
      self->stale = FALSE;
      publish (self, NULL);
      return;
    }
  kind = lens_selection_get_kind (self->selection);
  w = (guint) kind < ATTN_N_KINDS ? self->result->attention[kind] : NULL;
  if (w == NULL)
    return;
  layer = CLAMP (lens_selection_get_layer (self->selection), 0, w->layers - 1);
  head = CLAMP (lens_selection_get_head (self->selection), 0, w->heads - 1);

  input.text = self->text;
  input.text_pair = self->text_pair;
  input.source = self->source;
  input.target = self->target;
  input.audio_path = self->audio_path;
  /* a generated target is force-fed, so the traced pass is the recorded one */
  if (self->result->target.len > 0 && !self->result->target_forced)
    {
      input.target = NULL;
      input.decoder_ids = self->result->target.ids;
      input.n_decoder_ids = self->result->target.len;
    }
  self->stale = FALSE;
  self->busy = TRUE;
  free_trace (self);
  {
    g_autofree char *msg = g_strdup_printf (_("Looking inside layer %d, head %d…"), layer + 1, head + 1);

    publish (self, msg);
  }
  lens_worker_run_traced (self->worker, self->model, &input, kind, layer, head, on_traced);
}

static void
on_selection_notify (LensSelection *sel, GParamSpec *pspec, LensWorkbench *self)
{
  if (g_str_equal (pspec->name, "layer") || g_str_equal (pspec->name, "head") || g_str_equal (pspec->name, "kind"))
    {
      if (self->trace && self->trace->filled && self->trace->kind == lens_selection_get_kind (sel) &&
          self->trace->layer == lens_selection_get_layer (sel) && self->trace->head == lens_selection_get_head (sel))
        return;
      self->stale = TRUE;
      maybe_trace (self);
    }
}

void
lens_workbench_set_selection (LensWorkbench *self, LensSelection *selection)
{
  g_return_if_fail (LENS_IS_WORKBENCH (self));

  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection)
    g_signal_connect_object (selection, "notify", G_CALLBACK (on_selection_notify), self, 0);
  lens_steps_view_set_selection (self->steps, selection);
  lens_scores_view_set_selection (self->scores, selection);
}

void
lens_workbench_set_options (LensWorkbench *self, LensViewOptions *options)
{
  g_return_if_fail (LENS_IS_WORKBENCH (self));

  g_set_object (&self->options, options);
  lens_steps_view_set_options (self->steps, options);
  lens_scores_view_set_options (self->scores, options);
  lens_learn_view_set_options (self->learn, options);
}

void
lens_workbench_set_input (LensWorkbench *self, const AttnInput *input)
{
  g_return_if_fail (LENS_IS_WORKBENCH (self));

  g_free (self->text);
  g_free (self->text_pair);
  g_free (self->source);
  g_free (self->target);
  g_free (self->audio_path);
  self->text = g_strdup (input->text);
  self->text_pair = g_strdup (input->text_pair);
  self->source = g_strdup (input->source);
  self->target = g_strdup (input->target);
  self->audio_path = g_strdup (input->audio_path);
  self->have_input = TRUE;
  lens_scores_view_set_pair (self->scores, input->source, input->target);
}

void
lens_workbench_set_result (LensWorkbench *self, AttnModel *model, AttnResult *result)
{
  g_return_if_fail (LENS_IS_WORKBENCH (self));

  if (model)
    attn_model_ref (model);
  g_clear_pointer (&self->model, attn_model_unref);
  self->model = model;
  if (result)
    attn_result_ref (result);
  g_clear_pointer (&self->result, attn_result_unref);
  self->result = result;
  self->stale = TRUE;
  maybe_trace (self);
}

gboolean
lens_workbench_show_section (LensWorkbench *self, const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name == NULL)
    return FALSE;
  /* "steps:N" opens step N (1-based) */
  parts = g_strsplit (name, ":", 2);
  if (gtk_stack_get_child_by_name (GTK_STACK (self->stack), parts[0]) == NULL)
    return FALSE;
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), parts[0]);
  if (g_str_equal (parts[0], "steps") && parts[1])
    lens_steps_view_set_step (self->steps, (LensStep) (g_ascii_strtoll (parts[1], NULL, 10) - 1));
  if (g_str_equal (parts[0], "learn") && g_strcmp0 (parts[1], "train") == 0)
    lens_learn_view_train (self->learn);
  if (g_str_equal (parts[0], "steps"))
    gtk_widget_grab_focus (GTK_WIDGET (self->steps));
  return TRUE;
}

LensStepsView *
lens_workbench_get_steps_view (LensWorkbench *self)
{
  return self->steps;
}

LensScoresView *
lens_workbench_get_scores_view (LensWorkbench *self)
{
  return self->scores;
}

LensLearnView *
lens_workbench_get_learn_view (LensWorkbench *self)
{
  return self->learn;
}

const AttnHeadTrace *
lens_workbench_get_trace (LensWorkbench *self)
{
  return self->trace && self->trace->filled ? self->trace : NULL;
}

AttnResult *
lens_workbench_get_trace_result (LensWorkbench *self)
{
  return self->trace_result;
}

gboolean
lens_workbench_is_busy (LensWorkbench *self)
{
  return self->busy || self->stale;
}

/* ---- class ---- */

static void
lens_workbench_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lens_workbench_parent_class)->map (widget);
  maybe_trace (LENS_WORKBENCH (widget));
}

static void
lens_workbench_dispose (GObject *object)
{
  LensWorkbench *self = LENS_WORKBENCH (object);
  GtkWidget *child;

  if (self->worker)
    lens_worker_cancel (self->worker);
  g_clear_object (&self->worker);
  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->options);
  g_clear_pointer (&self->model, attn_model_unref);
  g_clear_pointer (&self->result, attn_result_unref);
  free_trace (self);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->text_pair, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->target, g_free);
  g_clear_pointer (&self->audio_path, g_free);
  G_OBJECT_CLASS (lens_workbench_parent_class)->dispose (object);
}

static void
lens_workbench_class_init (LensWorkbenchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_workbench_dispose;
  widget_class->map = lens_workbench_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
lens_workbench_init (LensWorkbench *self)
{
  GtkWidget *switcher = gtk_stack_switcher_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  self->worker = lens_worker_new (self);

  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_widget_set_vexpand (self->stack, TRUE);
  self->steps = g_object_new (LENS_TYPE_STEPS_VIEW, NULL);
  self->scores = g_object_new (LENS_TYPE_SCORES_VIEW, NULL);
  self->learn = g_object_new (LENS_TYPE_LEARN_VIEW, NULL);
  gtk_stack_add_titled (GTK_STACK (self->stack), GTK_WIDGET (self->steps), "steps", _("How Attention Is Computed"));
  gtk_stack_add_titled (GTK_STACK (self->stack), GTK_WIDGET (self->scores), "scores", _("Score Functions"));
  gtk_stack_add_titled (GTK_STACK (self->stack), GTK_WIDGET (self->learn), "learn", _("Watch It Learn"));

  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), GTK_STACK (self->stack));
  /* the three page names scroll sideways in a window too narrow for them (presentation
   * mode on a small screen) rather than push the pages out of the window */
  {
    GtkWidget *scroller = gtk_scrolled_window_new ();

    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
    gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scroller), TRUE);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), switcher);
    gtk_widget_set_halign (scroller, GTK_ALIGN_CENTER);
    gtk_widget_set_margin_top (scroller, 6);
    gtk_widget_set_parent (scroller, GTK_WIDGET (self));
  }
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));
}
