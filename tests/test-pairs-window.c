/* test-pairs-window.c — the window with sentence pairs and audio: the Alignment
 * and Speech pages show the result's words, links and tokens; export of links
 * and word timings; beam search; and Cancel on a 10-minute recording. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>

#include "attn-analysis.h"
#include "lens-beam-draw.h"
#include "lens-config.h"
#include "lens-window.h"
#include "test-app-common.h"

static gboolean no_runs (LensWindow *win) { return lens_window_get_runs_in_flight (win) == 0; }
static gboolean audio_ready (LensWindow *win)
{
  return !lens_audio_input_is_loading (lens_window_get_audio_input (win));
}

static LensWindow *
open_window (const char *model)
{
  g_autofree char *dir = g_build_filename (test_fixtures, model, NULL);
  LensWindow *win = lens_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (win), 1200, 800);
  gtk_window_present (GTK_WINDOW (win));
  lens_window_load_model (win, dir);
  g_assert_true (test_app_wait_for (win, test_app_has_model));
  return win;
}

static void
run_and_wait (LensWindow *win)
{
  AttnResult *before = lens_window_get_result (win);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_null (lens_window_get_last_error (win));
  g_assert_nonnull (lens_window_get_result (win));
  g_assert_true (lens_window_get_result (win) != before);
}

static void
assert_links_equal (const GArray *a, const GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      g_assert_cmpint (g_array_index (a, AttnLink, i).src, ==, g_array_index (b, AttnLink, i).src);
      g_assert_cmpint (g_array_index (a, AttnLink, i).tgt, ==, g_array_index (b, AttnLink, i).tgt);
    }
}

/* the alignment view shows exactly the result's words and links */
static void
assert_alignment_matches (LensWindow *win, AttnAlignMethod method)
{
  LensAlignmentView *view = lens_window_get_alignment_view (win);
  LensSelection *sel = lens_window_get_selection (win);
  AttnResult *r = lens_window_get_result (win);
  g_autoptr(GPtrArray) src = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tgt = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *sw = g_new (int, r->input.len);
  g_autofree int *tw = g_new (int, r->target.len);
  g_autoptr(GArray) links = NULL;
  AttnTokenSeq out = { 0 };

  attn_group_words (&r->input, sw, src);
  out.len = r->target.len - 1;
  out.ids = r->target.ids + 1;
  out.tokens = r->target.tokens + 1;
  out.display = r->target.display + 1;
  out.special = r->target.special + 1;
  attn_group_words (&out, tw, tgt);

  g_assert_cmpuint (lens_alignment_view_get_n_src_words (view), ==, src->len);
  g_assert_cmpuint (lens_alignment_view_get_n_tgt_words (view), ==, tgt->len);
  g_assert_cmpuint (src->len, >, 0);
  g_assert_cmpuint (tgt->len, >, 0);
  for (guint i = 0; i < src->len; i++)
    g_assert_cmpstr (lens_alignment_view_get_src_word (view, i), ==, src->pdata[i]);
  for (guint i = 0; i < tgt->len; i++)
    g_assert_cmpstr (lens_alignment_view_get_tgt_word (view, i), ==, tgt->pdata[i]);

  links = attn_align_words (r, lens_selection_get_layer (sel), lens_selection_get_head (sel), method);
  g_assert_cmpuint (links->len, >, 0);
  assert_links_equal (lens_alignment_view_get_links (view), links);
}

