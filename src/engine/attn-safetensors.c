/* attn-safetensors.c — memory-mapped safetensors files and sharded checkpoints.
 *
 * Format: 8-byte little-endian header length N, N bytes of JSON
 * {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
 * then the data; offsets are relative to byte 8 + N. */
#include "attn-safetensors.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define MAX_HEADER_BYTES (100u * 1024 * 1024)

typedef struct {
  char         *path;
  GMappedFile  *map;
} StFile;

struct _AttnCheckpoint {
  GPtrArray   *files;     /* StFile* */
  GHashTable  *tensors;   /* name -> AttnTensorInfo* (owned) */
  const char **sorted;    /* names, sorted, lazily */
};

static const struct { const char *name; AttnDType dtype; gsize size; } dtypes[] = {
  { "F32", ATTN_DTYPE_F32, 4 }, { "F16", ATTN_DTYPE_F16, 2 }, { "BF16", ATTN_DTYPE_BF16, 2 },
  { "F64", ATTN_DTYPE_F64, 8 }, { "I64", ATTN_DTYPE_I64, 8 }, { "I32", ATTN_DTYPE_I32, 4 },
  { "I16", ATTN_DTYPE_I16, 2 }, { "I8", ATTN_DTYPE_I8, 1 }, { "U8", ATTN_DTYPE_U8, 1 },
  { "BOOL", ATTN_DTYPE_BOOL, 1 },
};

gsize
attn_dtype_size (AttnDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].size;
  return 0;
}

const char *
attn_dtype_name (AttnDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].name;
  return "?";
}

static gboolean
dtype_from_name (const char *name, AttnDType *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (g_strcmp0 (dtypes[i].name, name) == 0)
      {
        *out = dtypes[i].dtype;
        return TRUE;
      }
  return FALSE;
}

static void
tensor_info_free (gpointer p)
{
  AttnTensorInfo *t = p;
  g_free ((char *) t->name);
  g_free (t);
}

static void
st_file_free (gpointer p)
{
  StFile *f = p;
  g_clear_pointer (&f->map, g_mapped_file_unref);
  g_free (f->path);
  g_free (f);
}

static AttnCheckpoint *
checkpoint_new (void)
{
  AttnCheckpoint *c = g_new0 (AttnCheckpoint, 1);
  c->files = g_ptr_array_new_with_free_func (st_file_free);
  c->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, tensor_info_free);
  return c;
}

void
attn_checkpoint_free (AttnCheckpoint *ckpt)
{
  if (ckpt == NULL)
    return;
  g_hash_table_unref (ckpt->tensors);
  g_ptr_array_unref (ckpt->files);
  g_free (ckpt->sorted);
  g_free (ckpt);
}

static gboolean
json_int (JsonNode *node, gint64 *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

/* Parses one entry of the header and adds it to ckpt. */
static gboolean
add_tensor (AttnCheckpoint *ckpt, StFile *file, const char *name, JsonNode *node,
            const guint8 *data, gsize data_size, GError **error)
{
  const char *base = file->path;
  JsonObject *obj;
  JsonNode *dn, *sn, *on;
  JsonArray *shape, *offsets;
  AttnTensorInfo *t;
  AttnDType dtype;
  gint64 begin, end, numel = 1;
  guint ndim;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  obj = json_node_get_object (node);
  dn = json_object_get_member (obj, "dtype");
  sn = json_object_get_member (obj, "shape");
  on = json_object_get_member (obj, "data_offsets");
  if (dn == NULL || !JSON_NODE_HOLDS_VALUE (dn) || json_node_get_value_type (dn) != G_TYPE_STRING ||
      sn == NULL || !JSON_NODE_HOLDS_ARRAY (sn) || on == NULL || !JSON_NODE_HOLDS_ARRAY (on))
    goto bad;
  if (!dtype_from_name (json_node_get_string (dn), &dtype))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED,
                   _("%s: tensor “%s” has unknown dtype “%s”"), base, name, json_node_get_string (dn));
      return FALSE;
    }
  shape = json_node_get_array (sn);
  offsets = json_node_get_array (on);
  ndim = json_array_get_length (shape);
  if (ndim > ATTN_MAX_DIMS || json_array_get_length (offsets) != 2)
    goto bad;
  t = g_new0 (AttnTensorInfo, 1);
  for (guint i = 0; i < ndim; i++)
    {
      gint64 d;
      if (!json_int (json_array_get_element (shape, i), &d) || d < 0 || (d > 0 && numel > G_MAXINT64 / 16 / d))
        {
          g_free (t);
          goto bad;
        }
      t->shape[i] = d;
      numel *= d;
    }
  if (!json_int (json_array_get_element (offsets, 0), &begin) ||
      !json_int (json_array_get_element (offsets, 1), &end) ||
      begin < 0 || end < begin || (guint64) end > data_size)
    {
      g_free (t);
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: tensor “%s” has data offsets outside the file (the file is truncated or its header is wrong)"),
                   base, name);
      return FALSE;
    }
  if ((guint64) (end - begin) != (guint64) numel * attn_dtype_size (dtype))
    {
      g_free (t);
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: tensor “%s” holds %" PRId64 " bytes but its shape and dtype need %" PRId64),
                   base, name, end - begin, numel * (gint64) attn_dtype_size (dtype));
      return FALSE;
    }
  if (g_hash_table_contains (ckpt->tensors, name))
    {
      g_free (t);
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: tensor “%s” appears twice"), base, name);
      return FALSE;
    }
  t->name = g_strdup (name);
  t->dtype = dtype;
  t->ndim = ndim;
  t->numel = numel;
  t->data = data + begin;
  t->nbytes = end - begin;
  t->file = file->path;
  g_hash_table_insert (ckpt->tensors, (char *) t->name, t);
  return TRUE;

