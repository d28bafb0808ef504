/* test-flavours.c — the BERT family's other namings: DistilBERT, RoBERTa, a bare
 * encoder and masked-LM heads, each built in a scratch folder from the BERT fixture's
 * weights so that its outputs can be predicted exactly.
 *
 * What equality holds, and why:
 *  - bare BERT (no pooler/classifier): same encoder, so the same attention bit for bit;
 *    its logits are the last hidden state [T, D]. That hidden state lets the tests
 *    compute every head by hand (in double) from the checkpoint's own weights.
 *  - DistilBERT has no token types. BERT adds token-type row 0 to every token, so the
 *    DistilBERT copy gets position rows P_b[k] + T_b[0]: the embedding sums are equal,
 *    hence the attention (within float rounding, 1e-5). Its head is pre_classifier +
 *    ReLU + classifier, checked by hand against the bare hidden state of [CLS].
 *  - RoBERTa numbers positions from pad_token_id + 1 (here 1 + 1 = 2) and gives the pad
 *    token the position pad_token_id. With P_r[k + 2] = P_b[k], token types copied and
 *    classifier.dense/out_proj = pooler/classifier, RoBERTa computes exactly BERT's
 *    function on any ids without the pad id: attention and logits within 1e-5.
 *  - A RoBERTa pad token inside the ids (no mask) takes position pad_token_id, as in
 *    Hugging Face's create_position_ids_from_input_ids; a table built for that one
 *    sequence makes it equal to BERT's run again.
 *  - Masked-LM heads: dense, activation, layer norm, tied decoder + bias, by hand from
 *    the bare hidden states. RoBERTa's lm_head uses exact GELU whatever hidden_act is. */
#include "attn-model.h"
#include "attn-error.h"
#include "test-common.h"

#include <math.h>
#include <string.h>

static const char *sample = "Attention is all you need!";

typedef struct {
  GArray *t;     /* AttnTensorOut, names and data owned */
} Tensors;

static void
tensors_add (Tensors *ts, const char *name, int ndim, const gint64 *shape, float *data)
{
  AttnTensorOut o = { g_strdup (name), ndim, { 0 }, data };
  memcpy (o.shape, shape, ndim * sizeof (gint64));
  g_array_append_val (ts->t, o);
}

static void
tensors_free (Tensors *ts)
{
  guint n = ts->t->len;
  test_tensors_free ((AttnTensorOut *) g_array_free (ts->t, FALSE), n);
}

/* BERT names → another flavour's, by a table of prefix rewrites (NULL drops a tensor). */
typedef struct { const char *from, *to; } Rename;

static char *
rename_tensor (const char *name, const Rename *table, guint n)
{
  /* each rule rewrites the first occurrence of `from`, in table order */
  char *cur = g_strdup (name);
  for (guint i = 0; i < n; i++)
    {
      const char *hit = strstr (cur, table[i].from);
      char *next;
      if (hit == NULL)
        continue;
      if (table[i].to == NULL)
        {
          g_free (cur);
          return NULL;
        }
      next = g_strdup_printf ("%.*s%s%s", (int) (hit - cur), cur, table[i].to, hit + strlen (table[i].from));
      g_free (cur);
      cur = next;
    }
  return cur;
}

static Tensors
renamed_bert (const Rename *table, guint n_table)
{
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("bert", &n);
  Tensors out = { g_array_new (FALSE, TRUE, sizeof (AttnTensorOut)) };
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = rename_tensor (t[i].name, table, n_table);
      if (name != NULL)
        tensors_add (&out, name, t[i].ndim, t[i].shape, g_memdup2 (t[i].data, sizeof (float) * t[i].shape[0] *
                                                                   (t[i].ndim > 1 ? t[i].shape[1] : 1)));
    }
  test_tensors_free (t, n);
  return out;
}

