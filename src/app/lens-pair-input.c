/* lens-pair-input.c — source, optional target, swap, examples, greedy or beam. */
#include "lens-pair-input.h"
#include "lens-decode-choice.h"
#include "lens-examples.h"
#include "lens-token-counter.h"

#include <glib/gi18n.h>

struct _LensPairInput
{
  GtkBox      parent_instance;
  GtkWidget  *examples_button;
  GtkWidget  *source_view;
  GtkWidget  *target_view;
  GtkWidget  *decode;        /* LensDecodeChoice */
  GtkWidget  *hint;
  GtkWidget  *counter;
  AttnModel  *model;
  GPtrArray  *examples;      /* LensExample: the source and the target (NULL for none) */
  guint       count_source;
};

G_DEFINE_FINAL_TYPE (LensPairInput, lens_pair_input, GTK_TYPE_BOX)

static char *
view_text (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_view_text (GtkWidget *view, const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text ? text : "", -1);
}

/* ---- counter and hint ---- */

static gboolean
update_count (gpointer data)
{
  LensPairInput *self = data;
  g_autofree char *source = view_text (self->source_view);
  g_autofree char *target = view_text (self->target_view);
  gboolean forced = g_strstrip (target)[0] != '\0';

  self->count_source = 0;
  lens_decode_choice_set_forced (LENS_DECODE_CHOICE (self->decode), forced);
  gtk_label_set_text (GTK_LABEL (self->hint),
                      forced ? _("The target is force-decoded: the views show the alignment of exactly this pair.")
                             : _("No target: the model translates the source, and the views show its own translation."));
  if (self->model == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->counter), "");
      return G_SOURCE_REMOVE;
    }
  lens_token_counter_update (self->counter, self->model, source, NULL, TRUE);
  return G_SOURCE_REMOVE;
}

static void
queue_count (LensPairInput *self)
{
  g_clear_handle_id (&self->count_source, g_source_remove);
  self->count_source = g_timeout_add (150, update_count, self);
}

/* ---- examples ---- */

static void
load_examples (LensPairInput *self)
{
  static const char *const source_keys[] = { "source", "text", NULL };
  static const char *const target_keys[] = { "target", NULL };

  lens_examples_load (self->examples, attn_model_get_dir (self->model), TRUE, source_keys, target_keys);
  if (self->examples->len > 0)
    return;
  lens_examples_add (self->examples, "The cat sat on the mat.", NULL);
  lens_examples_add (self->examples, "Attention is all you need.", NULL);
  lens_examples_add (self->examples, "The house is small.", "Das Haus ist klein.");
}

static void
rebuild_examples_menu (LensPairInput *self)
{
  lens_examples_update_menu (self->examples_button, self->examples, 64, "pair.example");
}

static void
apply_example (LensPairInput *self, guint i)
{
  LensExample *e;

  if (i >= self->examples->len)
    return;
  e = self->examples->pdata[i];
  lens_pair_input_set_source (self, e->first);
  lens_pair_input_set_target (self, e->second ? e->second : "");
}

static void
example_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  apply_example (LENS_PAIR_INPUT (widget), g_variant_get_uint32 (param));
}

static void
swap_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lens_pair_input_swap (LENS_PAIR_INPUT (widget));
}

/* ---- class ---- */

static void
lens_pair_input_dispose (GObject *object)
{
  LensPairInput *self = LENS_PAIR_INPUT (object);
  GtkWidget *child;

  g_clear_handle_id (&self->count_source, g_source_remove);
  g_clear_pointer (&self->model, attn_model_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_box_remove (GTK_BOX (self), child);
  G_OBJECT_CLASS (lens_pair_input_parent_class)->dispose (object);
}

static void
lens_pair_input_finalize (GObject *object)
{
  g_ptr_array_unref (LENS_PAIR_INPUT (object)->examples);
  G_OBJECT_CLASS (lens_pair_input_parent_class)->finalize (object);
}

static void
lens_pair_input_class_init (LensPairInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_pair_input_dispose;
  object_class->finalize = lens_pair_input_finalize;
  gtk_widget_class_install_action (widget_class, "pair.example", "u", example_action);
  gtk_widget_class_install_action (widget_class, "pair.swap", NULL, swap_action);
  gtk_widget_class_set_css_name (widget_class, "lens-pair-input");
}

static GtkWidget *
text_box (LensPairInput *self, const char *mnemonic, const char *a11y, GtkWidget **view_out)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);
  GtkWidget *view = gtk_text_view_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), view);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_signal_connect_swapped (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                            G_CALLBACK (queue_count), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 60);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_add_css_class (scroller, "card");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), scroller);
  *view_out = view;
  return box;
}

