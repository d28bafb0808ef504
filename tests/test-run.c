/* test-run.c — model runs and their errors: empty and over-long inputs, bad UTF-8 and
 * ids, cancellation, progress, beam search, Whisper's audio errors and long audio, and
 * the result's reference counting across threads. */
#include "attn-model.h"
#include "attn-audio.h"
#include "attn-error.h"
#include "test-common.h"

#include <math.h>
#include <string.h>

static AttnModel *models[4];
enum { BERT, GPT2, MARIAN, WHISPER };
static const char *names[4] = { "bert", "gpt2", "marian", "whisper" };

static AttnModel *
model (int which)
{
  if (models[which] == NULL)
    {
      g_autofree char *dir = test_fixture (names[which], NULL);
      g_autoptr(GError) error = NULL;
      models[which] = attn_model_load (dir, &error);
      g_assert_no_error (error);
    }
  return models[which];
}

static AttnResult *
run_ok (int which, const AttnInput *in, const AttnRunOptions *opt)
{
  g_autoptr(GError) error = NULL;
  AttnResult *r = attn_model_run (model (which), in, opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static GError *
run_fails (int which, const AttnInput *in, const AttnRunOptions *opt, GCancellable *cancellable,
           AttnProgressFunc progress, gpointer data)
{
  GError *error = NULL;
  AttnResult *r = attn_model_run (model (which), in, opt, cancellable, progress, data, &error);
  g_assert_null (r);
  g_assert_nonnull (error);
  return error;
}

/* --- text inputs ---------------------------------------------------------------- */

static void
test_empty_text (void)
{
  AttnInput in = { 0 };
  g_autoptr(AttnResult) r = NULL;
  g_autoptr(GError) error = NULL;
  in.text = "";
  /* BERT: [CLS] [SEP] is a valid input */
  r = run_ok (BERT, &in, NULL);
  g_assert_cmpuint (r->input.len, ==, 2);
  g_assert_cmpstr (r->input.tokens[0], ==, "[CLS]");
  g_assert_cmpstr (r->input.tokens[1], ==, "[SEP]");
  g_assert_cmpint (r->attention[ATTN_KIND_SELF]->queries, ==, 2);
  g_assert_cmpint (r->output_kind, ==, ATTN_OUTPUT_LABELS);
  /* GPT-2 adds no special tokens: nothing to run */
  error = run_fails (GPT2, &in, NULL, NULL, NULL, NULL);
  test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, "no tokens", NULL);
}

static void
test_missing_input (void)
{
  AttnInput in = { 0 };
  g_autoptr(GError) e1 = run_fails (BERT, &in, NULL, NULL, NULL, NULL);
  g_autoptr(GError) e2 = run_fails (MARIAN, &in, NULL, NULL, NULL, NULL);
  g_autoptr(GError) e3 = run_fails (WHISPER, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_INPUT, "text", NULL);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_INPUT, "source", NULL);
  test_assert_error (e3, ATTN_ERROR, ATTN_ERROR_INPUT, "audio", NULL);
}

