/* test-train-speech.c — training a Whisper model by recipe on a tiny synthetic speech
 * corpus: every "word" is a tone of its own pitch, so a 1 s clip spells out its
 * transcript. The saved folder loads in the inference engine, which computes the same
 * logits as the training forward pass (within 1e-5) and the same greedy transcript;
 * the model learns the corpus; a resumed run equals an uninterrupted one; bad corpora
 * and tokenizers fail with clear errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "attn-audio.h"
#include "attn-error.h"
#include "attn-model.h"
#include "attn-tokenizer-train.h"
#include "attn-train-corpus-private.h"
#include "attn-trainer-private.h"
#include "test-train-common.h"

static const char *const words[] = { "do", "re", "mi", "fa" };
static const double pitch[] = { 300.0, 700.0, 1500.0, 3000.0 };

enum { N_TRAIN = 160, N_DEV = 8 };

static char *tmp_dir;


/* A clip of 1–3 words, 0.25 s of tone each with 0.05 s of silence between, and its
 * transcript "re do fa". */
static char *
write_clip (const char *rel, GRand *r)
{
  g_autofree char *path = g_build_filename (tmp_dir, rel, NULL);
  int n = g_rand_int_range (r, 1, 4);
  float *x = g_new0 (float, ATTN_SAMPLE_RATE);
  GString *text = g_string_new (NULL);
  SF_INFO info = { 0 };
  SNDFILE *sf;

  for (int w = 0; w < n; w++)
    {
      int k = g_rand_int_range (r, 0, G_N_ELEMENTS (words));
      gsize start = (gsize) ((0.05 + 0.3 * w) * ATTN_SAMPLE_RATE);
      for (gsize i = 0; i < ATTN_SAMPLE_RATE / 4; i++)
        x[start + i] = 0.3f * (float) sin (2 * G_PI * pitch[k] * i / ATTN_SAMPLE_RATE);
      g_string_append_printf (text, "%s%s", w ? " " : "", words[k]);
    }
  info.samplerate = ATTN_SAMPLE_RATE;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_float (sf, x, ATTN_SAMPLE_RATE), ==, ATTN_SAMPLE_RATE);
  sf_close (sf);
  g_free (x);
  return g_string_free (text, FALSE);
}

static void
make_corpus (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) r = g_rand_new_with_seed (7);
  g_autoptr (GString) train = g_string_new (NULL), dev = g_string_new (NULL);
  g_autofree char *audio = NULL, *train_path = NULL, *dev_path = NULL, *tok_dir = NULL;
  static const char *const specials[] = { "<|startoftranscript|>", "<|en|>", "<|transcribe|>",
                                          "<|notimestamps|>", NULL };
  AttnTokenizerTrainOptions opts;
  g_autoptr (AttnTokenizerTrainer) tt = NULL;

  tmp_dir = train_test_make_dir ("attn-speech");
  audio = g_build_filename (tmp_dir, "clips", NULL);
  g_assert_cmpint (g_mkdir (audio, 0755), ==, 0);
  for (int i = 0; i < N_TRAIN + N_DEV; i++)
    {
      g_autofree char *rel = g_strdup_printf ("clips/%03d.wav", i);
      g_autofree char *text = write_clip (rel, r);
      g_string_append_printf (i < N_TRAIN ? train : dev, "%s\t%s\n", rel, text);
    }
  train_path = train_test_write_file (tmp_dir, "train.tsv", train->str);
  dev_path = train_test_write_file (tmp_dir, "dev.tsv", dev->str);

  attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_BPE);
  opts.vocab_size = 300;
  opts.extra_specials = specials;
  opts.tsv_column = 1;
  tt = attn_tokenizer_trainer_new (&opts);
  g_assert_true (attn_tokenizer_trainer_feed_file (tt, train_path, &error));
  g_assert_true (attn_tokenizer_trainer_train (tt, NULL, &error));
  tok_dir = g_build_filename (tmp_dir, "tok", NULL);
  g_assert_true (attn_tokenizer_trainer_save (tt, tok_dir, &error));
  g_assert_no_error (error);
}

