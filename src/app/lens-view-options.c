/* lens-view-options.c — drawing options shared by all views. */
#include "lens-view-options.h"

struct _LensViewOptions
{
  GObject      parent_instance;
  LensColormap colormap;
  LensScale    scale;
  gboolean     hide_special;
  gboolean     presentation;
};

G_DEFINE_FINAL_TYPE (LensViewOptions, lens_view_options, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_COLOUR_MAP,
  PROP_SCALE,
  PROP_HIDE_SPECIAL_TOKENS,
  PROP_PRESENTATION_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lens_view_options_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LensViewOptions *self = LENS_VIEW_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_COLOUR_MAP:          g_value_set_string (value, lens_colormap_to_string (self->colormap)); break;
    case PROP_SCALE:               g_value_set_string (value, lens_scale_to_string (self->scale)); break;
    case PROP_HIDE_SPECIAL_TOKENS: g_value_set_boolean (value, self->hide_special); break;
    case PROP_PRESENTATION_MODE:   g_value_set_boolean (value, self->presentation); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_view_options_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LensViewOptions *self = LENS_VIEW_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_COLOUR_MAP:
      {
        LensColormap map = lens_colormap_from_string (g_value_get_string (value));
        if (map != self->colormap)
          {
            self->colormap = map;
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_SCALE:
      {
        LensScale scale = lens_scale_from_string (g_value_get_string (value));
        if (scale != self->scale)
          {
            self->scale = scale;
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_HIDE_SPECIAL_TOKENS:
      if (self->hide_special != g_value_get_boolean (value))
        {
          self->hide_special = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_PRESENTATION_MODE:
      if (self->presentation != g_value_get_boolean (value))
        {
          self->presentation = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_view_options_class_init (LensViewOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = lens_view_options_get_property;
  object_class->set_property = lens_view_options_set_property;

  properties[PROP_COLOUR_MAP] = g_param_spec_string ("colour-map", NULL, NULL, "viridis", flags);
  properties[PROP_SCALE] = g_param_spec_string ("scale", NULL, NULL, "linear", flags);
  properties[PROP_HIDE_SPECIAL_TOKENS] = g_param_spec_boolean ("hide-special-tokens", NULL, NULL, FALSE, flags);
  properties[PROP_PRESENTATION_MODE] = g_param_spec_boolean ("presentation-mode", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lens_view_options_init (LensViewOptions *self)
{
}

LensViewOptions *
lens_view_options_new (void)
{
  return g_object_new (LENS_TYPE_VIEW_OPTIONS, NULL);
}

LensColormap
lens_view_options_get_colormap (LensViewOptions *self)
{
  return self->colormap;
}

LensScale
lens_view_options_get_scale (LensViewOptions *self)
{
  return self->scale;
}

gboolean
lens_view_options_get_hide_special (LensViewOptions *self)
{
  return self->hide_special;
}

gboolean
lens_view_options_get_presentation_mode (LensViewOptions *self)
{
  return self->presentation;
}
