/* test-checkpoint.c — safetensors files, sharded checkpoints and model folders:
 * every malformed input gives a GError with a checked domain and code whose message
 * names the file or tensor; F16/BF16 storage and shards load to the same model. */
#include "attn-model.h"
#include "attn-error.h"
#include "test-common.h"

#include <string.h>
#include <glib/gstdio.h>

/* --- helpers ---------------------------------------------------------------- */

/* Writes an 8-byte little-endian header length, the header and the data. */
static void
write_raw (const char *path, const char *header, const void *data, gsize data_len)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  guint64 hlen = strlen (header);
  for (int i = 0; i < 8; i++)
    {
      guint8 byte = (hlen >> (8 * i)) & 0xff;
      g_byte_array_append (b, &byte, 1);
    }
  g_byte_array_append (b, (const guint8 *) header, hlen);
  if (data_len > 0)
    g_byte_array_append (b, data, data_len);
  test_write_file (path, b->data, b->len);
}

/* Opens one raw file in a scratch folder and returns the error it gives. */
static GError *
open_raw (const char *header, const void *data, gsize data_len, char **path_out)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bad.safetensors", NULL);
  GError *error = NULL;
  AttnCheckpoint *c;
  write_raw (path, header, data, data_len);
  c = attn_checkpoint_open_file (path, &error);
  g_assert_null (c);
  test_rmdir (dir);
  if (path_out)
    *path_out = g_steal_pointer (&path);
  return error;
}

/* A scratch BERT folder: the fixture's config and tokenizer, and `t` as weights. */
static char *
bert_dir_with (const AttnTensorOut *t, guint n, AttnDType storage)
{
  char *dir = test_tmpdir ();
  test_copy_fixture_files ("bert", dir, "config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", NULL);
  if (t != NULL)
    test_write_tensors (dir, t, n, storage);
  return dir;
}

static AttnModel *
load_ok (const char *dir)
{
  g_autoptr(GError) error = NULL;
  AttnModel *m = attn_model_load (dir, &error);
  g_assert_no_error (error);
  return m;
}

static GError *
load_fails (const char *dir)
{
  GError *error = NULL;
  AttnModel *m = attn_model_load (dir, &error);
  g_assert_null (m);
  g_assert_nonnull (error);
  return error;
}

static AttnResult *
run_text (AttnModel *m, const char *text)
{
  g_autoptr(GError) error = NULL;
  AttnInput in = { 0 };
  AttnResult *r;
  in.text = text;
  r = attn_model_run (m, &in, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return r;
}

static const char *sample = "The animal didn't cross the street because it was too tired.";

/* --- single files ------------------------------------------------------------ */

static void
test_short_file (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "short.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = g_build_filename (dir, "gone.safetensors", NULL);
  test_write_file (path, "\x10\0\0\0\0", 5);
  g_assert_null (attn_checkpoint_open_file (path, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "short.safetensors", "5 bytes", NULL);
  g_clear_error (&error);
  /* an empty file, and no file at all */
  test_write_file (path, "", 0);
  g_assert_null (attn_checkpoint_open_file (path, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "short.safetensors", "0 bytes", NULL);
  g_clear_error (&error);
  g_assert_null (attn_checkpoint_open_file (gone, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_IO, "gone.safetensors", NULL);
  test_rmdir (dir);
}

static void
test_header_too_long (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "long.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  /* claims a 4096-byte header in a 20-byte file */
  test_write_file (path, "\x00\x10\0\0\0\0\0\0{\"a\":1}     ", 20);
  g_assert_null (attn_checkpoint_open_file (path, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "long.safetensors", "header length", NULL);
  test_rmdir (dir);
}

static void
test_header_not_json (void)
{
  g_autoptr(GError) error = open_raw ("{\"w\": {\"dtype\": \"F32\",", NULL, 0, NULL);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "not valid JSON", NULL);
}

static void
test_header_not_object (void)
{
  g_autoptr(GError) error = open_raw ("[1, 2, 3]", NULL, 0, NULL);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "not a JSON object", NULL);
}

static void
test_unknown_dtype (void)
{
  static const char *dtypes[] = { "F8_E4M3", "Q4" };
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    {
      g_autofree char *header = g_strdup_printf ("{\"w.weight\":{\"dtype\":\"%s\",\"shape\":[2],\"data_offsets\":[0,2]}}",
                                                 dtypes[i]);
      g_autoptr(GError) error = open_raw (header, "\1\2", 2, NULL);
      test_assert_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, "bad.safetensors", "w.weight", dtypes[i], NULL);
    }
}

static void
test_bad_shapes (void)
{
  static const char *headers[] = {
    /* a negative dimension */
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,8]}}",
    /* a dimension that is not an integer */
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2,\"3\"],\"data_offsets\":[0,8]}}",
    /* dimensions whose product overflows 64 bits */
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
    /* more than ATTN_MAX_DIMS dimensions */
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}",
    /* one offset */
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
    /* no dtype */
    "{\"w.weight\":{\"shape\":[2],\"data_offsets\":[0,8]}}",
    /* an entry that is not an object */
    "{\"w.weight\":[1,2]}",
  };
  float data[2] = { 1, 2 };
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr(GError) error = open_raw (headers[i], data, sizeof data, NULL);
      test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "w.weight", NULL);
    }
}

