/* Policy internals: the validated, immutable form of config/recgate.json.
 * The file format and every key are documented in docs/config.md. */
#ifndef RG_POLICY_INTERNAL_H
#define RG_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "recgate/policy.h"
#include "lang.h"

typedef enum rg_basis {
    RG_BASIS_DOCUMENTATION = 0,
    RG_BASIS_CONSENT = 1,
    RG_BASIS_OPT_OUT = 2
} rg_basis;

typedef enum rg_on_withdrawal {
    RG_WITHDRAW_DELETE_RECORDING = 0, /* default */
    RG_WITHDRAW_REMOVE_PARTICIPANT = 1
} rg_on_withdrawal;

#define RG_WINDOW_MIN_S 10
#define RG_WINDOW_MAX_S 3600
#define RG_RETENTION_MAX_DAYS 3650

typedef struct rg_meeting_type {
    char *name;
    rg_basis basis;                /* legal_basis */
    int window_s;                  /* window_s, RG_WINDOW_MIN_S..MAX */
    int retention_days;            /* retention_days, 1..RG_RETENTION_MAX_DAYS */
    rg_lang language;              /* language */
    char *purpose;                 /* purpose (non-empty) */
    char *storage_location;        /* storage_location, or the policy's */
    bool require_host;             /* require_host, default true */
    bool continue_on_objection;    /* documentation only; needs justification */
    char *justification;           /* NULL unless continue_on_objection */
    rg_on_withdrawal on_withdrawal;/* on_withdrawal */
    bool video;                    /* video, default false */
} rg_meeting_type;

/* upload.destinations[] (docs/config.md, docs/operations.md) */
typedef enum rg_dest_type { RG_DEST_WEBDAV = 0, RG_DEST_S3 = 1 } rg_dest_type;

typedef struct rg_upload_dest {
    char *name;                    /* [a-z0-9_-]{1,64}, unique */
    rg_dest_type type;             /* type: "webdav" | "s3" */
    char *url;                     /* https://..., no trailing '/' */
    char region[3];                /* ISO 3166-1 alpha-2 where data rests */
    char *s3_region;               /* s3: SigV4 signing region, else NULL */
    char *ca_file;                 /* extra CA bundle (resolved), or NULL */
    char *username, *password_file;       /* webdav Basic auth, or NULL */
    char *access_key_id, *secret_key_file; /* s3 credentials */
    bool delete_local_after_upload;/* default false */
    bool include_keyring;          /* also ship keyring/ (default false) */
    int timeout_s;                 /* stall timeout per transfer, default 60 */
} rg_upload_dest;

struct rg_policy {
    char *origin;                  /* file name used in messages */
    uint8_t sha256[32];            /* hash of the exact file bytes in force */
    char *controller_name;         /* controller.name */
    char *controller_contact;      /* controller.contact */
    char *controller_dpo;          /* controller.dpo */
    char *storage_location;        /* storage_location (default for types) */
    char *default_type;            /* default_meeting_type (must exist) */
    rg_meeting_type *types;        /* meeting_types, in file order */
    size_t n_types;
    rg_word_list extra_objection[RG_LANG__COUNT]; /* classifier.<lang>.objection */
    rg_word_list extra_consent[RG_LANG__COUNT];   /* classifier.<lang>.consent */
    char **vault_recipients;       /* vault.recipients ("age1..."), may be 0 */
    size_t n_vault_recipients;
    int segment_s;                 /* vault.segment_s, default 5, 1..300 */
    char *audit_key_file;          /* audit.key_file (resolved against the
                                      policy file's folder), or NULL */
    rg_upload_dest *upload_dests;  /* upload.destinations, may be 0 */
    size_t n_upload_dests;
    char (*allowed_regions)[3];    /* upload.allowed_regions or the default */
    size_t n_allowed_regions;
    char *transfer_basis;          /* upload.transfer_basis, or NULL */
    int upload_wait_s;             /* upload.wait_at_end_s, default 30 */
    int upload_retry_max_s;        /* upload.retry_max_s, default 300 */
    char **platform_names;         /* platforms.<name>, may be 0 */
    char **platform_json;          /* ... its settings as JSON text */
    size_t n_platforms;
};

/* Parse root.platforms into pol; on error `msg` names the JSON path. */
struct cJSON;
rg_err rg_policy_parse_platforms(const struct cJSON *root, rg_policy *pol,
                                 char *msg, size_t n);
void rg_policy_platforms_free(rg_policy *pol);

/* [borrowed] meeting type by name (NULL = default), or NULL if none. */
const rg_meeting_type *rg_policy_type(const rg_policy *p, const char *name);

const char *rg_basis_name(rg_basis b); /* "documentation" | "consent" | "opt_out" */
const char *rg_on_withdrawal_name(rg_on_withdrawal w);

/* plugin/policy_upload.c: the "upload" section (called by the loader). */
rg_err rg_policy_parse_upload(const char *origin, bool is_file,
                              const void *root_cjson, rg_policy *pol,
                              char *errbuf);
void rg_policy_free_upload(rg_policy *pol);
/* 1 if the ISO country code is in the EU/EEA. */
int rg_region_is_eea(const char *cc);
/* 1 if the policy's allowed_regions holds cc. */
int rg_region_allowed(const rg_policy *pol, const char *cc);

#endif