static AttnTensorOut *
find (Tensors *ts, const char *name)
{
  for (guint i = 0; i < ts->t->len; i++)
    if (g_str_equal (g_array_index (ts->t, AttnTensorOut, i).name, name))
      return &g_array_index (ts->t, AttnTensorOut, i);
  g_error ("no tensor %s", name);
  return NULL;
}

static void
drop (Tensors *ts, const char *prefix)
{
  for (guint i = ts->t->len; i-- > 0;)
    if (g_str_has_prefix (g_array_index (ts->t, AttnTensorOut, i).name, prefix))
      {
        AttnTensorOut *o = &g_array_index (ts->t, AttnTensorOut, i);
        g_free ((char *) o->name);
        g_free ((float *) o->data);
        g_array_remove_index (ts->t, i);
      }
}

/* Writes a scratch model folder: cfg as config.json, the tensors, BERT's tokenizer. */
static char *
write_model (JsonObject *cfg, Tensors *ts)
{
  char *dir = test_tmpdir ();
  g_autofree char *cp = g_build_filename (dir, "config.json", NULL);
  test_copy_fixture_files ("bert", dir, "tokenizer.json", "tokenizer_config.json", "vocab.txt", NULL);
  test_write_json (cp, cfg);
  test_write_tensors (dir, (AttnTensorOut *) ts->t->data, ts->t->len, ATTN_DTYPE_F32);
  return dir;
}

static AttnModel *
load_dir (const char *dir)
{
  g_autoptr(GError) error = NULL;
  AttnModel *m = attn_model_load (dir, &error);
  g_assert_no_error (error);
  return m;
}

