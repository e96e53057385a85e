#include <stdio.h>
#include "cli.h"

int rg_cmd_classify(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "recgate classify: not implemented yet\n");
    return 1;
}
