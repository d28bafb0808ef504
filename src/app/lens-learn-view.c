/* lens-learn-view.c — "Watch it learn": training on a worker thread, reports on the main loop. */
#include "lens-learn-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lens-control-bar.h"
#include "lens-teach-draw.h"

#define REPORT_EVERY 10
#define DIAGONAL     0.9

struct _LensLearnView
{
  GtkWidget        parent_instance;

  GtkWidget       *task_drop, *arch_drop, *score_drop, *train_button, *reseed_button, *status_label;
  GtkWidget       *area;
  LensViewOptions *options;

  AttnTrainConfig  config;
  AttnTrainer     *trainer;          /* touched by the worker only while `cancellable` is set */
  GCancellable    *cancellable;      /* the training in flight, or NULL */

  /* the reports so far */
  GArray          *steps, *losses;   /* double */
  AttnWeights     *attention;
  char           **src_labels, **tgt_labels;
  gint64           step, total;
  double           elapsed, accuracy;
  double           aligned;
  int              best_layer;
  double           time_to_diagonal;
  char            *error;
};

G_DEFINE_FINAL_TYPE (LensLearnView, lens_learn_view, GTK_TYPE_WIDGET)

int
lens_learn_aligned_position (AttnTask task, int n, int row)
{
  switch (task)
    {
    case ATTN_TASK_COPY:    return row;
    case ATTN_TASK_REVERSE: return row < n ? n - 1 - row : n;
    case ATTN_TASK_SORT:
    default:                return -1;
    }
}

/* ---- one report, from the worker thread to the main loop ---- */

typedef struct {
  GWeakRef      owner;
  GCancellable *cancellable;
  gint64        step, total;
  double        loss, accuracy, elapsed;
  AttnWeights  *attention;
  char         *source, *target;
} Report;

static void
report_free (gpointer data)
{
  Report *r = data;

  g_weak_ref_clear (&r->owner);
  g_clear_object (&r->cancellable);
  g_clear_pointer (&r->attention, attn_weights_free);
  g_free (r->source);
  g_free (r->target);
  g_free (r);
}

static void
measure_alignment (LensLearnView *self)
{
  const AttnWeights *w = self->attention;
  int n_digits, rows_ok, best = -1;

  self->aligned = -1;
  if (w == NULL || self->config.task == ATTN_TASK_SORT)
    return;
  n_digits = w->keys - 1;
  for (int l = 0; l < w->layers; l++)
    {
      rows_ok = 0;
      for (int i = 0; i < w->queries; i++)
        {
          int arg = 0;
          double top = -1;

          for (int j = 0; j < w->keys; j++)
            {
              double sum = 0;

              for (int h = 0; h < w->heads; h++)
                sum += attn_weights_head (w, l, h)[(gsize) i * w->keys + j];
              if (sum > top)
                {
                  top = sum;
                  arg = j;
                }
            }
          rows_ok += arg == lens_learn_aligned_position (self->config.task, n_digits, i);
        }
      if ((double) rows_ok / w->queries > self->aligned)
        {
          self->aligned = (double) rows_ok / w->queries;
          best = l;
        }
    }
  self->best_layer = best;
}

static void
update_status (LensLearnView *self)
{
  g_autofree char *text = NULL;
  g_autofree char *diag = NULL;
  gboolean running = self->cancellable != NULL;

  if (self->time_to_diagonal >= 0)
    diag = g_strdup_printf (_(" · on the diagonal after %.1f s"), self->time_to_diagonal);
  if (self->error)
    text = g_strdup (self->error);
  else if (self->steps->len == 0)
    text = g_strdup (running ? _("Starting…") : _("Press Train: the attention starts random and learns where to look."));
  else
    text = g_strdup_printf (_("Step %d of %d · loss %.3f · %.0f %% of tokens right · %.1f s%s%s"),
                            (int) self->step, (int) self->total, g_array_index (self->losses, double, self->losses->len - 1),
                            100 * self->accuracy, self->elapsed, diag ? diag : "",
                            !running && self->step >= self->total ? _(" · done") : "");
  gtk_label_set_text (GTK_LABEL (self->status_label), text);
  gtk_button_set_label (GTK_BUTTON (self->train_button),
                        running ? _("_Stop") : self->steps->len > 0 && self->step < self->total ? _("_Resume") : _("_Train"));
  gtk_widget_set_sensitive (self->train_button, running || self->step < self->total || self->trainer == NULL);
}

