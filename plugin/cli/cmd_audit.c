/* recgate audit keygen|verify|pseudonym — see docs/audit.md. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "audit.h"
#include "cli.h"

#define USAGE RG_USAGE_audit

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "recgate audit: %s\n", why);
    fputs(USAGE, stderr);
    return 2;
}

static int cmd_keygen(int argc, char **argv)
{
    const char *out = NULL;
    char err[RG_ERRBUF_SIZE];
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) &&
            i + 1 < argc)
            out = argv[++i];
        else
            return usage("keygen: unexpected argument");
    }
    if (!out)
        return usage("keygen: -o KEYFILE is required");
    if (rg_audit_key_generate(out, err)) {
        fprintf(stderr, "recgate audit: %s\n", err);
        return 1;
    }
    printf("%s: new audit key (mode 0600); keep it apart from the logs\n", out);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    const char *log = NULL, *key_file = NULL, *expect_head = NULL;
    bool allow_open = false, verbose = false;
    uint8_t key[RG_AUDIT_KEY_LEN];
    char err[RG_ERRBUF_SIZE];
    rg_audit_report rep;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--key-file") && i + 1 < argc)
            key_file = argv[++i];
        else if (!strcmp(argv[i], "--expect-head") && i + 1 < argc)
            expect_head = argv[++i];
        else if (!strcmp(argv[i], "--allow-open"))
            allow_open = true;
        else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
            verbose = true;
        else if (argv[i][0] == '-' || log)
            return usage("verify: unexpected argument");
        else
            log = argv[i];
    }
    if (!log)
        return usage("verify: LOG is required");
    if (key_file) {
        if (rg_audit_key_load(key_file, key, err)) {
            fprintf(stderr, "recgate audit: %s\n", err);
            return 1;
        }
    } else {
        fprintf(stderr, "recgate audit: warning: no --key-file: only the hash "
                        "chain is checked, not the MACs (anyone could have "
                        "rewritten the whole log)\n");
    }
    rg_err rc = rg_audit_verify(log, key_file ? key : NULL, &rep, err);
    OPENSSL_cleanse(key, sizeof key);
    const char *chain_only = rep.macs_checked ? "" : ", chain only (MACs not checked)";
    if (rc == RG_OK || (rc == RG_ERR_TRUNCATED && allow_open && rep.unclosed)) {
        if (expect_head && strcmp(expect_head, rep.head)) {
            printf("%s: head %s after line %llu, expected %s: lines were "
                   "removed after a checkpoint, or this is another log\n",
                   log, rep.head, (unsigned long long)rep.lines, expect_head);
            return 1;
        }
        printf("%s: ok, %llu line%s, %s%s\n", log,
               (unsigned long long)rep.lines, rep.lines == 1 ? "" : "s",
               rc == RG_OK ? "checkpointed"
                           : "not checkpointed (session open or crashed)",
               chain_only);
        if (verbose)
            printf("head %s\n", rep.head);
        return 0;
    }
    if (rep.first_bad_line)
        printf("%s: line %llu: %s%s\n", log,
               (unsigned long long)rep.first_bad_line, rep.problem, chain_only);
    else
        fprintf(stderr, "recgate audit: %s\n", err);
    return 1;
}

static int cmd_pseudonym(int argc, char **argv)
{
    const char *key_file = NULL;
    uint8_t key[RG_AUDIT_KEY_LEN];
    char err[RG_ERRBUF_SIZE], p[RG_PSEUDONYM_LEN];
    int first = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--key-file") && i + 1 < argc)
            key_file = argv[++i];
        else if (!first)
            first = i;
    }
    if (!key_file || !first)
        return usage("pseudonym: --key-file KEYFILE and an id are required");
    if (rg_audit_key_load(key_file, key, err)) {
        fprintf(stderr, "recgate audit: %s\n", err);
        return 1;
    }
    for (int i = first; i < argc; i++) {
        if (!strcmp(argv[i], "--key-file")) {
            i++;
            continue;
        }
        if (rg_audit_pseudonym(key, argv[i], p)) {
            rc = 1;
            break;
        }
        printf("%s\t%s\n", p, argv[i]);
    }
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int rg_cmd_audit(int argc, char **argv)
{
    if (argc < 2)
        return usage(NULL);
    if (!strcmp(argv[1], "keygen"))
        return cmd_keygen(argc - 1, argv + 1);
    if (!strcmp(argv[1], "verify"))
        return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(argv[1], "pseudonym"))
        return cmd_pseudonym(argc - 1, argv + 1);
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(USAGE, stdout);
        return 0;
    }
    return usage("unknown sub-command");
}
