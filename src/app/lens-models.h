/* lens-models.h — where the built-in models are and what each one is. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LENS_MODEL_GROUP_TEXT,
  LENS_MODEL_GROUP_SPEECH,
  LENS_MODEL_GROUP_TRANSLATION,
  LENS_MODEL_GROUP_TEACHING,
  LENS_N_MODEL_GROUPS
} LensModelGroup;

typedef struct {
  char           *dir;
  char           *name;
  LensModelGroup  group;
} LensModelInfo;

const char *lens_model_group_title   (LensModelGroup group);
/* Reads config.json's model_type (cheap: the model is not loaded). */
gboolean    lens_model_group_for_dir (const char *dir, LensModelGroup *group);

/* <datadir>/attention-lens of the installed program: beside the executable
 * when it was moved or staged with DESTDIR, else the configured one. */
char       *lens_data_dir            (void);
/* The .mo files: the build tree's po/ when running uninstalled, else the
 * installed locale folder (found as lens_data_dir() is). */
char       *lens_locale_dir          (void);
/* $ATTN_MODELS_DIR, else the installed models, else models/ in the source tree. */
char       *lens_models_dir          (void);
/* The folders under dir that hold a config.json, sorted by name: LensModelInfo. */
GPtrArray  *lens_models_scan         (const char *dir);
/* The model to load at start when none was asked for: the first built-in
 * text model, or tests/fixtures/bert when running from the build tree. */
char       *lens_models_default      (void);
gboolean    lens_running_uninstalled (void);

G_END_DECLS