static gboolean
report_on_main (gpointer data)
{
  Report *r = data;
  g_autoptr(LensLearnView) self = g_weak_ref_get (&r->owner);

  if (self == NULL || r->cancellable != self->cancellable)
    return G_SOURCE_REMOVE;
  self->step = r->step;
  self->total = r->total;
  self->elapsed = r->elapsed;
  self->accuracy = r->accuracy;
  g_array_append_val (self->steps, (double) { r->step });
  g_array_append_val (self->losses, r->loss);
  g_clear_pointer (&self->attention, attn_weights_free);
  self->attention = g_steal_pointer (&r->attention);
  g_strfreev (self->src_labels);
  g_strfreev (self->tgt_labels);
  self->src_labels = g_strsplit (r->source, " ", -1);
  self->tgt_labels = g_strsplit (r->target, " ", -1);
  measure_alignment (self);
  if (self->time_to_diagonal < 0 && self->aligned >= DIAGONAL)
    self->time_to_diagonal = r->elapsed;
  update_status (self);
  gtk_widget_queue_draw (self->area);
  return G_SOURCE_REMOVE;
}

typedef struct {
  GWeakRef      owner;
  GCancellable *cancellable;
} Session;

/* called on the worker thread by the trainer */
static void
on_progress (const AttnTrainProgress *p, gpointer data)
{
  Session *s = data;
  Report *r = g_new0 (Report, 1);
  g_autoptr(GObject) owner = g_weak_ref_get (&s->owner);

  g_weak_ref_init (&r->owner, owner);
  r->cancellable = g_object_ref (s->cancellable);
  r->step = p->step;
  r->total = p->total_steps;
  r->loss = p->loss;
  r->accuracy = p->token_accuracy;
  r->elapsed = p->elapsed;
  if (p->attention)
    {
      r->attention = attn_weights_new (p->attention->layers, p->attention->heads, p->attention->queries,
                                       p->attention->keys);
      memcpy (r->attention->data, p->attention->data,
              sizeof (float) * p->attention->layers * p->attention->heads * p->attention->queries * p->attention->keys);
    }
  r->source = g_strdup (p->probe_source);
  r->target = g_strdup (p->probe_target);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, report_on_main, r, report_free);
}

static void
session_free (gpointer data)
{
  Session *s = data;

  g_weak_ref_clear (&s->owner);
  g_clear_object (&s->cancellable);
  g_free (s);
}

static void
train_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AttnTrainer *trainer = task_data;
  const AttnTrainConfig *c = attn_trainer_get_config (trainer);
  GError *error = NULL;
  gint64 left = c->steps - attn_trainer_get_step (trainer);

  if (left > 0 && !attn_trainer_step (trainer, (int) left, cancellable, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  g_task_return_boolean (task, TRUE);
}

static void
train_done (GObject *object, GAsyncResult *res, gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(LensLearnView) self = g_weak_ref_get (ref);
  g_autoptr(GError) error = NULL;
  AttnTrainer *trainer = g_task_get_task_data (G_TASK (res));

  g_weak_ref_clear (ref);
  g_free (ref);
  g_task_propagate_boolean (G_TASK (res), &error);
  /* the view is gone, or moved on to another model: this one is ours to free */
  if (self == NULL || self->trainer != trainer)
    {
      attn_trainer_free (trainer);
      return;
    }
  if (g_task_get_cancellable (G_TASK (res)) == self->cancellable)
    g_clear_object (&self->cancellable);
  if (error)
    {
      g_free (self->error);
      self->error = g_strdup_printf (_("Training stopped: %s"), error->message);
    }
  update_status (self);
}

static void
reset_reports (LensLearnView *self)
{
  g_array_set_size (self->steps, 0);
  g_array_set_size (self->losses, 0);
  g_clear_pointer (&self->attention, attn_weights_free);
  g_clear_pointer (&self->src_labels, g_strfreev);
  g_clear_pointer (&self->tgt_labels, g_strfreev);
  g_clear_pointer (&self->error, g_free);
  self->step = 0;
  self->total = self->config.steps;
  self->elapsed = 0;
  self->aligned = -1;
  self->time_to_diagonal = -1;
}

/* starts (or resumes) the current trainer on a worker thread */
static void
start (LensLearnView *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Session *s;
  GWeakRef *ref;

  if (self->cancellable)
    return;
  if (self->trainer == NULL)
    {
      reset_reports (self);
      self->trainer = attn_trainer_new (&self->config, &error);
      if (self->trainer == NULL)
        {
          self->error = g_strdup_printf (_("Could not build the model: %s"), error->message);
          update_status (self);
          return;
        }
    }
  if (attn_trainer_get_step (self->trainer) >= self->config.steps)
    return;
  self->cancellable = g_cancellable_new ();
  s = g_new0 (Session, 1);
  g_weak_ref_init (&s->owner, self);
  s->cancellable = g_object_ref (self->cancellable);
  attn_trainer_set_callback (self->trainer, REPORT_EVERY, on_progress, s, session_free);

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  task = g_task_new (NULL, self->cancellable, train_done, ref);
  /* the trainer belongs to the thread until train_done */
  g_task_set_task_data (task, self->trainer, NULL);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, train_thread);
  update_status (self);
  gtk_widget_queue_draw (self->area);
}