static const char *recipe_head =
  "{ \"arch\": \"whisper\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
  "\"window_seconds\": 1, \"max_tokens\": 12, \"d_model\": 32, \"ffn_dim\": 64, \"layers\": 1, "
  "\"heads\": 2, \"batch_size\": 8, \"lr\": 0.004, \"warmup_steps\": 20, \"seed\": 3";

static AttnTrainer *
new_trainer_with (int steps, const char *more, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%s, \"steps\": %d%s }", recipe_head, steps, more);
  g_autofree char *recipe = train_test_write_file (tmp_dir, "recipe.json", text);
  AttnTrainConfig c;

  if (!attn_train_config_from_recipe (recipe, &c, error))
    return NULL;
  return attn_trainer_new (&c, error);
}

static AttnTrainer *
new_trainer (int steps, GError **error)
{
  return new_trainer_with (steps, "", error);
}

/* recipe_head with `more` must be refused with a message that contains `needle`. */
static void
expect_recipe_error (const char *more, const char *needle)
{
  g_autofree char *text = g_strdup_printf ("%s%s }", recipe_head, more);
  train_test_expect_error (tmp_dir, text, needle);
}

static const char *spec_augment =
  ", \"freq_masks\": 2, \"freq_mask_width\": 8, \"time_masks\": 2, \"time_mask_width\": 10, "
  "\"freq_warp\": 0.1";

/* The trained model transcribes the dev clips, and the engine agrees with the trainer. */
static void
test_learn_and_engine (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "model", NULL);
  g_autofree char *clip = g_build_filename (tmp_dir, "clips", "161.wav", NULL);
  g_autofree char *mine_text = NULL;
  g_autoptr (AttnModel) model = NULL;
  g_autoptr (AttnResult) r = NULL;
  g_autoptr (AttnAudio) audio = NULL;
  g_autofree float *mel = NULL;
  /* the decoding and the alignment heads chosen after training go to generation_config.json */
  AttnTrainer *t = new_trainer_with (400, ", \"num_beams\": 2, \"alignment_heads\": [[0, 1]]", &error);
  g_autofree char *gen_path = g_build_filename (dir, "generation_config.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *heads;
  AttnTrainEval ev;
  AttnInput in = { 0 };
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
  AttnBatch b = { 0 };
  const float *mine;
  double max_diff = 0;
  gint32 dec[12];
  int n_dec;

  g_assert_no_error (error);
  g_assert_true (attn_trainer_step (t, 400, NULL, NULL, &error));
  g_assert_true (attn_trainer_evaluate (t, 0, &ev, &error));
  g_assert_no_error (error);
  g_test_message ("dev after 400 steps: WER %.1f %%, CER %.1f %%, token accuracy %.1f %%",
                  ev.wer, ev.cer, 100 * ev.token_accuracy);
  g_assert_cmpint (ev.n, ==, N_DEV);
  g_assert_cmpfloat (ev.bleu, <, 0);
  g_assert_cmpfloat (ev.wer, ==, 0.0);
  g_assert_true (attn_trainer_save (t, dir, &error));
  g_assert_no_error (error);
  mine_text = attn_trainer_predict (t, clip, &error);
  g_assert_no_error (error);

  /* the engine: the same greedy transcript … */
  model = attn_model_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attn_model_get_architecture (model), ==, "whisper");
  g_assert_cmpint (attn_model_get_num_beams (model), ==, 2);
  g_assert_true (json_parser_load_from_file (parser, gen_path, &error));
  heads = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "alignment_heads");
  g_assert_cmpuint (json_array_get_length (heads), ==, 1);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (heads, 0), 0), ==, 0);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (heads, 0), 1), ==, 1);
  in.audio_path = clip;
  r = attn_model_run (model, &in, &opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->generated_text, ==, mine_text);
  g_test_message ("transcript of clips/161.wav: “%s”", mine_text);
  g_assert_cmpint (r->mel_frames, ==, 100);
  g_assert_cmpint (r->attention[ATTN_KIND_CROSS]->keys, ==, 50);

  /* … and the same logits for the forced prompt + transcript */
  /* the recorded pass's decoder input: the prompt, then the transcript */
  n_dec = MIN ((int) r->target.len, 12);
  g_assert_cmpint (n_dec, >=, 5);
  memcpy (dec, r->target.ids, sizeof (gint32) * n_dec);
  g_clear_pointer (&r, attn_result_unref);
  in.decoder_ids = dec;
  in.n_decoder_ids = n_dec;
  r = attn_model_run (model, &in, &opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->logits_rows, ==, n_dec);

  audio = attn_audio_load (clip, NULL, &error);
  mel = attn_log_mel_window_sized (audio->samples, audio->n_samples, 0, ATTN_SAMPLE_RATE, 80, &error);
  g_assert_no_error (error);
  attn_batch_reserve (&b, 1, 50, n_dec);
  attn_batch_reserve_feats (&b, 80, 100);
  memcpy (b.feats, mel, sizeof (float) * 80 * 100);
  memcpy (b.tgt_in, dec, sizeof (gint32) * n_dec);
  for (int i = 0; i < n_dec; i++)
    b.tgt_out[i] = -1;
  b.src_len[0] = 50;
  b.tgt_len[0] = n_dec;
  t->model->klass->forward (t->model, &b, 0.0f, FALSE, FALSE, NULL, NULL);
  mine = t->model->klass->logits (t->model);
  for (gsize i = 0; i < (gsize) n_dec * r->logits_cols; i++)
    max_diff = MAX (max_diff, fabs (mine[i] - r->logits[i]));
  g_test_message ("inference engine vs training forward over %d decoder positions: "
                  "max |Δlogit| = %.2e", n_dec, max_diff);
  if (!(max_diff < 1e-5))
    g_test_fail_printf ("logits differ by %.3e", max_diff);
  attn_batch_clear (&b);
  attn_trainer_free (t);
}

