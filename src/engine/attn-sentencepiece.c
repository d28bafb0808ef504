/* attn-sentencepiece.c — reads a SentencePiece model (.spm / .model): the
 * ModelProto protobuf parsed by hand, every length and varint checked, and
 * builds a unigram tokenizer with the sentencepiece normaliser from it. */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

typedef struct {
  const guint8 *p;
  gsize         len;
  gsize         pos;
  const char   *origin;
  const char   *what;    /* the message being read, for errors */
} Pb;

typedef struct {
  guint32       field;
  guint         wire;
  guint64       v;       /* varint / fixed value */
  const guint8 *data;    /* length-delimited */
  gsize         dlen;
  gsize         at;      /* byte offset of the field, for messages */
} PbField;

static gboolean
pb_varint (Pb *pb, guint64 *out, GError **error)
{
  guint64 v = 0;
  gsize start = pb->pos;

  for (int shift = 0; shift < 64; shift += 7)
    {
      guint8 b;
      if (pb->pos >= pb->len)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: truncated protobuf: varint at byte %zu of %s runs "
                       "past its end"), pb->origin, start, pb->what);
          return FALSE;
        }
      b = pb->p[pb->pos++];
      v |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *out = v;
          return TRUE;
        }
    }
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
               _("%s: bad protobuf: varint at byte %zu of %s is longer than 10 bytes"),
               pb->origin, start, pb->what);
  return FALSE;
}

/* Reads the next field; FALSE with *error unset at the end of the message. */
static gboolean
pb_next (Pb *pb, PbField *f, GError **error)
{
  guint64 key, v;

  if (pb->pos >= pb->len)
    return FALSE;
  f->at = pb->pos;
  if (!pb_varint (pb, &key, error))
    return FALSE;
  f->field = (guint32) (key >> 3);
  f->wire = (guint) (key & 7);
  f->data = NULL;
  f->dlen = 0;
  if (key >> 3 == 0 || key >> 3 > G_MAXINT32)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: bad protobuf: field number %" PRIu64 " at byte %zu"
                   " of %s"), pb->origin, key >> 3, f->at, pb->what);
      return FALSE;
    }
  switch (f->wire)
    {
    case 0:
      return pb_varint (pb, &f->v, error);
    case 1:
    case 5:
      {
        gsize n = f->wire == 1 ? 8 : 4;
        if (pb->len - pb->pos < n)
          {
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                         _("%s: truncated protobuf: field %u of %s at byte %zu"
                         " needs %zu bytes, %zu remain"),
                         pb->origin, f->field, pb->what, f->at, n, pb->len - pb->pos);
            return FALSE;
          }
        f->v = 0;
        for (gsize i = 0; i < n; i++)
          f->v |= (guint64) pb->p[pb->pos + i] << (8 * i);
        pb->pos += n;
        return TRUE;
      }
    case 2:
      if (!pb_varint (pb, &v, error))
        return FALSE;
      if (v > pb->len - pb->pos)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: truncated protobuf: field %u of %s at byte %zu"
                       " declares %" PRIu64 " bytes, only %zu remain"),
                       pb->origin, f->field, pb->what, f->at, v, pb->len - pb->pos);
          return FALSE;
        }
      f->data = pb->p + pb->pos;
      f->dlen = (gsize) v;
      pb->pos += (gsize) v;
      return TRUE;
    default:
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: bad protobuf: field %u of %s at byte %zu"
                   " has unsupported wire type %u"), pb->origin, f->field, pb->what, f->at, f->wire);
      return FALSE;
    }
}

static gboolean
expect_wire (const Pb *pb, const PbField *f, guint wire, const char *name, GError **error)
{
  if (f->wire == wire)
    return TRUE;
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
               _("%s: bad protobuf: %s.%s (field %u at byte %zu"
               ") has wire type %u, expected %u"), pb->origin, pb->what, name, f->field, f->at,
               f->wire, wire);
  return FALSE;
}

typedef struct {
  GPtrArray *pieces;
  GArray    *scores;
  GArray    *types;
  int        model_type;
  gint64     unk_id, eos_id;
  gboolean   byte_fallback;
  gboolean   ws_as_suffix;
  gboolean   add_dummy_prefix, remove_extra_ws, escape_ws;
  const guint8 *charsmap;
  gsize      charsmap_len;
} Spm;