bad:
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
               _("%s: the header entry of tensor “%s” is malformed (needs dtype, shape and two data offsets)"),
               base, name);
  return FALSE;
}

static int
cmp_by_offset (gconstpointer a, gconstpointer b)
{
  const AttnTensorInfo *x = *(AttnTensorInfo *const *) a, *y = *(AttnTensorInfo *const *) b;
  if (x->data != y->data)
    return x->data < y->data ? -1 : 1;
  return x->nbytes < y->nbytes ? -1 : x->nbytes > y->nbytes;
}

/* As the reference implementation requires, the tensors of one file must tile its
 * data area exactly: no overlaps, no gaps, nothing after the last. This also
 * catches a name repeated in the header — JSON parsers keep only one of the
 * entries (json-glib the last), which leaves the other's bytes unclaimed. */
static gboolean
check_tiling (AttnCheckpoint *ckpt, StFile *file, gsize data_size, GError **error)
{
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;
  const guint8 *base = NULL;
  gsize pos = 0;

  g_hash_table_iter_init (&it, ckpt->tensors);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (((AttnTensorInfo *) v)->file == file->path)
      g_ptr_array_add (mine, v);
  g_ptr_array_sort (mine, cmp_by_offset);
  base = (const guint8 *) g_mapped_file_get_contents (file->map) + (g_mapped_file_get_length (file->map) - data_size);
  for (guint i = 0; i < mine->len; i++)
    {
      const AttnTensorInfo *t = mine->pdata[i];
      gsize begin = t->data - base;
      if (begin != pos)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       begin < pos ? _("%s: the data of tensor “%s” overlaps another tensor's")
                                   : _("%s: the bytes before tensor “%s” belong to no tensor "
                                       "(is a tensor named twice in the header?)"),
                       file->path, t->name);
          return FALSE;
        }
      pos = begin + t->nbytes;
    }
  if (pos != data_size)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: %zu bytes after the last tensor belong to no tensor "
                   "(is a tensor named twice in the header?)"), file->path, data_size - pos);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_file (AttnCheckpoint *ckpt, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GMappedFile *map;
  StFile *file;
  const guint8 *bytes;
  gsize size, data_size;
  guint64 hlen = 0;
  JsonNode *root;
  JsonObject *obj;
  GList *members;

  map = g_mapped_file_new (path, FALSE, &local);
  if (map == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("Cannot open %s: %s"), path, local->message);
      return FALSE;
    }
  file = g_new0 (StFile, 1);
  file->path = g_strdup (path);
  file->map = map;
  g_ptr_array_add (ckpt->files, file);

  bytes = (const guint8 *) g_mapped_file_get_contents (map);
  size = g_mapped_file_get_length (map);
  if (size < 8)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s is not a safetensors file: it is only %zu bytes long"), path, size);
      return FALSE;
    }
  for (int i = 7; i >= 0; i--)
    hlen = (hlen << 8) | bytes[i];
  if (hlen < 2 || hlen > MAX_HEADER_BYTES || hlen > size - 8)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: the header length (%" PRIu64 " bytes) does not fit the file (%zu bytes); "
                   "the file is truncated or not a safetensors file"), path, hlen, size);
      return FALSE;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) bytes + 8, (gssize) hlen, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: the header is not valid JSON: %s"), path, local->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: the header is not a JSON object"), path);
      return FALSE;
    }
  obj = json_node_get_object (root);
  data_size = size - 8 - hlen;
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      if (g_str_equal (name, "__metadata__"))
        continue;
      if (!add_tensor (ckpt, file, name, json_object_get_member (obj, name),
                       bytes + 8 + hlen, data_size, error))
        {
          g_list_free (members);
          return FALSE;
        }
    }
  g_list_free (members);
  return check_tiling (ckpt, file, data_size, error);
}

