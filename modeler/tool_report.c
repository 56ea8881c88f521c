#include "tools.h"
#include "log.h"
#include "st.h"
int tool_report_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    log_error("report: not implemented yet");
    return ST_EXIT_INPUT;
}
