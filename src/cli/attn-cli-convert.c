/* attn-cli-convert.c — `attn-cli convert`: a copy of a model folder with its weights
 * stored as float16 (or float32), for shipping small built-in models.
 *
 *   attn-cli convert MODEL_DIR [MORE_DIRS…] --out DIR [--dtype f16|f32]
 *
 * Given several folders (checkpoints of one run, saved at different steps), the copy's
 * weights are their element-wise mean ("checkpoint averaging"): every folder must hold
 * the same tensors with the same shapes; the other files come from the first.
 * Every floating tensor is rewritten in the chosen storage (integer tensors are not
 * expected in the models the engine loads and are refused); the other files of the
 * folder are copied, except the optimizer state, which only resuming needs; the
 * training state's paths (corpus, "init", "tokenizer") are rewritten to name the same
 * files from the copy's folder. The copy is loaded once before the command reports
 * success. */
#include "attn-cli-common.h"
#include "attn-model.h"
#include "attn-safetensors.h"
#include "attn-trainer.h"

#include <gio/gio.h>
#include <errno.h>
#include <string.h>

/* The tensor `t` of the first checkpoint: its values, or the mean of its values in every
 * checkpoint of ckpts (which must all have it, with the same shape). */
static float *
read_mean (GPtrArray *ckpts, char **dirs, const AttnTensorInfo *t, GError **error)
{
  gsize n = 1;
  float *sum, *v;

  for (int d = 0; d < t->ndim; d++)
    n *= (gsize) t->shape[d];
  sum = attn_checkpoint_read_f32 (g_ptr_array_index (ckpts, 0), t->name, t->ndim, t->shape, error);
  for (guint c = 1; sum != NULL && c < ckpts->len; c++)
    {
      AttnCheckpoint *other = g_ptr_array_index (ckpts, c);
      const AttnTensorInfo *o = attn_checkpoint_find (other, t->name);
      if (o == NULL || o->ndim != t->ndim || memcmp (o->shape, t->shape, sizeof (gint64) * t->ndim) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s %s “%s” %s %s; averaged checkpoints must come from one model",
                       dirs[c], o == NULL ? "has no tensor" : "has another shape for", t->name,
                       o == NULL ? "as" : "than", dirs[0]);
          g_clear_pointer (&sum, g_free);
          break;
        }
      if ((v = attn_checkpoint_read_f32 (other, t->name, t->ndim, t->shape, error)) == NULL)
        {
          g_clear_pointer (&sum, g_free);
          break;
        }
      for (gsize i = 0; i < n; i++)
        sum[i] += v[i];
      g_free (v);
    }
  for (gsize i = 0; sum != NULL && ckpts->len > 1 && i < n; i++)
    sum[i] /= (float) ckpts->len;
  return sum;
}

static gboolean
write_weights (GPtrArray *ckpts, char **dirs, const char *path, AttnDType storage,
               GError **error)
{
  AttnCheckpoint *ckpt = g_ptr_array_index (ckpts, 0);
  guint n;
  const char **names = attn_checkpoint_names (ckpt, &n);
  g_autofree AttnTensorOut *out = g_new0 (AttnTensorOut, n);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (meta, (gpointer) "format", (gpointer) "pt");
  for (guint i = 0; i < n; i++)
    {
      const AttnTensorInfo *t = attn_checkpoint_find (ckpt, names[i]);
      float *v;
      if (t->dtype != ATTN_DTYPE_F32 && t->dtype != ATTN_DTYPE_F16 &&
          t->dtype != ATTN_DTYPE_BF16 && t->dtype != ATTN_DTYPE_F64)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "%s: tensor “%s” is %s; only floating tensors can be converted",
                       t->file, t->name, attn_dtype_name (t->dtype));
          return FALSE;
        }
      v = read_mean (ckpts, dirs, t, error);
      if (v == NULL)
        return FALSE;
      g_ptr_array_add (buffers, v);
      out[i].name = t->name;
      out[i].ndim = t->ndim;
      memcpy (out[i].shape, t->shape, sizeof (gint64) * t->ndim);
      out[i].data = v;
    }
  return attn_safetensors_write (path, out, n, storage, meta, error);
}

static gboolean
copy_other_files (const char *from, const char *to, GError **error)
{
  g_autofree char *state = g_build_filename (from, "trainer_state.json", NULL);
  static const char *const skip[] = {
    "model.safetensors", "model.safetensors.index.json", "optimizer.safetensors",
    "trainer_state.json", NULL
  };
  g_autoptr(GDir) dir = g_dir_open (from, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      g_autoptr(GFile) fs = g_file_new_for_path (src);
      g_autoptr(GFile) fd = g_file_new_for_path (dst);
      if (g_strv_contains (skip, name) || g_str_has_suffix (name, ".safetensors") ||
          !g_file_test (src, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!g_file_copy (fs, fd, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
        return FALSE;
    }
  return !g_file_test (state, G_FILE_TEST_IS_REGULAR) || attn_trainer_state_copy (from, to, error);
}

int
attn_cli_convert (int argc, char **argv)
{
  g_autofree char *out = NULL, *dtype = NULL;
  GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Folder to write the copy to (created)", "DIR" },
    { "dtype", 0, 0, G_OPTION_ARG_STRING, &dtype, "Weight storage: f16 (default) or f32", "TYPE" },
    { NULL }
  };
  g_autoptr(GOptionContext) octx =
    g_option_context_new ("MODEL_DIR [MORE_DIRS…] — copy a model with float16 weights (the mean "
                          "of several checkpoints of one run, given more folders)");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ckpts = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_checkpoint_free);
  g_autoptr(AttnModel) check = NULL;
  g_autofree char *weights = NULL, *out_real = NULL;
  AttnDType storage = ATTN_DTYPE_F16;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (argc < 2 || out == NULL)
    {
      attn_cli_fail ("convert needs MODEL_DIR and --out DIR (see attn-cli convert --help)");
      return 2;
    }
  if (dtype != NULL && g_str_equal (dtype, "f32"))
    storage = ATTN_DTYPE_F32;
  else if (dtype != NULL && !g_str_equal (dtype, "f16"))
    {
      attn_cli_fail ("--dtype must be f16 or f32, not “%s”", dtype);
      return 2;
    }
  out_real = g_canonicalize_filename (out, NULL);
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *in_real = g_canonicalize_filename (argv[i], NULL);
      AttnCheckpoint *ckpt;
      if (g_str_equal (in_real, out_real))
        {
          attn_cli_fail ("--out must be another folder than %s", argv[i]);
          return 2;
        }
      if ((ckpt = attn_checkpoint_open_dir (argv[i], &error)) == NULL)
        {
          attn_cli_fail ("%s", error->message);
          return 1;
        }
      g_ptr_array_add (ckpts, ckpt);
    }
  weights = g_build_filename (out, "model.safetensors", NULL);
  if (g_mkdir_with_parents (out, 0755) != 0 ||
      !copy_other_files (argv[1], out, &error) ||
      !write_weights (ckpts, argv + 1, weights, storage, &error) ||
      (check = attn_model_load (out, &error)) == NULL)
    {
      attn_cli_fail ("%s", error ? error->message : g_strerror (errno));
      return 1;
    }
  return 0;
}
