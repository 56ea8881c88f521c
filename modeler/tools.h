/*
 * tools.h -- the subcommands of modeler. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit code (common/st.h).
 */
#ifndef MODELER_TOOLS_H
#define MODELER_TOOLS_H

int tool_fit_main(int argc, char **argv);
int tool_diff_main(int argc, char **argv);
int tool_report_main(int argc, char **argv);
int tool_extract_main(int argc, char **argv);
int tool_formats_main(int argc, char **argv);

#endif
