/* attn-cli-train.c — `attn-cli train`: trains a small attention model on a toy
 * task, a parallel corpus, labelled texts (a BERT classifier) or plain text (a GPT-2
 * language model) and saves it as a Hugging Face model folder that `attn-cli run` opens.
 *
 *   attn-cli train --task copy|reverse|sort --arch transformer|gru|lstm
 *                  [--score additive|dot|general|scaled-dot] [--seed N] --out DIR
 *                  [--steps N] [--batch-size N] [--lr X] [--dropout P] [--label-smoothing E]
 *                  [--min-len N] [--max-len N]
 *   attn-cli train --recipe FILE --out DIR        (JSON: the same keys, see attn-train-io.c,
 *                                                   or a corpus or text: docs/training.md)
 *   attn-cli train --resume DIR [--out DIR2] [--steps N]   (continues a saved run; N lengthens
 *                                                           an invsqrt or constant schedule)
 *
 * A progress line goes to stderr every --every steps (step, loss, tokens/s, time
 * left; a classifier's accuracy on its batches and texts/s). Ctrl+C stops after the current step, saves to --out and exits with 130. */
#include "attn-cli-train.h"
#include "attn-cli-common.h"
#include "attn-trainer.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Set from the SIGINT handler, read between steps. A handler rather than a
 * blocked-signal thread: OpenBLAS starts its threads before main() and they
 * would take the signal with its default action. A second Ctrl+C kills
 * (attn_cli_sigint_is_first says which is which). */
static volatile sig_atomic_t interrupted;

static void
on_sigint (int sig)
{
  if (attn_cli_sigint_is_first (sig))
    interrupted = 1;
}

typedef struct {
  gboolean quiet;
  gboolean tty;
  const char *unit;      /* what tokens_per_second counts */
} Progress;

static void
on_progress (const AttnTrainProgress *p, gpointer user_data)
{
  Progress *pr = user_data;
  int left = (int) (p->seconds_left + 0.5);
  if (pr->quiet)
    return;
  fprintf (stderr, "step %5" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  loss %.4f  acc %5.1f %%  "
           "lr %.2e  %6.0f %s/s  %5.1f s  left %d:%02d%s",
           p->step, p->total_steps, p->loss, 100 * p->token_accuracy, p->lr,
           p->tokens_per_second, pr->unit, p->elapsed, left / 60, left % 60, pr->tty ? "\033[K\r" : "\n");
}

/* Evaluates on the held-out set: toy tasks on stdout as before; a corpus's BLEU
 * and chrF, or a classifier's accuracy and F1, on stderr (they are also kept in
 * trainer_state.json). */
static gboolean
evaluate (AttnTrainer *trainer, int n, gboolean quiet, GError **error)
{
  AttnTrainEval ev;
  if (!attn_trainer_evaluate (trainer, n, &ev, error))
    return FALSE;
  if (quiet)
    return TRUE;
  if (ev.wer >= 0)
    {
      fprintf (stderr, "\rdev at step %" G_GINT64_FORMAT ": %d clips, WER %.2f %%, CER %.2f %%, "
               "exact %.1f %%, token accuracy %.1f %%\n", attn_trainer_get_step (trainer), ev.n,
               ev.wer, ev.cer, 100 * ev.exact_match, 100 * ev.token_accuracy);
      return TRUE;
    }
  if (ev.perplexity >= 0)
    {
      fprintf (stderr, "\rdev at step %" G_GINT64_FORMAT ": %d chunks, %" G_GINT64_FORMAT
               " tokens, loss %.4f, perplexity %.2f, token accuracy %.1f %%",
               attn_trainer_get_step (trainer), ev.n, ev.tokens, ev.loss, ev.perplexity,
               100 * ev.token_accuracy);
      if (ev.induction >= 0)
        fprintf (stderr, "; induction score %.3f (layer %d head %d)", ev.induction,
                 ev.induction_layer + 1, ev.induction_head + 1);
      fputc ('\n', stderr);
      return TRUE;
    }
  if (ev.accuracy >= 0)
    {
      AttnTrainCorpusInfo ci;
      attn_trainer_get_corpus_info (trainer, &ci);
      fprintf (stderr, "\rdev at step %" G_GINT64_FORMAT ": %d texts, accuracy %.2f %%",
               attn_trainer_get_step (trainer), ev.n, 100 * ev.accuracy);
      if (ev.f1 >= 0)
        fprintf (stderr, ", F1 (%s) %.4f", ci.labels[1], ev.f1);
      fprintf (stderr, ", macro F1 %.4f\n", ev.macro_f1);
      return TRUE;
    }
  if (ev.bleu >= 0)
    {
      fprintf (stderr, "\rdev at step %" G_GINT64_FORMAT ": %d pairs, BLEU %.2f, chrF %.2f, "
               "exact %.1f %%, token accuracy %.1f %%\n", attn_trainer_get_step (trainer), ev.n,
               ev.bleu, ev.chrf, 100 * ev.exact_match, 100 * ev.token_accuracy);
      return TRUE;
    }
  printf ("held-out: %d sequences, exact match %.1f %%, token accuracy %.1f %%",
          ev.n, 100 * ev.exact_match, 100 * ev.token_accuracy);
  if (ev.aligned >= 0)
    printf (", cross-attention on the aligned position %.1f %% of steps (layer %d)",
            100 * ev.aligned, ev.best_layer);
  printf ("\n");
  return TRUE;
}