static void
test_bad_offsets (void)
{
  static const char *headers[] = {
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",    /* past the end */
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",     /* end before begin */
    "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}",    /* negative */
  };
  float data[2] = { 1, 2 };
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr(GError) error = open_raw (headers[i], data, sizeof data, NULL);
      test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "w.weight", "outside the file", NULL);
    }
}

static void
test_size_mismatch (void)
{
  float data[6] = { 0 };
  /* shape [2, 3] of F32 needs 24 bytes; the offsets give 20 (and 4 spare bytes) */
  g_autoptr(GError) error = open_raw ("{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}",
                                      data, sizeof data, NULL);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "w.weight", "20 bytes", "24", NULL);
}

static void
test_truncated (void)
{
  g_autofree char *src = test_fixture ("bert", "model.safetensors", NULL);
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnCheckpoint) whole = NULL;
  gsize len;

  g_file_get_contents (src, &data, &len, NULL);
  g_assert_nonnull (data);
  /* the whole copy opens; cut 100 bytes and it must not */
  test_write_file (path, data, len);
  whole = attn_checkpoint_open_file (path, &error);
  g_assert_no_error (error);
  test_write_file (path, data, len - 100);
  g_assert_null (attn_checkpoint_open_file (path, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "model.safetensors", "truncated", NULL);
  g_clear_error (&error);
  /* and the model folder reports it too */
  test_copy_fixture_files ("bert", dir, "config.json", NULL);
  g_assert_null (attn_model_load (dir, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "model.safetensors", "truncated", NULL);
  test_rmdir (dir);
}

/* JSON objects cannot hold a name twice, but a header can be written with one; json-glib
 * keeps the last entry. The loader must not silently accept the file: the first entry's
 * bytes are then claimed by no tensor, which the tiling check reports. */
static void
test_duplicate_names (void)
{
  float data[4] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = open_raw ("{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                      "\"w.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                                      data, sizeof data, NULL);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "w.weight", "twice", NULL);
}

static void
test_overlap_and_trailing (void)
{
  float data[4] = { 1, 2, 3, 4 };
  g_autoptr(GError) overlap = open_raw ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                        "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]}}",
                                        data, sizeof data, NULL);
  g_autoptr(GError) trailing = open_raw ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                                         data, sizeof data, NULL);
  test_assert_error (overlap, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "overlaps", NULL);
  test_assert_error (trailing, ATTN_ERROR, ATTN_ERROR_FORMAT, "bad.safetensors", "8 bytes after", NULL);
}

