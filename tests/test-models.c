/* test-models.c — every reference checkpoint against the Hugging Face outputs:
 * attention and logits within 1e-4, log-mel within 1e-3, token ids and greedy
 * sequences identical, padded batches equal to the reference batch. */
#include "attn-model.h"
#include "test-common.h"

#include <math.h>
#include <string.h>

#define TOL 1e-4

static AttnModel *
load (const char *name)
{
  g_autofree char *dir = test_fixture (name, NULL);
  g_autoptr(GError) error = NULL;
  AttnModel *m = attn_model_load (dir, &error);
  g_assert_no_error (error);
  return m;
}

static AttnResult *
run (AttnModel *m, const AttnInput *in, const AttnRunOptions *opt)
{
  g_autoptr(GError) error = NULL;
  AttnResult *r = attn_model_run (m, in, opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static void
check_weights (const char *what, const AttnWeights *w, AttnCheckpoint *ref, const char *name)
{
  const AttnTensorInfo *t = attn_checkpoint_find (ref, name);
  g_autofree float *want = NULL;
  gsize n;
  g_assert_nonnull (w);
  g_assert_nonnull (t);
  g_assert_cmpint (t->ndim, ==, 4);
  g_assert_cmpint (w->layers, ==, t->shape[0]);
  g_assert_cmpint (w->heads, ==, t->shape[1]);
  g_assert_cmpint (w->queries, ==, t->shape[2]);
  g_assert_cmpint (w->keys, ==, t->shape[3]);
  want = test_ref_f32 (ref, name, &n);
  test_assert_close (what, w->data, want, n, TOL);
}

static void
check_logits (const char *what, const AttnResult *r, AttnCheckpoint *ref, const char *name)
{
  g_autofree float *want = NULL;
  gsize n;
  want = test_ref_f32 (ref, name, &n);
  g_assert_cmpuint ((gsize) MAX (r->logits_rows, 1) * r->logits_cols, ==, n);
  test_assert_close (what, r->logits, want, n, TOL);
}

/* --- BERT ------------------------------------------------------------------- */

static void
test_bert_texts (void)
{
  g_autoptr(AttnModel) m = load ("bert");
  g_autoptr(AttnCheckpoint) ref = test_reference ("bert");
  g_autoptr(JsonObject) meta = test_reference_json ("bert");
  JsonArray *texts = json_object_get_array_member (meta, "texts");

  g_assert_cmpstr (attn_model_get_architecture (m), ==, "bert");
  g_assert_cmpint (attn_model_get_n_layers (m), ==, 2);
  g_assert_cmpint (attn_model_get_n_heads (m), ==, 4);
  for (guint i = 0; i < json_array_get_length (texts); i++)
    {
      g_autofree char *key = g_strdup_printf ("%u.input_ids", i);
      g_autofree char *att = g_strdup_printf ("%u.attentions", i);
      g_autofree char *lg = g_strdup_printf ("%u.logits", i);
      g_autofree char *what = g_strdup_printf ("bert text %u", i);
      g_autofree gint32 *ids = NULL;
      g_autoptr(AttnResult) r = NULL;
      AttnInput in = { 0 };
      gsize n;
      if (!test_ref_has (ref, key))
        continue;
      ids = test_ref_ids (ref, key, &n);
      in.text = json_array_get_string_element (texts, i);
      r = run (m, &in, NULL);
      test_assert_ids (what, r->input.ids, r->input.len, ids, n);
      check_weights (what, r->attention[ATTN_KIND_SELF], ref, att);
      check_logits (what, r, ref, lg);
      g_assert_cmpint (r->output_kind, ==, ATTN_OUTPUT_LABELS);
      g_assert_cmpuint (r->n_labels, ==, 3);
      g_assert_cmpstr (r->labels[2], ==, "positive");
    }
}

static void
test_bert_pair (void)
{
  g_autoptr(AttnModel) m = load ("bert");
  g_autoptr(AttnCheckpoint) ref = test_reference ("bert");
  g_autoptr(JsonObject) meta = test_reference_json ("bert");
  JsonArray *texts = json_object_get_array_member (meta, "texts");
  g_autofree gint32 *ids = NULL, *types = NULL;
  g_autoptr(AttnResult) r = NULL;
  AttnInput in = { 0 };
  gsize n, nt;

  g_assert_true (attn_model_accepts_pair (m));
  ids = test_ref_ids (ref, "pair.input_ids", &n);
  types = test_ref_ids (ref, "pair.token_type_ids", &nt);
  in.text = json_array_get_string_element (texts, 0);
  in.text_pair = json_array_get_string_element (texts, 1);
  r = run (m, &in, NULL);
  test_assert_ids ("bert pair ids", r->input.ids, r->input.len, ids, n);
  g_assert_nonnull (r->type_ids);
  test_assert_ids ("bert pair type ids", r->type_ids, r->input.len, types, nt);
  check_weights ("bert pair", r->attention[ATTN_KIND_SELF], ref, "pair.attentions");
  check_logits ("bert pair", r, ref, "pair.logits");
}

static void
test_bert_batch (void)
{
  g_autoptr(AttnModel) m = load ("bert");
  g_autoptr(AttnCheckpoint) ref = test_reference ("bert");
  const AttnTensorInfo *t = attn_checkpoint_find (ref, "batch.input_ids");
  g_autofree gint32 *ids = test_ref_ids (ref, "batch.input_ids", NULL);
  g_autofree gint32 *mask32 = test_ref_ids (ref, "batch.attention_mask", NULL);
  g_autofree float *att = test_ref_f32 (ref, "batch.attentions", NULL);
  g_autofree float *logits = test_ref_f32 (ref, "batch.logits", NULL);
  int B = t->shape[0], T = t->shape[1], L = 2, H = 4;

  for (int b = 0; b < B; b++)
    {
      g_autofree guint8 *mask = g_new (guint8, T);
      g_autofree float *want = g_new (float, (gsize) L * H * T * T);
      g_autofree char *what = g_strdup_printf ("bert padded batch row %d", b);
      g_autoptr(AttnResult) r = NULL;
      AttnInput in = { 0 };
      for (int i = 0; i < T; i++)
        mask[i] = mask32[b * T + i] != 0;
      in.input_ids = ids + (gsize) b * T;
      in.n_input_ids = T;
      in.attention_mask = mask;
      r = run (m, &in, NULL);
      for (int l = 0; l < L; l++)
        memcpy (want + (gsize) l * H * T * T, att + ((gsize) l * B + b) * H * T * T, (gsize) H * T * T * sizeof (float));
      test_assert_close (what, r->attention[ATTN_KIND_SELF]->data, want, (gsize) L * H * T * T, TOL);
      test_assert_close (what, r->logits, logits + b * 3, 3, TOL);
    }
}

/* --- GPT-2 ------------------------------------------------------------------ */

static void
test_gpt2 (void)
{
  g_autoptr(AttnModel) m = load ("gpt2");
  g_autoptr(AttnCheckpoint) ref = test_reference ("gpt2");
  g_autoptr(JsonObject) meta = test_reference_json ("gpt2");
  JsonArray *texts = json_object_get_array_member (meta, "texts");

  for (guint i = 0; i < json_array_get_length (texts); i++)
    {
      g_autofree char *key = g_strdup_printf ("%u.input_ids", i);
      g_autofree char *att = g_strdup_printf ("%u.attentions", i);
      g_autofree char *lg = g_strdup_printf ("%u.logits", i);
      g_autofree char *gr = g_strdup_printf ("%u.greedy", i);
      g_autofree char *what = g_strdup_printf ("gpt2 text %u", i);
      g_autofree gint32 *ids = NULL, *greedy = NULL;
      g_autoptr(AttnResult) r = NULL;
      AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
      AttnInput in = { 0 };
      gsize n, ng;
      if (!test_ref_has (ref, key))
        continue;
      ids = test_ref_ids (ref, key, &n);
      greedy = test_ref_ids (ref, gr, &ng);
      in.text = json_array_get_string_element (texts, i);
      opt.max_new_tokens = ng - n;
      r = run (m, &in, &opt);
      test_assert_ids (what, r->input.ids, r->input.len, ids, n);
      check_weights (what, r->attention[ATTN_KIND_SELF], ref, att);
      check_logits (what, r, ref, lg);
      test_assert_ids ("gpt2 greedy", r->generated.ids, r->generated.len, greedy + n, ng - n);
      g_assert_true (r->attention[ATTN_KIND_SELF]->causal);
    }
}

/* --- Marian ----------------------------------------------------------------- */

static void
test_marian (void)
{
  g_autoptr(AttnModel) m = load ("marian");
  g_autoptr(AttnCheckpoint) ref = test_reference ("marian");
  g_autoptr(JsonObject) meta = test_reference_json ("marian");
  JsonArray *src = json_object_get_array_member (meta, "source");
  JsonArray *tgt = json_object_get_array_member (meta, "target");

  g_assert_true (attn_model_is_encoder_decoder (m));
  for (guint i = 0; i < json_array_get_length (src); i++)
    {
      g_autofree char *k_in = g_strdup_printf ("%u.input_ids", i), *k_dec = g_strdup_printf ("%u.decoder_input_ids", i);
      g_autofree char *k_enc = g_strdup_printf ("%u.encoder_attentions", i), *k_self = g_strdup_printf ("%u.decoder_attentions", i);
      g_autofree char *k_cross = g_strdup_printf ("%u.cross_attentions", i), *k_lg = g_strdup_printf ("%u.logits", i);
      g_autofree char *k_gr = g_strdup_printf ("%u.greedy", i);
      g_autofree char *what = g_strdup_printf ("marian pair %u", i);
      g_autofree gint32 *ids = NULL, *dec = NULL, *greedy = NULL;
      g_autoptr(AttnResult) r = NULL, r2 = NULL;
      AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
      AttnInput in = { 0 };
      gsize n, nd, ng;

      ids = test_ref_ids (ref, k_in, &n);
      dec = test_ref_ids (ref, k_dec, &nd);
      greedy = test_ref_ids (ref, k_gr, &ng);
      in.source = json_array_get_string_element (src, i);
      in.target = json_array_get_string_element (tgt, i);
      opt.max_new_tokens = ng - 1;
      r = run (m, &in, &opt);
      test_assert_ids (what, r->input.ids, r->input.len, ids, n);
      test_assert_ids ("marian decoder input", r->target.ids, r->target.len, dec, nd);
      g_assert_true (r->target_forced);
      check_weights ("marian encoder", r->attention[ATTN_KIND_ENCODER], ref, k_enc);
      check_weights ("marian decoder", r->attention[ATTN_KIND_DECODER], ref, k_self);
      check_weights ("marian cross", r->attention[ATTN_KIND_CROSS], ref, k_cross);
      check_logits (what, r, ref, k_lg);
      test_assert_ids ("marian greedy", r->generated.ids, r->generated.len, greedy + 1, ng - 1);

      /* the same through ids */
      memset (&in, 0, sizeof in);
      in.input_ids = ids;
      in.n_input_ids = n;
      in.decoder_ids = dec;
      in.n_decoder_ids = nd;
      r2 = run (m, &in, &opt);
      test_assert_close ("marian ids cross", r2->attention[ATTN_KIND_CROSS]->data, r->attention[ATTN_KIND_CROSS]->data,
                         (gsize) 2 * 4 * nd * n, 0);
    }
}

/* --- Whisper ---------------------------------------------------------------- */

static void
test_whisper (void)
{
  g_autoptr(AttnModel) m = load ("whisper");
  g_autoptr(AttnCheckpoint) ref = test_reference ("whisper");
  g_autofree char *wav = test_fixture ("whisper", "speech16k.wav", NULL);
  g_autofree gint32 *dec = NULL, *greedy = NULL, *rows = NULL;
  g_autofree float *feat = NULL, *enc_rows = NULL, *got_rows = NULL;
  g_autoptr(AttnResult) r = NULL, g = NULL;
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
  AttnInput in = { 0 };
  const AttnWeights *ew;
  gsize nd, ng, nr, nf, ner;

  g_assert_cmpint (attn_model_get_modality (m), ==, ATTN_MODALITY_SPEECH);
  dec = test_ref_ids (ref, "decoder_input_ids", &nd);
  in.audio_path = wav;
  in.decoder_ids = dec;
  in.n_decoder_ids = nd;
  opt.max_new_tokens = 8;
  r = run (m, &in, &opt);

  feat = test_ref_f32 (ref, "input_features", &nf);
  g_assert_cmpint (r->mel_bins * r->mel_frames, ==, nf);
  test_assert_close ("whisper log-mel", r->mel, feat, nf, 1e-3);

  rows = test_ref_ids (ref, "encoder_attention_rows_index", &nr);
  enc_rows = test_ref_f32 (ref, "encoder_attention_rows", &ner);
  ew = r->attention[ATTN_KIND_ENCODER];
  g_assert_nonnull (ew);
  got_rows = g_new (float, ner);
  for (int l = 0; l < ew->layers; l++)
    for (int h = 0; h < ew->heads; h++)
      for (gsize k = 0; k < nr; k++)
        memcpy (got_rows + (((gsize) l * ew->heads + h) * nr + k) * ew->keys,
                attn_weights_head (ew, l, h) + (gsize) rows[k] * ew->keys, ew->keys * sizeof (float));
  test_assert_close ("whisper encoder rows", got_rows, enc_rows, ner, TOL);
  check_weights ("whisper decoder", r->attention[ATTN_KIND_DECODER], ref, "decoder_attentions");
  check_weights ("whisper cross", r->attention[ATTN_KIND_CROSS], ref, "cross_attentions");
  check_logits ("whisper", r, ref, "logits");

  greedy = test_ref_ids (ref, "greedy", &ng);
  memset (&in, 0, sizeof in);
  in.audio_path = wav;
  opt.max_new_tokens = ng;
  g = run (m, &in, &opt);
  test_assert_ids ("whisper greedy", g->generated.ids, g->generated.len, greedy, ng);
}

/* --- a head from the inside ----------------------------------------------- */

/* Recomputes softmax(q·kᵀ·scale + mask) from a trace and compares it with the recorded head. */
static void
check_trace (const char *what, AttnModel *m, const AttnInput *in, AttnKind kind, int layer, int head)
{
  AttnHeadTrace trace = { kind, layer, head };
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
  g_autoptr(AttnResult) r = NULL;
  g_autofree float *p = NULL;
  const AttnWeights *w;
  opt.trace = &trace;
  opt.max_new_tokens = 3;
  r = run (m, in, &opt);
  w = r->attention[kind];
  g_assert_true (trace.filled);
  g_assert_cmpint (trace.queries, ==, w->queries);
  g_assert_cmpint (trace.keys, ==, w->keys);
  p = g_new (float, (gsize) w->queries * w->keys);
  for (int i = 0; i < trace.queries; i++)
    {
      double mx = -G_MAXDOUBLE, sum = 0;
      double *row = g_new (double, trace.keys);
      for (int j = 0; j < trace.keys; j++)
        {
          double s = 0;
          for (int d = 0; d < trace.dh; d++)
            s += (double) trace.q[(gsize) i * trace.dh + d] * trace.k[(gsize) j * trace.dh + d];
          s *= trace.scale;
          if ((trace.causal_offset >= 0 && j > i + trace.causal_offset) || (trace.key_mask && !trace.key_mask[j]))
            s = -G_MAXDOUBLE;
          row[j] = s;
          mx = MAX (mx, s);
        }
      for (int j = 0; j < trace.keys; j++)
        sum += row[j] == -G_MAXDOUBLE ? 0 : exp (row[j] - mx);
      for (int j = 0; j < trace.keys; j++)
        p[(gsize) i * trace.keys + j] = row[j] == -G_MAXDOUBLE ? 0 : (float) (exp (row[j] - mx) / sum);
      g_free (row);
    }
  test_assert_close (what, p, attn_weights_head (w, layer, head), (gsize) w->queries * w->keys, 1e-5);
  attn_head_trace_clear (&trace);
}

static void
test_trace (void)
{
  g_autoptr(AttnModel) bert = load ("bert");
  g_autoptr(AttnModel) gpt2 = load ("gpt2");
  g_autoptr(AttnModel) marian = load ("marian");
  AttnInput text = { .text = "The animal didn't cross the street because it was too tired." };
  AttnInput pair = { .source = "Ich habe keine Zeit.", .target = "I have no time." };
  check_trace ("bert layer 1 head 2, from q and k", bert, &text, ATTN_KIND_SELF, 1, 2);
  check_trace ("gpt2 layer 0 head 3, causal", gpt2, &text, ATTN_KIND_SELF, 0, 3);
  check_trace ("marian encoder layer 1 head 0", marian, &pair, ATTN_KIND_ENCODER, 1, 0);
  check_trace ("marian decoder layer 0 head 1", marian, &pair, ATTN_KIND_DECODER, 0, 1);
  check_trace ("marian cross layer 1 head 3", marian, &pair, ATTN_KIND_CROSS, 1, 3);
}

/* Byte-level tokens that hold part of a character are labelled with that character */
static void
test_split_character_labels (void)
{
  g_autoptr(AttnModel) m = load ("gpt2");
  AttnInput in = { .text = "Café 日本" };
  g_autoptr(AttnResult) r = run (m, &in, NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  for (guint i = 0; i < r->input.len; i++)
    {
      g_assert_null (strstr (r->input.display[i], "\\x"));
      g_string_append_printf (all, "[%s]", r->input.display[i]);
    }
  g_test_message ("labels: %s", all->str);
  g_assert_nonnull (strstr (all->str, "[é 1/2][é 2/2]"));
  g_assert_nonnull (strstr (all->str, "[日 1/3][日 2/3][日 3/3]"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/models/bert/texts", test_bert_texts);
  g_test_add_func ("/models/bert/pair", test_bert_pair);
  g_test_add_func ("/models/bert/padded-batch", test_bert_batch);
  g_test_add_func ("/models/gpt2/texts", test_gpt2);
  g_test_add_func ("/models/marian/pairs", test_marian);
  g_test_add_func ("/models/whisper/speech", test_whisper);
  g_test_add_func ("/models/trace", test_trace);
  g_test_add_func ("/models/gpt2/split-character-labels", test_split_character_labels);
  return g_test_run ();
}