static void
test_too_long (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree gint32 *ids = g_new (gint32, 129);
  AttnInput in = { 0 };
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;
  g_autoptr(AttnResult) r = NULL;
  for (int i = 0; i < 200; i++)
    g_string_append (text, "the ");
  in.text = text->str;
  e1 = run_fails (BERT, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_INPUT, "202 tokens", "128", NULL);
  e2 = run_fails (GPT2, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_INPUT, "128", NULL);
  in.text = NULL;
  in.source = text->str;
  e3 = run_fails (MARIAN, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e3, ATTN_ERROR, ATTN_ERROR_INPUT, "128", NULL);
  /* ids: 128 is the limit, 129 is over it */
  for (int i = 0; i < 129; i++)
    ids[i] = 5;
  memset (&in, 0, sizeof in);
  in.input_ids = ids;
  in.n_input_ids = 128;
  r = run_ok (BERT, &in, NULL);
  g_assert_cmpint (r->attention[ATTN_KIND_SELF]->keys, ==, 128);
  in.n_input_ids = 129;
  e4 = run_fails (BERT, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e4, ATTN_ERROR, ATTN_ERROR_INPUT, "129 tokens", "128", NULL);
  g_assert_cmpint (attn_model_count_tokens (model (BERT), text->str, NULL, NULL), ==, 202);

  /* the longest start that fits: after a word, at the limit or one word short of it */
  for (int m = BERT; m <= GPT2; m++)
    {
      gssize cut = attn_model_fit_prefix (model (m), text->str, NULL, NULL);
      g_autofree char *kept = g_strndup (text->str, cut);
      g_autofree char *more = NULL;
      const char *next;
      int n = attn_model_count_tokens (model (m), kept, NULL, NULL);

      g_assert_cmpint (cut, >, 0);
      g_assert_cmpint (cut, <, (gssize) text->len);
      g_assert_true (g_ascii_isspace (text->str[cut]));
      g_assert_cmpint (n, <=, 128);
      g_assert_cmpint (n, >, 100);
      /* one more word does not fit */
      for (next = text->str + cut; g_ascii_isspace (*next); next++)
        ;
      while (*next && !g_ascii_isspace (*next))
        next++;
      more = g_strndup (text->str, next - text->str);
      g_assert_cmpint (attn_model_count_tokens (model (m), more, NULL, NULL), >, 128);
    }
  /* what fits is kept whole; a pair beside it takes its share */
  g_assert_cmpint (attn_model_fit_prefix (model (BERT), "A short text.", NULL, NULL), ==, 13);
  {
    gssize alone = attn_model_fit_prefix (model (BERT), text->str, NULL, NULL);
    gssize beside = attn_model_fit_prefix (model (BERT), text->str, "and a second sentence", NULL);

    g_assert_cmpint (beside, >, 0);
    g_assert_cmpint (beside, <, alone);
  }
  /* one long word: cut after a character */
  {
    GString *word = g_string_new (NULL);
    gssize cut;

    for (int i = 0; i < 400; i++)
      g_string_append (word, "é");
    cut = attn_model_fit_prefix (model (GPT2), word->str, NULL, NULL);
    g_assert_cmpint (cut, >, 0);
    g_assert_cmpint (cut, <, (gssize) word->len);
    g_assert_cmpint (attn_model_count_tokens (model (GPT2), word->str, NULL, NULL), >, 128);
    g_assert_cmpint (cut % 2, ==, 0);   /* on a character boundary */
    g_assert_true (g_utf8_validate (word->str, cut, NULL));
    g_string_free (word, TRUE);
  }
  g_assert_cmpint (attn_model_fit_prefix (model (BERT), "caf\xc3 and", NULL, NULL), ==, -1);
}

static void
test_invalid_utf8 (void)
{
  static const char *bad = "caf\xc3 and \xff\xfe";
  for (int m = BERT; m <= MARIAN; m++)
    {
      AttnInput in = { 0 };
      g_autoptr(GError) error = NULL;
      if (m == MARIAN)
        in.source = bad;
      else
        in.text = bad;
      error = run_fails (m, &in, NULL, NULL, NULL, NULL);
      test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, "UTF-8", NULL);
    }
  {
    /* a valid source with a bad target */
    AttnInput in = { 0 };
    g_autoptr(GError) error = NULL;
    in.source = "Hello.";
    in.target = bad;
    error = run_fails (MARIAN, &in, NULL, NULL, NULL, NULL);
    test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, "UTF-8", NULL);
  }
  g_assert_cmpint (attn_model_count_tokens (model (BERT), bad, NULL, NULL), ==, -1);
}

