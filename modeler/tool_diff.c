#include "tools.h"
#include "log.h"
#include "st.h"
int tool_diff_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    log_error("diff: not implemented yet");
    return ST_EXIT_INPUT;
}
