/* recgate — command-line entry point: dispatches to plugin/cmd_*.c. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "recgate/recgate.h"

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
} cli_command;

static const cli_command commands[] = {
    {"run", rg_cmd_run,
     "run --config FILE --scenario FILE [--scenario FILE]... [--out DIR] [--json] [--realtime]\n"
     "              [--quiet] [--recipient age1...]... [--audit-key FILE]\n"
     "  recgate run --config FILE --platform janus [--url URL] [--room N] [--host NAME]...\n"
     "              [--textroom N] [--type T] [--timeout S] [--duration S] [--out DIR] [--json]"},
    {"announce", rg_cmd_announce,
     "announce --config FILE [--type NAME] [--notice KIND|all] [--lang da|en]"},
    {"classify", rg_cmd_classify,
     "classify [--lang da|en] [--config FILE] TEXT..."},
    {"audit", rg_cmd_audit,
     "audit keygen -o KEYFILE | verify LOG [--key-file KEYFILE] [--allow-open] | pseudonym --key-file KEYFILE ID..."},
    {"keygen", rg_cmd_keygen, "keygen -o FILE"},
    {"decrypt", rg_cmd_decrypt, "decrypt FILE --identity FILE -o OUT|-"},
    {"export", rg_cmd_export, "export RECDIR --identity FILE -o OUT [--participant ID | --track ID [--partial]] (--audit-key FILE | --config FILE) [--by NAME]"},
    {"verify", rg_cmd_verify, "verify RECDIR [--identity FILE]"},
    {"shred", rg_cmd_shred, "shred RECDIR TRACK"},
    {"upload", rg_cmd_upload, "upload RECDIR... --config FILE [--audit-key FILE] [--max-seconds N] [--delete [--track ID]] [--status]"},
    {"withdraw", rg_cmd_withdraw,
     "withdraw RECDIR --participant ID --mode delete|anonymize [--identity ORG_KEY] --audit-key KEY|--config FILE [--by NAME]"},
    {"dsr", rg_cmd_dsr,
     "dsr export RECDIR --participant ID --identity ORG_KEY -o DIR --audit-key KEY|--config FILE [--by NAME]"},
    {"hold", rg_cmd_hold, "hold RECDIR --reason TEXT [--until DATE] --audit-key KEY|--config FILE [--by NAME]"},
    {"release", rg_cmd_release, "release RECDIR --audit-key KEY|--config FILE [--by NAME]"},
    {"purge", rg_cmd_purge, "purge DIR [--dry-run] [--now ISO-8601] --audit-key KEY|--config FILE [--by NAME]"},
    {"serve", rg_cmd_serve,
     "serve --config FILE --token-file FILE --out DIR [--listen ADDR:PORT] [--max-meetings N]\n"
     "              [--state-dir DIR] [--audit-key FILE] [--nats URL] [--port-file FILE]"},
    {"worker", rg_cmd_worker,
     "worker --nats URL --config FILE --out DIR [--max-meetings N] [--ack-wait S]\n"
     "              [--audit-key FILE] [--state-dir DIR] [--name NAME]"},
    {"report", rg_cmd_report,
     "report RECDIR --identity ORG_KEY -o report.html --audit-key KEY|--config FILE [--by NAME]"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: recgate COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  recgate %s\n", commands[i].usage);
    fprintf(to, "\nrecgate %s — see README.md and docs/\n", RG_VERSION_STRING);
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
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "recgate: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
