/* lens-output-pane.c — label bars, next-token top-5, generated tokens as chips. */
#include "lens-output-pane.h"

#include <glib/gi18n.h>
#include <math.h>

#include "attn-analysis.h"
#include "lens-beam-draw.h"
#include "lens-view.h"

struct _LensOutputPane
{
  GtkBox         parent_instance;
  GtkWidget     *title;
  GtkWidget     *content;        /* rebuilt for each result */
  AttnModel     *model;
  AttnResult    *result;
  LensSelection *selection;
  char          *headline;
  GPtrArray     *chips;          /* the generated tokens' buttons, by step */
  GPtrArray     *beam_labels;    /* the beam candidates' token texts */
  gboolean      *beam_winner;
};

G_DEFINE_FINAL_TYPE (LensOutputPane, lens_output_pane, GTK_TYPE_BOX)

static char *
token_text (LensOutputPane *self, gint32 id)
{
  AttnTokenizer *tok = self->model ? attn_model_get_target_tokenizer (self->model) : NULL;
  g_autofree char *s = tok ? attn_tokenizer_token_display (tok, id) : NULL;

  if (s == NULL)
    return g_strdup_printf ("#%d", id);
  /* as the views label tokens: a line break (a language model's frequent next token)
   * reads ↵ rather than a blank, a lone space ␣ */
  return lens_token_text_label (s);
}

static void
clear_content (LensOutputPane *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->content)))
    gtk_box_remove (GTK_BOX (self->content), child);
  g_clear_pointer (&self->headline, g_free);
  g_ptr_array_set_size (self->chips, 0);
  g_clear_pointer (&self->beam_labels, g_ptr_array_unref);
  g_clear_pointer (&self->beam_winner, g_free);
}

static GtkWidget *
probability_row (const char *name, double p, gboolean top)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *bar = gtk_progress_bar_new ();
  g_autofree char *pct = g_strdup_printf ("%.1f %%", 100.0 * p);
  GtkWidget *value = gtk_label_new (pct);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_width_chars (GTK_LABEL (label), 10);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), CLAMP (p, 0.0, 1.0));
  gtk_widget_set_hexpand (bar, TRUE);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_label_set_width_chars (GTK_LABEL (value), 7);
  gtk_label_set_xalign (GTK_LABEL (value), 1.0);
  gtk_widget_add_css_class (value, "numeric");
  if (top)
    {
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (value, "heading");
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), bar);
  gtk_box_append (GTK_BOX (row), value);
  return row;
}

static void
show_labels (LensOutputPane *self)
{
  const AttnResult *r = self->result;
  g_autofree guint *order = g_new (guint, MAX (r->n_labels, 1));

  gtk_label_set_text (GTK_LABEL (self->title), _("Class probabilities"));
  for (guint i = 0; i < r->n_labels; i++)
    order[i] = i;
  /* largest first */
  for (guint i = 1; i < r->n_labels; i++)
    for (guint j = i; j > 0 && r->label_probs[order[j]] > r->label_probs[order[j - 1]]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
  for (guint i = 0; i < r->n_labels; i++)
    gtk_box_append (GTK_BOX (self->content),
                    probability_row (r->labels[order[i]], r->label_probs[order[i]], i == 0));
  if (r->n_labels > 0)
    self->headline = g_strdup (r->labels[order[0]]);
}

static void
show_next_tokens (LensOutputPane *self)
{
  const AttnResult *r = self->result;
  int pos = self->selection ? lens_selection_get_query (self->selection) : -1;
  gint32 index[ATTN_TOPK];
  float prob[ATTN_TOPK];
  g_autofree char *after = NULL;
  g_autofree char *title = NULL;
  int n;

  if (r->logits == NULL || r->logits_rows <= 0)
    return;
  if (pos < 0 || pos >= r->logits_rows)
    pos = r->logits_rows - 1;
  after = pos < (int) r->input.len ? g_strdup (r->input.display[pos]) : g_strdup_printf ("%d", pos);
  title = g_strdup_printf (_("Next token after “%s” (position %d)"), g_strstrip (after), pos + 1);
  gtk_label_set_text (GTK_LABEL (self->title), title);

  n = attn_top_k (r->logits + (gsize) pos * r->logits_cols, r->logits_cols, ATTN_TOPK, index, prob);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = token_text (self, index[i]);

      gtk_box_append (GTK_BOX (self->content), probability_row (name, prob[i], i == 0));
      if (i == 0)
        self->headline = g_strdup (name);
    }
  {
    GtkWidget *hint = gtk_label_new (_("Click a row in the Head view to choose the position."));
    gtk_widget_add_css_class (hint, "dim-label");
    gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
    gtk_label_set_xalign (GTK_LABEL (hint), 0.0);
    gtk_box_append (GTK_BOX (self->content), hint);
  }
}

