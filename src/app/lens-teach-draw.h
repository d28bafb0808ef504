/* lens-teach-draw.h — small pure drawing pieces the teaching workbench shares:
 * Pango markup lines (formulas), hatched "masked" boxes, vectors as coloured strips,
 * labelled bars, and numbers as a teacher writes them (−0.42, not -0.42). */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "lens-heatmap.h"

G_BEGIN_DECLS

/* Draws Pango markup at (x, y) (top-left), at style->font_size × scale; returns its height.
 * max_width > 0 wraps. */
double   lens_draw_markup      (cairo_t *cr, const LensHeatmapStyle *style, const char *markup,
                                double x, double y, double max_width, double scale);

/* Diagonal hatching in the mask colour, with a frame: what "−∞ / masked" looks like. */
void     lens_draw_hatch       (cairo_t *cr, const LensHeatmapStyle *style,
                                double x, double y, double w, double h);

/* Blue (negative) – white (0) – red (positive) for v in [−range, range]. */
void     lens_diverging_rgb    (double v, double range, double *r, double *g, double *b);

/* A vector of n numbers as n cells in [x, x + w] × [y, y + h]; hover_dim ≥ 0 is outlined. */
void     lens_draw_strip       (cairo_t *cr, const LensHeatmapStyle *style, const float *x, int n,
                                double range, double sx, double sy, double w, double h, int hover_dim);

/* The largest |x| over n numbers (never 0). */
double   lens_abs_max          (const float *x, gsize n);

/* "0.42", "−1.30", "−∞": digits after the point, a real minus sign. */
void     lens_format_number    (char *buf, gsize len, double v, int digits);

/* The first `count` numbers of x, "0.12  −0.53  1.02 …". */
char    *lens_format_head      (const float *x, int n, int count);

/* A loss curve: losses [n] at steps [n], x from 0 to total_steps, y on a log scale,
 * with a markup title above it. */
void     lens_draw_loss_curve  (cairo_t *cr, const LensHeatmapStyle *style, const char *title,
                                const double *steps, const double *losses, int n, double total_steps,
                                double x, double y, double w, double h);

G_END_DECLS
