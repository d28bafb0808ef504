/* lens-scores-view.c — score functions side by side, sparsemax, sparse masks, translators. */
#include "lens-scores-view.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "attn-analysis.h"
#include "lens-models.h"
#include "lens-scores-draw.h"
#include "lens-steps.h"
#include "lens-translators.h"
#include "lens-view.h"

#define FUNCTIONS_HEIGHT 360
#define NORMS_HEIGHT     380
#define ALIGN_HEIGHT     340

/* one translator's outcome, made on the worker thread */
typedef struct {
  char   *title, *error;
  float  *matrix;
  int     rows, cols;
  char  **row_labels, **col_labels;
} AlignItem;

struct _LensScoresView
{
  GtkWidget            parent_instance;

  GtkWidget           *scrolled, *window_spin, *stride_spin, *params_label;
  GtkWidget           *functions_area, *norms_area, *align_area, *align_label, *align_heading;

  LensSelection       *selection;
  LensViewOptions     *options;
  const AttnHeadTrace *trace;
  AttnResult          *result;
  AttnModel           *model;
  char                *message;

  /* for the selected query */
  gboolean             have;
  int                  n, rows;
  char               **labels, **row_labels, *query_label;
  guint8              *hidden;
  float               *scores, *weights, *softmax, *sparsemax;
  float               *local, *strided;
  guint8              *local_hidden, *strided_hidden;
  LensScoreParams      params;

  /* the translators' alignments */
  GPtrArray           *translators;
  char                *source, *target;
  GPtrArray           *align;            /* AlignItem */
  GCancellable        *align_cancellable;
  gboolean             align_stale;
  char                *align_message;
};

G_DEFINE_FINAL_TYPE (LensScoresView, lens_scores_view, GTK_TYPE_WIDGET)

static void
align_item_free (gpointer data)
{
  AlignItem *a = data;

  g_free (a->title);
  g_free (a->error);
  g_free (a->matrix);
  g_strfreev (a->row_labels);
  g_strfreev (a->col_labels);
  g_free (a);
}

static void
clear_numbers (LensScoresView *self)
{
  self->have = FALSE;
  g_clear_pointer (&self->labels, g_strfreev);
  g_clear_pointer (&self->row_labels, g_strfreev);
  g_clear_pointer (&self->query_label, g_free);
  g_clear_pointer (&self->hidden, g_free);
  g_clear_pointer (&self->scores, g_free);
  g_clear_pointer (&self->weights, g_free);
  g_clear_pointer (&self->softmax, g_free);
  g_clear_pointer (&self->sparsemax, g_free);
  g_clear_pointer (&self->local, g_free);
  g_clear_pointer (&self->strided, g_free);
  g_clear_pointer (&self->local_hidden, g_free);
  g_clear_pointer (&self->strided_hidden, g_free);
}

/* illustrative parameters, unless a trained recurrent translator fits these vectors */
static void
choose_params (LensScoresView *self, int d)
{
  lens_score_params_illustrative (&self->params, d);
  if (self->model && g_str_has_suffix (attn_model_get_architecture (self->model), "rnn"))
    lens_score_params_learned (&self->params, attn_model_get_dir (self->model), NULL);
  for (guint i = 0; self->translators && i < self->translators->len; i++)
    {
      LensTranslator *t = g_ptr_array_index (self->translators, i);

      if (t->score && t->hidden == d &&
          ((g_str_equal (t->score, "general") && !self->params.general_from) ||
           (g_str_equal (t->score, "additive") && !self->params.additive_from)))
        lens_score_params_learned (&self->params, t->dir, NULL);
    }
}

static void
update_params_label (LensScoresView *self)
{
  g_autofree char *text = NULL;

  if (!self->have)
    text = g_strdup ("");
  else if (self->params.general_from && self->params.additive_from)
    text = g_strdup_printf (_("General and additive parameters learned by %s and %s."),
                            self->params.general_from, self->params.additive_from);
  else
    text = g_strdup_printf (_("Illustrative parameters: the general and additive scores use fixed random "
                              "weights (seed %u)%s, not a trained model's."), LENS_ILLUSTRATIVE_SEED,
                            self->params.general_from || self->params.additive_from ? _(" where no trained translator fits") : "");
  gtk_label_set_text (GTK_LABEL (self->params_label), text);
}

