/* attn-cli-score.c — `attn-cli score`: corpus BLEU, chrF, WER and CER of a file of
 * hypotheses against a file of references (one segment per line, same order).
 *
 *   attn-cli score [--metric bleu,chrf,wer,cer] [--json] HYP_FILE REF_FILE
 *
 * A .tsv reference file is read as its last column (the de-en splits: the English
 * side; use --column to pick another). */
#include "attn-cli-common.h"
#include "attn-metrics.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

int
attn_cli_score (int argc, char **argv)
{
  g_autofree char *metrics = NULL;
  int column = -1;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "metric", 'm', 0, G_OPTION_ARG_STRING, &metrics, "Metrics to compute (default bleu,chrf,wer,cer)", "LIST" },
    { "column", 0, 0, G_OPTION_ARG_INT, &column, "Column of .tsv files to read (0-based; default the last)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("HYP_FILE REF_FILE — corpus BLEU, chrF, WER, CER");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hyps = NULL, refs = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *const *h, *const *r;

  setlocale (LC_NUMERIC, "C");   /* numbers with a decimal point, whatever the locale */
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (argc != 3)
    {
      attn_cli_fail ("score needs HYP_FILE and REF_FILE (see attn-cli score --help)");
      return 2;
    }
  if ((hyps = attn_cli_read_lines (argv[1], column, &error)) == NULL ||
      (refs = attn_cli_read_lines (argv[2], column, &error)) == NULL)
    {
      attn_cli_fail ("%s", error->message);
      return 1;
    }
  if (hyps->len != refs->len)
    {
      attn_cli_fail ("%s has %u lines but %s has %u", argv[1], hyps->len, argv[2], refs->len);
      return 1;
    }
  h = (const char *const *) hyps->pdata;
  r = (const char *const *) refs->pdata;
  names = g_strsplit (metrics != NULL ? metrics : "bleu,chrf,wer,cer", ",", -1);
  if (json)
    g_string_append_c (out, '{');
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *m = names[i];
      double v;
      g_autofree char *detail = NULL;
      if (g_str_equal (m, "bleu"))
        {
          AttnBleuStats st;
          v = attn_bleu (h, r, hyps->len, &st);
          detail = g_strdup_printf ("%.1f/%.1f/%.1f/%.1f (BP = %.3f, hyp_len = %" G_GUINT64_FORMAT
                                    ", ref_len = %" G_GUINT64_FORMAT ")",
                                    st.precisions[0], st.precisions[1], st.precisions[2],
                                    st.precisions[3], st.bp, st.sys_len, st.ref_len);
        }
      else if (g_str_equal (m, "chrf"))
        v = attn_chrf (h, r, hyps->len, NULL);
      else if (g_str_equal (m, "wer"))
        v = attn_wer (h, r, hyps->len, NULL);
      else if (g_str_equal (m, "cer"))
        v = attn_cer (h, r, hyps->len, NULL);
      else
        {
          attn_cli_fail ("unknown metric “%s” (bleu, chrf, wer, cer)", m);
          return 2;
        }
      if (json)
        g_string_append_printf (out, "%s\"%s\": %.4f", i ? ", " : "", m, v);
      else
        g_string_append_printf (out, "%-5s %.2f%s%s\n", m, v, detail ? "  " : "", detail ? detail : "");
    }
  if (json)
    g_string_append (out, "}\n");
  fputs (out->str, stdout);
  return 0;
}