static void
test_ids_outside_vocab (void)
{
  static const struct { int model; gint32 ids[3]; guint n; gboolean decoder; const char *word; } cases[] = {
    { BERT, { 2, 600, 3 }, 3, FALSE, "600" },
    { BERT, { 2, -1, 3 }, 3, FALSE, "-1" },
    { GPT2, { 5, 600 }, 2, FALSE, "600" },
    { MARIAN, { 497, 0 }, 2, FALSE, "497" },
    { MARIAN, { 2, 497 }, 2, TRUE, "497" },
    { WHISPER, { 116, 120 }, 2, TRUE, "120" },
  };
  g_autofree float *audio = g_new0 (float, 16000);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      AttnInput in = { 0 };
      gint32 src[2] = { 5, 0 };   /* a valid Marian source, for the decoder cases */
      g_autoptr(GError) error = NULL;
      if (cases[i].decoder)
        {
          in.decoder_ids = cases[i].ids;
          in.n_decoder_ids = cases[i].n;
          if (cases[i].model == MARIAN)
            {
              in.input_ids = src;
              in.n_input_ids = 2;
            }
          else
            {
              in.audio_samples = audio;
              in.n_audio_samples = 16000;
            }
        }
      else
        {
          in.input_ids = cases[i].ids;
          in.n_input_ids = cases[i].n;
        }
      error = run_fails (cases[i].model, &in, NULL, NULL, NULL, NULL);
      test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, cases[i].word, NULL);
    }
  {
    /* BERT segment ids must be 0 or 1 */
    gint32 ids[3] = { 2, 10, 3 }, types[3] = { 0, 2, 0 };
    AttnInput in = { 0 };
    g_autoptr(GError) error = NULL;
    in.input_ids = ids;
    in.n_input_ids = 3;
    in.type_ids = types;
    error = run_fails (BERT, &in, NULL, NULL, NULL, NULL);
    test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, "Segment id 2", NULL);
  }
  {
    /* no ids at all */
    gint32 ids[1] = { 2 };
    AttnInput in = { 0 };
    g_autoptr(GError) error = NULL;
    in.input_ids = ids;
    in.n_input_ids = 0;
    error = run_fails (BERT, &in, NULL, NULL, NULL, NULL);
    test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, "no tokens", NULL);
  }
}

static void
test_pair_refused (void)
{
  /* only BERT-style models read a second text; the others must not drop it silently */
  for (int m = GPT2; m <= MARIAN; m++)
    {
      AttnInput in = { 0 };
      g_autoptr(GError) error = NULL;
      in.text = "Hello there.";
      in.source = m == MARIAN ? "Hello there." : NULL;
      in.text_pair = "And a second text.";
      g_assert_false (attn_model_accepts_pair (model (m)));
      error = run_fails (m, &in, NULL, NULL, NULL, NULL);
      test_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, "second text", NULL);
    }
}

static void
test_bad_options (void)
{
  AttnInput in = { 0 };
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
  g_autoptr(GError) e1 = NULL, e2 = NULL;
  in.source = "Hello.";
  opt.decode = ATTN_DECODE_BEAM;
  opt.beam_size = 0;
  e1 = run_fails (MARIAN, &in, &opt, NULL, NULL, NULL);
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_INPUT, "beam", NULL);
  opt.beam_size = 4;
  opt.max_new_tokens = -1;
  e2 = run_fails (MARIAN, &in, &opt, NULL, NULL, NULL);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_INPUT, "negative", NULL);
  opt.max_new_tokens = 0;
  for (guint i = 0; i < 3; i++)
    {
      static const double bad[] = { -0.5, 5.5, NAN };
      g_autoptr(GError) e3 = NULL;
      opt.length_penalty = bad[i];
      e3 = run_fails (MARIAN, &in, &opt, NULL, NULL, NULL);
      test_assert_error (e3, ATTN_ERROR, ATTN_ERROR_INPUT, "length penalty", NULL);
    }
}

/* --- cancellation and progress ----------------------------------------------------- */

typedef struct {
  GArray       *fractions;   /* double */
  GCancellable *cancel_on_first;
} Progress;

static void
on_progress (double fraction, const char *what, gpointer data)
{
  Progress *p = data;
  g_assert_nonnull (what);
  g_array_append_val (p->fractions, fraction);
  if (p->cancel_on_first != NULL)
    g_cancellable_cancel (p->cancel_on_first);
}

static void
input_for (int which, AttnInput *in, float *audio, gsize n_audio)
{
  memset (in, 0, sizeof *in);
  switch (which)
    {
    case BERT: case GPT2: in->text = "Attention is all you need!"; break;
    case MARIAN: in->source = "Attention is all you need!"; break;
    case WHISPER: in->audio_samples = audio; in->n_audio_samples = n_audio; break;
    }
}