static void
recompute (LensScoresView *self)
{
  const AttnHeadTrace *t = self->trace;
  int q, n, d;
  const AttnTokenSeq *qseq, *kseq;
  const float *qv;
  float *scaled;

  clear_numbers (self);
  if (t && t->filled && t->keys > 0)
    {
      n = t->keys;
      d = t->dh;
      q = lens_trace_default_query (t, self->selection ? lens_selection_get_query (self->selection) : -1);
      qv = t->q + (gsize) q * d;
      self->n = n;
      self->rows = t->queries;
      qseq = lens_result_query_tokens (self->result, t->kind);
      kseq = lens_result_key_tokens (self->result, t->kind);
      self->query_label = lens_token_label (qseq, q);
      self->labels = g_new0 (char *, n + 1);
      for (int j = 0; j < n; j++)
        self->labels[j] = lens_token_label (kseq, j);
      self->row_labels = g_new0 (char *, t->queries + 1);
      for (int i = 0; i < t->queries; i++)
        self->row_labels[i] = lens_token_label (qseq, i);

      self->hidden = g_new0 (guint8, n);
      for (int j = 0; j < n; j++)
        self->hidden[j] = (t->causal_offset >= 0 && j > q + t->causal_offset) || (t->key_mask && !t->key_mask[j]);
      if (self->params.d != d)
        choose_params (self, d);
      self->scores = g_new (float, (gsize) LENS_N_SCORES * n);
      self->weights = g_new (float, (gsize) LENS_N_SCORES * n);
      lens_scores_all (&self->params, qv, t->k, n, d, self->hidden, self->scores, self->weights);

      /* softmax and sparsemax of the head's own (scaled dot-product) scores */
      scaled = self->scores + (gsize) 3 * n;
      self->softmax = g_new (float, n);
      self->sparsemax = g_new (float, n);
      lens_softmax_masked (scaled, self->hidden, n, 1.0f, self->softmax);
      lens_sparsemax_masked (scaled, self->hidden, n, self->sparsemax);

      self->local = g_new (float, (gsize) t->queries * n);
      self->strided = g_new (float, (gsize) t->queries * n);
      self->local_hidden = g_new (guint8, (gsize) t->queries * n);
      self->strided_hidden = g_new (guint8, (gsize) t->queries * n);
      lens_sparse_attention (t, LENS_SPARSE_LOCAL, gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->window_spin)),
                             self->local, self->local_hidden);
      lens_sparse_attention (t, LENS_SPARSE_STRIDED, gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->stride_spin)),
                             self->strided, self->strided_hidden);
      self->have = TRUE;
    }
  /* room for every key's row at a readable size */
  {
    LensHeatmapStyle style;
    int rows = self->have ? self->n : 0;

    lens_workbench_style_init (GTK_WIDGET (self), self->options, &style, TRUE);
    gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->functions_area),
                                         MAX (FUNCTIONS_HEIGHT, (int) (rows * style.font_size * 1.5 + style.font_size * 9)));
    gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->norms_area),
                                         MAX (NORMS_HEIGHT, (int) (rows * style.font_size * 1.5 + style.font_size * 7)));
  }
  update_params_label (self);
  gtk_widget_queue_draw (self->functions_area);
  gtk_widget_queue_draw (self->norms_area);
}

void
lens_scores_view_set_trace (LensScoresView *self, const AttnHeadTrace *trace, AttnResult *result,
                            AttnModel *model, const char *message)
{
  g_return_if_fail (LENS_IS_SCORES_VIEW (self));

  self->trace = trace;
  if (result)
    attn_result_ref (result);
  g_clear_pointer (&self->result, attn_result_unref);
  self->result = result;
  if (model != self->model)
    {
      if (model)
        attn_model_ref (model);
      g_clear_pointer (&self->model, attn_model_unref);
      self->model = model;
      lens_score_params_clear (&self->params);   /* the learned ones may have changed */
    }
  g_free (self->message);
  self->message = g_strdup (message);
  if (trace == NULL)
    clear_numbers (self);
  recompute (self);
}

/* ---- translators ---- */

typedef struct {
  GPtrArray *dirs, *titles;
  char      *source, *target;
} AlignJob;

static void
align_job_free (gpointer data)
{
  AlignJob *job = data;

  g_ptr_array_unref (job->dirs);
  g_ptr_array_unref (job->titles);
  g_free (job->source);
  g_free (job->target);
  g_free (job);
}

