/* test-util.h — helpers for the engine tests: fixture paths, JSON files and a
 * minimal safetensors reader (independent of the engine's own). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* $ATTN_FIXTURES/<parts…>, NULL-terminated list of path components. */
char     *test_fixture_path (const char *first, ...) G_GNUC_NULL_TERMINATED;
/* Parses a JSON file; fails the test if it cannot. */
JsonNode *test_read_json    (const char *path);
/* Reads an I64 tensor from a safetensors file. Returns NULL (and a message
 * in *why) if the file or tensor is missing or malformed. */
gint64   *test_read_i64     (const char *path, const char *name, gsize *n, char **why);

G_END_DECLS
