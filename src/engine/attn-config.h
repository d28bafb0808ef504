/* attn-config.h — reading config.json values with checks. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Parses a JSON file whose root must be an object; the error names the file. */
JsonObject *attn_config_load_file (const char *path, GError **error);

/* Looks up the first present key among a NULL-terminated list of names (config
 * files name the same thing differently: "hidden_size", "d_model", "n_embd"). */
gboolean    attn_config_int    (JsonObject *cfg, const char *file, gint64 *out, gint64 min, gint64 max,
                                GError **error, const char *name, ...) G_GNUC_NULL_TERMINATED;
gint64      attn_config_int_or (JsonObject *cfg, const char *name, gint64 fallback);
double      attn_config_double_or (JsonObject *cfg, const char *name, double fallback);
gboolean    attn_config_bool_or   (JsonObject *cfg, const char *name, gboolean fallback);
const char *attn_config_string_or (JsonObject *cfg, const char *name, const char *fallback);

G_END_DECLS
