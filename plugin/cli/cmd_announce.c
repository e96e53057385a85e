/* `recgate announce`: print the chat texts the bot would send for a meeting
 * type, so an admin can review them (docs/announcements.md). Loading the
 * config also validates it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "announce.h"
#include "cli.h"

static int usage(void)
{
    fputs(RG_USAGE_announce, stderr);
    return 2;
}

static int print_one(const rg_policy *p, const rg_meeting_type *t,
                     rg_notice k, const char *lang)
{
    char *text = NULL;
    rg_lang l;
    rg_err e = lang ? (rg_lang_parse(lang, &l) ? RG_ERR_ARG
                       : rg_announce_text_lang(p, t, k, l, &text))
                    : rg_announce_text(p, t, k, &text);
    if (e) {
        fprintf(stderr, "recgate announce: %s\n", rg_strerror(e));
        return 1;
    }
    printf("%s\n", text);
    free(text);
    return 0;
}

int rg_cmd_announce(int argc, char **argv)
{
    const char *config = NULL, *type = NULL, *notice = "public", *lang = NULL;
    for (int i = 1; i < argc; i++) {
        const char **dst = !strcmp(argv[i], "--config") ? &config
                           : !strcmp(argv[i], "--type")   ? &type
                           : !strcmp(argv[i], "--notice") ? &notice
                           : !strcmp(argv[i], "--lang")   ? &lang : NULL;
        if (!dst || i + 1 >= argc)
            return usage();
        *dst = argv[++i];
    }
    rg_lang l;
    if (!config || (lang && rg_lang_parse(lang, &l)))
        return usage();
    char errbuf[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    if (rg_policy_load(config, &p, errbuf)) {
        fprintf(stderr, "recgate announce: %s\n", errbuf);
        return 1;
    }
    int rc = 0;
    const rg_meeting_type *t = rg_policy_type(p, type);
    if (!t) {
        fprintf(stderr, "recgate announce: no meeting type '%s' in %s\n",
                type, config);
        rc = 1;
        goto cleanup;
    }
    bool all = !strcmp(notice, "all"), found = false;
    for (int k = 0; k < RG_NOTICE__COUNT && !rc; k++) {
        if (!all && strcmp(notice, rg_notice_name((rg_notice)k)))
            continue;
        found = true;
        if (all)
            printf("== %s (%s)\n", rg_notice_name((rg_notice)k),
                   rg_notice_is_private((rg_notice)k) ? "private" : "public");
        rc = print_one(p, t, (rg_notice)k, lang);
        if (all)
            printf("\n");
    }
    if (!found) {
        fprintf(stderr, "recgate announce: unknown notice '%s'\n", notice);
        rc = 2;
    }
cleanup:
    rg_policy_free(p);
    return rc;
}