/* 3 steps, a checkpoint, 3 more = 6 straight, loss for loss (the batches re-read their
 * clips; the optimizer state, the data order and SpecAugment's settings come back from
 * the folder, and the masks depend on the step only). The masks do change the loss. */
static void
test_resume (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "resume", NULL);
  AttnTrainer *a = new_trainer_with (6, spec_augment, &error);
  AttnTrainer *b, *plain;
  double masked_loss, plain_loss;

  g_assert_no_error (error);
  b = new_trainer_with (6, spec_augment, &error);
  g_assert_no_error (error);
  attn_trainer_free (train_test_check_resume (a, b, 6, dir));

  a = new_trainer_with (6, spec_augment, &error);
  plain = new_trainer (6, &error);
  g_assert_no_error (error);
  g_assert_true (attn_trainer_step (a, 1, NULL, &masked_loss, &error));
  g_assert_true (attn_trainer_step (plain, 1, NULL, &plain_loss, &error));
  g_assert_cmpfloat (masked_loss, !=, plain_loss);
  attn_trainer_free (a);
  attn_trainer_free (plain);
}

/* SpecAugment: masked entries hold the clip's mean and form whole-bin bands of at most
 * freq_width bins and whole-frame spans of at most time_width frames (and a fifth of the
 * clip) inside the clip; the padding after the clip keeps its values except in the bands;
 * the same seed gives the same masks, other seeds other ones; no masks change nothing. */
