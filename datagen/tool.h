/*
 * tool.h -- the datagen subcommands, dispatched by main.c. Each returns the process exit
 * code (st.h: 0 ok, 1 check failed, 2 bad usage/input, 3 environment).
 */
#ifndef DG_TOOL_H
#define DG_TOOL_H

int tool_fill(int argc, char **argv);

#endif