static void
test_good_raw_file (void)
{
  /* integer and floating dtypes, metadata, a zero-size tensor: all read back */
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "ok.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnCheckpoint) c = NULL;
  guint8 data[8 + 8 + 2];
  gint32 iv[2] = { -7, 9 };
  guint16 h = GUINT16_TO_LE (0x3c00);   /* 1.0 in F16 */
  float f[2] = { 0.5f, -2.0f };
  gint64 shape2[1] = { 2 }, shape1[1] = { 1 }, shape0[1] = { 0 };
  g_autofree float *fr = NULL, *hr = NULL, *er = NULL;
  g_autofree gint64 *ir = NULL;
  guint n;
  memcpy (data, f, 8);
  memcpy (data + 8, iv, 8);
  memcpy (data + 16, &h, 2);
  write_raw (path, "{\"__metadata__\":{\"format\":\"pt\"},"
                   "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                   "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                   "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,16]},"
                   "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[16,18]}}", data, sizeof data);
  c = attn_checkpoint_open_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attn_checkpoint_n_tensors (c), ==, 4);
  {
    /* names come back sorted */
    const char **names = attn_checkpoint_names (c, &n);
    g_assert_cmpuint (n, ==, 4);
    g_assert_cmpstr (names[0], ==, "e");
    g_assert_cmpstr (names[1], ==, "f");
    g_assert_cmpstr (names[2], ==, "h");
    g_assert_cmpstr (names[3], ==, "i");
  }
  fr = attn_checkpoint_read_f32 (c, "f", 1, shape2, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fr[1], ==, -2.0f);
  ir = attn_checkpoint_read_i64 (c, "i", 1, shape2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ir[0], ==, -7);
  hr = attn_checkpoint_read_f32 (c, "h", 1, shape1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (hr[0], ==, 1.0f);
  er = attn_checkpoint_read_f32 (c, "e", 1, shape0, &error);
  g_assert_no_error (error);
  /* wrong dtype for the reader, wrong shape, absent */
  g_assert_null (attn_checkpoint_read_f32 (c, "i", 1, shape2, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, "“i”", "I32", NULL);
  g_clear_error (&error);
  g_assert_null (attn_checkpoint_read_i64 (c, "f", 1, shape2, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, "“f”", "F32", NULL);
  g_clear_error (&error);
  g_assert_null (attn_checkpoint_read_f32 (c, "f", 1, shape1, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, "ok.safetensors", "“f”", "[2]", "[1]", NULL);
  g_clear_error (&error);
  g_assert_null (attn_checkpoint_read_f32 (c, "nope", 1, shape1, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, "ok.safetensors", "nope", NULL);
  test_rmdir (dir);
}

/* --- model folders: tensors ----------------------------------------------------- */

static void
test_missing_tensor (void)
{
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("bert", &n);
  const char *gone = "bert.encoder.layer.1.attention.self.key.weight";
  guint at = test_tensor_index (t, n, gone);
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  AttnTensorOut keep = t[at];
  /* drop it by moving the last entry into its place */
  t[at] = t[n - 1];
  dir = bert_dir_with (t, n - 1, ATTN_DTYPE_F32);
  t[n - 1] = keep;
  error = load_fails (dir);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, "model.safetensors", gone, NULL);
  test_rmdir (dir);
  test_tensors_free (t, n);
}

static void
test_wrong_shape (void)
{
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("bert", &n);
  const char *name = "bert.encoder.layer.0.intermediate.dense.weight";
  guint at = test_tensor_index (t, n, name);
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  gint64 tmp = t[at].shape[0];
  t[at].shape[0] = t[at].shape[1];   /* [64, 32] → [32, 64] */
  t[at].shape[1] = tmp;
  dir = bert_dir_with (t, n, ATTN_DTYPE_F32);
  error = load_fails (dir);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, "model.safetensors", name, "[32, 64]", "[64, 32]", NULL);
  test_rmdir (dir);
  test_tensors_free (t, n);
}

static guint16
to_bf16 (float f)
{
  guint32 x;
  memcpy (&x, &f, 4);
  return (guint16) ((x + 0x7fff + ((x >> 16) & 1)) >> 16);   /* round to nearest even */
}

/* attn_safetensors_write stores F32 and F16; BF16 is written here by hand. */
static void
write_bf16 (const char *dir, const AttnTensorOut *t, guint n)
{
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(GString) header = g_string_new ("{");
  g_autoptr(GByteArray) data = g_byte_array_new ();
  for (guint i = 0; i < n; i++)
    {
      gint64 numel = 1;
      g_string_append_printf (header, "%s\"%s\":{\"dtype\":\"BF16\",\"shape\":[", i ? "," : "", t[i].name);
      for (int d = 0; d < t[i].ndim; d++)
        {
          g_string_append_printf (header, "%s%" G_GINT64_FORMAT, d ? "," : "", t[i].shape[d]);
          numel *= t[i].shape[d];
        }
      g_string_append_printf (header, "],\"data_offsets\":[%u,%" G_GINT64_FORMAT "]}", data->len, data->len + 2 * numel);
      for (gint64 j = 0; j < numel; j++)
        {
          guint16 h = GUINT16_TO_LE (to_bf16 (t[i].data[j]));
          g_byte_array_append (data, (const guint8 *) &h, 2);
        }
    }
  g_string_append_c (header, '}');
  write_raw (path, header->str, data->data, data->len);
}

static void
test_half_storage (void)
{
  g_autofree char *ref_dir = test_fixture ("bert", NULL);
  g_autoptr(AttnModel) ref = load_ok (ref_dir);
  g_autoptr(AttnResult) want = run_text (ref, sample);
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("bert", &n);
  for (int pass = 0; pass < 2; pass++)
    {
      g_autofree char *dir = bert_dir_with (pass == 0 ? t : NULL, n, ATTN_DTYPE_F16);
      g_autoptr(AttnModel) m = NULL;
      g_autoptr(AttnResult) got = NULL;
      g_autoptr(AttnCheckpoint) c = NULL;
      g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
      const AttnWeights *a = want->attention[ATTN_KIND_SELF];
      const char *what = pass == 0 ? "F16" : "BF16";
      if (pass == 1)
        write_bf16 (dir, t, n);
      c = attn_checkpoint_open_file (path, NULL);
      g_assert_nonnull (c);
      g_assert_cmpint (attn_checkpoint_find (c, t[0].name)->dtype, ==, pass == 0 ? ATTN_DTYPE_F16 : ATTN_DTYPE_BF16);
      m = load_ok (dir);
      got = run_text (m, sample);
      g_assert_cmpint (got->logits_cols, ==, want->logits_cols);
      /* F16 keeps 11 significant bits and BF16 8: the tiny model moves by far less than 1e-2 */
      test_assert_close (what, got->logits, want->logits, want->logits_cols, 1e-2);
      test_assert_close (what, got->attention[ATTN_KIND_SELF]->data, a->data,
                         (gsize) a->layers * a->heads * a->queries * a->keys, 1e-2);
      test_rmdir (dir);
    }
  test_tensors_free (t, n);
}

/* --- sharded checkpoints ------------------------------------------------------ */

static char *
write_shards (const AttnTensorOut *t, guint n, const char *missing_shard)
{
  char *dir = bert_dir_with (NULL, 0, ATTN_DTYPE_F32);
  g_autofree char *p1 = g_build_filename (dir, "model-00001-of-00002.safetensors", NULL);
  g_autofree char *p2 = g_build_filename (dir, "model-00002-of-00002.safetensors", NULL);
  g_autofree char *ip = g_build_filename (dir, "model.safetensors.index.json", NULL);
  g_autoptr(JsonObject) index = json_object_new ();
  g_autoptr(JsonObject) meta = json_object_new ();
  JsonObject *map = json_object_new ();
  g_autoptr(GError) error = NULL;
  guint half = n / 2;
  attn_safetensors_write (p1, t, half, ATTN_DTYPE_F32, NULL, &error);
  g_assert_no_error (error);
  attn_safetensors_write (p2, t + half, n - half, ATTN_DTYPE_F32, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    json_object_set_string_member (map, t[i].name, i < half ? "model-00001-of-00002.safetensors"
                                                   : missing_shard ? missing_shard : "model-00002-of-00002.safetensors");
  json_object_set_int_member (meta, "total_size", 0);
  json_object_set_object_member (index, "metadata", json_object_ref (meta));
  json_object_set_object_member (index, "weight_map", map);
  test_write_json (ip, index);
  return dir;
}

static void
test_sharded (void)
{
  g_autofree char *ref_dir = test_fixture ("bert", NULL);
  g_autoptr(AttnModel) ref = load_ok (ref_dir);
  g_autoptr(AttnResult) want = run_text (ref, sample);
  g_autoptr(AttnModel) m = NULL;
  g_autoptr(AttnResult) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnCheckpoint) c = NULL;
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("bert", &n);
  g_autofree char *dir = write_shards (t, n, NULL);
  const AttnWeights *a = want->attention[ATTN_KIND_SELF];

  c = attn_checkpoint_open_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attn_checkpoint_n_tensors (c), ==, n);
  m = load_ok (dir);
  g_assert_cmpint (attn_model_get_n_params (m), ==, attn_model_get_n_params (ref));
  got = run_text (m, sample);
  /* the same bytes, so exactly the same numbers */
  test_assert_close ("sharded logits", got->logits, want->logits, want->logits_cols, 0);
  test_assert_close ("sharded attention", got->attention[ATTN_KIND_SELF]->data, a->data,
                     (gsize) a->layers * a->heads * a->queries * a->keys, 0);
  test_rmdir (dir);
  test_tensors_free (t, n);
}

static void
test_shard_missing (void)
{
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("bert", &n);
  g_autofree char *dir = write_shards (t, n, "model-00003-of-00003.safetensors");
  g_autoptr(GError) error = load_fails (dir);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, "model.safetensors.index.json",
                     "model-00003-of-00003.safetensors", NULL);
  test_rmdir (dir);
  test_tensors_free (t, n);
}