static gboolean
parse_piece (const char *origin, const PbField *outer, Spm *m, GError **error)
{
  Pb pb = { outer->data, outer->dlen, 0, origin, "SentencePiece" };
  PbField f;
  g_autoptr(GError) local = NULL;
  char *piece = NULL;
  double score = 0.0;
  guint8 type = ATTN_PIECE_NORMAL;
  guint index = m->pieces->len;

  while (pb_next (&pb, &f, &local))
    {
      if (f.field == 1)
        {
          if (!expect_wire (&pb, &f, 2, "piece", error))
            goto fail;
          if (memchr (f.data, '\0', f.dlen) != NULL || !g_utf8_validate_len ((const char *) f.data, f.dlen, NULL))
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: piece %u is not valid UTF-8"), origin, index);
              goto fail;
            }
          g_free (piece);
          piece = g_strndup ((const char *) f.data, f.dlen);
        }
      else if (f.field == 2)
        {
          guint32 bits = (guint32) f.v;
          float fs;
          if (!expect_wire (&pb, &f, 5, "score", error))
            goto fail;
          memcpy (&fs, &bits, 4);
          if (isnan (fs))
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: piece %u has a score that is not a number"), origin, index);
              goto fail;
            }
          score = fs;
        }
      else if (f.field == 3)
        {
          if (!expect_wire (&pb, &f, 0, "type", error))
            goto fail;
          if (f.v < 1 || f.v > 6)
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: piece %u has unknown type %" PRIu64), origin, index, f.v);
              goto fail;
            }
          type = (guint8) f.v;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      goto fail;
    }
  if (piece == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: piece %u has no text"), origin, index);
      goto fail;
    }
  g_ptr_array_add (m->pieces, piece);
  g_array_append_val (m->scores, score);
  g_array_append_val (m->types, type);
  return TRUE;

fail:
  g_free (piece);
  return FALSE;
}