static float *
tone (gsize n, double hz)
{
  float *s = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    s[i] = (float) (0.3 * sin (2 * G_PI * hz * i / 16000.0));
  return s;
}

static void
test_cancelled_before (void)
{
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autofree float *audio = tone (16000, 440);
  g_cancellable_cancel (c);
  for (int m = BERT; m <= WHISPER; m++)
    {
      AttnInput in;
      g_autoptr(GError) error = NULL;
      input_for (m, &in, audio, 16000);
      error = run_fails (m, &in, NULL, c, NULL, NULL);
      test_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, NULL);
    }
}

static void
test_cancelled_midway (void)
{
  g_autofree float *audio = tone (16000, 440);
  /* GPT-2 reports progress only when done, so it cannot be cancelled from the callback */
  static const int which[] = { BERT, MARIAN, WHISPER };
  for (guint i = 0; i < G_N_ELEMENTS (which); i++)
    {
      g_autoptr(GCancellable) c = g_cancellable_new ();
      g_autoptr(GArray) fr = g_array_new (FALSE, FALSE, sizeof (double));
      Progress p = { fr, c };
      AttnInput in;
      g_autoptr(GError) error = NULL;
      input_for (which[i], &in, audio, 16000);
      error = run_fails (which[i], &in, NULL, c, on_progress, &p);
      test_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, NULL);
      /* it stopped: the callback ran once, and never reported completion */
      g_assert_cmpuint (fr->len, ==, 1);
      g_assert_cmpfloat (g_array_index (fr, double, 0), <, 1.0);
    }
}

static void
test_progress (void)
{
  g_autofree float *audio = tone (16000, 440);
  for (int m = BERT; m <= WHISPER; m++)
    {
      g_autoptr(GArray) fr = g_array_new (FALSE, FALSE, sizeof (double));
      Progress p = { fr, NULL };
      g_autoptr(AttnResult) r = NULL;
      g_autoptr(GError) error = NULL;
      AttnInput in;
      input_for (m, &in, audio, 16000);
      r = attn_model_run (model (m), &in, NULL, NULL, on_progress, &p, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fr->len, >=, 1);
      for (guint i = 0; i < fr->len; i++)
        {
          double f = g_array_index (fr, double, i);
          g_assert_cmpfloat (f, >=, 0.0);
          g_assert_cmpfloat (f, <=, 1.0);
          if (i > 0 && f < g_array_index (fr, double, i - 1))
            g_error ("%s: progress went back from %g to %g", names[m], g_array_index (fr, double, i - 1), f);
        }
      g_assert_cmpfloat (g_array_index (fr, double, fr->len - 1), ==, 1.0);
    }
}

/* --- decoding ------------------------------------------------------------------------ */

/* A beam-search result: the sequence ends in eos or at max_new tokens, and the kept
 * candidates are consistent and contain the chosen sequence as a path. */