static void
test_index_problems (void)
{
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("bert", &n);
  g_autofree char *dir = write_shards (t, n, NULL);
  g_autofree char *ip = g_build_filename (dir, "model.safetensors.index.json", NULL);
  g_autoptr(JsonObject) index = json_object_new ();
  JsonObject *map = json_object_new ();
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

  /* not JSON */
  test_write_file (ip, "{\"weight_map\": ", 15);
  e1 = load_fails (dir);
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_FORMAT, "model.safetensors.index.json", NULL);
  /* no weight_map */
  test_write_file (ip, "{\"metadata\": {}}", 16);
  e2 = load_fails (dir);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_FORMAT, "model.safetensors.index.json", "weight_map", NULL);
  /* a tensor whose shard does not hold it */
  json_object_set_string_member (map, "bert.ghost.weight", "model-00001-of-00002.safetensors");
  json_object_set_object_member (index, "weight_map", map);
  test_write_json (ip, index);
  e3 = load_fails (dir);
  test_assert_error (e3, ATTN_ERROR, ATTN_ERROR_MISSING, "bert.ghost.weight", NULL);
  /* a shard outside the folder */
  json_object_set_string_member (map, "bert.ghost.weight", "../model.safetensors");
  test_write_json (ip, index);
  e4 = load_fails (dir);
  test_assert_error (e4, ATTN_ERROR, ATTN_ERROR_FORMAT, "bert.ghost.weight", "not a file name", NULL);
  test_rmdir (dir);
  test_tensors_free (t, n);
}