static void
test_spec_augment (void)
{
  enum { M = 20, F = 50, USED = 40 };
  AttnSpecAugment sa = { 2, 4, 2, 6 }, none = { 0, 4, 0, 6 };
  float x[M * F], y[M * F], z[M * F];
  double sum = 0;
  float mean;
  int differ = 0, masked = 0;

  for (int i = 0; i < M * F; i++)
    x[i] = (float) i / 7.0f + 1.0f;
  for (int m = 0; m < M; m++)
    for (int t = 0; t < USED; t++)
      sum += x[m * F + t];
  mean = (float) (sum / (M * USED));
  memcpy (y, x, sizeof x);
  attn_spec_augment (y, M, F, USED, &none, 1);
  g_assert_cmpmem (x, sizeof x, y, sizeof y);

  for (guint64 seed = 0; seed < 50; seed++)
    {
      int bins = 0, frames = 0, runs = 0;
      memcpy (y, x, sizeof x);
      attn_spec_augment (y, M, F, USED, &sa, seed);
      memcpy (z, x, sizeof x);
      attn_spec_augment (z, M, F, USED, &sa, seed);
      g_assert_cmpmem (y, sizeof y, z, sizeof z);
      for (int i = 0; i < M * F; i++)
        g_assert_true (y[i] == x[i] || y[i] == mean);
      /* a masked bin is masked across every frame, padding included */
      for (int m = 0; m < M; m++)
        {
          int n = 0;
          for (int t = 0; t < F; t++)
            n += y[m * F + t] != x[m * F + t];
          g_assert_true (n == 0 || n == F || n <= USED);
          if (n == F)
            bins++;
          runs += n == F && (m == 0 || y[(m - 1) * F] == x[(m - 1) * F]);
        }
      g_assert_cmpint (bins, <=, 2 * 4);
      g_assert_cmpint (runs, <=, 2);
      /* a masked frame is in the clip and masked in every bin */
      for (int t = 0; t < F; t++)
        {
          int n = 0;
          for (int m = 0; m < M; m++)
            n += y[m * F + t] != x[m * F + t];
          if (n == M && bins < M)
            {
              g_assert_cmpint (t, <, USED);
              frames++;
            }
        }
      g_assert_cmpint (frames, <=, 2 * MIN (6, USED / 5));
      masked += memcmp (x, y, sizeof y) != 0;
      memcpy (z, x, sizeof x);
      attn_spec_augment (z, M, F, USED, &sa, seed + 1000);
      differ += memcmp (y, z, sizeof y) != 0;
    }
  /* masks nearly always, and other seeds other masks (a draw may pick widths of 0) */
  g_assert_cmpint (masked, >, 45);
  g_assert_cmpint (differ, >, 45);
}

/* "extra_train" adds a second list of clips, its paths relative to its own folder; a
 * resumed run reads it again; a missing clip in it names that file and line. */
static void
test_extra_train (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *more = g_build_filename (tmp_dir, "more", NULL);
  g_autofree char *dir = g_build_filename (tmp_dir, "extra", NULL);
  g_autoptr (GString) list = g_string_new (NULL);
  AttnTrainCorpusInfo info;
  AttnTrainer *t;

  g_assert_cmpint (g_mkdir_with_parents (more, 0755), ==, 0);
  for (int i = 0; i < 5; i++)
    g_string_append_printf (list, "../clips/%03d.wav\tdo re\n", i);
  g_free (train_test_write_file (more, "extra.tsv", list->str));
  t = new_trainer_with (2, ", \"extra_train\": \"more/extra.tsv\"", &error);
  g_assert_no_error (error);
  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train, ==, N_TRAIN + 5);
  g_assert_true (attn_trainer_step (t, 2, NULL, NULL, &error));
  g_assert_true (attn_trainer_save (t, dir, &error));
  g_assert_no_error (error);
  attn_trainer_free (t);
  t = attn_trainer_resume (dir, &error);
  g_assert_no_error (error);
  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train, ==, N_TRAIN + 5);
  attn_trainer_free (t);

  g_string_append (list, "../clips/missing.wav\tre\n");
  g_free (train_test_write_file (more, "extra.tsv", list->str));
  g_assert_null (new_trainer_with (1, ", \"extra_train\": \"more/extra.tsv\"", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "extra.tsv:6"));
}

