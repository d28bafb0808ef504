/* test-common.h — helpers shared by the engine tests: fixtures, reference tensors
 * and comparisons that print their largest difference. */
#pragma once

#include "attn-safetensors.h"
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The path of a file under tests/fixtures (ATTN_FIXTURES). */
char       *test_fixture      (const char *first, ...) G_GNUC_NULL_TERMINATED;
/* Opens tests/fixtures/NAME/reference.safetensors (fails the test when absent). */
AttnCheckpoint *test_reference (const char *name);
/* tests/fixtures/NAME/reference.json */
JsonObject *test_reference_json (const char *name);

/* A reference tensor as float32 / int32, with its element count. */
float      *test_ref_f32      (AttnCheckpoint *ref, const char *name, gsize *n);
gint32     *test_ref_ids      (AttnCheckpoint *ref, const char *name, gsize *n);
gboolean    test_ref_has      (AttnCheckpoint *ref, const char *name);

/* Largest absolute difference; prints it with `what`, fails past tol. */
double      test_assert_close (const char *what, const float *got, const float *want, gsize n, double tol);
/* Compares id sequences, printing the first mismatch. */
void        test_assert_ids   (const char *what, const gint32 *got, gsize n_got, const gint32 *want, gsize n_want);

G_END_DECLS