/* --- model folders: config.json and the folder itself ------------------------- */

static GError *
load_with_config (const char *fixture, JsonObject *cfg, const char *raw)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  GError *error;
  test_copy_fixture_files (fixture, dir, "model.safetensors", NULL);
  if (cfg != NULL)
    test_write_json (path, cfg);
  else
    test_write_file (path, raw, strlen (raw));
  error = load_fails (dir);
  test_rmdir (dir);
  return error;
}

static void
test_config_not_json (void)
{
  g_autoptr(GError) e1 = load_with_config ("bert", NULL, "{\"model_type\": \"bert\",");
  g_autoptr(GError) e2 = load_with_config ("bert", NULL, "[\"bert\"]");
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_FORMAT, "config.json", "not valid JSON", NULL);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_FORMAT, "config.json", "object", NULL);
}

static void
test_config_model_type (void)
{
  g_autoptr(JsonObject) cfg = test_fixture_config ("bert");
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
  json_object_remove_member (cfg, "model_type");
  e1 = load_with_config ("bert", cfg, NULL);
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_CONFIG, "config.json", "model_type", NULL);
  json_object_set_string_member (cfg, "model_type", "llama");
  e2 = load_with_config ("bert", cfg, NULL);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, "config.json", "llama", NULL);
  json_object_set_int_member (cfg, "model_type", 7);
  e3 = load_with_config ("bert", cfg, NULL);
  test_assert_error (e3, ATTN_ERROR, ATTN_ERROR_CONFIG, "config.json", "model_type", NULL);
}