static void
on_chip_clicked (GtkButton *button, LensOutputPane *self)
{
  int step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "step"));

  if (self->selection)
    lens_selection_set_step (self->selection, step);
}

/* ---- the beam search: candidates per step, the winning path ---- */

static void
draw_beam (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LensOutputPane *self = data;
  LensHeatmapStyle style;
  GdkRGBA fg;

  if (self->result == NULL || self->beam_labels == NULL)
    return;
  lens_heatmap_style_init (&style);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  style.fg[0] = fg.red; style.fg[1] = fg.green; style.fg[2] = fg.blue; style.fg[3] = fg.alpha;
  style.bg[3] = 0;
  lens_beam_draw (cr, &style, self->result->beam, (const char *const *) self->beam_labels->pdata,
                  self->beam_winner);
}

static void
show_beam (LensOutputPane *self)
{
  const AttnResult *r = self->result;
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *area = gtk_drawing_area_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  LensHeatmapStyle style;
  g_autofree char *text = NULL;
  double w, h;
  int width = 0;

  for (guint i = 0; i < r->beam->len; i++)
    width = MAX (width, g_array_index (r->beam, AttnBeamEntry, i).beam + 1);
  self->beam_labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < r->beam->len; i++)
    g_ptr_array_add (self->beam_labels, token_text (self, g_array_index (r->beam, AttnBeamEntry, i).token));
  self->beam_winner = g_new0 (gboolean, r->beam->len);
  lens_beam_winning_path (r->beam, r->generated.ids, r->generated.len, self->beam_winner);

  if (r->length_penalty > 0 && fabs (r->length_penalty - 1.0) > 1e-6)
    /* p is the model's length penalty: the winner is the finished candidate with the best
     * log-probability / length^p */
    text = g_strdup_printf (_("Beam search, width %d: the candidates kept at each step with their log-probability "
                              "(■ finished); the winning path is marked. Finished candidates are ranked by "
                              "log-probability ÷ length^%.2g (the model's length penalty), so a lower "
                              "log-probability can win."), width, r->length_penalty);
  else
    text = g_strdup_printf (_("Beam search, width %d: the candidates kept at each step with their log-probability "
                              "(■ finished); the winning path is marked"), width);
  gtk_label_set_text (GTK_LABEL (title), text);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_add_css_class (title, "caption-heading");
  gtk_widget_set_margin_top (title, 6);
  gtk_box_append (GTK_BOX (self->content), title);

  lens_heatmap_style_init (&style);
  lens_beam_size (r->beam, &style, &w, &h);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), (int) w);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), (int) h);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_beam, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (area), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), area);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_widget_add_css_class (scroller, "card");
  gtk_box_append (GTK_BOX (self->content), scroller);
}

static void
highlight_step (LensOutputPane *self, gboolean focus)
{
  int step = self->selection ? lens_selection_get_step (self->selection) : -1;

  for (guint i = 0; i < self->chips->len; i++)
    {
      GtkWidget *chip = self->chips->pdata[i];

      if ((int) i == step)
        {
          gtk_widget_add_css_class (chip, "suggested-action");
          if (focus)
            gtk_widget_grab_focus (chip);
        }
      else
        gtk_widget_remove_css_class (chip, "suggested-action");
    }
}

