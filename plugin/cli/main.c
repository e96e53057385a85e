/* recgate — command-line entry point: dispatches to plugin/cli/cmd_*.c.
 * The command table and every usage text come from docs/cli/NAME.txt
 * (generated cli_usage.h), the same source as the man pages, the README's
 * command reference and the shell completion, so they cannot drift. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_usage.h"
#include "recgate/recgate.h"

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage;
} cli_command;

#define RG_CLI_ENTRY(id, name, summary) {name, rg_cmd_##id, summary, RG_USAGE_##id},
static const cli_command commands[] = {RG_CLI_COMMANDS(RG_CLI_ENTRY)};

static void usage(FILE *to)
{
    fprintf(to, "usage: recgate COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\n'recgate COMMAND --help' shows a command's usage, "
                "'man recgate-COMMAND' its manual.\nrecgate %s\n",
            RG_VERSION_STRING);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("recgate %s\n", RG_VERSION_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name))
            continue;
        /* Every command answers --help the same way, from the same text. */
        if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
            fputs(commands[i].usage, stdout);
            return 0;
        }
        return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "recgate: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