/* The mel-axis warp: every frame's bin m takes the value at m / α, one α per clip drawn
 * from [1 − w, 1 + w] by the seed (rows that hold their own index show α); the same seed
 * the same warp, other seeds other ones, both sides of 1; warp and masks together change
 * the masks of the clip as without the warp; a warp of 0 changes nothing. */
static void
test_freq_warp (void)
{
  enum { M = 40, F = 30, USED = 25 };
  AttnSpecAugment warp = { 0, 0, 0, 0, 0.1f }, both = { 2, 4, 2, 6, 0.1f }, masks = { 2, 4, 2, 6 };
  float x[M * F], y[M * F], z[M * F];
  double lo = 2, hi = 0;

  for (int m = 0; m < M; m++)
    for (int t = 0; t < F; t++)
      x[m * F + t] = (float) m;
  for (guint64 seed = 0; seed < 200; seed++)
    {
      double alpha;
      memcpy (y, x, sizeof x);
      attn_spec_augment (y, M, F, USED, &warp, seed);
      alpha = 1.0 / y[1 * F];
      g_assert_cmpfloat (alpha, >=, 0.9 - 1e-6);
      g_assert_cmpfloat (alpha, <=, 1.1 + 1e-6);
      lo = MIN (lo, alpha);
      hi = MAX (hi, alpha);
      for (int m = 0; m < M; m++)
        for (int t = 0; t < F; t++)
          g_assert_cmpfloat (fabs (y[m * F + t] - MIN (m / alpha, M - 1)), <, 1e-4);
      memcpy (z, x, sizeof x);
      attn_spec_augment (z, M, F, USED, &warp, seed);
      g_assert_cmpmem (y, sizeof y, z, sizeof z);
      /* the masks fall where they fall without the warp: where `masks` masked, `both` holds
       * one value per frame (a masked frame) or per bin (a masked band) */
      memcpy (z, x, sizeof x);
      attn_spec_augment (z, M, F, USED, &masks, seed);
      memcpy (y, x, sizeof x);
      attn_spec_augment (y, M, F, USED, &both, seed);
      for (int i = 0; i < M * F; i++)
        if (z[i] == x[i])
          g_assert_cmpfloat (fabs (y[i] - MIN ((i / F) / alpha, M - 1)), <, 1e-4);
    }
  g_test_message ("warp factors drawn: %.3f … %.3f", lo, hi);
  g_assert_cmpfloat (lo, <, 0.92);
  g_assert_cmpfloat (hi, >, 1.08);
}

/* A recipe with recipe_head's 1 layer replaced by `layers`, then `more`. */
static AttnTrainer *
new_trainer_layers (int layers, int steps, const char *more, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (recipe_head, "\"layers\": 1", 2);
  g_autofree char *layers_s = g_strdup_printf ("\"layers\": %d", layers);
  g_autofree char *head = g_strjoinv (layers_s, parts);
  g_autofree char *text = g_strdup_printf ("%s, \"steps\": %d%s }", head, steps, more);
  g_autofree char *recipe = train_test_write_file (tmp_dir, "recipe.json", text);
  AttnTrainConfig c;

  g_assert_cmpint (g_strv_length (parts), ==, 2);
  if (!attn_train_config_from_recipe (recipe, &c, error))
    return NULL;
  return attn_trainer_new (&c, error);
}

/* The logits of the saved model in `dir` for the clip and the forced decoder ids. */
static float *
engine_logits (const char *dir, const char *clip, const gint32 *ids, int n, int *cols)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnModel) model = attn_model_load (dir, &error);
  g_autoptr (AttnResult) r = NULL;
  AttnInput in = { 0 };
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;

  g_assert_no_error (error);
  in.audio_path = clip;
  in.decoder_ids = ids;
  in.n_decoder_ids = n;
  r = attn_model_run (model, &in, &opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->logits_rows, ==, n);
  *cols = r->logits_cols;
  return g_memdup2 (r->logits, sizeof (float) * n * r->logits_cols);
}