/* ---- public ---- */

/* Small and quick: the toy models learn the diagonal in seconds on two cores. */
static void
init_config (AttnTrainConfig *c, AttnTask task, AttnTrainArch arch, AttnScoreKind score, guint64 seed)
{
  attn_train_config_init (c, task, arch);
  c->score = score;
  c->seed = seed;
  c->eval_size = 16;   /* held out from the batches; the view evaluates the probe only */
  c->batch_size = 32;
  if (arch == ATTN_ARCH_TRANSFORMER)
    {
      c->steps = 400;
      c->d_model = 32;
      c->ffn_dim = 64;
      c->layers = 1;
      c->heads = 2;
      c->warmup_steps = 40;
    }
  else
    {
      c->steps = 300;
      c->hidden_size = 64;
      c->attention_dim = 32;
      c->warmup_steps = 20;
    }
}

/* drops the current model; one still training frees itself when its thread returns */
static void
drop_trainer (LensLearnView *self)
{
  if (self->cancellable)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->trainer = NULL;
    }
  else
    g_clear_pointer (&self->trainer, attn_trainer_free);
}

void
lens_learn_view_configure (LensLearnView *self, AttnTask task, AttnTrainArch arch, AttnScoreKind score,
                           guint64 seed)
{
  g_return_if_fail (LENS_IS_LEARN_VIEW (self));

  drop_trainer (self);
  init_config (&self->config, task, arch, score, seed);
  reset_reports (self);
  update_status (self);
  gtk_widget_queue_draw (self->area);
}

void
lens_learn_view_train (LensLearnView *self)
{
  start (self);
}

