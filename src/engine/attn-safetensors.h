/* attn-safetensors.h — memory-mapped safetensors files and checkpoints.
 *
 * A checkpoint is one model.safetensors or a set of shards named by
 * model.safetensors.index.json. Every tensor's name, dtype, shape and byte
 * range is validated when the file is opened; readers convert F16/BF16/F64
 * to float32 on request. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTN_MAX_DIMS 8

typedef enum {
  ATTN_DTYPE_F32,
  ATTN_DTYPE_F16,
  ATTN_DTYPE_BF16,
  ATTN_DTYPE_F64,
  ATTN_DTYPE_I64,
  ATTN_DTYPE_I32,
  ATTN_DTYPE_I16,
  ATTN_DTYPE_I8,
  ATTN_DTYPE_U8,
  ATTN_DTYPE_BOOL,
} AttnDType;

typedef struct {
  const char   *name;
  AttnDType     dtype;
  int           ndim;
  gint64        shape[ATTN_MAX_DIMS];
  gint64        numel;
  const guint8 *data;      /* points into the mapping */
  gsize         nbytes;
  const char   *file;      /* the file that holds it, for messages */
} AttnTensorInfo;

typedef struct _AttnCheckpoint AttnCheckpoint;

gsize           attn_dtype_size          (AttnDType dtype);
const char     *attn_dtype_name          (AttnDType dtype);

/* Opens one .safetensors file. */
AttnCheckpoint *attn_checkpoint_open_file (const char *path, GError **error);
/* Opens model.safetensors, or the shards listed in model.safetensors.index.json, in dir. */
AttnCheckpoint *attn_checkpoint_open_dir  (const char *dir, GError **error);
void            attn_checkpoint_free      (AttnCheckpoint *ckpt);

const AttnTensorInfo *attn_checkpoint_find (AttnCheckpoint *ckpt, const char *name);
guint           attn_checkpoint_n_tensors (AttnCheckpoint *ckpt);
/* Names, sorted; owned by the checkpoint. */
const char    **attn_checkpoint_names     (AttnCheckpoint *ckpt, guint *n);

/* Copies a floating tensor into a new float32 buffer (g_free it). The shape must
 * equal `shape` (ndim entries); a missing tensor or a wrong shape/dtype is an error
 * naming the file and tensor. */
float          *attn_checkpoint_read_f32  (AttnCheckpoint *ckpt, const char *name,
                                           int ndim, const gint64 *shape, GError **error);
/* Same, for integer tensors, into gint64. */
gint64         *attn_checkpoint_read_i64  (AttnCheckpoint *ckpt, const char *name,
                                           int ndim, const gint64 *shape, GError **error);

/* Converts `n` values of `dtype` at `src` into float32. */
void            attn_convert_to_f32       (AttnDType dtype, const guint8 *src, float *dst, gsize n);

/* Writes tensors to a .safetensors file (float32 or float16 storage). */
typedef struct {
  const char   *name;
  int           ndim;
  gint64        shape[ATTN_MAX_DIMS];
  const float  *data;
} AttnTensorOut;

gboolean        attn_safetensors_write    (const char *path, const AttnTensorOut *tensors, guint n,
                                           AttnDType storage, GHashTable *metadata, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnCheckpoint, attn_checkpoint_free)

G_END_DECLS
