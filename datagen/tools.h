/*
 * tools.h -- the datagen subcommands, dispatched by main.c through common/cmd.h:
 *   datagen fill     -- rows from a shape into PostgreSQL or CSV files (tool_fill.c);
 *   datagen profile  -- a shape from catalogs and planner statistics only (tool_profile.c);
 *   datagen compare  -- fidelity of a filled database against a shape (tool_compare.c);
 *   datagen plans    -- EXPLAIN a query set, normalise and compare plan shapes (tool_plans.c).
 *
 * Each takes the subcommand's own argv (argv[0] is the subcommand name), prints through
 * common/log.h and returns the process exit code (st.h: 0 ok, 1 check failed, 2 bad
 * usage/input, 3 environment). Only these entry points print; the modules they call return
 * a status with the message in a caller's buffer.
 */
#ifndef DG_TOOLS_H
#define DG_TOOLS_H

int tool_fill(int argc, char **argv);
int tool_profile(int argc, char **argv);
int tool_compare(int argc, char **argv);
int tool_plans(int argc, char **argv);

#endif