static void
align_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  AlignJob *job = task_data;
  GPtrArray *items = g_ptr_array_new_with_free_func (align_item_free);

  for (guint i = 0; i < job->dirs->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      AlignItem *a = g_new0 (AlignItem, 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(AttnModel) model = attn_model_load (g_ptr_array_index (job->dirs, i), &error);
      g_autoptr(AttnResult) r = NULL;
      AttnInput input = { .source = job->source, .target = job->target };
      AttnRunOptions options = ATTN_RUN_OPTIONS_INIT;

      a->title = g_strdup (g_ptr_array_index (job->titles, i));
      g_ptr_array_add (items, a);
      options.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_CROSS);
      if (model)
        r = attn_model_run (model, &input, &options, cancellable, NULL, NULL, &error);
      if (r == NULL || r->attention[ATTN_KIND_CROSS] == NULL)
        {
          a->error = g_markup_escape_text (error ? error->message : _("no cross-attention"), -1);
          continue;
        }
      a->rows = r->attention[ATTN_KIND_CROSS]->queries;
      a->cols = r->attention[ATTN_KIND_CROSS]->keys;
      a->matrix = g_new (float, (gsize) a->rows * a->cols);
      /* the mean over all layers and heads: one picture per model */
      attn_cross_matrix (r->attention[ATTN_KIND_CROSS], -1, -1, a->matrix);
      a->row_labels = g_new0 (char *, a->rows + 1);
      a->col_labels = g_new0 (char *, a->cols + 1);
      for (int k = 0; k < a->rows; k++)
        a->row_labels[k] = lens_token_label (&r->target, k);
      for (int k = 0; k < a->cols; k++)
        a->col_labels[k] = lens_token_label (&r->input, k);
    }
  g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

static void
align_done (GObject *object, GAsyncResult *res, gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(LensScoresView) self = g_weak_ref_get (ref);
  GPtrArray *items = g_task_propagate_pointer (G_TASK (res), NULL);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL || g_task_get_cancellable (G_TASK (res)) != self->align_cancellable)
    {
      g_clear_pointer (&items, g_ptr_array_unref);
      return;
    }
  g_clear_object (&self->align_cancellable);
  g_clear_pointer (&self->align, g_ptr_array_unref);
  self->align = items;
  gtk_widget_queue_draw (self->align_area);
}

static char *
example_source (LensScoresView *self, char **target)
{
  *target = NULL;
  for (guint i = 0; i < self->translators->len; i++)
    {
      LensTranslator *t = g_ptr_array_index (self->translators, i);
      g_autofree char *path = g_build_filename (t->dir, "examples.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root, *first;

      if (!json_parser_load_from_file (parser, path, NULL) || !(root = json_parser_get_root (parser)) ||
          !JSON_NODE_HOLDS_ARRAY (root) || json_array_get_length (json_node_get_array (root)) == 0)
        continue;
      first = json_array_get_element (json_node_get_array (root), 0);
      if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (first));
      if (JSON_NODE_HOLDS_OBJECT (first))
        {
          JsonObject *o = json_node_get_object (first);
          const char *src = json_object_get_string_member_with_default (o, "source",
                              json_object_get_string_member_with_default (o, "text", NULL));

          if (src)
            {
              *target = g_strdup (json_object_get_string_member_with_default (o, "target", NULL));
              return g_strdup (src);
            }
        }
    }
  return g_strdup ("The cat sat on the mat.");
}