int
attn_cli_train (int argc, char **argv)
{
  g_autofree char *task = NULL, *arch = NULL, *score = NULL, *out = NULL, *recipe = NULL;
  g_autofree char *resume = NULL, *lr = NULL, *dropout = NULL, *smoothing = NULL;
  gint64 seed = -1;
  int steps = 0, batch = 0, min_len = 0, max_len = 0, every = 50, eval = -1;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "task", 0, 0, G_OPTION_ARG_STRING, &task, "Toy task: copy, reverse or sort", "TASK" },
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch, "Model: transformer, gru or lstm (bert, gpt2 and whisper through --recipe)", "ARCH" },
    { "score", 0, 0, G_OPTION_ARG_STRING, &score, "Recurrent attention score: additive, dot, general, scaled-dot", "S" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed (the same seed gives the same run)", "N" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Folder to save the model in", "DIR" },
    { "recipe", 0, 0, G_OPTION_ARG_FILENAME, &recipe, "JSON recipe with the training settings", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &resume, "Continue a run saved in DIR", "DIR" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Updates in all (the schedule's length)", "N" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, "Sequences per update", "N" },
    { "lr", 0, 0, G_OPTION_ARG_STRING, &lr, "Peak learning rate", "X" },
    { "dropout", 0, 0, G_OPTION_ARG_STRING, &dropout, "Dropout probability (default 0)", "P" },
    { "label-smoothing", 0, 0, G_OPTION_ARG_STRING, &smoothing, "Label smoothing ε (default 0)", "E" },
    { "min-len", 0, 0, G_OPTION_ARG_INT, &min_len, "Shortest sequence (digits)", "N" },
    { "max-len", 0, 0, G_OPTION_ARG_INT, &max_len, "Longest sequence (digits)", "N" },
    { "every", 0, 0, G_OPTION_ARG_INT, &every, "Progress line every N steps (default 50)", "N" },
    { "eval", 0, 0, G_OPTION_ARG_INT, &eval, "Held-out sequences to evaluate at the end (default: the recipe's eval_size, 500 for toy tasks; 0: none)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing but errors", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("— train an attention model (a toy task, or a recipe)");
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  AttnTrainConfig config;
  AttnTrainer *trainer;
  Progress progress = { FALSE, FALSE };
  const AttnTrainConfig *c;
  gboolean ok, cancelled = FALSE;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (out == NULL)
    out = g_strdup (resume);
  if (out == NULL)
    {
      attn_cli_fail ("--out DIR is required (the folder to save the model in)");
      return 2;
    }

  if (resume != NULL)
    {
      if (task || arch || score || recipe || seed >= 0 || batch || lr || min_len || max_len
          || dropout || smoothing)
        {
          attn_cli_fail ("--resume continues a saved run with its own settings; only --steps may change");
          return 2;
        }
      trainer = attn_trainer_resume (resume, &error);
      if (trainer == NULL)
        {
          attn_cli_fail ("%s", error->message);
          return 1;
        }
      if (steps > 0 && steps != attn_trainer_get_config (trainer)->steps &&
          !attn_trainer_extend (trainer, steps, &error))
        {
          attn_cli_fail ("--steps: %s", error->message);
          attn_trainer_free (trainer);
          return 2;
        }
    }
  else
    {
      if (recipe != NULL)
        {
          if (!attn_train_config_from_recipe (recipe, &config, &error))
            {
              attn_cli_fail ("%s", error->message);
              return 1;
            }
        }
      else
        {
          AttnTask t;
          AttnTrainArch a;
          if (task == NULL || arch == NULL)
            {
              attn_cli_fail ("--task and --arch are required (or --recipe FILE, or --resume DIR)");
              return 2;
            }
          if (!attn_task_from_name (task, &t))
            {
              attn_cli_fail ("unknown task “%s” (use copy, reverse or sort)", task);
              return 2;
            }
          if (!attn_train_arch_from_name (arch, &a))
            {
              attn_cli_fail ("unknown architecture “%s” (use transformer, gru or lstm)", arch);
              return 2;
            }
          attn_train_config_init (&config, t, a);
        }
      if (score != NULL)
        {
          if (!attn_score_from_name (score, &config.score))
            {
              attn_cli_fail ("unknown score “%s” (use additive, dot, general or scaled-dot)", score);
              return 2;
            }
        }
      if (seed >= 0)
        config.seed = (guint64) seed;
      if (steps > 0)
        config.steps = steps;
      if (batch > 0)
        config.batch_size = batch;
      if (min_len > 0)
        config.min_len = min_len;
      if (max_len > 0)
        config.max_len = max_len;
      {
        struct { const char *flag, *text; float *out; } reals[] = {
          { "--lr", lr, &config.lr },
          { "--dropout", dropout, &config.dropout },
          { "--label-smoothing", smoothing, &config.label_smoothing },
        };
        for (guint i = 0; i < G_N_ELEMENTS (reals); i++)
          {
            char *end = NULL;
            double v;
            if (reals[i].text == NULL)
              continue;
            v = g_ascii_strtod (reals[i].text, &end);
            if (end == reals[i].text || *end != '\0')
              {
                attn_cli_fail ("%s “%s” is not a number", reals[i].flag, reals[i].text);
                return 2;
              }
            *reals[i].out = (float) v;
          }
      }
      trainer = attn_trainer_new (&config, &error);
      if (trainer == NULL)
        {
          attn_cli_fail ("%s", error->message);
          return 1;
        }
    }

  c = attn_trainer_get_config (trainer);
  if (eval < 0)
    eval = c->eval_size;
  progress.quiet = quiet;
  progress.tty = isatty (fileno (stderr));
  progress.unit = c->arch == ATTN_ARCH_BERT ? "texts" : "tok";
  if (!quiet && c->arch == ATTN_ARCH_WHISPER)
    {
      AttnTrainCorpusInfo ci;
      attn_trainer_get_corpus_info (trainer, &ci);
      fprintf (stderr, "training whisper on %s: %d clips, %" G_GINT64_FORMAT " target tokens (%d "
               "longer than the %d s window or %d decoder tokens skipped), %d dev clips; %d mel "
               "bins, %" G_GINT64_FORMAT " parameters, seed %" G_GUINT64_FORMAT ", %d steps of %d "
               "clips\n", c->train_path, ci.n_train, ci.train_tokens, ci.n_too_long,
               c->window_seconds, c->max_tokens, ci.n_dev, c->n_mels,
               attn_trainer_get_n_params (trainer), c->seed, c->steps, c->batch_size);
    }
  else if (!quiet && c->arch == ATTN_ARCH_GPT2)
    {
      AttnTrainCorpusInfo ci;
      attn_trainer_get_corpus_info (trainer, &ci);
      fprintf (stderr, "training gpt2 on %s: %d documents, %" G_GINT64_FORMAT " tokens, %d chunks "
               "of %d; dev %d documents, %" G_GINT64_FORMAT " tokens; %" G_GINT64_FORMAT
               " parameters, seed %" G_GUINT64_FORMAT ", %d steps of %d chunks\n",
               c->train_path, ci.n_train_docs, ci.train_tokens, ci.n_train, c->context,
               ci.n_dev_docs, ci.dev_tokens, attn_trainer_get_n_params (trainer), c->seed,
               c->steps, c->batch_size);
    }
  else if (!quiet && c->arch == ATTN_ARCH_BERT)
    {
      AttnTrainCorpusInfo ci;
      g_autofree char *labels = NULL;
      attn_trainer_get_corpus_info (trainer, &ci);
      labels = g_strjoinv (", ", (char **) ci.labels);
      fprintf (stderr, "training bert on %s (text column %d, label column %d; labels %s): "
               "%d texts, %d cut to %d tokens, %d with a dev text skipped, %d dev texts; "
               "%" G_GINT64_FORMAT " parameters, seed %" G_GUINT64_FORMAT ", %d steps of %d "
               "texts\n", c->train_path, c->source_column, c->target_column, labels, ci.n_train,
               ci.n_too_long, c->max_tokens, ci.n_in_dev, ci.n_dev,
               attn_trainer_get_n_params (trainer), c->seed, c->steps, c->batch_size);
    }
  else if (!quiet && c->train_path[0] != '\0')
    {
      AttnTrainCorpusInfo ci;
      attn_trainer_get_corpus_info (trainer, &ci);
      fprintf (stderr, "training %s%s%s on %s%s%s (columns %d → %d): %d pairs, %" G_GINT64_FORMAT
               " target tokens (%d longer than %d tokens and %d with a dev source skipped), "
               "%d dev pairs; %" G_GINT64_FORMAT " parameters, seed %" G_GUINT64_FORMAT
               ", %d steps of %d pairs\n",
               attn_train_arch_name (c->arch), c->arch == ATTN_ARCH_TRANSFORMER ? "" : " ",
               c->arch == ATTN_ARCH_TRANSFORMER ? "" : attn_score_name (c->score), c->train_path,
               c->extra_train_path[0] != '\0' ? " and " : "", c->extra_train_path, c->source_column, c->target_column, ci.n_train, ci.train_tokens, ci.n_too_long,
               c->max_tokens, ci.n_in_dev, ci.n_dev, attn_trainer_get_n_params (trainer), c->seed,
               c->steps, c->batch_size);
    }
  else if (!quiet)
    fprintf (stderr, "training %s on %s (%d–%d digits), %s%s%s, %" G_GINT64_FORMAT
             " parameters, seed %" G_GUINT64_FORMAT ", %d steps of %d sequences\n",
             attn_train_arch_name (c->arch), attn_task_name (c->task), c->min_len, c->max_len,
             c->arch == ATTN_ARCH_TRANSFORMER ? "" : attn_score_name (c->score),
             c->arch == ATTN_ARCH_TRANSFORMER ? "" : " attention",
             c->arch == ATTN_ARCH_TRANSFORMER ? "encoder–decoder" : "",
             attn_trainer_get_n_params (trainer), c->seed, c->steps, c->batch_size);
  attn_trainer_set_callback (trainer, every, on_progress, &progress, NULL);
  {
    struct sigaction sa = { 0 };
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART;
    sigaction (SIGINT, &sa, NULL);
  }

  ok = TRUE;
  while (ok && attn_trainer_get_step (trainer) < c->steps)
    {
      if (interrupted)
        g_cancellable_cancel (cancellable);
      ok = attn_trainer_step (trainer, 1, cancellable, NULL, &error);
      if (ok && c->eval_every > 0 && attn_trainer_get_step (trainer) % c->eval_every == 0
          && attn_trainer_get_step (trainer) < c->steps)
        ok = evaluate (trainer, eval, quiet, &error);
    }
  if (progress.tty && !quiet)
    fprintf (stderr, "\n");
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          attn_cli_fail ("%s", error->message);
          attn_trainer_free (trainer);
          return 1;
        }
      cancelled = TRUE;
      g_clear_error (&error);
      if (!quiet)
        fprintf (stderr, "interrupted at step %" G_GINT64_FORMAT "; saving\n",
                 attn_trainer_get_step (trainer));
    }
  if (!cancelled && eval > 0 && !evaluate (trainer, eval, quiet, &error))
    {
      attn_cli_fail ("%s", error->message);
      attn_trainer_free (trainer);
      return 1;
    }
  if (!attn_trainer_save (trainer, out, &error))
    {
      attn_cli_fail ("%s", error->message);
      attn_trainer_free (trainer);
      return 1;
    }
  if (!quiet)
    printf ("saved to %s (step %" G_GINT64_FORMAT ")\n", out, attn_trainer_get_step (trainer));
  attn_trainer_free (trainer);
  return cancelled ? 130 : 0;
}
