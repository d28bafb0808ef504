/* lens-beam-draw.h — pure drawing of a beam search: the candidates kept at each
 * step as a tree (steps left to right, best first), the winning path marked. */
#pragma once

#include "attn-result.h"
#include "lens-heatmap.h"

G_BEGIN_DECLS

/* Marks in `winner` (beam->len entries) the candidates on the path that produced
 * `generated` (n tokens). Returns how many are marked: n when the path is found. */
int     lens_beam_winning_path (const GArray *beam, const gint32 *generated, int n, gboolean *winner);

/* The size the tree needs. */
void    lens_beam_size         (const GArray *beam, const LensHeatmapStyle *style, double *width, double *height);

/* labels: one per entry (the token's text). */
void    lens_beam_draw         (cairo_t *cr, const LensHeatmapStyle *style, const GArray *beam,
                                const char *const *labels, const gboolean *winner);

G_END_DECLS