static void
maybe_align (LensScoresView *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *example_target = NULL;
  AlignJob *job;
  GWeakRef *ref;

  if (!self->align_stale || !gtk_widget_get_mapped (GTK_WIDGET (self)) || self->translators == NULL ||
      self->translators->len == 0)
    return;
  self->align_stale = FALSE;
  if (self->align_cancellable)
    g_cancellable_cancel (self->align_cancellable);
  g_set_object (&self->align_cancellable, g_cancellable_new ());
  g_object_unref (self->align_cancellable);   /* g_set_object took its own */

  job = g_new0 (AlignJob, 1);
  job->dirs = g_ptr_array_new_with_free_func (g_free);
  job->titles = g_ptr_array_new_with_free_func (g_free);
  if (self->source && *self->source)
    {
      job->source = g_strdup (self->source);
      job->target = self->target && *self->target ? g_strdup (self->target) : NULL;
    }
  else
    job->source = example_source (self, &job->target);
  for (guint i = 0; i < self->translators->len; i++)
    {
      LensTranslator *t = g_ptr_array_index (self->translators, i);

      g_ptr_array_add (job->dirs, g_strdup (t->dir));
      if (t->score)
        g_ptr_array_add (job->titles, g_markup_printf_escaped (_("<b>%s</b> · recurrent, %s"), t->name, t->score));
      else
        g_ptr_array_add (job->titles, g_markup_printf_escaped (_("<b>%s</b> · Transformer"), t->name));
    }
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  task = g_task_new (NULL, self->align_cancellable, align_done, ref);
  g_task_set_task_data (task, job, align_job_free);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, align_thread);
  gtk_widget_queue_draw (self->align_area);
}

void
lens_scores_view_rescan (LensScoresView *self)
{
  g_autofree char *dir = lens_models_dir ();
  g_autofree char *missing = NULL;
  g_autofree char *heading = NULL;

  g_clear_pointer (&self->translators, g_ptr_array_unref);
  self->translators = lens_translators_scan (dir);
  missing = lens_translators_missing (self->translators);
  g_clear_pointer (&self->align_message, g_free);
  if (self->translators->len == 0)
    self->align_message = g_strdup_printf (_("No translators to compare yet. This row shows the built-in recurrent "
                                             "translators, one per score function, beside a Transformer translator, "
                                             "on one sentence pair. Missing from %s: %s."), dir, missing);
  else if (*missing)
    self->align_message = g_strdup_printf (_("Not in %s yet: %s."), dir, missing);
  heading = g_strdup_printf (_("Translators trained with each score function, on one sentence pair (cross-attention, "
                               "mean over layers and heads)"));
  gtk_label_set_text (GTK_LABEL (self->align_heading), heading);
  gtk_label_set_text (GTK_LABEL (self->align_label), self->align_message ? self->align_message : "");
  gtk_widget_set_visible (self->align_label, self->align_message != NULL);
  gtk_widget_set_visible (self->align_area, self->translators->len > 0);
  lens_score_params_clear (&self->params);
  self->align_stale = TRUE;
  maybe_align (self);
  recompute (self);
}

void
lens_scores_view_set_pair (LensScoresView *self, const char *source, const char *target)
{
  if (g_strcmp0 (source, self->source) == 0 && g_strcmp0 (target, self->target) == 0)
    return;
  g_free (self->source);
  g_free (self->target);
  self->source = g_strdup (source);
  self->target = g_strdup (target);
  self->align_stale = TRUE;
  maybe_align (self);
}

/* ---- drawing ---- */

static void
fill_scene (LensScoresView *self, LensScoresScene *sc)
{
  *sc = (LensScoresScene) {
    .n = self->n, .query_label = self->query_label, .labels = (const char *const *) self->labels,
    .hidden = self->hidden, .weights = self->weights,
    .general_from = self->params.general_from, .additive_from = self->params.additive_from,
    .softmax = self->softmax, .sparsemax = self->sparsemax,
    .rows = self->rows, .row_labels = (const char *const *) self->row_labels,
    .local = self->local, .strided = self->strided,
    .local_hidden = self->local_hidden, .strided_hidden = self->strided_hidden,
    .window = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->window_spin)),
    .stride = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->stride_spin)),
  };
}

static void
draw_message (cairo_t *cr, LensHeatmapStyle *style, const char *msg, double width, double height)
{
  style->fg[3] *= 0.7;
  lens_draw_text (cr, style, msg, 0, height / 2 - style->font_size, width, 0.5, FALSE, 1.2);
}

static void
draw_functions (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LensScoresView *self = data;
  LensHeatmapStyle style;
  LensScoresScene sc;

  lens_workbench_style_init (GTK_WIDGET (self), self->options, &style, FALSE);
  if (!self->have)
    {
      draw_message (cr, &style, self->message ? self->message
                    : _("Run a model to compare score functions on one of its heads."), width, height);
      return;
    }
  fill_scene (self, &sc);
  lens_scores_draw_functions (cr, &style, &sc, width, height);
}