static void
test_marian (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("lens-pairs-XXXXXX", NULL);
  g_autofree char *align = g_build_filename (tmp, "pair.align", NULL);
  g_autofree char *png = g_build_filename (tmp, "alignment.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GArray) sure = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  g_autoptr(GArray) possible = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  g_autoptr(GError) error = NULL;
  LensWindow *win = open_window ("marian");
  LensAlignmentView *view = lens_window_get_alignment_view (win);
  LensSelection *sel = lens_window_get_selection (win);
  AttnResult *r;
  double p, rc, aer;

  /* the pair pane replaces the text pane */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (lens_window_get_pair_input (win))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (lens_window_get_audio_input (win))));
  g_assert_cmpint (lens_pair_input_get_n_examples (lens_window_get_pair_input (win)), >, 0);
  /* nothing was typed: the source starts from the first example (the app's own) */
  {
    g_autofree char *source = lens_window_get_text (win);
    g_assert_cmpstr (source, ==, "The cat sat on the mat.");
  }

  /* a given target is force-decoded */
  lens_window_set_text (win, "The cat sat on the mat.");
  lens_window_set_pair (win, "The cat is on the mat.");
  run_and_wait (win);
  r = lens_window_get_result (win);
  g_assert_true (r->target_forced);
  /* the pane says its tokens are the model's own, not the given target */
  g_assert_cmpstr (lens_output_pane_get_title (lens_window_get_output_pane (win)), ==, "The model’s own output");
  g_assert_nonnull (r->attention[ATTN_KIND_CROSS]);

  g_assert_true (lens_window_set_view (win, "alignment"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_cmpint (lens_selection_get_kind (sel), ==, ATTN_KIND_CROSS);
  lens_selection_set_layer (sel, 1);
  lens_selection_set_head (sel, 2);
  assert_alignment_matches (win, ATTN_ALIGN_ARGMAX);

  /* the links as Pharaoh text, read back */
  g_assert_true (lens_window_export_to_file (win, LENS_EXPORT_PHARAOH, align, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (align, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  g_assert_true (attn_parse_gold (contents, sure, possible, &error));
  g_assert_no_error (error);
  assert_links_equal (sure, lens_alignment_view_get_links (view));

  /* … and loaded as the gold: a perfect score on screen */
  g_assert_false (lens_alignment_view_get_scores (view, &p, &rc, &aer));
  g_assert_true (lens_alignment_view_load_gold (view, align, &error));
  g_assert_no_error (error);
  g_assert_true (lens_alignment_view_get_scores (view, &p, &rc, &aer));
  g_assert_cmpfloat (p, ==, 1.0);
  g_assert_cmpfloat (rc, ==, 1.0);
  g_assert_cmpfloat (aer, ==, 0.0);

  /* the shifted method, the layer mean: still the engine's links */
  lens_alignment_view_set_method (view, ATTN_ALIGN_SHIFT);
  assert_alignment_matches (win, ATTN_ALIGN_SHIFT);
  lens_alignment_view_set_method (view, ATTN_ALIGN_ARGMAX);
  lens_alignment_view_set_aggregate (view, LENS_ALIGN_LAYER);
  {
    g_autoptr(GArray) mean = attn_align_words (r, 1, -1, ATTN_ALIGN_ARGMAX);
    assert_links_equal (lens_alignment_view_get_links (view), mean);
  }
  g_assert_true (lens_window_export_to_file (win, LENS_EXPORT_PNG, png, &error));
  g_assert_no_error (error);

  /* a decoder step selects its cross-attention row in every view */
  lens_selection_set_step (sel, 2);
  g_assert_cmpint (lens_selection_get_query (sel), ==, r->decoder_prompt_len - 1 + 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lens_window_get_output_pane (win)),
                                             "output.step-next", NULL));
  g_assert_cmpint (lens_selection_get_step (sel), ==, 3);
  g_assert_cmpint (lens_selection_get_query (sel), ==, r->decoder_prompt_len - 1 + 3);

  /* no target: the model translates by beam search, the tree shows its winning path */
  lens_window_set_pair (win, "");
  lens_pair_input_set_beam_size (lens_window_get_pair_input (win), 3);
  run_and_wait (win);
  r = lens_window_get_result (win);
  g_assert_false (r->target_forced);
  g_assert_cmpuint (r->beam->len, >, 0);
  g_assert_cmpuint (r->generated.len, >, 0);
  {
    g_autofree gboolean *winner = g_new0 (gboolean, r->beam->len);
    g_assert_cmpint (lens_beam_winning_path (r->beam, r->generated.ids, r->generated.len, winner), ==,
                     r->generated.len);
  }
  lens_alignment_view_set_aggregate (view, LENS_ALIGN_HEAD);
  assert_alignment_matches (win, ATTN_ALIGN_ARGMAX);

  g_unlink (align);
  g_unlink (png);
  g_rmdir (tmp);
  test_app_close_windows ();
}

/* A label under `w` whose text contains `part`, or NULL. */
static GtkLabel *
find_label (GtkWidget *w, const char *part)
{
  if (GTK_IS_LABEL (w) && strstr (gtk_label_get_text (GTK_LABEL (w)), part) != NULL)
    return GTK_LABEL (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found = find_label (c, part);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A model whose generation_config.json sets a beam width and a length penalty: the
 * window starts with that beam, its search uses the penalty, and the beam's caption
 * says how the winner was ranked. */
static void
test_generation_defaults (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("lens-lp-XXXXXX", NULL);
  g_autofree char *gen = g_build_filename (tmp, "generation_config.json", NULL);
  g_autofree char *fixture_gen = g_build_filename (test_fixtures, "marian", "generation_config.json", NULL);
  static const char *const files[] = { "config.json", "model.safetensors", "source.spm", "target.spm",
                                       "tokenizer_config.json", "vocab.json" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) out = json_generator_new ();
  g_autoptr(GError) error = NULL;
  LensWindow *win;
  AttnResult *r;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (test_fixtures, "marian", files[i], NULL);
      g_autofree char *to = g_build_filename (tmp, files[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (from, &data, &len, &error));
      g_assert_true (g_file_set_contents (to, data, len, &error));
    }
  g_assert_true (json_parser_load_from_file (parser, fixture_gen, &error));
  json_object_set_double_member (json_node_get_object (json_parser_get_root (parser)), "length_penalty", 2.0);
  json_object_set_int_member (json_node_get_object (json_parser_get_root (parser)), "num_beams", 3);
  json_generator_set_root (out, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (out, gen, &error));

  win = lens_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (win), 1200, 800);
  gtk_window_present (GTK_WINDOW (win));
  lens_window_load_model (win, tmp);
  g_assert_true (test_app_wait_for (win, test_app_has_model));
  g_assert_cmpint (lens_pair_input_get_beam_size (lens_window_get_pair_input (win)), ==, 3);
  lens_window_set_pair (win, "");
  run_and_wait (win);
  r = lens_window_get_result (win);
  g_assert_cmpuint (r->beam->len, >, 0);
  for (guint i = 0; i < r->beam->len; i++)
    g_assert_cmpint (g_array_index (r->beam, AttnBeamEntry, i).beam, <, 3);
  g_assert_cmpfloat (r->length_penalty, ==, 2.0);
  g_assert_nonnull (find_label (GTK_WIDGET (lens_window_get_output_pane (win)), "length^2 "));

  test_app_close_windows ();
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *to = g_build_filename (tmp, files[i], NULL);
      g_unlink (to);
    }
  g_unlink (gen);
  g_rmdir (tmp);
}

static void
test_whisper (void)
{
  g_autofree char *wav = g_build_filename (test_fixtures, "whisper", "speech16k.wav", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("lens-speech-XXXXXX", NULL);
  g_autofree char *vtt = g_build_filename (tmp, "words.vtt", NULL);
  g_autofree char *json = g_build_filename (tmp, "words.json", NULL);
  g_autofree char *align = g_build_filename (tmp, "no.align", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  LensWindow *win = open_window ("whisper");
  LensSpeechView *view = lens_window_get_speech_view (win);
  AttnResult *r;
  int bins, frames, n = 0, first;

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (lens_window_get_audio_input (win))));
  lens_window_set_audio (win, wav);
  g_assert_true (test_app_wait_for (win, audio_ready));
  g_assert_null (lens_audio_input_get_error (lens_window_get_audio_input (win)));
  g_assert_cmpfloat (lens_audio_input_get_duration (lens_window_get_audio_input (win)), >, 1.0);
  run_and_wait (win);
  r = lens_window_get_result (win);

  g_assert_true (lens_window_set_view (win, "speech"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));

  /* the spectrogram is the result's log-mel features */
  lens_speech_view_get_mel_size (view, &bins, &frames);
  g_assert_cmpint (bins, ==, r->mel_bins);
  g_assert_cmpint (frames, ==, r->mel_frames);
  g_assert_cmpint (bins, ==, 80);
  g_assert_cmpint (frames, ==, 3000);

  /* the tokens are the result's generated tokens that have a cross-attention row */
  first = r->decoder_prompt_len - 1;
  for (guint i = 0; i < r->generated.len && first + (int) i < r->attention[ATTN_KIND_CROSS]->queries; i++)
    {
      g_autofree char *label = NULL;
      double start, end;

      if (r->generated.special[i])
        continue;
      label = lens_token_label (&r->generated, i);
      g_assert_cmpstr (lens_speech_view_get_token (view, n), ==, label);
      g_assert_cmpint (lens_speech_view_get_token_step (view, n), ==, (int) i);
      g_assert_true (lens_speech_view_get_token_time (view, n, &start, &end));
      g_assert_cmpfloat (start, >=, 0);
      g_assert_cmpfloat (end, >=, start);
      g_assert_cmpfloat (end, <=, r->audio_seconds + 0.05);
      n++;
    }
  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (lens_speech_view_get_n_tokens (view), ==, n);

  /* selecting a token is a decoder step for every view */
  lens_selection_set_step (lens_window_get_selection (win), lens_speech_view_get_token_step (view, 0));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));

  /* word timings as WebVTT and JSON */
  g_assert_true (lens_window_export_to_file (win, LENS_EXPORT_VTT, vtt, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (vtt, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "WEBVTT"));
  g_assert_nonnull (strstr (contents, " --> "));
  g_assert_true (lens_window_export_to_file (win, LENS_EXPORT_WORDS_JSON, json, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, json, &error));
  g_assert_no_error (error);
  /* a speech result has no word alignment to export */
  g_assert_false (lens_window_export_to_file (win, LENS_EXPORT_PHARAOH, align, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* the audio pane decodes greedily (the fixture sets no "num_beams") or by beam
   * search: then the speech view shows the beam's winner and the tree its path */
  g_assert_cmpint (lens_audio_input_get_beam_size (lens_window_get_audio_input (win)), ==, 1);
  g_assert_cmpuint (r->beam->len, ==, 0);
  lens_audio_input_set_beam_size (lens_window_get_audio_input (win), 2);
  run_and_wait (win);
  r = lens_window_get_result (win);
  g_assert_cmpuint (r->beam->len, >, 0);
  {
    g_autofree gboolean *winner = g_new0 (gboolean, r->beam->len);
    g_assert_cmpint (lens_beam_winning_path (r->beam, r->generated.ids, r->generated.len, winner), ==,
                     r->generated.len);
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
  g_assert_cmpint (lens_speech_view_get_n_tokens (view), >, 0);

  g_unlink (vtt);
  g_unlink (json);
  g_rmdir (tmp);
  test_app_close_windows ();
}

/* ---- a run that fails: the error says what went wrong and promises only what is kept ---- */

static void
run_bad_audio (LensWindow *win, const char *bad)
{
  lens_window_set_audio (win, bad);
  g_assert_true (test_app_wait_for (win, audio_ready));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_nonnull (lens_window_get_last_error (win));
  g_assert_nonnull (strstr (lens_window_get_last_error (win), "not an audio file"));
}

static void
test_run_error (void)
{
  g_autofree char *wav = g_build_filename (test_fixtures, "whisper", "speech16k.wav", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("lens-run-error-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (tmp, "noise.wav", NULL);
  LensWindow *win = open_window ("whisper");
  AttnResult *r;

  g_assert_true (g_file_set_contents (bad, "RIFF, but not a WAVE file at all", -1, NULL));
  /* the first run fails: there is no result to keep, and the message does not claim one */
  run_bad_audio (win, bad);
  g_assert_null (lens_window_get_result (win));
  g_assert_null (strstr (lens_window_get_last_error (win), "previous result"));

  lens_window_set_audio (win, wav);
  g_assert_true (test_app_wait_for (win, audio_ready));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  r = lens_window_get_result (win);
  g_assert_nonnull (r);

  /* a later failure keeps that result, and says so */
  run_bad_audio (win, bad);
  g_assert_true (lens_window_get_result (win) == r);
  g_assert_nonnull (strstr (lens_window_get_last_error (win), "The previous result stays on screen"));

  g_unlink (bad);
  g_rmdir (tmp);
  test_app_close_windows ();
}

/* ---- cancelling a long run ---- */

static char *
write_long_wav (const char *dir, double seconds)
{
  char *path = g_build_filename (dir, "long.wav", NULL);
  SF_INFO info = { 0 };
  SNDFILE *f;
  g_autofree short *block = g_new (short, 16000);
  guint32 seed = 1;

  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  f = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (f);
  for (int s = 0; s < (int) seconds; s++)
    {
      /* a tone that comes and goes, with a little noise */
      for (int i = 0; i < 16000; i++)
        {
          double t = s + i / 16000.0;
          seed = seed * 1664525u + 1013904223u;
          block[i] = (short) (8000 * sin (2 * G_PI * 220 * t) * (0.5 + 0.5 * sin (t)) +
                              300.0 * ((seed >> 16) / 65536.0 - 0.5));
        }
      g_assert_cmpint (sf_write_short (f, block, 16000), ==, 16000);
    }
  g_assert_cmpint (sf_close (f), ==, 0);
  return path;
}

typedef struct {
  gint64 start, last, max_gap;
} Ticks;

static gboolean
tick (gpointer data)
{
  Ticks *t = data;
  gint64 now = g_get_monotonic_time ();

  if (now - t->last > 100000)
    g_test_message ("main-loop gap of %.0f ms at %.0f ms", (now - t->last) / 1000.0, (now - t->start) / 1000.0);
  t->max_gap = MAX (t->max_gap, now - t->last);
  t->last = now;
  return G_SOURCE_CONTINUE;
}

static void
test_cancel_long (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("lens-long-XXXXXX", NULL);
  g_autofree char *wav = write_long_wav (tmp, 600);
  LensWindow *win = open_window ("whisper");
  Ticks ticks = { 0, 0, 0 };
  guint id;
  gint64 start, cancel, ended;

  lens_window_set_audio (win, wav);
  g_assert_true (test_app_wait_for (win, audio_ready));
  g_assert_cmpfloat_with_epsilon (lens_audio_input_get_duration (lens_window_get_audio_input (win)), 600.0, 0.01);

  /* run, and keep the main loop turning for a second: it must stay responsive */
  ticks.start = ticks.last = g_get_monotonic_time ();
  id = g_timeout_add (10, tick, &ticks);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (lens_window_get_runs_in_flight (win), ==, 1);   /* 20 windows of 30 s take longer */
  g_assert_true (lens_window_is_busy (win));

  /* cancel: the window is free at once, the thread returns soon after */
  cancel = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.cancel", NULL));
  g_assert_false (lens_window_is_busy (win));
  g_assert_true (test_app_wait_for_ms (win, no_runs, 5000));
  ended = g_get_monotonic_time ();
  g_source_remove (id);
  g_test_message ("cancel latency %.1f ms; longest main-loop gap %.1f ms",
                  (ended - cancel) / 1000.0, ticks.max_gap / 1000.0);
  /* Bounds a blocking bug would break (a thread that ignores the cancellable runs for
   * minutes on this input; work on the main loop stalls it for seconds), with room for a
   * loaded machine and AddressSanitizer (measured: 62 ms, and 504 ms under AddressSanitizer;
   * longest main-loop gaps 62 and 179 ms). */
  g_assert_cmpint (ended - cancel, <=, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (ticks.max_gap, <, G_USEC_PER_SEC);
  /* nothing from the cancelled run shows */
  g_assert_null (lens_window_get_result (win));
  g_assert_null (lens_window_get_last_error (win));

  g_unlink (wav);
  g_rmdir (tmp);
  test_app_close_windows ();
}

static gboolean
frames_passed (LensWindow *win)
{
  return g_get_monotonic_time () > GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (win), "until"));
}

/* The least width the input pane and the views need side by side on the widest of the
 * pages that have controls, after the styles have caught up with a change. */
static int
min_width (LensWindow *win)
{
  static const char *pages[] = { "grid", "alignment", "steps", "scores", "learn" };
  GtkWidget *paned = test_app_find_widget (GTK_WIDGET (win), GTK_TYPE_PANED);
  int start, widest = 0;

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      int end;

      g_assert_true (lens_window_set_view (win, pages[i]));
      g_object_set_data (G_OBJECT (win), "until", GSIZE_TO_POINTER (g_get_monotonic_time () + 200000));
      test_app_wait_for (win, frames_passed);
      gtk_widget_measure (gtk_paned_get_end_child (GTK_PANED (paned)), GTK_ORIENTATION_HORIZONTAL, -1,
                          &end, NULL, NULL, NULL);
      g_test_message ("%s: views %d px", pages[i], end);
      widest = MAX (widest, end);
    }
  gtk_widget_measure (gtk_paned_get_start_child (GTK_PANED (paned)), GTK_ORIENTATION_HORIZONTAL, -1,
                      &start, NULL, NULL, NULL);
  g_test_message ("input pane %d + views %d px", start, widest);
  return start + widest;
}

/* With a translation model (six views, the Alignment view's controls, the teaching
 * pages) the window fits a 1,024-pixel screen, and a 1,280-pixel projector in
 * presentation mode: the header's view switcher narrows and the rows of controls wrap. */
static void
test_narrow (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  LensWindow *win;

  /* the application's style sheet (AdwApplication loads it; these tests have no application) */
  gtk_css_provider_load_from_resource (css, "/org/attentionlens/AttentionLens/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  win = open_window ("marian");
  lens_window_set_text (win, "Das Haus ist klein.");
  run_and_wait (win);
  g_assert_nonnull (test_app_find_widget (GTK_WIDGET (win), ADW_TYPE_VIEW_SWITCHER_TITLE));
  g_assert_cmpint (min_width (win), <=, 1024 - 16);

  g_settings_set_boolean (settings, "presentation-mode", TRUE);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (win), "presentation"));
  g_assert_cmpint (min_width (win), <=, 1280 - 16);
  g_settings_reset (settings, "presentation-mode");
  test_app_close_windows ();
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css));
}

/* A source sentence longer than the translator reads: the window asks, and "Shorten
 * and Run" keeps the words that fit. A text model loaded after it is not asked about
 * the translator's source. */
static void
test_too_long (void)
{
  g_autoptr(GString) source = g_string_new ("Das Haus");
  LensWindow *win = open_window ("bert");
  AdwMessageDialog *dialog;
  AttnResult *r;
  g_autofree char *marian = g_build_filename (test_fixtures, "marian", NULL);

  for (int i = 0; i < 80; i++)
    g_string_append (source, " ist sehr klein und alt");
  lens_window_load_model (win, marian);
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_cmpstr (attn_model_get_architecture (lens_window_get_model (win)), ==, "marian");
  lens_window_set_text (win, source->str);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_cmpuint (lens_window_get_runs_in_flight (win), ==, 0);
  dialog = test_app_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "shorten");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  r = lens_window_get_result (win);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->input.len, <=, 128);
  g_assert_cmpuint (r->input.len, >, 100);
  {
    g_autofree char *text = lens_window_get_text (win);
    g_assert_true (g_str_has_prefix (source->str, text));
    g_assert_cmpuint (strlen (text), <, source->len);
  }

  {
    g_autofree char *bert = g_build_filename (test_fixtures, "bert", NULL);

    lens_window_load_model (win, bert);
    g_assert_true (test_app_wait_for (win, test_app_is_idle));
  }
  lens_window_set_text (win, "A short text.");
  lens_pair_input_set_source (lens_window_get_pair_input (win), source->str);   /* hidden now, long */
  r = lens_window_get_result (win);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_null (test_app_message_dialog ());
  g_assert_true (test_app_wait_for (win, test_app_is_idle));
  g_assert_true (lens_window_get_result (win) != r);
  test_app_close_windows ();
}

int
main (int argc, char **argv)
{
  /* Under Xvfb GTK's GL renderer is Mesa's software rasteriser, which repaints the
   * whole window on every frame of the spinner, 150+ ms a frame on a loaded CPU:
   * that is the test machine, not the app. The cairo renderer repaints what changed. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  test_app_init (&argc, &argv);

  g_test_add_func ("/pairs-window/marian", test_marian);
  g_test_add_func ("/pairs-window/generation-defaults", test_generation_defaults);
  g_test_add_func ("/pairs-window/whisper", test_whisper);
  g_test_add_func ("/pairs-window/run-error", test_run_error);
  g_test_add_func ("/pairs-window/cancel-long", test_cancel_long);
  g_test_add_func ("/pairs-window/narrow", test_narrow);
  g_test_add_func ("/pairs-window/too-long", test_too_long);
  return g_test_run ();
}
