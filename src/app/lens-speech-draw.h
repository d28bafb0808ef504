/* lens-speech-draw.h — pure drawing of a transcript over its log-mel spectrogram.
 *
 * Time runs left to right. The spectrogram (low frequencies at the bottom) fills
 * the upper part; under its time axis the transcript tokens sit at their times
 * (word timings by DTW, or the peak of their cross-attention), staggered on
 * a few lanes so that labels do not overlap. A selected token's cross-attention
 * over time is drawn over the spectrogram, its span shaded. */
#pragma once

#include "lens-heatmap.h"

G_BEGIN_DECLS

typedef struct {
  const float        *mel;               /* [mel_bins, mel_frames] row-major */
  int                 mel_bins, mel_frames;
  int                 shown_frames;      /* the frames that hold audio, ≤ mel_frames */
  double              frames_per_second; /* 100 for Whisper */
  int                 n_tokens;
  const char *const  *tokens;
  const double       *starts, *ends;     /* seconds; ends may equal starts (a peak) */
  gboolean            timed;             /* starts/ends come from word timings, not peaks */
  int                 selected;          /* token, -1: none */
  const float        *attention;         /* the selected token's weights over encoder positions */
  int                 n_positions;
  double              positions_per_second;  /* 50 for Whisper */
  const char         *title;
} LensSpeechFigure;

typedef struct {
  double x0, y0, w, h;        /* the spectrogram */
  double seconds;             /* the time the width shows */
  double axis_y;              /* the time axis labels */
  double lane_y, lane_h;      /* the first token lane, and each lane's height */
  int    n_lanes;
} LensSpeechLayout;

void    lens_speech_layout      (const LensSpeechFigure *fig, const LensHeatmapStyle *style,
                                 double width, double height, LensSpeechLayout *layout);
double  lens_speech_time_to_x   (const LensSpeechLayout *layout, double seconds);
/* Where a token's marker is (its start). */
double  lens_speech_token_x     (const LensSpeechLayout *layout, const LensSpeechFigure *fig, int token);

void    lens_speech_draw        (cairo_t *cr, const LensHeatmapStyle *style, const LensSpeechFigure *fig,
                                 double width, double height, LensSpeechLayout *layout);

/* The token whose label or span is under (x, y), or -1. */
int     lens_speech_hit_token   (const LensSpeechLayout *layout, const LensSpeechFigure *fig,
                                 double x, double y);

G_END_DECLS
