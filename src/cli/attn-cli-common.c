/* attn-cli-common.c — helpers shared by the CLI's commands. */
#include "attn-cli-common.h"
#include "attn-result.h"

#include <gio/gio.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
attn_cli_fail (const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  /* one line: newlines inside a message become spaces */
  for (char *p = msg; *p; p++)
    if (*p == '\n')
      *p = ' ';
  fprintf (stderr, "attn-cli: %s\n", msg);
}

gboolean
attn_cli_parse_ids (const char *text, GArray **out, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (int i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL;
      const char *p = g_strstrip (parts[i]);
      gint64 v;
      errno = 0;
      v = g_ascii_strtoll (p, &end, 10);
      if (*p == '\0' || *end != '\0' || errno != 0 || v < 0 || v > G_MAXINT32)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” is not a list of token ids like 1,2,3", text);
          g_array_unref (ids);
          return FALSE;
        }
      {
        gint32 id = (gint32) v;
        g_array_append_val (ids, id);
      }
    }
  *out = ids;
  return TRUE;
}

gboolean
attn_cli_parse_kinds (const char *text, guint *mask, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  *mask = 0;
  for (int i = 0; parts[i] != NULL; i++)
    {
      AttnKind k;
      if (!attn_kind_from_name (g_strstrip (parts[i]), &k))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "unknown attention kind “%s” (use encoder, decoder, cross, self)", parts[i]);
          return FALSE;
        }
      *mask |= ATTN_KIND_MASK (k);
    }
  return TRUE;
}

gboolean
attn_cli_sigint_is_first (int sig)
{
  static volatile sig_atomic_t seen;
  static struct timespec first;
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  if (!seen)
    {
      first = now;
      seen = 1;
      return TRUE;
    }
  if ((now.tv_sec - first.tv_sec) * 1000000000L + (now.tv_nsec - first.tv_nsec) > 1000000000L)
    {
      signal (sig, SIG_DFL);
      raise (sig);
    }
  return FALSE;
}

static int sigint_pipe[2] = { -1, -1 };

static void
on_sigint (int sig)
{
  /* async-signal-safe: wake the watcher thread */
  char c = 1;
  if (attn_cli_sigint_is_first (sig) && write (sigint_pipe[1], &c, 1) < 0)
    _exit (130);
}

static gpointer
sigint_thread (gpointer data)
{
  GCancellable *cancellable = data;
  char c;
  if (read (sigint_pipe[0], &c, 1) == 1)
    g_cancellable_cancel (cancellable);
  g_object_unref (cancellable);
  return NULL;
}

gboolean
attn_cli_parse_decode (const char *decode, double length_penalty, AttnRunOptions *run,
                       GError **error)
{
  if (decode != NULL && g_str_equal (decode, "greedy"))
    run->decode = ATTN_DECODE_GREEDY;
  else if (decode != NULL)
    {
      guint64 n;
      if (!g_str_has_prefix (decode, "beam:") ||
          !g_ascii_string_to_unsigned (decode + 5, 10, 1, ATTN_BEAM_SIZE_MAX, &n, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--decode must be greedy or beam:N with N from 1 to %d, not “%s”",
                       ATTN_BEAM_SIZE_MAX, decode);
          return FALSE;
        }
      run->decode = ATTN_DECODE_BEAM;
      run->beam_size = (int) n;
    }
  if (isnan (length_penalty))
    return TRUE;
  if (!(length_penalty > 0 && length_penalty <= ATTN_LENGTH_PENALTY_MAX))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--length-penalty must be above 0 and at most %g", ATTN_LENGTH_PENALTY_MAX);
      return FALSE;
    }
  run->length_penalty = length_penalty;
  return TRUE;
}

void
attn_cli_cancel_on_sigint (GCancellable *cancellable)
{
  /* The signal may arrive on any thread (OpenBLAS starts its own before main), so the
   * handler only writes to a pipe; a watcher thread cancels the work, which then stops
   * and saves cleanly. */
  if (sigint_pipe[0] < 0 && pipe (sigint_pipe) != 0)
    return;
  g_thread_unref (g_thread_new ("sigint", sigint_thread, g_object_ref (cancellable)));
  signal (SIGINT, on_sigint);
}

GPtrArray *
attn_cli_read_rows (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean tsv = g_str_has_suffix (path, ".tsv");
  GPtrArray *rows;
  guint n;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not UTF-8 text", path);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  if (n > 0 && lines[n - 1][0] == '\0')
    n--;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = 0; i < n; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (tsv)
        g_ptr_array_add (rows, g_strsplit (line, "\t", -1));
      else
        {
          char **one = g_new0 (char *, 2);
          one[0] = g_strdup (line);
          g_ptr_array_add (rows, one);
        }
    }
  return rows;
}

GPtrArray *
attn_cli_read_lines (const char *path, int column, GError **error)
{
  g_autoptr(GPtrArray) rows = attn_cli_read_rows (path, error);
  GPtrArray *out;

  if (rows == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rows->len; i++)
    {
      char **f = rows->pdata[i];
      guint nf = g_strv_length (f);
      guint c = !g_str_has_suffix (path, ".tsv") ? 0 : column < 0 ? (nf > 0 ? nf - 1 : 0) : (guint) column;
      if (c >= nf)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u has no column %d", path,
                       i + 1, column);
          g_ptr_array_unref (out);
          return NULL;
        }
      g_ptr_array_add (out, g_strdup (f[c]));
    }
  return out;
}