static void
lens_pair_input_init (LensPairInput *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Sentence Pair"));
  GtkWidget *swap = gtk_button_new_from_icon_name ("object-flip-vertical-symbolic");

  self->examples = lens_examples_new ();
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  gtk_widget_set_tooltip_text (swap, _("Swap source and target"));
  gtk_widget_add_css_class (swap, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (swap), "pair.swap");
  gtk_box_append (GTK_BOX (header), swap);
  self->examples_button = lens_examples_button_new (_("Fill in an example pair"));
  gtk_box_append (GTK_BOX (header), self->examples_button);
  gtk_box_append (GTK_BOX (self), header);

  gtk_box_append (GTK_BOX (self), text_box (self, _("_Source"), _("Source sentence"), &self->source_view));
  gtk_box_append (GTK_BOX (self), text_box (self, _("_Target (optional)"), _("Target sentence to align"),
                                            &self->target_view));

  self->hint = gtk_label_new ("");
  gtk_label_set_wrap (GTK_LABEL (self->hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->hint), 0.0);
  gtk_widget_add_css_class (self->hint, "dim-label");
  gtk_widget_add_css_class (self->hint, "caption");
  gtk_box_append (GTK_BOX (self), self->hint);

  self->decode = lens_decode_choice_new (_("How the model translates when no target is given"));
  gtk_box_append (GTK_BOX (self), self->decode);

  self->counter = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->counter), 1.0);
  gtk_widget_add_css_class (self->counter, "dim-label");
  gtk_widget_add_css_class (self->counter, "caption");
  gtk_widget_add_css_class (self->counter, "numeric");
  gtk_box_append (GTK_BOX (self), self->counter);
  update_count (self);
}

GtkWidget *
lens_pair_input_new (void)
{
  return g_object_new (LENS_TYPE_PAIR_INPUT, NULL);
}

void
lens_pair_input_set_model (LensPairInput *self, AttnModel *model)
{
  g_return_if_fail (LENS_IS_PAIR_INPUT (self));
  if (model == self->model)
    return;
  if (model)
    attn_model_ref (model);
  g_clear_pointer (&self->model, attn_model_unref);
  self->model = model;
  if (model == NULL)
    return;
  load_examples (self);
  rebuild_examples_menu (self);
  lens_decode_choice_set_model (LENS_DECODE_CHOICE (self->decode), model);
  /* nothing typed yet: start from the model's first example (what was typed stays
   * when the model changes) */
  if (gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view))) == 0)
    apply_example (self, 0);
  queue_count (self);
}

char *
lens_pair_input_get_source (LensPairInput *self)
{
  return view_text (self->source_view);
}

void
lens_pair_input_set_source (LensPairInput *self, const char *text)
{
  set_view_text (self->source_view, text);
}

char *
lens_pair_input_get_target (LensPairInput *self)
{
  return view_text (self->target_view);
}

void
lens_pair_input_set_target (LensPairInput *self, const char *text)
{
  set_view_text (self->target_view, text);
}

void
lens_pair_input_swap (LensPairInput *self)
{
  g_autofree char *source = view_text (self->source_view);
  g_autofree char *target = view_text (self->target_view);

  set_view_text (self->source_view, target);
  set_view_text (self->target_view, source);
}

int
lens_pair_input_get_beam_size (LensPairInput *self)
{
  return lens_decode_choice_get_beam_size (LENS_DECODE_CHOICE (self->decode));
}

void
lens_pair_input_set_beam_size (LensPairInput *self, int beam_size)
{
  lens_decode_choice_set_beam_size (LENS_DECODE_CHOICE (self->decode), beam_size);
}

gboolean
lens_pair_input_is_too_long (LensPairInput *self, int *n_tokens, int *max, gboolean *exact)
{
  g_autofree char *source = NULL;

  g_return_val_if_fail (LENS_IS_PAIR_INPUT (self), FALSE);
  if (self->model == NULL || attn_model_get_modality (self->model) != ATTN_MODALITY_TRANSLATION)
    return FALSE;
  source = view_text (self->source_view);
  return lens_tokens_over_limit (self->model, source, NULL, n_tokens, max, exact);
}

gboolean
lens_pair_input_shorten (LensPairInput *self)
{
  g_return_val_if_fail (LENS_IS_PAIR_INPUT (self), FALSE);
  if (self->model == NULL)
    return FALSE;
  return lens_tokens_shorten_buffer (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view)), self->model, NULL);
}

int
lens_pair_input_get_n_examples (LensPairInput *self)
{
  return self->examples->len;
}

gboolean
lens_pair_input_build (LensPairInput *self, AttnInput *input, AttnRunOptions *options,
                       char ***storage, GError **error)
{
  g_autofree char *source = view_text (self->source_view);
  g_autofree char *target = view_text (self->target_view);
  const char *strv[3];

  memset (input, 0, sizeof *input);
  *storage = NULL;
  g_strstrip (source);
  g_strstrip (target);
  if (source[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Type a source sentence to translate first."));
      return FALSE;
    }
  strv[0] = source;
  strv[1] = target;
  strv[2] = NULL;
  *storage = g_strdupv ((char **) strv);
  input->source = (*storage)[0];
  input->target = (*storage)[1][0] ? (*storage)[1] : NULL;
  lens_decode_choice_apply (LENS_DECODE_CHOICE (self->decode), options);
  return TRUE;
}