static void
check_beam (const char *what, const AttnResult *b, int K, int max_new, int eos)
{
  const AttnBeamEntry *e;
  int prev_step = 0;
  gboolean traced = FALSE;
  guint len;

  /* it ends in eos or at the length limit */
  len = b->generated.len;
  g_assert_cmpuint (len, >=, 1);
  g_test_message ("%s: %u tokens, last %d; %u candidates kept", what, len, b->generated.ids[len - 1], b->beam->len);
  g_assert_cmpuint (len, <=, max_new);
  g_assert_true (b->generated.ids[len - 1] == eos || len == (guint) max_new);
  for (guint i = 0; i + 1 < len; i++)
    g_assert_cmpint (b->generated.ids[i], !=, eos);
  g_assert_nonnull (b->generated_probs);

  /* the kept candidates: steps ascending; within a step, scores descending and live
   * ranks 0, 1, 2…; finished candidates have rank -1; a parent is -1 at step 0 and
   * otherwise a live rank of the step before */
  g_assert_cmpuint (b->beam->len, >, 0);
  {
    int live_prev = 1, live_now = 0;
    float last_score = INFINITY;
    for (guint i = 0; i < b->beam->len; i++)
      {
        e = &g_array_index (b->beam, AttnBeamEntry, i);
        g_assert_cmpint (e->step, >=, prev_step);
        if (e->step != prev_step)
          {
            g_assert_cmpint (e->step, ==, prev_step + 1);
            g_assert_cmpint (live_now, >, 0);
            live_prev = live_now;
            live_now = 0;
            last_score = INFINITY;
            prev_step = e->step;
          }
        g_assert_cmpfloat (e->score, <=, last_score);
        g_assert_cmpfloat (e->score, <=, 0);
        last_score = e->score;
        if (e->step == 0)
          g_assert_cmpint (e->parent, ==, -1);
        else
          {
            g_assert_cmpint (e->parent, >=, 0);
            g_assert_cmpint (e->parent, <, live_prev);
          }
        if (e->finished)
          g_assert_cmpint (e->beam, ==, -1);
        else
          g_assert_cmpint (e->beam, ==, live_now++);
        g_assert_cmpint (e->beam, <, K);
        g_assert_true (e->finished == (e->token == eos || e->step == max_new - 1));
      }
  }
  /* the chosen sequence is a path through the kept candidates */
  for (guint i = 0; i < b->beam->len && !traced; i++)
    {
      const AttnBeamEntry *cur = &g_array_index (b->beam, AttnBeamEntry, i);
      int s = cur->step;
      if (s != (int) len - 1 || cur->token != b->generated.ids[s] || !cur->finished)
        continue;
      for (;;)
        {
          const AttnBeamEntry *up = NULL;
          if (cur->token != b->generated.ids[cur->step])
            break;
          if (cur->step == 0)
            {
              traced = TRUE;
              break;
            }
          for (guint j = 0; j < b->beam->len && up == NULL; j++)
            {
              const AttnBeamEntry *c = &g_array_index (b->beam, AttnBeamEntry, j);
              if (c->step == cur->step - 1 && c->beam == cur->parent)
                up = c;
            }
          g_assert_nonnull (up);
          cur = up;
        }
    }
  g_assert_true (traced);
}

static void
test_beam (void)
{
  AttnInput in = { 0 };
  AttnRunOptions greedy = ATTN_RUN_OPTIONS_INIT, beam1 = ATTN_RUN_OPTIONS_INIT, beam4 = ATTN_RUN_OPTIONS_INIT;
  g_autoptr(AttnResult) g = NULL, b1 = NULL, b4 = NULL;
  int max_new = 12;

  in.source = "The animal didn't cross the street because it was too tired.";
  greedy.max_new_tokens = beam1.max_new_tokens = beam4.max_new_tokens = max_new;
  beam1.decode = beam4.decode = ATTN_DECODE_BEAM;
  beam1.beam_size = 1;
  beam4.beam_size = 4;
  g = run_ok (MARIAN, &in, &greedy);
  b1 = run_ok (MARIAN, &in, &beam1);
  b4 = run_ok (MARIAN, &in, &beam4);

  /* a beam of one is greedy search */
  test_assert_ids ("beam:1 vs greedy", b1->generated.ids, b1->generated.len, g->generated.ids, g->generated.len);
  test_assert_close ("beam:1 vs greedy probabilities", b1->generated_probs, g->generated_probs, g->generated.len, 0);
  g_assert_cmpuint (g->beam->len, ==, 0);
  g_assert_cmpuint (b1->beam->len, ==, 0);
  g_assert_cmpint (b4->output_kind, ==, ATTN_OUTPUT_GENERATED);
  check_beam ("marian beam:4", b4, 4, max_new, 0);
}

