/* attn-cli-common.h — helpers shared by the CLI's commands. */
#pragma once

#include <gio/gio.h>
#include "attn-model.h"

G_BEGIN_DECLS

/* Prints "attn-cli: MESSAGE" as one line on stderr. */
void     attn_cli_fail       (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Parses "1,2,3" into ids; FALSE with an error for anything else. */
gboolean attn_cli_parse_ids  (const char *text, GArray **ids, GError **error);
/* Parses "encoder,cross" into a mask of AttnKinds. */
gboolean attn_cli_parse_kinds (const char *text, guint *mask, GError **error);
/* The lines of a UTF-8 text file (a trailing empty line and \r dropped), each split at
 * TABs when the file's name ends in .tsv (else one field): a GPtrArray of GStrv. */
GPtrArray *attn_cli_read_rows (const char *path, GError **error);
/* One field of every row: `column` ≥ 0 picks a TAB field of .tsv files, -1 the last. */
GPtrArray *attn_cli_read_lines (const char *path, int column, GError **error);
/* --decode (NULL, "greedy" or "beam:N") and --length-penalty (NAN when not given, else
 * above 0 and at most ATTN_LENGTH_PENALTY_MAX) into run options. */
gboolean attn_cli_parse_decode (const char *decode, double length_penalty, AttnRunOptions *run,
                                GError **error);
/* Installs a SIGINT handler that cancels `cancellable` (Ctrl+C stops cleanly). */
void     attn_cli_cancel_on_sigint (GCancellable *cancellable);
/* For SIGINT handlers (async-signal-safe): TRUE for the first SIGINT. One within a
 * second of it counts as the same Ctrl+C (`timeout -s INT` signals a process and
 * then its process group) and gives FALSE; a later one is a second Ctrl+C, which
 * ends the program with the signal's default action. */
gboolean attn_cli_sigint_is_first (int sig);

/* The commands. */
int      attn_cli_run        (int argc, char **argv);
int      attn_cli_align      (int argc, char **argv);
int      attn_cli_tokenizer  (int argc, char **argv);
int      attn_cli_score      (int argc, char **argv);
int      attn_cli_eval       (int argc, char **argv);
int      attn_cli_convert    (int argc, char **argv);

G_END_DECLS