void
lens_learn_view_stop (LensLearnView *self)
{
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

void
lens_learn_view_reseed (LensLearnView *self)
{
  gboolean was_running = self->cancellable != NULL;

  lens_learn_view_configure (self, self->config.task, self->config.arch, self->config.score, self->config.seed + 1);
  if (was_running)
    start (self);
}

gboolean
lens_learn_view_is_training (LensLearnView *self)
{
  return self->cancellable != NULL;
}

gint64
lens_learn_view_get_step (LensLearnView *self)
{
  return self->step;
}

gint64
lens_learn_view_get_total_steps (LensLearnView *self)
{
  return self->config.steps;
}

guint
lens_learn_view_get_n_reports (LensLearnView *self)
{
  return self->steps->len;
}

guint64
lens_learn_view_get_seed (LensLearnView *self)
{
  return self->config.seed;
}

const AttnWeights *
lens_learn_view_get_attention (LensLearnView *self)
{
  return self->attention;
}

double
lens_learn_view_get_aligned (LensLearnView *self, int *best_layer)
{
  if (best_layer)
    *best_layer = self->best_layer;
  return self->aligned;
}

double
lens_learn_view_get_time_to_diagonal (LensLearnView *self)
{
  return self->time_to_diagonal;
}

void
lens_learn_view_set_options (LensLearnView *self, LensViewOptions *options)
{
  if (self->options)
    g_signal_handlers_disconnect_by_data (self->options, self->area);
  g_set_object (&self->options, options);
  if (options)
    g_signal_connect_object (options, "notify", G_CALLBACK (gtk_widget_queue_draw), self->area, G_CONNECT_SWAPPED);
}

/* ---- drawing ---- */

void
lens_learn_view_draw (LensLearnView *self, cairo_t *cr, double width, double height, gboolean for_export)
{
  LensHeatmapStyle style;
  double f, pad, hw, top;
  g_autofree char *title = NULL;
  g_autofree float *mean = NULL;
  const AttnWeights *w = self->attention;

  lens_workbench_style_init (GTK_WIDGET (self), self->options, &style, for_export);
  f = style.font_size;
  pad = f;
  if (style.bg[3] > 0)
    {
      cairo_set_source_rgba (cr, style.bg[0], style.bg[1], style.bg[2], style.bg[3]);
      cairo_paint (cr);
    }
  hw = (width - 3 * pad) * 0.55;

  /* the probe's cross-attention: heads averaged, the best-aligned layer */
  if (w && self->src_labels && self->tgt_labels &&
      g_strv_length (self->src_labels) == (guint) w->keys && g_strv_length (self->tgt_labels) == (guint) w->queries)
    {
      int layer = self->best_layer >= 0 ? self->best_layer : w->layers - 1;
      LensHeatmapStyle hs = style;

      mean = g_new0 (float, (gsize) w->queries * w->keys);
      for (int h = 0; h < w->heads; h++)
        for (gsize c = 0; c < (gsize) w->queries * w->keys; c++)
          mean[c] += attn_weights_head (w, layer, h)[c] / w->heads;
      if (self->aligned >= 0)
        title = g_strdup_printf (_("<b>Cross-attention on the probe</b> · step %d · %.0f %% of rows on the "
                                   "aligned source token"), (int) self->step, 100 * self->aligned);
      else
        title = g_strdup_printf (_("<b>Cross-attention on the probe</b> · step %d"), (int) self->step);
      top = pad + lens_draw_markup (cr, &style, title, pad, pad, hw, 1.0) + f * 0.6;
      if (w->layers > 1 || w->heads > 1)
        {
          g_autofree char *sub = g_strdup_printf (_("layer %d of %d, mean of %d heads · rows: decoder inputs, "
                                                    "columns: source digits"), layer + 1, w->layers, w->heads);

          top += lens_draw_markup (cr, &style, sub, pad, top, hw, 0.85) + f * 0.4;
        }
      hs.causal = FALSE;
      hs.scale = LENS_SCALE_LINEAR;
      hs.bg[3] = 0;
      cairo_save (cr);
      cairo_translate (cr, pad, top);
      lens_heatmap_draw (cr, &hs, mean, w->queries, w->keys, (const char *const *) self->tgt_labels,
                         (const char *const *) self->src_labels, hw, height - top - pad);
      cairo_restore (cr);
    }
  else
    {
      LensHeatmapStyle dim = style;

      dim.fg[3] *= 0.7;
      lens_draw_text (cr, &dim, self->cancellable ? _("Building the model…")
                                                  : _("Choose a task and a model, then press Train."),
                      pad, height / 2 - f, hw, 0.5, FALSE, 1.2);
    }

  lens_draw_loss_curve (cr, &style, _("<b>Loss</b> (cross-entropy, log scale) against training steps"),
                        (const double *) self->steps->data, (const double *) self->losses->data,
                        self->steps->len, self->config.steps, pad * 2 + hw, pad, width - hw - 3 * pad,
                        MIN (height - 2 * pad, f * 24));
}

static void
draw_area (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  lens_learn_view_draw (LENS_LEARN_VIEW (data), cr, width, height, FALSE);
}

/* ---- controls ---- */

static void
on_config_changed (LensLearnView *self)
{
  static const AttnTask tasks[] = { ATTN_TASK_COPY, ATTN_TASK_REVERSE, ATTN_TASK_SORT };
  static const AttnTrainArch archs[] = { ATTN_ARCH_TRANSFORMER, ATTN_ARCH_GRU };
  static const AttnScoreKind scores[] = { ATTN_SCORE_ADDITIVE, ATTN_SCORE_DOT, ATTN_SCORE_GENERAL, ATTN_SCORE_SCALED_DOT };
  guint t = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->task_drop));
  guint a = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->arch_drop));
  guint s = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->score_drop));

  gtk_widget_set_sensitive (self->score_drop, archs[MIN (a, 1)] == ATTN_ARCH_GRU);
  lens_learn_view_configure (self, tasks[MIN (t, 2)], archs[MIN (a, 1)], scores[MIN (s, 3)], self->config.seed);
}