typedef struct {
  const char *fixture, *key;
  gint64      value;
  int         code;
  const char *word;
} BadConfig;

static void
test_config_impossible (void)
{
  static const BadConfig cases[] = {
    { "bert", "hidden_size", 30, ATTN_ERROR_CONFIG, "multiple" },          /* 4 heads */
    { "bert", "num_hidden_layers", -1, ATTN_ERROR_CONFIG, "num_hidden_layers" },
    { "bert", "vocab_size", 0, ATTN_ERROR_CONFIG, "vocab_size" },
    { "bert", "num_attention_heads", 0, ATTN_ERROR_CONFIG, "num_attention_heads" },
    { "bert", "max_position_embeddings", -5, ATTN_ERROR_CONFIG, "max_position_embeddings" },
    { "gpt2", "n_head", 5, ATTN_ERROR_CONFIG, "multiple" },
    { "gpt2", "n_layer", 0, ATTN_ERROR_CONFIG, "n_layer" },
    { "marian", "encoder_attention_heads", 3, ATTN_ERROR_CONFIG, "multiple" },
    { "marian", "decoder_start_token_id", 497, ATTN_ERROR_CONFIG, "decoder_start_token_id" },
    { "whisper", "num_mel_bins", 7, ATTN_ERROR_UNSUPPORTED, "mel" },
    /* shorter windows are whole seconds (multiples of 50 positions) up to 30 s */
    { "whisper", "max_source_positions", 1010, ATTN_ERROR_UNSUPPORTED, "multiple of 50" },
    { "whisper", "max_source_positions", 1550, ATTN_ERROR_UNSUPPORTED, "1500" },
    { "whisper", "eos_token_id", 120, ATTN_ERROR_CONFIG, "eos_token_id" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) cfg = test_fixture_config (cases[i].fixture);
      g_autoptr(GError) error = NULL;
      g_test_message ("%s: %s = %" G_GINT64_FORMAT, cases[i].fixture, cases[i].key, cases[i].value);
      json_object_set_int_member (cfg, cases[i].key, cases[i].value);
      error = load_with_config (cases[i].fixture, cfg, NULL);
      test_assert_error (error, ATTN_ERROR, cases[i].code, "config.json", cases[i].word, NULL);
    }
}

static void
test_config_wrong_types (void)
{
  g_autoptr(JsonObject) cfg = test_fixture_config ("bert");
  g_autoptr(GError) e1 = NULL, e2 = NULL;
  json_object_set_string_member (cfg, "hidden_size", "32");
  e1 = load_with_config ("bert", cfg, NULL);
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_CONFIG, "config.json", "hidden_size", "integer", NULL);
  json_object_set_int_member (cfg, "hidden_size", 32);
  json_object_remove_member (cfg, "num_attention_heads");
  e2 = load_with_config ("bert", cfg, NULL);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_CONFIG, "config.json", "num_attention_heads", NULL);
}

/* generation_config.json's decoding defaults (Hugging Face's keys) must be usable: a
 * folder with another "length_penalty" or "num_beams" is refused when it is loaded, not
 * when a beam search would use them. */