AttnCheckpoint *
attn_checkpoint_open_file (const char *path, GError **error)
{
  AttnCheckpoint *c = checkpoint_new ();
  if (!load_file (c, path, error))
    {
      attn_checkpoint_free (c);
      return NULL;
    }
  return c;
}

AttnCheckpoint *
attn_checkpoint_open_dir (const char *dir, GError **error)
{
  g_autofree char *single = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *index = g_build_filename (dir, "model.safetensors.index.json", NULL);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GHashTable) shards = NULL;
  JsonNode *root, *wm;
  AttnCheckpoint *c;
  GList *members;

  if (g_file_test (single, G_FILE_TEST_EXISTS))
    return attn_checkpoint_open_file (single, error);
  if (!g_file_test (index, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING,
                   _("%s has no model.safetensors (nor model.safetensors.index.json); "
                   "PyTorch .bin checkpoints are not supported — save the model with safetensors"), dir);
      return NULL;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, index, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s is not valid JSON: %s"), index, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  wm = (root && JSON_NODE_HOLDS_OBJECT (root)) ? json_object_get_member (json_node_get_object (root), "weight_map") : NULL;
  if (wm == NULL || !JSON_NODE_HOLDS_OBJECT (wm))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s has no “weight_map” object"), index);
      return NULL;
    }
  c = checkpoint_new ();
  shards = g_hash_table_new (g_str_hash, g_str_equal);
  members = json_object_get_members (json_node_get_object (wm));
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *v = json_object_get_member (json_node_get_object (wm), l->data);
      const char *shard;
      if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING ||
          strchr (json_node_get_string (v), '/') != NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: the shard of “%s” is not a file name"), index, (char *) l->data);
          g_list_free (members);
          attn_checkpoint_free (c);
          return NULL;
        }
      shard = json_node_get_string (v);
      if (!g_hash_table_contains (shards, shard))
        {
          g_autofree char *path = g_build_filename (dir, shard, NULL);
          g_hash_table_add (shards, (char *) shard);
          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            {
              /* a missing shard is a missing file, not an unreadable one */
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s names shard %s (for “%s”), but %s does not exist"),
                           index, shard, (char *) l->data, path);
              g_list_free (members);
              attn_checkpoint_free (c);
              return NULL;
            }
          if (!load_file (c, path, error))
            {
              g_list_free (members);
              attn_checkpoint_free (c);
              return NULL;
            }
        }
    }
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_hash_table_contains (c->tensors, l->data))
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s names tensor “%s”, but its shard does not hold it"),
                     index, (char *) l->data);
        g_list_free (members);
        attn_checkpoint_free (c);
        return NULL;
      }
  g_list_free (members);
  return c;
}

const AttnTensorInfo *
attn_checkpoint_find (AttnCheckpoint *ckpt, const char *name)
{
  return g_hash_table_lookup (ckpt->tensors, name);
}

guint
attn_checkpoint_n_tensors (AttnCheckpoint *ckpt)
{
  return g_hash_table_size (ckpt->tensors);
}

/* g_qsort_with_data passes pointers to the elements, here to `char *`s */
static int
cmp_name_ptrs (gconstpointer a, gconstpointer b, gpointer data)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

const char **
attn_checkpoint_names (AttnCheckpoint *ckpt, guint *n)
{
  if (ckpt->sorted == NULL)
    {
      ckpt->sorted = (const char **) g_hash_table_get_keys_as_array (ckpt->tensors, NULL);
      g_qsort_with_data (ckpt->sorted, g_hash_table_size (ckpt->tensors), sizeof (char *),
                         cmp_name_ptrs, NULL);
    }
  if (n)
    *n = g_hash_table_size (ckpt->tensors);
  return ckpt->sorted;
}