/* "grow_layers": a trained 1-layer model grown to 3 layers computes the same logits (the
 * added layers pass their input through), and the added layers then learn; growing is
 * refused without the key, from a deeper model, for another architecture and without
 * an "init". */
static void
test_grow_layers (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *small = g_build_filename (tmp_dir, "grow-1", NULL);
  g_autofree char *grown = g_build_filename (tmp_dir, "grow-3", NULL);
  g_autofree char *clip = g_build_filename (tmp_dir, "clips", "161.wav", NULL);
  g_autofree float *a = NULL, *b = NULL;
  static const gint32 ids[] = { 1, 2, 3, 4, 40, 41, 42 };   /* the prompt, then tokens */
  const char *grow = ", \"init\": \"grow-1\", \"grow_layers\": true";
  const AttnParamInfo *fc2, *old_fc2;
  AttnTrainer *t = new_trainer (60, &error);
  double max_diff = 0, loss;
  int cols_a, cols_b;
  gboolean moved = FALSE;

  g_assert_no_error (error);
  g_assert_true (attn_trainer_step (t, 60, NULL, NULL, &error));
  g_assert_true (attn_trainer_save (t, small, &error));
  g_assert_no_error (error);
  attn_trainer_free (t);

  t = new_trainer_layers (3, 20, grow, &error);
  g_assert_no_error (error);
  g_assert_true (attn_trainer_save (t, grown, &error));
  g_assert_no_error (error);
  a = engine_logits (small, clip, ids, G_N_ELEMENTS (ids), &cols_a);
  b = engine_logits (grown, clip, ids, G_N_ELEMENTS (ids), &cols_b);
  g_assert_cmpint (cols_a, ==, cols_b);
  for (gsize i = 0; i < G_N_ELEMENTS (ids) * (gsize) cols_a; i++)
    max_diff = MAX (max_diff, fabs (a[i] - b[i]));
  g_test_message ("1 layer vs grown to 3: max |Δlogit| = %.2e", max_diff);
  g_assert_cmpfloat (max_diff, <, 1e-5);

  /* the added layers' output projections start at zero and then learn; the saved
   * layer's weights were copied */
  fc2 = attn_params_find (t->model->params, "model.encoder.layers.2.fc2.weight");
  old_fc2 = attn_params_find (t->model->params, "model.decoder.layers.0.fc2.weight");
  g_assert_nonnull (fc2);
  g_assert_nonnull (old_fc2);
  for (gsize i = 0; i < fc2->numel; i++)
    g_assert_cmpfloat (t->model->params->data[fc2->offset + i], ==, 0.0f);
  g_assert_true (attn_trainer_step (t, 20, NULL, &loss, &error));
  g_assert_no_error (error);
  g_assert_true (isfinite (loss));
  for (gsize i = 0; i < fc2->numel; i++)
    moved |= t->model->params->data[fc2->offset + i] != 0.0f;
  g_assert_true (moved);
  attn_trainer_free (t);

  g_assert_null (new_trainer_layers (3, 1, ", \"init\": \"grow-1\"", &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "model.encoder.layers.1"));
  g_clear_error (&error);

  expect_recipe_error (", \"steps\": 1, \"init\": \"grow-3\", \"grow_layers\": true",
                       "more than the 1 of the recipe");
  expect_recipe_error (", \"steps\": 1, \"grow_layers\": true",
                       "“grow_layers” applies to a whisper recipe");
  expect_recipe_error (", \"steps\": 1, \"grow_layers\": 1", "“grow_layers” must be true or false");
}

