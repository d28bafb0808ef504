/* test-matrix.c — extracting the visible rows and columns of a matrix. */
#include "lens-matrix.h"

static void
test_extract (void)
{
  const float m[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  const int rows[2] = { 0, 2 }, cols[2] = { 1, 2 };
  float out[4];

  lens_matrix_extract (m, 3, rows, 2, cols, 2, out);
  g_assert_cmpfloat (out[0], ==, 2);
  g_assert_cmpfloat (out[1], ==, 3);
  g_assert_cmpfloat (out[2], ==, 8);
  g_assert_cmpfloat (out[3], ==, 9);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/matrix/extract", test_extract);
  return g_test_run ();
}