static float
half_to_float (guint16 h)
{
  guint32 sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = ldexpf ((float) mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexpf ((float) (mant | 0x400), (int) exp - 25);
  return sign ? -v : v;
}

static guint16
float_to_half (float f)
{
  guint32 x;
  guint32 sign, mant;
  int exp;
  memcpy (&x, &f, 4);
  sign = (x >> 16) & 0x8000;
  exp = ((x >> 23) & 0xff) - 127 + 15;
  mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff)
    return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31)
    return sign | 0x7c00;
  if (exp <= 0)
    {
      guint32 m, shift, half;
      if (exp < -10)
        return sign;
      m = mant | 0x800000;
      shift = 14 - exp;
      half = 1u << (shift - 1);
      m = (m + half - 1 + ((m >> shift) & 1)) >> shift;
      return sign | m;
    }
  mant = mant + 0xfff + ((mant >> 13) & 1);
  if (mant & 0x800000)
    {
      mant = 0;
      exp++;
      if (exp >= 31)
        return sign | 0x7c00;
    }
  return sign | (exp << 10) | (mant >> 13);
}

void
attn_convert_to_f32 (AttnDType dtype, const guint8 *src, float *dst, gsize n)
{
  switch (dtype)
    {
    case ATTN_DTYPE_F32:
      memcpy (dst, src, n * 4);
      break;
    case ATTN_DTYPE_F16:
      for (gsize i = 0; i < n; i++)
        {
          guint16 h;
          memcpy (&h, src + 2 * i, 2);
          dst[i] = half_to_float (GUINT16_FROM_LE (h));
        }
      break;
    case ATTN_DTYPE_BF16:
      for (gsize i = 0; i < n; i++)
        {
          guint16 h;
          guint32 x;
          memcpy (&h, src + 2 * i, 2);
          x = (guint32) GUINT16_FROM_LE (h) << 16;
          memcpy (dst + i, &x, 4);
        }
      break;
    case ATTN_DTYPE_F64:
      for (gsize i = 0; i < n; i++)
        {
          double d;
          memcpy (&d, src + 8 * i, 8);
          dst[i] = (float) d;
        }
      break;
    default:
      g_return_if_reached ();
    }
}

static const AttnTensorInfo *
check_tensor (AttnCheckpoint *ckpt, const char *name, int ndim, const gint64 *shape, GError **error)
{
  const AttnTensorInfo *t = attn_checkpoint_find (ckpt, name);
  gboolean ok;
  if (t == NULL)
    {
      const char *file = ckpt->files->len ? ((StFile *) ckpt->files->pdata[0])->path : "checkpoint";
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s has no tensor “%s”"), file, name);
      return NULL;
    }
  ok = t->ndim == ndim;
  for (int i = 0; ok && i < ndim; i++)
    ok = t->shape[i] == shape[i];
  if (!ok)
    {
      g_autoptr(GString) want = g_string_new ("[");
      g_autoptr(GString) have = g_string_new ("[");
      for (int i = 0; i < ndim; i++)
        g_string_append_printf (want, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
      for (int i = 0; i < t->ndim; i++)
        g_string_append_printf (have, "%s%" G_GINT64_FORMAT, i ? ", " : "", t->shape[i]);
      g_string_append_c (want, ']');
      g_string_append_c (have, ']');
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, _("%s: tensor “%s” has shape %s, but config.json implies %s"),
                   t->file, name, have->str, want->str);
      return NULL;
    }
  return t;
}

float *
attn_checkpoint_read_f32 (AttnCheckpoint *ckpt, const char *name, int ndim, const gint64 *shape, GError **error)
{
  const AttnTensorInfo *t = check_tensor (ckpt, name, ndim, shape, error);
  float *out;
  if (t == NULL)
    return NULL;
  if (t->dtype != ATTN_DTYPE_F32 && t->dtype != ATTN_DTYPE_F16 && t->dtype != ATTN_DTYPE_BF16 && t->dtype != ATTN_DTYPE_F64)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, _("%s: tensor “%s” is %s, but a floating-point tensor is needed"),
                   t->file, name, attn_dtype_name (t->dtype));
      return NULL;
    }
  out = g_try_new (float, MAX (t->numel, 1));
  if (out == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("Not enough memory for tensor “%s”"), name);
      return NULL;
    }
  attn_convert_to_f32 (t->dtype, t->data, out, t->numel);
  return out;
}