static void
test_generation_defaults (void)
{
  static const char *const bad[] = {
    "\"length_penalty\": 0", "\"length_penalty\": -1", "\"length_penalty\": 7.5",
    "\"length_penalty\": \"long\"", "\"length_penalty\": null",
    "\"num_beams\": 0", "\"num_beams\": 65", "\"num_beams\": 2.5", "\"num_beams\": \"4\"",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *dir = test_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "generation_config.json", NULL);
      g_autofree char *text = g_strdup_printf ("{\"max_length\": 20, %s}", bad[i]);
      g_autoptr(GError) error = NULL;
      g_test_message ("%s", bad[i]);
      test_copy_fixture_files ("marian", dir, "config.json", "model.safetensors", "source.spm",
                               "target.spm", "tokenizer_config.json", "vocab.json", NULL);
      test_write_file (path, text, strlen (text));
      error = load_fails (dir);
      test_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "generation_config.json",
                         i < 5 ? "length_penalty" : "num_beams", NULL);
      test_rmdir (dir);
    }
}

static void
test_folder_missing (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *gone = g_build_filename (dir, "no-such-model", NULL);
  g_autofree char *file = g_build_filename (dir, "config.json", NULL);
  g_autoptr(GError) e1 = load_fails (gone);
  g_autoptr(GError) e2 = NULL, e3 = NULL;
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_MISSING, "no-such-model", NULL);
  /* an empty folder: no config.json */
  e2 = load_fails (dir);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_MISSING, "config.json", NULL);
  /* a file, not a folder */
  test_copy_fixture_files ("bert", dir, "config.json", NULL);
  e3 = load_fails (file);
  test_assert_error (e3, ATTN_ERROR, ATTN_ERROR_MISSING, "config.json", NULL);
  test_rmdir (dir);
}

static void
test_folder_without_weights (void)
{
  g_autofree char *dir = bert_dir_with (NULL, 0, ATTN_DTYPE_F32);
  g_autoptr(GError) error = load_fails (dir);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, "safetensors", NULL);
  g_assert_true (strstr (error->message, dir) != NULL);
  test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/checkpoint/file/short", test_short_file);
  g_test_add_func ("/checkpoint/file/header-too-long", test_header_too_long);
  g_test_add_func ("/checkpoint/file/header-not-json", test_header_not_json);
  g_test_add_func ("/checkpoint/file/header-not-object", test_header_not_object);
  g_test_add_func ("/checkpoint/file/unknown-dtype", test_unknown_dtype);
  g_test_add_func ("/checkpoint/file/bad-shapes", test_bad_shapes);
  g_test_add_func ("/checkpoint/file/bad-offsets", test_bad_offsets);
  g_test_add_func ("/checkpoint/file/size-mismatch", test_size_mismatch);
  g_test_add_func ("/checkpoint/file/truncated", test_truncated);
  g_test_add_func ("/checkpoint/file/duplicate-names", test_duplicate_names);
  g_test_add_func ("/checkpoint/file/overlap-and-trailing", test_overlap_and_trailing);
  g_test_add_func ("/checkpoint/file/good", test_good_raw_file);
  g_test_add_func ("/checkpoint/model/missing-tensor", test_missing_tensor);
  g_test_add_func ("/checkpoint/model/wrong-shape", test_wrong_shape);
  g_test_add_func ("/checkpoint/model/half-storage", test_half_storage);
  g_test_add_func ("/checkpoint/shards/equal", test_sharded);
  g_test_add_func ("/checkpoint/shards/missing", test_shard_missing);
  g_test_add_func ("/checkpoint/shards/index", test_index_problems);
  g_test_add_func ("/checkpoint/config/not-json", test_config_not_json);
  g_test_add_func ("/checkpoint/config/model-type", test_config_model_type);
  g_test_add_func ("/checkpoint/config/impossible", test_config_impossible);
  g_test_add_func ("/checkpoint/config/wrong-types", test_config_wrong_types);
  g_test_add_func ("/checkpoint/config/generation-defaults", test_generation_defaults);
  g_test_add_func ("/checkpoint/folder/missing", test_folder_missing);
  g_test_add_func ("/checkpoint/folder/no-weights", test_folder_without_weights);
  return g_test_run ();
}
