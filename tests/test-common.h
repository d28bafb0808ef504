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

/* --- scratch model folders ------------------------------------------------ */

/* A new empty temporary folder; test_rmdir removes it and the files in it. */
char       *test_tmpdir       (void);
void        test_rmdir        (const char *dir);
void        test_write_file   (const char *path, const void *data, gsize len);
/* Copies files (NULL-terminated names) from tests/fixtures/FIXTURE into dir. */
void        test_copy_fixture_files (const char *fixture, const char *dir, ...) G_GNUC_NULL_TERMINATED;
/* config.json of a fixture, as a new object to edit; test_write_json writes one. */
JsonObject *test_fixture_config (const char *fixture);
void        test_write_json   (const char *path, JsonObject *obj);

/* The tensors of tests/fixtures/FIXTURE/model.safetensors as float32, sorted by name,
 * ready for attn_safetensors_write. Names and data are owned: free with test_tensors_free. */
AttnTensorOut *test_fixture_tensors (const char *fixture, guint *n);
void        test_tensors_free (AttnTensorOut *t, guint n);
/* The index of a tensor by name (fails the test when absent). */
guint       test_tensor_index (const AttnTensorOut *t, guint n, const char *name);
/* Writes tensors with attn_safetensors_write (F32 or F16) into dir/model.safetensors. */
void        test_write_tensors (const char *dir, const AttnTensorOut *t, guint n, AttnDType storage);

/* Asserts an error in `domain`/`code` whose message contains every NULL-terminated
 * word given, and prints the message. */
void        test_assert_error (const GError *error, GQuark domain, int code, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
