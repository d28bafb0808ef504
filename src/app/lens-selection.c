/* lens-selection.c — the one selection that every view observes. */
#include "lens-selection.h"

struct _LensSelection
{
  GObject  parent_instance;
  int      layer;
  int      head;
  int      query;
  int      step;
  AttnKind kind;
};

G_DEFINE_FINAL_TYPE (LensSelection, lens_selection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LAYER,
  PROP_HEAD,
  PROP_QUERY,
  PROP_STEP,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lens_selection_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LensSelection *self = LENS_SELECTION (object);

  switch (prop_id)
    {
    case PROP_LAYER: g_value_set_int (value, self->layer); break;
    case PROP_HEAD:  g_value_set_int (value, self->head); break;
    case PROP_QUERY: g_value_set_int (value, self->query); break;
    case PROP_STEP:  g_value_set_int (value, self->step); break;
    case PROP_KIND:  g_value_set_int (value, self->kind); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_selection_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LensSelection *self = LENS_SELECTION (object);

  switch (prop_id)
    {
    case PROP_LAYER: lens_selection_set_layer (self, g_value_get_int (value)); break;
    case PROP_HEAD:  lens_selection_set_head (self, g_value_get_int (value)); break;
    case PROP_QUERY: lens_selection_set_query (self, g_value_get_int (value)); break;
    case PROP_STEP:  lens_selection_set_step (self, g_value_get_int (value)); break;
    case PROP_KIND:  lens_selection_set_kind (self, g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_selection_class_init (LensSelectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lens_selection_get_property;
  object_class->set_property = lens_selection_set_property;

  properties[PROP_LAYER] = g_param_spec_int ("layer", NULL, NULL, 0, G_MAXINT, 0,
                                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEAD] = g_param_spec_int ("head", NULL, NULL, 0, G_MAXINT, 0,
                                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUERY] = g_param_spec_int ("query", NULL, NULL, -1, G_MAXINT, -1,
                                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEP] = g_param_spec_int ("step", NULL, NULL, -1, G_MAXINT, -1,
                                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] = g_param_spec_int ("kind", NULL, NULL, 0, ATTN_N_KINDS - 1, ATTN_KIND_SELF,
                                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lens_selection_init (LensSelection *self)
{
  self->query = -1;
  self->step = -1;
  self->kind = ATTN_KIND_SELF;
}

LensSelection *
lens_selection_new (void)
{
  return g_object_new (LENS_TYPE_SELECTION, NULL);
}

#define GETTER_SETTER(name, type, field, PROP, min)                 \
  type                                                              \
  lens_selection_get_##name (LensSelection *self)                   \
  {                                                                 \
    g_return_val_if_fail (LENS_IS_SELECTION (self), 0);             \
    return self->field;                                             \
  }                                                                 \
  void                                                              \
  lens_selection_set_##name (LensSelection *self, type value)       \
  {                                                                 \
    g_return_if_fail (LENS_IS_SELECTION (self));                    \
    value = MAX (value, min);                                       \
    if (self->field == value)                                       \
      return;                                                       \
    self->field = value;                                            \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);   \
  }

GETTER_SETTER (layer, int, layer, PROP_LAYER, 0)
GETTER_SETTER (head, int, head, PROP_HEAD, 0)
GETTER_SETTER (query, int, query, PROP_QUERY, -1)
GETTER_SETTER (step, int, step, PROP_STEP, -1)
GETTER_SETTER (kind, AttnKind, kind, PROP_KIND, (AttnKind) 0)

#undef GETTER_SETTER

void
lens_selection_clamp (LensSelection *self, const AttnResult *result)
{
  const AttnWeights *w;

  g_return_if_fail (LENS_IS_SELECTION (self));

  if (result == NULL)
    return;

  if ((guint) self->kind >= ATTN_N_KINDS || result->attention[self->kind] == NULL)
    {
      /* the main stack first: self, then encoder, cross, decoder */
      static const AttnKind order[] = { ATTN_KIND_SELF, ATTN_KIND_ENCODER, ATTN_KIND_CROSS, ATTN_KIND_DECODER };

      for (guint i = 0; i < G_N_ELEMENTS (order); i++)
        if (result->attention[order[i]] != NULL)
          {
            lens_selection_set_kind (self, order[i]);
            break;
          }
    }

  w = (guint) self->kind < ATTN_N_KINDS ? result->attention[self->kind] : NULL;
  if (w == NULL)
    return;
  if (self->layer >= w->layers)
    lens_selection_set_layer (self, w->layers - 1);
  if (self->head >= w->heads)
    lens_selection_set_head (self, w->heads - 1);
  if (self->query >= w->queries)
    lens_selection_set_query (self, -1);
  if (self->step >= (int) MAX (result->generated.len, result->target.len))
    lens_selection_set_step (self, -1);
}