/* The other decoders' caches are copied between hypotheses too. */
static void
test_beam_gpt2_whisper (void)
{
  g_autofree float *audio = tone (16000, 440);
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
  AttnInput in;
  g_autoptr(AttnResult) g = NULL, w = NULL;
  opt.decode = ATTN_DECODE_BEAM;
  opt.beam_size = 3;
  opt.max_new_tokens = 5;
  input_for (GPT2, &in, NULL, 0);
  g = run_ok (GPT2, &in, &opt);
  check_beam ("gpt2 beam:3", g, 3, 5, 0);
  opt.beam_size = 2;
  input_for (WHISPER, &in, audio, 16000);
  w = run_ok (WHISPER, &in, &opt);
  check_beam ("whisper beam:2", w, 2, 5, 115);
  /* the length penalty the beams ranked by: the models' own (none set: 1) */
  g_assert_cmpfloat (g->length_penalty, ==, 1.0);
  g_assert_cmpfloat (w->length_penalty, ==, 1.0);
}

static void
test_forced_target (void)
{
  AttnInput in = { 0 };
  g_autoptr(AttnResult) r = NULL;
  in.source = "Hello there.";
  in.target = "Hallo.";
  r = run_ok (MARIAN, &in, NULL);
  g_assert_true (r->target_forced);
  g_assert_cmpint (r->target.ids[0], ==, 2);    /* decoder_start_token_id */
  g_assert_cmpint (r->attention[ATTN_KIND_CROSS]->queries, ==, (int) r->target.len);
  g_assert_cmpint (r->attention[ATTN_KIND_CROSS]->keys, ==, (int) r->input.len);
  g_assert_cmpint (r->logits_rows, ==, (int) r->target.len);
}

/* --- Whisper audio -------------------------------------------------------------------- */