static void
draw_norms (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LensScoresView *self = data;
  LensHeatmapStyle style;
  LensScoresScene sc;

  if (!self->have)
    return;
  lens_workbench_style_init (GTK_WIDGET (self), self->options, &style, FALSE);
  fill_scene (self, &sc);
  lens_scores_draw_normalisers (cr, &style, &sc, width, height, NULL, NULL);
}

static void
draw_align_panels (LensScoresView *self, cairo_t *cr, LensHeatmapStyle *style, double width, double height)
{
  g_autofree LensAlignmentPanel *panels = NULL;

  if (self->align == NULL)
    {
      if (self->translators && self->translators->len > 0)
        draw_message (cr, style, _("Running the translators…"), width, height);
      return;
    }
  panels = g_new0 (LensAlignmentPanel, MAX (self->align->len, 1));
  for (guint i = 0; i < self->align->len; i++)
    {
      AlignItem *a = g_ptr_array_index (self->align, i);

      panels[i] = (LensAlignmentPanel) {
        .title_markup = a->title, .error = a->error, .matrix = a->matrix, .rows = a->rows, .cols = a->cols,
        .row_labels = (const char *const *) a->row_labels, .col_labels = (const char *const *) a->col_labels,
      };
    }
  lens_scores_draw_alignments (cr, style, panels, self->align->len, width, height);
}

static void
draw_align (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LensScoresView *self = data;
  LensHeatmapStyle style;

  lens_workbench_style_init (GTK_WIDGET (self), self->options, &style, FALSE);
  draw_align_panels (self, cr, &style, width, height);
}

void
lens_scores_view_draw (LensScoresView *self, cairo_t *cr, double width, double height, gboolean for_export)
{
  LensHeatmapStyle style;
  LensScoresScene sc;
  double h1 = height * 0.36, h2 = height * 0.36;

  lens_workbench_style_init (GTK_WIDGET (self), self->options, &style, for_export);
  if (style.bg[3] > 0)
    {
      cairo_set_source_rgba (cr, style.bg[0], style.bg[1], style.bg[2], style.bg[3]);
      cairo_paint (cr);
    }
  style.bg[3] = 0;
  if (!self->have)
    {
      draw_message (cr, &style, self->message ? self->message : "", width, height);
      return;
    }
  fill_scene (self, &sc);
  lens_scores_draw_functions (cr, &style, &sc, width, h1);
  cairo_save (cr);
  cairo_translate (cr, 0, h1);
  lens_scores_draw_normalisers (cr, &style, &sc, width, h2, NULL, NULL);
  cairo_restore (cr);
  cairo_save (cr);
  cairo_translate (cr, 0, h1 + h2);
  if (self->align_message && (self->translators == NULL || self->translators->len == 0))
    lens_draw_text (cr, &style, self->align_message, style.font_size, style.font_size, width - 2 * style.font_size,
                    0.0, FALSE, 1.0);
  else
    draw_align_panels (self, cr, &style, width, height - h1 - h2);
  cairo_restore (cr);
}

/* ---- accessors ---- */

gboolean
lens_scores_view_has_scores (LensScoresView *self)
{
  return self->have;
}

const LensScoreParams *
lens_scores_view_get_params (LensScoresView *self)
{
  return self->have ? &self->params : NULL;
}

const float *
lens_scores_view_get_sparsemax (LensScoresView *self, int *n)
{
  *n = self->have ? self->n : 0;
  return self->have ? self->sparsemax : NULL;
}

const char *
lens_scores_view_get_alignment_message (LensScoresView *self)
{
  return self->align_message;
}

int
lens_scores_view_get_n_alignments (LensScoresView *self)
{
  return self->align ? (int) self->align->len : 0;
}

gboolean
lens_scores_view_is_busy (LensScoresView *self)
{
  return self->align_cancellable != NULL || self->align_stale;
}

/* ---- selection, options, class ---- */

static void
on_selection_notify (LensSelection *sel, GParamSpec *pspec, LensScoresView *self)
{
  if (g_str_equal (pspec->name, "query"))
    recompute (self);
}

void
lens_scores_view_set_selection (LensScoresView *self, LensSelection *selection)
{
  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection)
    g_signal_connect_object (selection, "notify", G_CALLBACK (on_selection_notify), self, 0);
}

static void
redraw_all (LensScoresView *self)
{
  gtk_widget_queue_draw (self->functions_area);
  gtk_widget_queue_draw (self->norms_area);
  gtk_widget_queue_draw (self->align_area);
}

