#include <stdio.h>
#include "cli.h"

int rg_cmd_run(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "recgate run: not implemented yet\n");
    return 1;
}