static void
step_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensOutputPane *self = LENS_OUTPUT_PANE (widget);
  int n = self->chips->len, step;

  if (self->selection == NULL || n == 0)
    return;
  step = lens_selection_get_step (self->selection);
  if (g_str_equal (action_name, "output.step-next"))
    step = step < 0 ? 0 : MIN (step + 1, n - 1);
  else
    step = step < 0 ? n - 1 : MAX (step - 1, 0);
  lens_selection_set_step (self->selection, step);
  highlight_step (self, TRUE);
}

static void
show_generated (LensOutputPane *self)
{
  const AttnResult *r = self->result;
  GtkWidget *text = gtk_label_new (r->generated_text ? r->generated_text : "");
  GtkWidget *flow = gtk_flow_box_new ();
  int step = self->selection ? lens_selection_get_step (self->selection) : -1;

  /* with a given target the views show that pair; this is what the model itself says */
  gtk_label_set_text (GTK_LABEL (self->title), r->target_forced ? _("The model’s own output")
                                                                : _("Generated tokens"));
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_label_set_xalign (GTK_LABEL (text), 0.0);
  gtk_widget_add_css_class (text, "title-4");
  gtk_box_append (GTK_BOX (self->content), text);
  self->headline = g_strdup (r->generated_text ? r->generated_text : "");

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 30);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 4);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 4);
  for (guint i = 0; i < r->generated.len; i++)
    {
      g_autofree char *label = NULL;
      GtkWidget *chip;
      GString *tip = g_string_new (NULL);
      char *name = lens_token_label (&r->generated, i);

      {
        double p = r->generated_probs ? 100.0 * r->generated_probs[i] : 0.0;

        label = p >= 10 ? g_strdup_printf ("%s\n%.0f %%", name, p)
                        : g_strdup_printf ("%s\n%.2g %%", name, p);
      }
      chip = gtk_button_new_with_label (label);
      gtk_widget_add_css_class (chip, "chip");
      if ((int) i == step)
        gtk_widget_add_css_class (chip, "suggested-action");
      g_ptr_array_add (self->chips, chip);
      g_object_set_data (G_OBJECT (chip), "step", GINT_TO_POINTER (i));
      g_signal_connect (chip, "clicked", G_CALLBACK (on_chip_clicked), self);

      g_string_append_printf (tip, _("Step %u: %s"), i + 1, name);
      if (r->alt_ids && r->alt_probs)
        {
          g_string_append (tip, "\n");
          g_string_append (tip, _("Alternatives:"));
          for (int k = 0; k < ATTN_TOPK; k++)
            {
              gsize at = (gsize) i * ATTN_TOPK + k;
              g_autofree char *alt = NULL;

              if (r->alt_ids[at] < 0)
                continue;
              alt = token_text (self, r->alt_ids[at]);
              g_string_append_printf (tip, "\n  %s  %.1f %%", alt, 100.0 * r->alt_probs[at]);
            }
        }
      gtk_widget_set_tooltip_text (chip, tip->str);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), chip);
      g_string_free (tip, TRUE);
      g_free (name);
    }
  gtk_box_append (GTK_BOX (self->content), flow);
  {
    GtkWidget *hint = gtk_label_new (_("Click a token, or use ←/→ here, to step through the decoding in every view."));

    gtk_widget_add_css_class (hint, "dim-label");
    gtk_widget_add_css_class (hint, "caption");
    gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
    gtk_label_set_xalign (GTK_LABEL (hint), 0.0);
    gtk_box_append (GTK_BOX (self->content), hint);
  }
  if (r->beam && r->beam->len > 0)
    show_beam (self);
}

