/*
 * tool_validate.h -- the query-plan validation commands of datagen (issue 7):
 *   datagen profile  -- a shape from catalogs and planner statistics only (tool_profile.c);
 *   datagen compare  -- fidelity of a filled database against a shape (tool_compare.c);
 *   datagen plans    -- EXPLAIN a query set, normalise and compare plan shapes (tool_plans.c).
 *
 * Each takes the subcommand's own argv (argv[0] is the subcommand name), prints through
 * common/log.h and returns the process exit code (st.h: 0 ok, 1 check failed, 2 usage/input,
 * 3 environment). main.c only dispatches.
 */
#ifndef DG_TOOL_VALIDATE_H
#define DG_TOOL_VALIDATE_H

int tool_profile(int argc, char **argv);
int tool_compare(int argc, char **argv);
int tool_plans(int argc, char **argv);

#endif
