/* lens-selection.h — what every view looks at: layer, head, query, decoder step, kind. */
#pragma once

#include <glib-object.h>

#include "attn-result.h"

G_BEGIN_DECLS

#define LENS_TYPE_SELECTION (lens_selection_get_type ())
G_DECLARE_FINAL_TYPE (LensSelection, lens_selection, LENS, SELECTION, GObject)

LensSelection *lens_selection_new       (void);
int            lens_selection_get_layer (LensSelection *self);
void           lens_selection_set_layer (LensSelection *self, int layer);
int            lens_selection_get_head  (LensSelection *self);
void           lens_selection_set_head  (LensSelection *self, int head);
int            lens_selection_get_query (LensSelection *self);   /* -1: none */
void           lens_selection_set_query (LensSelection *self, int query);
int            lens_selection_get_step  (LensSelection *self);   /* -1: none */
void           lens_selection_set_step  (LensSelection *self, int step);
AttnKind       lens_selection_get_kind  (LensSelection *self);
void           lens_selection_set_kind  (LensSelection *self, AttnKind kind);

/* Keeps layer and head inside a result's shape for the current kind, and the
 * kind among those the result has. */
void           lens_selection_clamp     (LensSelection *self, const AttnResult *result);

G_END_DECLS
