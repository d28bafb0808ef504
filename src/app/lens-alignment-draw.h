/* lens-alignment-draw.h — pure drawing of a sentence pair's alignment.
 *
 * The figure has two parts: the source × target cross-attention as a heatmap
 * (rows: the decoder's input tokens, columns: the source tokens) and, below it,
 * the hard word alignment as links between the source words (top) and the
 * target words (bottom). Gold links, when given, are drawn under the links:
 * sure ones as a solid outline, possible ones dashed, so that hits and misses
 * show. The same code draws the widget, the exported figures and the pixel tests. */
#pragma once

#include "attn-analysis.h"
#include "lens-heatmap.h"

G_BEGIN_DECLS

typedef struct {
  /* token-level cross-attention [rows, cols] */
  const float        *matrix;
  int                 rows, cols;
  const char *const  *row_labels;     /* target (decoder input) tokens */
  const char *const  *col_labels;     /* source tokens */
  int                 highlight_row;  /* the decoder step's row, -1: none */
  /* words and links */
  const char *const  *src_words;
  int                 n_src;
  const char *const  *tgt_words;
  int                 n_tgt;
  const GArray       *links;          /* AttnLink, the extracted alignment */
  const GArray       *sure;           /* AttnLink gold, or NULL */
  const GArray       *possible;       /* AttnLink gold, includes sure, or NULL */
  int                 selected_tgt;   /* target word of the decoder step, -1: none */
  gboolean            straight;       /* straight links instead of curves */
  const char         *title;
  const char         *subtitle;       /* scores against the gold, or a hint */
} LensAlignmentFigure;

/* Where the words are, for hit tests and pixel tests. */
typedef struct {
  double  heat_x, heat_y, heat_w, heat_h;   /* the heatmap's box */
  double  src_y, tgt_y;                     /* where links start and end */
  double  words_top, words_bottom;          /* the link diagram's box */
  double  slot_src, slot_tgt;               /* width per word */
  double  x0;                               /* left edge of the word rows */
} LensAlignmentLayout;

/* Colours of links: a hit is a link the gold has (sure or possible), a miss one
 * it lacks; without gold every link is drawn as a hit. */
extern const double lens_alignment_hit_rgb[3];
extern const double lens_alignment_miss_rgb[3];

void     lens_alignment_layout      (const LensAlignmentFigure *fig, const LensHeatmapStyle *style,
                                     double width, double height, LensAlignmentLayout *layout);
double   lens_alignment_src_x       (const LensAlignmentLayout *layout, int word);
double   lens_alignment_tgt_x       (const LensAlignmentLayout *layout, int word);
gboolean lens_alignment_has_link    (const GArray *links, int src, int tgt);

void     lens_alignment_draw        (cairo_t *cr, const LensHeatmapStyle *style,
                                     const LensAlignmentFigure *fig, double width, double height,
                                     LensAlignmentLayout *layout);

/* The target word under (x, y) in the link diagram, or -1. */
int      lens_alignment_hit_target  (const LensAlignmentLayout *layout, int n_tgt, double x, double y);

G_END_DECLS
