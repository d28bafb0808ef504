/* attn-cli-train.h — `attn-cli train`: train a toy attention model. */
#pragma once

int attn_cli_train (int argc, char **argv);
