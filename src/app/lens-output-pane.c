/* lens-output-pane.c — label bars, next-token top-5, generated tokens as chips. */
#include "lens-output-pane.h"

#include <glib/gi18n.h>

#include "lens-aggregate.h"
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
};

G_DEFINE_FINAL_TYPE (LensOutputPane, lens_output_pane, GTK_TYPE_BOX)

static char *
token_text (LensOutputPane *self, gint32 id)
{
  AttnTokenizer *tok = self->model ? attn_model_get_tokenizer (self->model) : NULL;
  char *s = tok ? attn_tokenizer_token_display (tok, id) : NULL;

  if (s == NULL)
    return g_strdup_printf ("#%d", id);
  /* labels read better without the leading space of a word piece; keep a lone space visible */
  g_strstrip (s);
  if (s[0] == '\0')
    {
      g_free (s);
      return g_strdup ("␣");
    }
  return s;
}

static void
clear_content (LensOutputPane *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->content)))
    gtk_box_remove (GTK_BOX (self->content), child);
  g_clear_pointer (&self->headline, g_free);
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
  int index[ATTN_TOPK];
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

  n = lens_top_k (r->logits + (gsize) pos * r->logits_cols, r->logits_cols, ATTN_TOPK, index, prob);
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

static void
show_generated (LensOutputPane *self)
{
  const AttnResult *r = self->result;
  GtkWidget *text = gtk_label_new (r->generated_text ? r->generated_text : "");
  GtkWidget *flow = gtk_flow_box_new ();
  int step = self->selection ? lens_selection_get_step (self->selection) : -1;

  gtk_label_set_text (GTK_LABEL (self->title), _("Generated tokens"));
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
  if ((self->result->output_kind == ATTN_OUTPUT_NEXT_TOKEN && g_str_equal (pspec->name, "query")) ||
      (self->result->output_kind == ATTN_OUTPUT_GENERATED && g_str_equal (pspec->name, "step")))
    rebuild (self);
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
  G_OBJECT_CLASS (lens_output_pane_parent_class)->dispose (object);
}

static void
lens_output_pane_class_init (LensOutputPaneClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lens_output_pane_dispose;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "lens-output-pane");
}

static void
lens_output_pane_init (LensOutputPane *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);

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
