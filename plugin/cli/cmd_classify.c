/* recgate classify [--lang da|en] [--config FILE] TEXT...
 * Prints one label (none | consent | objection) per TEXT, one a line.
 * Exit 0; 1 if some TEXT was not valid UTF-8 (it is still labelled
 * objection: fail closed) or the classifier could not be built; 2 on bad
 * usage. The lexicon is the built-in one (docs/classifier.md) plus, with
 * --config, the policy's extra words. */
#include <stdio.h>
#include <string.h>
#include "classify.h"
#include "cli.h"
#include "policy.h"

static int usage(FILE *to)
{
    fputs(RG_USAGE_classify, to);
    return to == stdout ? 0 : 2;
}

int rg_cmd_classify(int argc, char **argv)
{
    rg_lang lang = RG_LANG_DA;
    rg_classifier *c = NULL;
    rg_policy *policy = NULL;
    const char *config = NULL;
    char errbuf[RG_ERRBUF_SIZE];
    int i = 1, rc = 0;
    rg_err err;

    for (; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return usage(stdout);
        if (!strcmp(a, "--config") || !strncmp(a, "--config=", 9)) {
            if (a[8] == '=') {
                config = a + 9;
            } else if (i + 1 < argc) {
                config = argv[++i];
            } else {
                fprintf(stderr, "recgate classify: --config needs a file\n");
                return usage(stderr);
            }
            continue;
        }
        if (!strcmp(a, "--lang")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "recgate classify: --lang needs a value "
                        "(da or en)\n");
                return usage(stderr);
            }
            val = argv[++i];
        } else if (!strncmp(a, "--lang=", 7)) {
            val = a + 7;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "recgate classify: unknown option '%s'\n", a);
            return usage(stderr);
        } else {
            break;
        }
        if (rg_lang_parse(val, &lang) != RG_OK) {
            fprintf(stderr, "recgate classify: unknown language '%s' "
                    "(expected da or en)\n", val);
            return usage(stderr);
        }
    }
    if (i >= argc) {
        fprintf(stderr, "recgate classify: no TEXT given\n");
        return usage(stderr);
    }
    errbuf[0] = '\0';
    if (config && (err = rg_policy_load(config, &policy, errbuf))) {
        fprintf(stderr, "recgate classify: %s\n",
                errbuf[0] ? errbuf : rg_strerror(err));
        return 1;
    }
    err = rg_classifier_new(policy ? policy->extra_objection : NULL,
                            policy ? policy->extra_consent : NULL, &c, errbuf);
    rg_policy_free(policy);
    if (err) {
        fprintf(stderr, "recgate classify: %s\n",
                errbuf[0] ? errbuf : rg_strerror(err));
        return 1;
    }
    for (int k = i; k < argc; k++) {
        rg_intent intent;
        err = rg_classify(c, lang, argv[k], strlen(argv[k]), &intent);
        if (err) {
            fprintf(stderr, "recgate classify: TEXT %d: %s; treated as "
                    "objection\n", k - i + 1, err == RG_ERR_PARSE ?
                    "not valid UTF-8" : rg_strerror(err));
            rc = 1;
        }
        printf("%s\n", rg_intent_name(intent));
    }
    rg_classifier_free(c);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "recgate classify: writing the labels failed\n");
        return 1;
    }
    return rc;
}