void
lens_scores_view_set_options (LensScoresView *self, LensViewOptions *options)
{
  if (self->options)
    g_signal_handlers_disconnect_by_data (self->options, self);
  g_set_object (&self->options, options);
  if (options)
    {
      g_signal_connect_object (options, "notify", G_CALLBACK (redraw_all), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (options, "notify::presentation-mode", G_CALLBACK (recompute), self, G_CONNECT_SWAPPED);
    }
}

static void
lens_scores_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lens_scores_view_parent_class)->map (widget);
  maybe_align (LENS_SCORES_VIEW (widget));
}

static void
lens_scores_view_dispose (GObject *object)
{
  LensScoresView *self = LENS_SCORES_VIEW (object);

  if (self->align_cancellable)
    g_cancellable_cancel (self->align_cancellable);
  g_clear_object (&self->align_cancellable);
  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->options)
    g_signal_handlers_disconnect_by_data (self->options, self);
  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->options);
  g_clear_pointer (&self->result, attn_result_unref);
  g_clear_pointer (&self->model, attn_model_unref);
  clear_numbers (self);
  lens_score_params_clear (&self->params);
  g_clear_pointer (&self->translators, g_ptr_array_unref);
  g_clear_pointer (&self->align, g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->align_message, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->target, g_free);
  G_OBJECT_CLASS (lens_scores_view_parent_class)->dispose (object);
}

static void
lens_scores_view_class_init (LensScoresViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_scores_view_dispose;
  widget_class->map = lens_scores_view_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static GtkWidget *
area_new (int height, GtkDrawingAreaDrawFunc func, gpointer data)
{
  GtkWidget *area = gtk_drawing_area_new ();

  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), height);
  gtk_widget_set_hexpand (area, TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), func, data, NULL);
  return area;
}

static GtkWidget *
heading_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 12);
  return label;
}

static void
lens_scores_view_init (LensScoresView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label;

  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_top (bar, 6);
  self->params_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->params_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->params_label), 0);
  gtk_widget_set_hexpand (self->params_label, TRUE);
  gtk_widget_add_css_class (self->params_label, "dim-label");
  gtk_box_append (GTK_BOX (bar), self->params_label);

  label = gtk_label_new_with_mnemonic (_("Local _window"));
  self->window_spin = gtk_spin_button_new_with_range (0, 16, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->window_spin), 2);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), self->window_spin);
  gtk_box_append (GTK_BOX (bar), label);
  gtk_box_append (GTK_BOX (bar), self->window_spin);
  label = gtk_label_new_with_mnemonic (_("_Stride"));
  self->stride_spin = gtk_spin_button_new_with_range (1, 16, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->stride_spin), 3);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), self->stride_spin);
  gtk_widget_set_margin_end (self->stride_spin, 12);
  gtk_box_append (GTK_BOX (bar), label);
  gtk_box_append (GTK_BOX (bar), self->stride_spin);
  g_signal_connect_swapped (self->window_spin, "value-changed", G_CALLBACK (recompute), self);
  g_signal_connect_swapped (self->stride_spin, "value-changed", G_CALLBACK (recompute), self);
  gtk_box_append (GTK_BOX (box), bar);

  self->functions_area = area_new (FUNCTIONS_HEIGHT, draw_functions, self);
  gtk_box_append (GTK_BOX (box), self->functions_area);
  gtk_box_append (GTK_BOX (box), heading_new (_("Normalisers and sparse patterns (the same scores)")));
  self->norms_area = area_new (NORMS_HEIGHT, draw_norms, self);
  gtk_box_append (GTK_BOX (box), self->norms_area);

  self->align_heading = heading_new (NULL);
  gtk_box_append (GTK_BOX (box), self->align_heading);
  self->align_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->align_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->align_label), 0);
  gtk_widget_set_margin_start (self->align_label, 12);
  gtk_widget_set_margin_end (self->align_label, 12);
  gtk_box_append (GTK_BOX (box), self->align_label);
  self->align_area = area_new (ALIGN_HEIGHT, draw_align, self);
  gtk_widget_set_margin_bottom (self->align_area, 12);
  gtk_box_append (GTK_BOX (box), self->align_area);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), box);
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  lens_scores_view_rescan (self);
}