static void
rebuild (LensOutputPane *self)
{
  clear_content (self);
  if (self->result == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->title), _("Prediction"));
      return;
    }
  switch (self->result->output_kind)
    {
    case ATTN_OUTPUT_LABELS:     show_labels (self); break;
    case ATTN_OUTPUT_NEXT_TOKEN: show_next_tokens (self); break;
    case ATTN_OUTPUT_GENERATED:  show_generated (self); break;
    case ATTN_OUTPUT_NONE:
    default:
      gtk_label_set_text (GTK_LABEL (self->title), _("Prediction"));
      break;
    }
}

static void
on_selection_notify (LensSelection *sel, GParamSpec *pspec, LensOutputPane *self)
{
  if (self->result == NULL)
    return;
  if (self->result->output_kind == ATTN_OUTPUT_NEXT_TOKEN && g_str_equal (pspec->name, "query"))
    rebuild (self);
  else if (self->result->output_kind == ATTN_OUTPUT_GENERATED && g_str_equal (pspec->name, "step"))
    highlight_step (self, FALSE);
}

static void
lens_output_pane_dispose (GObject *object)
{
  LensOutputPane *self = LENS_OUTPUT_PANE (object);

  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->result, attn_result_unref);
  g_clear_pointer (&self->model, attn_model_unref);
  g_clear_pointer (&self->headline, g_free);
  g_clear_pointer (&self->beam_labels, g_ptr_array_unref);
  g_clear_pointer (&self->beam_winner, g_free);
  G_OBJECT_CLASS (lens_output_pane_parent_class)->dispose (object);
}

static void
lens_output_pane_finalize (GObject *object)
{
  g_ptr_array_unref (LENS_OUTPUT_PANE (object)->chips);
  G_OBJECT_CLASS (lens_output_pane_parent_class)->finalize (object);
}

static void
lens_output_pane_class_init (LensOutputPaneClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lens_output_pane_dispose;
  G_OBJECT_CLASS (klass)->finalize = lens_output_pane_finalize;
  gtk_widget_class_set_css_name (widget_class, "lens-output-pane");
  gtk_widget_class_install_action (widget_class, "output.step-next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "output.step-previous", NULL, step_action);
}

static void
lens_output_pane_init (LensOutputPane *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->chips = g_ptr_array_new ();
  {
    /* ←/→ step through the decoding while the focus is in the pane: caught before
     * the flow box moves its own cursor */
    GtkEventController *keys = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Right, 0),
                                                            gtk_named_action_new ("output.step-next")));
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Left, 0),
                                                            gtk_named_action_new ("output.step-previous")));
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
  }

  self->title = gtk_label_new (_("Prediction"));
  gtk_label_set_xalign (GTK_LABEL (self->title), 0.0);
  gtk_label_set_wrap (GTK_LABEL (self->title), TRUE);
  gtk_widget_add_css_class (self->title, "heading");
  gtk_box_append (GTK_BOX (self), self->title);

  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_box_append (GTK_BOX (self), self->content);
}

GtkWidget *
lens_output_pane_new (void)
{
  return g_object_new (LENS_TYPE_OUTPUT_PANE, NULL);
}

void
lens_output_pane_set_selection (LensOutputPane *self, LensSelection *selection)
{
  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection)
    g_signal_connect_object (selection, "notify", G_CALLBACK (on_selection_notify), self, 0);
}

void
lens_output_pane_set_result (LensOutputPane *self, AttnModel *model, AttnResult *result)
{
  g_return_if_fail (LENS_IS_OUTPUT_PANE (self));

  if (model)
    attn_model_ref (model);
  if (result)
    attn_result_ref (result);
  g_clear_pointer (&self->model, attn_model_unref);
  g_clear_pointer (&self->result, attn_result_unref);
  self->model = model;
  self->result = result;
  rebuild (self);
}

const char *
lens_output_pane_get_headline (LensOutputPane *self)
{
  return self->headline;
}

const char *
lens_output_pane_get_title (LensOutputPane *self)
{
  g_return_val_if_fail (LENS_IS_OUTPUT_PANE (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->title));
}