gint64 *
attn_checkpoint_read_i64 (AttnCheckpoint *ckpt, const char *name, int ndim, const gint64 *shape, GError **error)
{
  const AttnTensorInfo *t = check_tensor (ckpt, name, ndim, shape, error);
  gint64 *out;
  if (t == NULL)
    return NULL;
  out = g_new (gint64, MAX (t->numel, 1));
  for (gint64 i = 0; i < t->numel; i++)
    {
      const guint8 *p = t->data + i * attn_dtype_size (t->dtype);
      switch (t->dtype)
        {
        case ATTN_DTYPE_I64: { gint64 v; memcpy (&v, p, 8); out[i] = v; break; }
        case ATTN_DTYPE_I32: { gint32 v; memcpy (&v, p, 4); out[i] = v; break; }
        case ATTN_DTYPE_I16: { gint16 v; memcpy (&v, p, 2); out[i] = v; break; }
        case ATTN_DTYPE_I8: out[i] = (gint8) *p; break;
        case ATTN_DTYPE_U8: case ATTN_DTYPE_BOOL: out[i] = *p; break;
        default:
          g_free (out);
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, _("%s: tensor “%s” is %s, but an integer tensor is needed"),
                       t->file, name, attn_dtype_name (t->dtype));
          return NULL;
        }
    }
  return out;
}

gboolean
attn_safetensors_write (const char *path, const AttnTensorOut *tensors, guint n,
                        AttnDType storage, GHashTable *metadata, GError **error)
{
  g_autoptr(GString) header = g_string_new ("{");
  g_autoptr(GError) local = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  gsize esize = storage == ATTN_DTYPE_F16 ? 2 : 4;
  guint64 offset = 0, hlen;
  guint8 lenbytes[8];
  gboolean first = TRUE;

  g_return_val_if_fail (storage == ATTN_DTYPE_F32 || storage == ATTN_DTYPE_F16, FALSE);
  if (metadata != NULL && g_hash_table_size (metadata) > 0)
    {
      GHashTableIter it;
      gpointer k, v;
      g_string_append (header, "\"__metadata__\":{");
      g_hash_table_iter_init (&it, metadata);
      while (g_hash_table_iter_next (&it, &k, &v))
        {
          g_autofree char *ek = g_strescape (k, NULL), *ev = g_strescape (v, NULL);
          g_string_append_printf (header, "%s\"%s\":\"%s\"", first ? "" : ",", ek, ev);
          first = FALSE;
        }
      g_string_append (header, "}");
      first = FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ename = g_strescape (tensors[i].name, NULL);
      gint64 numel = 1;
      g_string_append_printf (header, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", first ? "" : ",", ename,
                              attn_dtype_name (storage));
      for (int d = 0; d < tensors[i].ndim; d++)
        {
          g_string_append_printf (header, "%s%" G_GINT64_FORMAT, d ? "," : "", tensors[i].shape[d]);
          numel *= tensors[i].shape[d];
        }
      g_string_append_printf (header, "],\"data_offsets\":[%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]}",
                              offset, offset + numel * esize);
      offset += numel * esize;
      first = FALSE;
    }
  g_string_append_c (header, '}');
  while ((header->len + 8) % 8 != 0)
    g_string_append_c (header, ' ');
  hlen = header->len;
  for (int i = 0; i < 8; i++)
    lenbytes[i] = (hlen >> (8 * i)) & 0xff;

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &local);
  if (out == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (out), lenbytes, 8, NULL, NULL, &local) ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (out), header->str, header->len, NULL, NULL, &local))
    goto fail;
  for (guint i = 0; i < n; i++)
    {
      gint64 numel = 1;
      for (int d = 0; d < tensors[i].ndim; d++)
        numel *= tensors[i].shape[d];
      if (storage == ATTN_DTYPE_F32)
        {
          if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), tensors[i].data, numel * 4, NULL, NULL, &local))
            goto fail;
        }
      else
        {
          g_autofree guint16 *h = g_new (guint16, MAX (numel, 1));
          for (gint64 j = 0; j < numel; j++)
            h[j] = GUINT16_TO_LE (float_to_half (tensors[i].data[j]));
          if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), h, numel * 2, NULL, NULL, &local))
            goto fail;
        }
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &local))
    goto fail;
  return TRUE;

fail:
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("Cannot write %s: %s"), path, local ? local->message : "unknown error");
  return FALSE;
}