static void
test_whisper_not_audio (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *txt = g_build_filename (dir, "notes.wav", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.wav", NULL);
  g_autofree char *gone = g_build_filename (dir, "gone.wav", NULL);
  /* a RIFF/WAVE header for 16-bit mono 16 kHz with a 0-byte data chunk */
  static const guint8 wav[44] = {
    'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0, 0,
    1, 0, 1, 0, 0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 16, 0, 'd', 'a', 't', 'a', 0, 0, 0, 0 };
  static const char *text = "These are notes, not audio.\n";
  float one = 0.0f;
  AttnInput in = { 0 };
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

  test_write_file (txt, text, strlen (text));
  test_write_file (empty, wav, sizeof wav);
  in.audio_path = txt;
  e1 = run_fails (WHISPER, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e1, ATTN_ERROR, ATTN_ERROR_AUDIO, "notes.wav", NULL);
  in.audio_path = empty;
  e2 = run_fails (WHISPER, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e2, ATTN_ERROR, ATTN_ERROR_AUDIO, NULL);
  in.audio_path = gone;
  e3 = run_fails (WHISPER, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e3, ATTN_ERROR, ATTN_ERROR_IO, "gone.wav", NULL);
  in.audio_path = NULL;
  in.audio_samples = &one;
  in.n_audio_samples = 0;
  e4 = run_fails (WHISPER, &in, NULL, NULL, NULL, NULL);
  test_assert_error (e4, ATTN_ERROR, ATTN_ERROR_AUDIO, "empty", NULL);
  test_rmdir (dir);
}

static void
test_whisper_long (void)
{
  gsize n = 65 * 16000;
  g_autofree float *audio = tone (n, 440);
  g_autoptr(GArray) fr = g_array_new (FALSE, FALSE, sizeof (double));
  Progress p = { fr, NULL };
  AttnInput in = { 0 };
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
  g_autoptr(AttnResult) r = NULL;
  g_autoptr(GError) error = NULL;
  gboolean third = FALSE;
  in.audio_samples = audio;
  in.n_audio_samples = n;
  opt.max_new_tokens = 4;
  opt.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_CROSS);
  g_assert_cmpuint (attn_audio_n_windows (n), ==, 3);
  r = attn_model_run (model (WHISPER), &in, &opt, NULL, on_progress, &p, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (r->audio_seconds, 65.0, 1e-9);
  /* the third window's encoder reports progress in (2/3, 1) */
  for (guint i = 0; i < fr->len; i++)
    third |= g_array_index (fr, double, i) > 2.0 / 3.0 && g_array_index (fr, double, i) < 1.0;
  g_assert_true (third);
  /* up to 4 tokens per window, the first window's features and cross-attention */
  g_assert_cmpuint (r->generated.len, >=, 3);
  g_assert_cmpuint (r->generated.len, <=, 12);
  g_assert_cmpint (r->mel_frames, ==, 3000);
  g_assert_cmpint (r->mel_bins, ==, 80);
  g_assert_null (r->attention[ATTN_KIND_ENCODER]);
  g_assert_null (r->attention[ATTN_KIND_DECODER]);
  g_assert_cmpint (r->attention[ATTN_KIND_CROSS]->keys, ==, 1500);
  /* per-token details are dropped for more than one window, so they stay consistent */
  g_assert_null (r->generated_probs);
}

/* --- the result ---------------------------------------------------------------------- */

typedef struct {
  AttnResult *r;
  const char *json;
} Shared;

static gpointer
hammer (gpointer data)
{
  Shared *s = data;
  for (int i = 0; i < 200; i++)
    {
      AttnResult *mine = attn_result_ref (s->r);
      if (i % 20 == 0)
        {
          /* reading from several threads at once gives the same bytes */
          g_autofree char *json = attn_result_to_json (mine, 0, NULL);
          g_assert_cmpstr (json, ==, s->json);
        }
      attn_result_unref (mine);
    }
  return NULL;
}

static void
test_result_refcount (void)
{
  AttnInput in = { 0 };
  AttnResult *r;
  GThread *a, *b;
  g_autofree char *json = NULL;
  Shared s;
  in.text = "Attention is all you need!";
  r = run_ok (BERT, &in, NULL);
  json = attn_result_to_json (r, 0, NULL);
  s.r = r;
  s.json = json;
  a = g_thread_new ("a", hammer, &s);
  b = g_thread_new ("b", hammer, &s);
  g_thread_join (a);
  g_thread_join (b);
  /* still alive and unchanged after 400 ref/unref pairs; the last unref frees it */
  {
    g_autofree char *again = attn_result_to_json (r, 0, NULL);
    g_assert_cmpstr (again, ==, json);
  }
  g_assert_cmpuint (g_atomic_rc_box_get_size (r), ==, sizeof (AttnResult));
  attn_result_unref (r);
  /* two runs of the same input are independent and equal */
  {
    g_autoptr(AttnResult) r1 = run_ok (BERT, &in, NULL);
    g_autoptr(AttnResult) r2 = run_ok (BERT, &in, NULL);
    const AttnWeights *w = r1->attention[ATTN_KIND_SELF];
    g_assert_true (r1->attention[ATTN_KIND_SELF]->data != r2->attention[ATTN_KIND_SELF]->data);
    test_assert_close ("two runs", r1->attention[ATTN_KIND_SELF]->data, r2->attention[ATTN_KIND_SELF]->data,
                       (gsize) w->layers * w->heads * w->queries * w->keys, 0);
  }
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/run/text/empty", test_empty_text);
  g_test_add_func ("/run/text/missing", test_missing_input);
  g_test_add_func ("/run/text/too-long", test_too_long);
  g_test_add_func ("/run/text/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/run/ids/outside-vocab", test_ids_outside_vocab);
  g_test_add_func ("/run/text/pair-refused", test_pair_refused);
  g_test_add_func ("/run/options/bad", test_bad_options);
  g_test_add_func ("/run/cancel/before", test_cancelled_before);
  g_test_add_func ("/run/cancel/midway", test_cancelled_midway);
  g_test_add_func ("/run/progress", test_progress);
  g_test_add_func ("/run/decode/beam", test_beam);
  g_test_add_func ("/run/decode/beam-gpt2-whisper", test_beam_gpt2_whisper);
  g_test_add_func ("/run/decode/forced", test_forced_target);
  g_test_add_func ("/run/whisper/not-audio", test_whisper_not_audio);
  g_test_add_func ("/run/whisper/long", test_whisper_long);
  g_test_add_func ("/run/result/refcount", test_result_refcount);
  ret = g_test_run ();
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    g_clear_pointer (&models[i], attn_model_unref);
  return ret;
}