static gboolean
parse_sub (const char *origin, const PbField *outer, Spm *m, gboolean trainer, GError **error)
{
  Pb pb = { outer->data, outer->dlen, 0, origin, trainer ? "TrainerSpec" : "NormalizerSpec" };
  PbField f;
  g_autoptr(GError) local = NULL;

  while (pb_next (&pb, &f, &local))
    {
      if (trainer)
        {
          gboolean is_varint_field = f.field == 3 || f.field == 24 || f.field == 35 ||
                                     f.field == 40 || f.field == 42;
          if (is_varint_field && !expect_wire (&pb, &f, 0, "option", error))
            return FALSE;
          if (f.field == 3)
            m->model_type = (int) f.v;
          else if (f.field == 24)
            m->ws_as_suffix = f.v != 0;
          else if (f.field == 35)
            m->byte_fallback = f.v != 0;
          else if (f.field == 40)
            m->unk_id = (gint32) (guint32) f.v;
          else if (f.field == 42)
            m->eos_id = (gint32) (guint32) f.v;
        }
      else
        {
          if (f.field == 2)
            {
              if (!expect_wire (&pb, &f, 2, "precompiled_charsmap", error))
                return FALSE;
              m->charsmap = f.data;
              m->charsmap_len = f.dlen;
            }
          else if (f.field >= 3 && f.field <= 5)
            {
              if (!expect_wire (&pb, &f, 0, "option", error))
                return FALSE;
              if (f.field == 3)
                m->add_dummy_prefix = f.v != 0;
              else if (f.field == 4)
                m->remove_extra_ws = f.v != 0;
              else
                m->escape_ws = f.v != 0;
            }
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_model (const char *origin, const guint8 *data, gsize len, Spm *m, GError **error)
{
  Pb pb = { data, len, 0, origin, "ModelProto" };
  PbField f;
  g_autoptr(GError) local = NULL;

  while (pb_next (&pb, &f, &local))
    {
      if (f.field == 1)
        {
          if (!expect_wire (&pb, &f, 2, "pieces", error) || !parse_piece (origin, &f, m, error))
            return FALSE;
        }
      else if (f.field == 2 || f.field == 3)
        {
          if (!expect_wire (&pb, &f, 2, f.field == 2 ? "trainer_spec" : "normalizer_spec", error) ||
              !parse_sub (origin, &f, m, f.field == 2, error))
            return FALSE;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (m->pieces->len == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: the SentencePiece model has no pieces"), origin);
      return FALSE;
    }
  return TRUE;
}

static void
spm_clear (Spm *m)
{
  g_clear_pointer (&m->pieces, g_ptr_array_unref);
  g_clear_pointer (&m->scores, g_array_unref);
  g_clear_pointer (&m->types, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Spm, spm_clear)

AttnTokenizer *
attn_spm_load (const char *spm_path, const char *vocab_json_path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_auto(Spm) m = { 0 };
  g_autoptr(AttnTokenizer) tok = NULL;
  AttnUnigram *u;
  AttnSpmNorm *sn;
  gint32 eos = -1;

  if (!attn_read_file (spm_path, &data, &len, error))
    return NULL;
  m.pieces = g_ptr_array_new_with_free_func (g_free);
  m.scores = g_array_new (FALSE, FALSE, sizeof (double));
  m.types = g_array_new (FALSE, FALSE, sizeof (guint8));
  m.model_type = 1;
  m.unk_id = 0;
  m.eos_id = 2;
  m.add_dummy_prefix = m.remove_extra_ws = m.escape_ws = TRUE;
  if (!parse_model (spm_path, (const guint8 *) data, len, &m, error))
    return NULL;
  if (m.model_type != 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED,
                   _("%s: SentencePiece model type %d is not supported (only unigram)"), spm_path,
                   m.model_type);
      return NULL;
    }
  if (m.unk_id < 0 || (guint) m.unk_id >= m.pieces->len ||
      g_array_index (m.types, guint8, m.unk_id) != ATTN_PIECE_UNKNOWN)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: unk_id %" PRId64 " does not name an unknown piece"), spm_path,
                   m.unk_id);
      return NULL;
    }

  tok = attn_tokenizer_alloc (spm_path);
  tok->model = ATTN_MODEL_UNIGRAM;
  tok->spm_mode = TRUE;
  u = tok->uni = g_new0 (AttnUnigram, 1);
  u->f32 = TRUE;
  u->fuse_unk = TRUE;
  u->byte_fallback = m.byte_fallback;
  u->unk_piece = (gint32) m.unk_id;
  u->scores = g_array_ref (m.scores);
  u->types = g_array_ref (m.types);

  if (vocab_json_path != NULL)
    {
      static const char *const marian_specials[] = { "</s>", "<unk>", "<pad>" };
      u->mapped = TRUE;
      u->pieces = g_ptr_array_ref (m.pieces);
      if (!attn_bpe_load_vocab_json (tok, vocab_json_path, error))
        return NULL;
      tok->wp.unk_id = attn_tokenizer_token_to_id (tok, "<unk>");
      if (tok->wp.unk_id < 0)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: the vocabulary has no “<unk>” token"), vocab_json_path);
          return NULL;
        }
      for (guint i = 0; i < G_N_ELEMENTS (marian_specials); i++)
        {
          gint32 id = attn_tokenizer_token_to_id (tok, marian_specials[i]);
          if (id >= 0)
            attn_tokenizer_add_added (tok, marian_specials[i], id, TRUE, FALSE, FALSE, FALSE, FALSE);
        }
      eos = attn_tokenizer_token_to_id (tok, "</s>");
    }
  else
    {
      for (guint i = 0; i < m.pieces->len; i++)
        if (!attn_tokenizer_vocab_add (tok, g_ptr_array_index (m.pieces, i), (gint32) i, FALSE))
          {
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: piece %u (“%s”) appears twice"),
                         spm_path, i, (const char *) g_ptr_array_index (m.pieces, i));
            return NULL;
          }
      u->pieces = g_ptr_array_ref (tok->vocab);
      if (m.eos_id >= 0 && (guint) m.eos_id < m.pieces->len)
        eos = (gint32) m.eos_id;
    }
  for (guint i = 0; i < m.pieces->len; i++)
    {
      guint8 t = g_array_index (m.types, guint8, i);
      if (t == ATTN_PIECE_CONTROL || t == ATTN_PIECE_UNKNOWN)
        attn_tokenizer_set_special (tok, u->mapped ? attn_tokenizer_token_to_id (
                                                       tok, g_ptr_array_index (m.pieces, i))
                                                   : (gint32) i);
    }
  attn_unigram_prepare (u);

  sn = tok->spm_norm = g_new0 (AttnSpmNorm, 1);
  sn->add_dummy_prefix = m.add_dummy_prefix;
  sn->remove_extra_ws = m.remove_extra_ws;
  sn->escape_ws = m.escape_ws;
  sn->ws_as_suffix = m.ws_as_suffix;
  if (m.charsmap != NULL && m.charsmap_len > 0 &&
      (sn->charsmap = attn_charsmap_new (m.charsmap, m.charsmap_len, spm_path, error)) == NULL)
    return NULL;
  for (guint i = 0; i < m.pieces->len; i++)
    if (g_array_index (m.types, guint8, i) == ATTN_PIECE_USER_DEFINED)
      {
        const char *p = g_ptr_array_index (m.pieces, i);
        if (sn->user_symbols == NULL)
          sn->user_symbols = attn_trie_new ();
        attn_trie_insert (sn->user_symbols, p, strlen (p), (gint32) i);
      }

  if (eos >= 0)
    {
      const char *name = attn_tokenizer_id_to_token (tok, eos);
      g_autofree char *single = g_strdup_printf ("$A %s", name);
      g_autofree char *pair = g_strdup_printf ("$A $B %s", name);
      if (!attn_tokenizer_set_template (tok, single, pair, error))
        return NULL;
    }
  g_ptr_array_add (tok->decoders, attn_decoder_new (ATTN_DEC_BYTEFALLBACK, NULL, NULL, FALSE));
  g_ptr_array_add (tok->decoders, attn_decoder_new (ATTN_DEC_METASPACE, "\xe2\x96\x81", NULL, TRUE));
  tok->metaspace = g_strdup ("\xe2\x96\x81");
  return g_steal_pointer (&tok);
}
