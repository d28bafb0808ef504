/* lens-view.h — the base of the attention views.
 *
 * A view reads one immutable AttnResult (it holds a reference), follows the
 * window's LensSelection and LensViewOptions, and draws itself with pure cairo
 * code that export shares: draw() gets the cairo_t of a widget snapshot or of
 * a PNG/SVG/PDF surface alike. */
#pragma once

#include <gtk/gtk.h>

#include "attn-result.h"
#include "lens-heatmap.h"
#include "lens-selection.h"
#include "lens-view-options.h"

G_BEGIN_DECLS

/* The rows and columns a view shows for one attention kind: all tokens, or
 * all but the special ones. Labels are ready to draw. */
typedef struct {
  const AttnWeights *weights;
  int                n_rows, n_cols;
  int               *rows, *cols;          /* indices into queries and keys */
  char             **row_labels, **col_labels;
  gboolean           identity;             /* nothing hidden */
} LensMatrixSource;

#define LENS_TYPE_VIEW (lens_view_get_type ())
G_DECLARE_DERIVABLE_TYPE (LensView, lens_view, LENS, VIEW, GtkWidget)

struct _LensViewClass
{
  GtkWidgetClass parent_class;

  /* draws the whole view in width × height */
  void (*draw)              (LensView *self, cairo_t *cr, const LensHeatmapStyle *style,
                             double width, double height);
  /* result, kind, colours or hidden tokens changed: drop cached drawings */
  void (*invalidate)        (LensView *self);
  /* a selection property changed (the view is redrawn afterwards) */
  void (*selection_changed) (LensView *self, const char *property);
};

void                    lens_view_set_result     (LensView *self, AttnResult *result);
AttnResult             *lens_view_get_result     (LensView *self);
void                    lens_view_set_selection  (LensView *self, LensSelection *selection);
LensSelection          *lens_view_get_selection  (LensView *self);
void                    lens_view_set_options    (LensView *self, LensViewOptions *options);
LensViewOptions        *lens_view_get_options    (LensView *self);

/* The current kind's rows and columns, or NULL without a result or that kind. */
const LensMatrixSource *lens_view_get_source     (LensView *self);
/* One head of the current kind, hidden tokens left out; owned by the view. */
const float            *lens_view_get_head       (LensView *self, int layer, int head);

void                    lens_view_init_style     (LensView *self, LensHeatmapStyle *style, gboolean for_export);
/* For export: draws the view as it is now on any cairo_t, on a white background. */
void                    lens_view_draw_export    (LensView *self, cairo_t *cr, double width, double height);
void                    lens_view_invalidate     (LensView *self);

/* Helpers shared by views and export. */
const AttnTokenSeq     *lens_result_query_tokens (const AttnResult *result, AttnKind kind);
const AttnTokenSeq     *lens_result_key_tokens   (const AttnResult *result, AttnKind kind);
char                   *lens_token_label         (const AttnTokenSeq *seq, guint i);
/* A token's readable text as a label: line breaks as ↵, tabs as ⇥, the surrounding
 * spaces trimmed, a token of spaces only as ␣. */
char                   *lens_token_text_label    (const char *display);
const char             *lens_kind_title          (AttnKind kind);

G_END_DECLS