static AttnResult *
run_ids (AttnModel *m, const gint32 *ids, guint n, const guint8 *mask)
{
  g_autoptr(GError) error = NULL;
  AttnInput in = { 0 };
  AttnResult *r;
  in.input_ids = ids;
  in.n_input_ids = n;
  in.attention_mask = mask;
  r = attn_model_run (m, &in, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return r;
}

static void
assert_same_attention (const char *what, const AttnResult *a, const AttnResult *b, double tol)
{
  const AttnWeights *x = a->attention[ATTN_KIND_SELF], *y = b->attention[ATTN_KIND_SELF];
  g_assert_cmpint (x->layers, ==, y->layers);
  g_assert_cmpint (x->heads, ==, y->heads);
  g_assert_cmpint (x->queries, ==, y->queries);
  g_assert_cmpint (x->keys, ==, y->keys);
  test_assert_close (what, x->data, y->data, (gsize) x->layers * x->heads * x->queries * x->keys, tol);
}

/* y = act(W x + b) in double; act: 0 none, 1 tanh, 2 relu, 3 exact gelu */
static void
dense (const AttnTensorOut *w, const AttnTensorOut *b, const double *x, int act, double *y)
{
  int out = w->shape[0], in = w->shape[1];
  for (int o = 0; o < out; o++)
    {
      double acc = b ? b->data[o] : 0;
      for (int i = 0; i < in; i++)
        acc += (double) w->data[(gsize) o * in + i] * x[i];
      y[o] = act == 1 ? tanh (acc) : act == 2 ? MAX (acc, 0) : act == 3 ? 0.5 * acc * (1 + erf (acc / sqrt (2.0))) : acc;
    }
}

/* The BERT fixture's ids for the sample (no [UNK] = 1, which RoBERTa reads as padding). */
static gint32 *
sample_ids (guint *n)
{
  g_autofree char *dir = test_fixture ("bert", NULL);
  g_autoptr(AttnModel) m = load_dir (dir);
  g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (attn_model_get_tokenizer (m), sample, NULL, TRUE, NULL);
  g_assert_nonnull (enc);
  for (guint i = 0; i < enc->len; i++)
    g_assert_cmpint (enc->ids[i], !=, 1);
  *n = enc->len;
  return g_memdup2 (enc->ids, enc->len * sizeof (gint32));
}

static AttnModel *
bert_model (void)
{
  g_autofree char *dir = test_fixture ("bert", NULL);
  return load_dir (dir);
}

/* A bare BERT folder: the fixture without pooler and classifier. */
static AttnModel *
bare_model (JsonObject *cfg_edit_or_null, const char *model_type, const Rename *table, guint n_table,
            const char *drop1, const char *drop2)
{
  Tensors ts = renamed_bert (table, n_table);
  g_autoptr(JsonObject) cfg = cfg_edit_or_null ? json_object_ref (cfg_edit_or_null) : test_fixture_config ("bert");
  g_autofree char *dir = NULL;
  AttnModel *m;
  if (model_type)
    json_object_set_string_member (cfg, "model_type", model_type);
  drop (&ts, drop1);
  drop (&ts, drop2);
  dir = write_model (cfg, &ts);
  m = load_dir (dir);
  test_rmdir (dir);
  tensors_free (&ts);
  return m;
}

/* --- bare BERT -------------------------------------------------------------------- */

static void
test_bare_bert (void)
{
  guint n;
  g_autofree gint32 *ids = sample_ids (&n);
  g_autoptr(AttnModel) full = bert_model ();
  g_autoptr(AttnModel) bare = bare_model (NULL, NULL, NULL, 0, "bert.pooler", "classifier");
  g_autoptr(AttnResult) rf = run_ids (full, ids, n, NULL);
  g_autoptr(AttnResult) rb = run_ids (bare, ids, n, NULL);
  Tensors ts = renamed_bert (NULL, 0);
  double h0[32], pooled[32], logits[3];
  float got[3];

  g_assert_cmpint (rb->output_kind, ==, ATTN_OUTPUT_NONE);
  g_assert_cmpint (rb->logits_rows, ==, (int) n);
  g_assert_cmpint (rb->logits_cols, ==, 32);
  assert_same_attention ("bare vs full BERT", rb, rf, 0);
  /* the full model's head, by hand from the bare hidden state of [CLS] */
  for (int i = 0; i < 32; i++)
    h0[i] = rb->logits[i];
  dense (find (&ts, "bert.pooler.dense.weight"), find (&ts, "bert.pooler.dense.bias"), h0, 1, pooled);
  dense (find (&ts, "classifier.weight"), find (&ts, "classifier.bias"), pooled, 0, logits);
  for (int i = 0; i < 3; i++)
    got[i] = (float) logits[i];
  test_assert_close ("BERT head by hand", rf->logits, got, 3, 1e-5);
  tensors_free (&ts);
}

/* --- DistilBERT -------------------------------------------------------------------- */

static const Rename distil_names[] = {
  { "bert.embeddings.token_type_embeddings", NULL },
  { "bert.embeddings.", "distilbert.embeddings." },
  { "bert.encoder.layer.", "distilbert.transformer.layer." },
  { "attention.self.query", "attention.q_lin" },
  { "attention.self.key", "attention.k_lin" },
  { "attention.self.value", "attention.v_lin" },
  { "attention.output.dense", "attention.out_lin" },
  { "attention.output.LayerNorm", "sa_layer_norm" },
  { "intermediate.dense", "ffn.lin1" },
  { "output.dense", "ffn.lin2" },
  { "output.LayerNorm", "output_layer_norm" },
  { "bert.pooler.dense", "pre_classifier" },
};

static JsonObject *
distil_config (void)
{
  g_autoptr(JsonObject) bert = test_fixture_config ("bert");
  JsonObject *cfg = json_object_new ();
  json_object_set_string_member (cfg, "model_type", "distilbert");
  json_object_set_int_member (cfg, "dim", 32);
  json_object_set_int_member (cfg, "n_layers", 2);
  json_object_set_int_member (cfg, "n_heads", 4);
  json_object_set_int_member (cfg, "hidden_dim", 64);
  json_object_set_string_member (cfg, "activation", "gelu");
  json_object_set_int_member (cfg, "vocab_size", 600);
  json_object_set_int_member (cfg, "max_position_embeddings", 128);
  json_object_set_int_member (cfg, "pad_token_id", 0);
  json_object_set_object_member (cfg, "id2label", json_object_ref (json_object_get_object_member (bert, "id2label")));
  return cfg;
}

static void
test_distilbert (void)
{
  guint n;
  g_autofree gint32 *ids = sample_ids (&n);
  g_autoptr(AttnModel) bert = bert_model ();
  g_autoptr(AttnModel) bare = bare_model (NULL, NULL, NULL, 0, "bert.pooler", "classifier");
  g_autoptr(AttnResult) rb = run_ids (bert, ids, n, NULL);
  g_autoptr(AttnResult) rh = run_ids (bare, ids, n, NULL);
  g_autoptr(JsonObject) cfg = distil_config ();
  Tensors bt = renamed_bert (NULL, 0);
  Tensors ts = renamed_bert (distil_names, G_N_ELEMENTS (distil_names));
  AttnTensorOut *pos = find (&ts, "distilbert.embeddings.position_embeddings.weight");
  const AttnTensorOut *type = find (&bt, "bert.embeddings.token_type_embeddings.weight");
  g_autofree char *dir = NULL;
  g_autoptr(AttnModel) m = NULL;
  g_autoptr(AttnResult) r = NULL;
  g_autoptr(GError) error = NULL;
  double h0[32], pooled[32], logits[3];
  float want[3];
  AttnInput pair = { 0 };

  /* fold BERT's token-type row 0 into the positions */
  for (gint64 p = 0; p < pos->shape[0]; p++)
    for (int i = 0; i < 32; i++)
      ((float *) pos->data)[p * 32 + i] += type->data[i];
  dir = write_model (cfg, &ts);
  m = load_dir (dir);
  g_assert_cmpstr (attn_model_get_architecture (m), ==, "bert");
  g_assert_false (attn_model_accepts_pair (m));
  g_assert_cmpint (attn_model_get_max_positions (m), ==, 128);
  r = run_ids (m, ids, n, NULL);
  assert_same_attention ("DistilBERT vs BERT", r, rb, 1e-5);
  /* pre_classifier (the pooler's weights) + ReLU + classifier, by hand */
  for (int i = 0; i < 32; i++)
    h0[i] = rh->logits[i];
  dense (find (&ts, "pre_classifier.weight"), find (&ts, "pre_classifier.bias"), h0, 2, pooled);
  dense (find (&ts, "classifier.weight"), find (&ts, "classifier.bias"), pooled, 0, logits);
  for (int i = 0; i < 3; i++)
    want[i] = (float) logits[i];
  test_assert_close ("DistilBERT head by hand", r->logits, want, 3, 1e-5);
  g_assert_cmpstr (r->labels[2], ==, "positive");
  /* no segments: a second text is refused */
  pair.text = sample;
  pair.text_pair = sample;
  g_assert_null (attn_model_run (m, &pair, NULL, NULL, NULL, NULL, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, "second text", NULL);
  test_rmdir (dir);
  tensors_free (&ts);
  tensors_free (&bt);
}

/* --- RoBERTa --------------------------------------------------------------------------- */

static const Rename roberta_names[] = {
  { "bert.pooler.dense", "classifier.dense" },
  { "classifier.weight", "classifier.out_proj.weight" },
  { "classifier.bias", "classifier.out_proj.bias" },
  { "bert.", "roberta." },
};

/* A RoBERTa folder whose position row k is BERT's row map[k] (-1: zeros), 130 rows. */
static char *
roberta_dir (const int *map, JsonObject *cfg_or_null)
{
  Tensors ts = renamed_bert (roberta_names, G_N_ELEMENTS (roberta_names));
  Tensors bt = renamed_bert (NULL, 0);
  const AttnTensorOut *bp = find (&bt, "bert.embeddings.position_embeddings.weight");
  AttnTensorOut *rp = find (&ts, "roberta.embeddings.position_embeddings.weight");
  g_autoptr(JsonObject) cfg = cfg_or_null ? json_object_ref (cfg_or_null) : test_fixture_config ("bert");
  float *table = g_new0 (float, 130 * 32);
  char *dir;
  for (int k = 0; k < 130; k++)
    if (map[k] >= 0)
      memcpy (table + k * 32, bp->data + map[k] * 32, 32 * sizeof (float));
  g_free ((float *) rp->data);
  rp->data = table;
  rp->shape[0] = 130;
  json_object_set_string_member (cfg, "model_type", "roberta");
  json_object_set_int_member (cfg, "max_position_embeddings", 130);
  json_object_set_int_member (cfg, "pad_token_id", 1);
  dir = write_model (cfg, &ts);
  tensors_free (&ts);
  tensors_free (&bt);
  return dir;
}

static void
test_roberta (void)
{
  guint n;
  g_autofree gint32 *ids = sample_ids (&n);
  g_autoptr(AttnModel) bert = bert_model ();
  g_autoptr(AttnResult) rb = run_ids (bert, ids, n, NULL);
  g_autoptr(AttnModel) m = NULL;
  g_autoptr(AttnResult) r = NULL;
  g_autofree char *dir = NULL;
  int map[130];
  map[0] = map[1] = -1;
  for (int k = 2; k < 130; k++)
    map[k] = k - 2;           /* P_r[k + 2] = P_b[k] */
  dir = roberta_dir (map, NULL);
  m = load_dir (dir);
  /* two rows are taken by the offset */
  g_assert_cmpint (attn_model_get_max_positions (m), ==, 128);
  r = run_ids (m, ids, n, NULL);
  assert_same_attention ("RoBERTa vs BERT", r, rb, 1e-5);
  test_assert_close ("RoBERTa vs BERT logits", r->logits, rb->logits, 3, 1e-5);
  g_assert_cmpint (r->output_kind, ==, ATTN_OUTPUT_LABELS);
  test_rmdir (dir);
}

static void
test_roberta_pad_position (void)
{
  /* [CLS] att is <pad> all [SEP]: Hugging Face numbers the non-pad tokens 2, 3, 4, 5 and
   * gives the pad token position 1 (pad_token_id), attention mask or not */
  gint32 ids[6] = { 2, 0, 0, 1, 0, 3 };
  guint8 mask[6] = { 1, 1, 1, 0, 1, 1 };
  int map[130];
  g_autoptr(AttnModel) bert = bert_model ();
  g_autofree char *dir = NULL;
  g_autoptr(AttnModel) m = NULL;
  AttnTokenizer *tok = attn_model_get_tokenizer (bert);
  ids[1] = attn_tokenizer_token_to_id (tok, "att");
  ids[2] = attn_tokenizer_token_to_id (tok, "is");
  ids[4] = attn_tokenizer_token_to_id (tok, "all");
  g_assert_cmpint (ids[1], >, 4);
  g_assert_cmpint (ids[2], >, 4);
  g_assert_cmpint (ids[4], >, 4);
  for (int k = 0; k < 130; k++)
    map[k] = -1;
  /* the table for this one sequence: RoBERTa positions 2 3 4 1 5 6 ↔ BERT's 0 1 2 3 4 5 */
  map[2] = 0;
  map[3] = 1;
  map[4] = 2;
  map[1] = 3;
  map[5] = 4;
  map[6] = 5;
  dir = roberta_dir (map, NULL);
  m = load_dir (dir);
  for (int masked = 0; masked < 2; masked++)
    {
      g_autoptr(AttnResult) rb = run_ids (bert, ids, 6, masked ? mask : NULL);
      g_autoptr(AttnResult) r = run_ids (m, ids, 6, masked ? mask : NULL);
      assert_same_attention (masked ? "RoBERTa pad position, masked" : "RoBERTa pad position", r, rb, 1e-5);
      test_assert_close ("RoBERTa pad position logits", r->logits, rb->logits, 3, 1e-5);
    }
  test_rmdir (dir);
}

static void
test_roberta_bad_pad (void)
{
  g_autoptr(JsonObject) cfg = test_fixture_config ("bert");
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  int map[130];
  for (int k = 0; k < 130; k++)
    map[k] = -1;
  dir = roberta_dir (map, cfg);
  /* positions start at pad_token_id + 1: a pad id past the table is impossible */
  json_object_set_string_member (cfg, "model_type", "roberta");
  json_object_set_int_member (cfg, "max_position_embeddings", 130);
  json_object_set_int_member (cfg, "pad_token_id", 129);
  {
    g_autofree char *cp = g_build_filename (dir, "config.json", NULL);
    test_write_json (cp, cfg);
  }
  g_assert_null (attn_model_load (dir, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "pad_token_id", NULL);
  g_clear_error (&error);
  json_object_set_int_member (cfg, "pad_token_id", -1);
  {
    g_autofree char *cp = g_build_filename (dir, "config.json", NULL);
    test_write_json (cp, cfg);
  }
  g_assert_null (attn_model_load (dir, &error));
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, "pad_token_id", NULL);
  test_rmdir (dir);
}

/* --- masked-LM heads ------------------------------------------------------------------ */

typedef struct {
  const char *model_type, *hidden_act;
  const Rename *names;
  guint n_names;
  const char *dense, *ln, *bias, *word;   /* the head's tensor names and the tied embeddings */
  int act;                                /* the head's activation in dense(): 2 relu, 3 gelu */
} MlmCase;

static void
check_mlm (const MlmCase *c)
{
  guint n;
  g_autofree gint32 *ids = sample_ids (&n);
  g_autoptr(JsonObject) cfg = c->names == distil_names ? distil_config () : test_fixture_config ("bert");
  Tensors ts = renamed_bert (c->names, c->n_names);
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  gint64 dd[2] = { 32, 32 }, d1[1] = { 32 }, v1[1] = { 600 };
  float *dw = g_new (float, 32 * 32), *db = g_new (float, 32), *g = g_new (float, 32), *b = g_new (float, 32);
  float *vb = g_new (float, 600);
  g_autofree char *dense_w = g_strconcat (c->dense, ".weight", NULL), *dense_b = g_strconcat (c->dense, ".bias", NULL);
  g_autofree char *ln_w = g_strconcat (c->ln, ".weight", NULL), *ln_b = g_strconcat (c->ln, ".bias", NULL);
  g_autofree char *dir = NULL;
  g_autoptr(AttnModel) m = NULL, bare = NULL;
  g_autoptr(AttnResult) r = NULL, rh = NULL;
  g_autofree float *want = g_new (float, (gsize) n * 600);
  const char *root = c->names == distil_names ? "distilbert." : c->names == roberta_names ? "roberta." : "bert.";
  g_autofree char *pool = g_strconcat (root, "pooler", NULL);
  g_autofree char *what = g_strdup_printf ("%s masked-LM head by hand", c->model_type);

  for (int i = 0; i < 32 * 32; i++)
    dw[i] = (float) g_rand_double_range (rng, -0.3, 0.3);
  for (int i = 0; i < 32; i++)
    {
      db[i] = (float) g_rand_double_range (rng, -0.5, 0.5);
      g[i] = (float) g_rand_double_range (rng, 0.5, 1.5);
      b[i] = (float) g_rand_double_range (rng, -0.5, 0.5);
    }
  for (int i = 0; i < 600; i++)
    vb[i] = (float) g_rand_double_range (rng, -1, 1);
  json_object_set_string_member (cfg, "model_type", c->model_type);
  if (c->hidden_act)
    json_object_set_string_member (cfg, c->names == distil_names ? "activation" : "hidden_act", c->hidden_act);
  /* the bare encoder first: no heads at all */
  drop (&ts, "classifier");
  drop (&ts, "pre_classifier");
  drop (&ts, pool);
  dir = write_model (cfg, &ts);
  bare = load_dir (dir);
  rh = run_ids (bare, ids, n, NULL);
  g_assert_cmpint (rh->output_kind, ==, ATTN_OUTPUT_NONE);
  test_rmdir (dir);
  g_clear_pointer (&dir, g_free);
  /* then with the head */
  tensors_add (&ts, dense_w, 2, dd, dw);
  tensors_add (&ts, dense_b, 1, d1, db);
  tensors_add (&ts, ln_w, 1, d1, g);
  tensors_add (&ts, ln_b, 1, d1, b);
  tensors_add (&ts, c->bias, 1, v1, vb);
  dir = write_model (cfg, &ts);
  m = load_dir (dir);
  r = run_ids (m, ids, n, NULL);
  g_assert_cmpint (r->output_kind, ==, ATTN_OUTPUT_NEXT_TOKEN);
  g_assert_cmpint (r->logits_rows, ==, (int) n);
  g_assert_cmpint (r->logits_cols, ==, 600);
  assert_same_attention (what, r, rh, 0);
  for (guint t = 0; t < n; t++)
    {
      double h[32], x[32], mean = 0, var = 0;
      const AttnTensorOut *word = find (&ts, c->word);
      for (int i = 0; i < 32; i++)
        h[i] = rh->logits[t * 32 + i];
      dense (find (&ts, dense_w), find (&ts, dense_b), h, c->act, x);
      for (int i = 0; i < 32; i++)
        mean += x[i] / 32;
      for (int i = 0; i < 32; i++)
        var += (x[i] - mean) * (x[i] - mean) / 32;
      for (int i = 0; i < 32; i++)
        x[i] = (x[i] - mean) / sqrt (var + 1e-12) * g[i] + b[i];
      for (int v = 0; v < 600; v++)
        {
          double acc = vb[v];
          for (int i = 0; i < 32; i++)
            acc += (double) word->data[v * 32 + i] * x[i];
          want[t * 600 + v] = (float) acc;
        }
    }
  test_assert_close (what, r->logits, want, (gsize) n * 600, 1e-5);
  test_rmdir (dir);
  tensors_free (&ts);
}

static void
test_mlm (void)
{
  static const MlmCase cases[] = {
    { "bert", NULL, NULL, 0, "cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
      "cls.predictions.bias", "bert.embeddings.word_embeddings.weight", 3 },
    { "distilbert", NULL, distil_names, G_N_ELEMENTS (distil_names), "vocab_transform", "vocab_layer_norm",
      "vocab_projector.bias", "distilbert.embeddings.word_embeddings.weight", 3 },
    /* RobertaLMHead applies exact GELU whatever the encoder's activation is */
    { "roberta", "relu", roberta_names, G_N_ELEMENTS (roberta_names), "lm_head.dense", "lm_head.layer_norm",
      "lm_head.bias", "roberta.embeddings.word_embeddings.weight", 3 },
    /* BERT's head follows hidden_act */
    { "bert", "relu", NULL, 0, "cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
      "cls.predictions.bias", "bert.embeddings.word_embeddings.weight", 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_mlm (&cases[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/flavours/bert/bare", test_bare_bert);
  g_test_add_func ("/flavours/distilbert", test_distilbert);
  g_test_add_func ("/flavours/roberta/equals-bert", test_roberta);
  g_test_add_func ("/flavours/roberta/pad-position", test_roberta_pad_position);
  g_test_add_func ("/flavours/roberta/bad-pad", test_roberta_bad_pad);
  g_test_add_func ("/flavours/mlm", test_mlm);
  return g_test_run ();
}