static void
test_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL, *recipe = NULL;
  AttnTrainConfig c;

  /* a plain BPE tokenizer has no <|startoftranscript|> */
  {
    AttnTokenizerTrainOptions opts;
    g_autoptr (AttnTokenizerTrainer) tt = NULL;
    g_autofree char *train = g_build_filename (tmp_dir, "train.tsv", NULL);
    g_autofree char *plain = g_build_filename (tmp_dir, "plain", NULL);
    attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_BPE);
    opts.vocab_size = 300;
    opts.tsv_column = 1;
    tt = attn_tokenizer_trainer_new (&opts);
    g_assert_true (attn_tokenizer_trainer_feed_file (tt, train, &error));
    g_assert_true (attn_tokenizer_trainer_train (tt, NULL, &error));
    g_assert_true (attn_tokenizer_trainer_save (tt, plain, &error));
  }
  text = g_strdup_printf ("%s }", recipe_head);
  recipe = train_test_write_file (tmp_dir, "bad.json", text);
  g_assert_true (attn_train_config_from_recipe (recipe, &c, &error));
  g_strlcpy (c.tokenizer_dir, tmp_dir, sizeof c.tokenizer_dir);
  g_strlcat (c.tokenizer_dir, "/plain", sizeof c.tokenizer_dir);
  g_assert_null (attn_trainer_new (&c, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "<|startoftranscript|>"));
  g_clear_error (&error);

  /* a missing clip names the file and the line */
  g_free (text);
  g_free (recipe);
  {
    g_autofree char *bad_dev = train_test_write_file (tmp_dir, "bad-dev.tsv", "clips/000.wav\tdo\nclips/missing.wav\tre\n");
    text = g_strdup_printf ("%s, \"steps\": 1 }", recipe_head);
    recipe = train_test_write_file (tmp_dir, "bad.json", text);
    g_assert_true (attn_train_config_from_recipe (recipe, &c, &error));
    g_strlcpy (c.dev_path, bad_dev, sizeof c.dev_path);
    g_assert_null (attn_trainer_new (&c, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "bad-dev.tsv:2"));
    g_clear_error (&error);
  }

  /* SpecAugment's bands must be narrower than the mel bins; the warp is at most 0.3 */
  expect_recipe_error (", \"freq_masks\": 1, \"freq_mask_width\": 80", "freq_mask_width");
  expect_recipe_error (", \"freq_warp\": 0.5", "“freq_warp” from 0 to 0.3");
  /* alignment heads are [layer, head] pairs of this decoder (1 layer × 2 heads) */
  expect_recipe_error (", \"alignment_heads\": [[1, 0]]", "not in a decoder");
  expect_recipe_error (", \"alignment_heads\": [0, 1]", "pairs");
  expect_recipe_error (", \"alignment_heads\": []", "pairs");

  /* the window must be whole seconds from 1 to 30 */
  g_free (text);
  g_free (recipe);
  text = g_strdup_printf ("%s, \"window_seconds\": 0 }", recipe_head);
  recipe = train_test_write_file (tmp_dir, "bad.json", text);
  g_assert_false (attn_train_config_from_recipe (recipe, &c, &error)
                  && attn_trainer_new (&c, &error) != NULL);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  train_test_init_blas ();
  make_corpus ();
  g_test_add_func ("/train-speech/learn-and-engine", test_learn_and_engine);
  g_test_add_func ("/train-speech/resume", test_resume);
  g_test_add_func ("/train-speech/spec-augment", test_spec_augment);
  g_test_add_func ("/train-speech/freq-warp", test_freq_warp);
  g_test_add_func ("/train-speech/extra-train", test_extra_train);
  g_test_add_func ("/train-speech/grow-layers", test_grow_layers);
  g_test_add_func ("/train-speech/errors", test_errors);
  status = g_test_run ();
  if (status == 0)
    train_test_remove_dir (tmp_dir);
  return status;
}