static void
on_train_clicked (LensLearnView *self)
{
  if (self->cancellable)
    lens_learn_view_stop (self);
  else
    lens_learn_view_train (self);
}

static GtkWidget *
drop_down (GtkWidget *bar, const char *label, const char *const *items, guint selected)
{
  GtkWidget *d = gtk_drop_down_new_from_strings (items);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (d), selected);
  return lens_control_bar_append_labelled (bar, label, d);
}

/* ---- class ---- */

static void
lens_learn_view_dispose (GObject *object)
{
  LensLearnView *self = LENS_LEARN_VIEW (object);
  GtkWidget *child;

  drop_trainer (self);
  if (self->options)
    g_signal_handlers_disconnect_by_data (self->options, self->area);
  g_clear_object (&self->options);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_pointer (&self->attention, attn_weights_free);
  g_clear_pointer (&self->src_labels, g_strfreev);
  g_clear_pointer (&self->tgt_labels, g_strfreev);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->losses, g_array_unref);
  G_OBJECT_CLASS (lens_learn_view_parent_class)->dispose (object);
}

static void
lens_learn_view_class_init (LensLearnViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lens_learn_view_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BOX_LAYOUT);
}

static void
lens_learn_view_init (LensLearnView *self)
{
  static const char *tasks[] = { N_("Copy"), N_("Reverse"), N_("Sort"), NULL };
  static const char *archs[] = { N_("Transformer"), N_("GRU"), NULL };
  static const char *scores[] = { N_("Additive"), N_("Dot"), N_("General"), N_("Scaled dot"), NULL };
  const char *t_tasks[4], *t_archs[3], *t_scores[5];
  GtkWidget *bar = lens_control_bar_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    t_tasks[i] = tasks[i] ? _(tasks[i]) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (archs); i++)
    t_archs[i] = archs[i] ? _(archs[i]) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    t_scores[i] = scores[i] ? _(scores[i]) : NULL;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->steps = g_array_new (FALSE, FALSE, sizeof (double));
  self->losses = g_array_new (FALSE, FALSE, sizeof (double));
  init_config (&self->config, ATTN_TASK_COPY, ATTN_ARCH_GRU, ATTN_SCORE_ADDITIVE, 1);
  reset_reports (self);

  gtk_widget_set_margin_top (bar, 6);
  self->task_drop = drop_down (bar, _("T_ask"), t_tasks, 0);
  self->arch_drop = drop_down (bar, _("_Model"), t_archs, 1);
  self->score_drop = drop_down (bar, _("S_core"), t_scores, 0);
  g_signal_connect_swapped (self->task_drop, "notify::selected", G_CALLBACK (on_config_changed), self);
  g_signal_connect_swapped (self->arch_drop, "notify::selected", G_CALLBACK (on_config_changed), self);
  g_signal_connect_swapped (self->score_drop, "notify::selected", G_CALLBACK (on_config_changed), self);

  self->train_button = gtk_button_new_with_mnemonic (_("_Train"));
  gtk_widget_add_css_class (self->train_button, "suggested-action");
  g_signal_connect_swapped (self->train_button, "clicked", G_CALLBACK (on_train_clicked), self);
  gtk_box_append (GTK_BOX (buttons), self->train_button);
  self->reseed_button = gtk_button_new_with_mnemonic (_("Re_seed"));
  gtk_widget_set_tooltip_text (self->reseed_button, _("Start again from new random weights"));
  g_signal_connect_swapped (self->reseed_button, "clicked", G_CALLBACK (lens_learn_view_reseed), self);
  gtk_box_append (GTK_BOX (buttons), self->reseed_button);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  lens_control_bar_append (bar, buttons);
  gtk_widget_set_parent (bar, GTK_WIDGET (self));

  self->status_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->status_label), TRUE);
  gtk_widget_add_css_class (self->status_label, "numeric");
  gtk_widget_set_margin_start (self->status_label, 12);
  gtk_widget_set_margin_top (self->status_label, 6);
  gtk_widget_set_parent (self->status_label, GTK_WIDGET (self));

  self->area = gtk_drawing_area_new ();
  gtk_widget_set_vexpand (self->area, TRUE);
  gtk_widget_set_hexpand (self->area, TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->area), draw_area, self, NULL);
  gtk_widget_set_parent (self->area, GTK_WIDGET (self));
  update_status (self);
}
