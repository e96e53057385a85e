/* Upload policy section (transfer guard) and the upload journal. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "policy.h"
#include "testutil.h"
#include "upjournal.h"

#define BASE "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"}," \
    "\"storage_location\":\"s\",\"default_meeting_type\":\"m\",\"meeting_types\":" \
    "{\"m\":{\"legal_basis\":\"consent\",\"window_s\":10,\"retention_days\":1," \
    "\"language\":\"da\",\"purpose\":\"p\"}}"
#define DAV(extra) "{\"name\":\"d1\",\"type\":\"webdav\",\"url\":\"https://h/x/\"" extra "}"

static rg_err load(const char *upload, char *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s%s}", BASE, upload ? ",\"upload\":" : "",
             upload ? upload : "");
    rg_policy *p = NULL;
    rg_err e = rg_policy_parse(buf, strlen(buf), "t.json", &p, err);
    rg_policy_free(p);
    return e;
}

static void expect_err(const char *upload, const char *msg)
{
    char err[RG_ERRBUF_SIZE] = "";
    rg_err e = load(upload, err);
    /* The transfer guard says "refused by policy"; other errors are config. */
    rg_err want = strstr(msg, "(allowed_regions)") ? RG_ERR_REFUSED : RG_ERR_CONFIG;
    if (e != want || strcmp(err, msg))
        fprintf(stderr, "\n  got:  %s\n  want: %s\n", err, msg);
    CU_ASSERT_EQUAL(e, want);
    CU_ASSERT_STRING_EQUAL(err, msg);
}

static void test_guard(void)
{
    expect_err("{\"destinations\":[" DAV(",\"region\":\"US\"") "]}",
        "t.json: upload.destinations[0].region: expected an EU/EEA or adequacy "
        "country (allowed_regions), got \"US\"");
    expect_err("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":\"https://h/b\","
               "\"s3_region\":\"us-west-2\",\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}",
        "t.json: upload.destinations[0].s3_region: expected an EU/EEA or adequacy "
        "country (allowed_regions), got \"us-west-2 (US)\"");
    expect_err("{\"destinations\":[" DAV(",\"region\":\"dk\"") "]}",
        "t.json: upload.destinations[0].region: expected an ISO 3166-1 alpha-2 "
        "country code in capitals (\"DK\"), got \"dk\"");
    expect_err("{\"destinations\":[" DAV(",\"region\":\"DE\"") "],\"allowed_regions\":[\"DK\"]}",
        "t.json: upload.destinations[0].region: expected an EU/EEA or adequacy "
        "country (allowed_regions), got \"DE\"");
    expect_err("{\"destinations\":[" DAV(",\"region\":\"JP\"") "]}",
        "t.json: upload.transfer_basis: expected text naming the transfer basis "
        "(adequacy decision or safeguard) when a destination is outside the EU/EEA, got nothing");
    expect_err("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":\"https://h/b\","
               "\"s3_region\":\"eu-central-1\",\"region\":\"DK\",\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}",
        "t.json: upload.destinations[0].region: expected the country of s3_region "
        "\"eu-central-1\" (DE), got \"DK\"");
    /* issue 18: real non-EU regions beside an EU region, any spelling,
     * the URL's host, and a webdav destination's stray s3_region */
    static const char *const nonEU[][2] = {{"ap-south-2", "IN"}, {"us-gov-west-1", "US"},
                                          {"cn-north-1", "CN"}, {"me-south-1", "BH"}};
    for (size_t i = 0; i < 4; i++) {
        char up[600], msg[400];
        snprintf(up, sizeof up, "{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\","
                 "\"url\":\"https://h/b\",\"s3_region\":\"%s\",\"region\":\"DE\","
                 "\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}", nonEU[i][0]);
        snprintf(msg, sizeof msg, "t.json: upload.destinations[0].region: expected the "
                 "country of s3_region \"%s\" (%s), got \"DE\"", nonEU[i][0], nonEU[i][1]);
        expect_err(up, msg);
    }
    expect_err("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":\"https://h/b\","
               "\"s3_region\":\"xx-nowhere-9\",\"region\":\"DE\",\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}",
        "t.json: upload.destinations[0].s3_region: expected a known S3 region name "
        "(eu-central-1, eu-north-1, ...: the list is in docs/operations.md), got \"xx-nowhere-9\"");
    expect_err("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":\"https://h/b\","
               "\"s3_region\":\"US-EAST-1\",\"region\":\"SE\",\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}",
        "t.json: upload.destinations[0].region: expected the country of s3_region "
        "\"US-EAST-1\" (US), got \"SE\"");
    expect_err("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":\"https://h/b\","
               "\"s3_region\":\"Us-East-1\",\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}",
        "t.json: upload.destinations[0].s3_region: expected an EU/EEA or adequacy "
        "country (allowed_regions), got \"Us-East-1 (US)\"");
    expect_err("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":"
               "\"https://s3.us-east-1.amazonaws.com/b\",\"s3_region\":\"eu-north-1\","
               "\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}",
        "t.json: upload.destinations[0].url: expected a host in the declared region SE "
        "(it names \"us-east-1\", US), got \"https://s3.us-east-1.amazonaws.com/b\"");
    expect_err("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":"
               "\"https://bucket.s3-ap-south-2.amazonaws.com\",\"s3_region\":\"eu-central-1\","
               "\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}",
        "t.json: upload.destinations[0].url: expected a host in the declared region DE "
        "(it names \"ap-south-2\", IN), got \"https://bucket.s3-ap-south-2.amazonaws....");
    expect_err("{\"destinations\":[" DAV(",\"region\":\"DK\"") "," "{\"name\":\"d2\",\"type\":\"webdav\","
               "\"url\":\"https://dav.xx-secret-4.example/x\",\"region\":\"DK\"}]}",
        "t.json: upload.destinations[1].url: expected a host that names no region "
        "unknown to recgate (it names \"xx-secret-4\"), got \"https://dav.xx-secret-4.example/x\"");
    expect_err("{\"destinations\":[" DAV(",\"region\":\"DK\",\"s3_region\":\"us-east-1\"") "]}",
        "t.json: upload.destinations[0].s3_region: expected no s3_region on a webdav "
        "destination (region says where the data rests), got \"us-east-1\"");
    char err[RG_ERRBUF_SIZE];
    CU_ASSERT_EQUAL(load("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":"
                         "\"https://s3.eu-central-1.amazonaws.com/b\",\"s3_region\":\"eu-central-1\","
                         "\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}", err), RG_OK);
    CU_ASSERT_EQUAL(load("{\"destinations\":[{\"name\":\"s\",\"type\":\"s3\",\"url\":"
                         "\"https://s3.fr-par.scw.cloud/b\",\"s3_region\":\"fr-par\","
                         "\"access_key_id\":\"a\",\"secret_key_file\":\"f\"}]}", err), RG_OK);
    CU_ASSERT_EQUAL(load("{\"destinations\":[" DAV(",\"region\":\"DK\"") "]}", err), RG_OK);
    CU_ASSERT_EQUAL(load("{\"destinations\":[" DAV(",\"region\":\"US\"") "],"
                         "\"allowed_regions\":[\"DK\",\"US\"],\"transfer_basis\":\"SCC\"}", err), RG_OK);
    CU_ASSERT_EQUAL(load("{\"destinations\":[" DAV(",\"region\":\"NO\"") "]}", err), RG_OK);
}

static void test_shape(void)
{
    expect_err("{\"destinations\":[{\"name\":\"d1\",\"type\":\"webdav\",\"url\":\"http://h/x\",\"region\":\"DK\"}]}",
        "t.json: upload.destinations[0].url: expected an https:// URL without "
        "user:password@, ? or #, got \"http://h/x\"");
    expect_err("{\"destinations\":[{\"name\":\"d1\",\"type\":\"ftp\"}]}",
        "t.json: upload.destinations[0].type: expected one of \"webdav\", \"s3\", got \"ftp\"");
    expect_err("{\"destinations\":[" DAV(",\"region\":\"DK\",\"username\":\"u\"") "]}",
        "t.json: upload.destinations[0].password_file: expected username and "
        "password_file together, got nothing");
    expect_err("{\"destinations\":[" DAV(",\"region\":\"DK\"") "," DAV(",\"region\":\"SE\"") "]}",
        "t.json: upload.destinations[1].name: expected a name not used by another "
        "destination, got \"d1\"");
    expect_err("{\"destnations\":[]}",
        "t.json: upload.destnations: unknown key (expected one of destinations, "
        "allowed_regions, transfer_basis, wait_at_end_s, retry_max_s)");
    rg_policy *p = NULL;
    char buf[2048], err[RG_ERRBUF_SIZE];
    snprintf(buf, sizeof buf, "%s,\"upload\":{\"destinations\":[%s]}}", BASE,
             DAV(",\"region\":\"DK\",\"ca_file\":\"ca.pem\""));
    CU_ASSERT_EQUAL_FATAL(rg_policy_parse(buf, strlen(buf), "t.json", &p, err), RG_OK);
    CU_ASSERT_STRING_EQUAL(p->upload_dests[0].url, "https://h/x");
    CU_ASSERT_EQUAL(p->upload_dests[0].timeout_s, 60);
    CU_ASSERT_FALSE(p->upload_dests[0].delete_local_after_upload);
    CU_ASSERT_FALSE(p->upload_dests[0].include_keyring);
    CU_ASSERT_TRUE(rg_region_allowed(p, "IS"));
    CU_ASSERT_TRUE(rg_region_allowed(p, "CH"));
    CU_ASSERT_FALSE(rg_region_allowed(p, "US"));
    CU_ASSERT_FALSE(rg_region_allowed(p, "CN"));
    rg_policy_free(p);
}

#define SHA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void test_journal_replay(void)
{
    char dir[] = "/tmp/rg-upj-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    rg_upjournal *j = NULL;
    char err[RG_ERRBUF_SIZE];
    CU_ASSERT_EQUAL_FATAL(rg_upj_open(dir, &j, err), RG_OK);
    CU_ASSERT_EQUAL(rg_upj_queue(j, "tracks/t1/000000.age", SHA, 10), RG_OK);
    CU_ASSERT_EQUAL(rg_upj_queue(j, "tracks/t1/000001.age", SHB, 11), RG_OK);
    CU_ASSERT_EQUAL(rg_upj_failed(j, "d1", "tracks/t1/000000.age", 5, "HTTP 507"), RG_OK);
    CU_ASSERT_EQUAL(rg_upj_done(j, "d1", "tracks/t1/000000.age", SHA, 10), RG_OK);
    CU_ASSERT_EQUAL(rg_upj_failed(j, "d1", "tracks/t1/000001.age", 5, "x"), RG_OK);
    rg_upj_close(j);
    /* a garbage line and a torn last line (crash mid-append) */
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, RG_UPJ_NAME);
    int fd = open(path, O_WRONLY | O_APPEND);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "not json\n{\"op\":\"done\",\"dest\":\"d1\",\"fi", 38), 38);
    close(fd);
    CU_ASSERT_EQUAL_FATAL(rg_upj_open(dir, &j, err), RG_OK);
    CU_ASSERT_EQUAL(j->bad_lines, 1);
    CU_ASSERT_EQUAL(j->n, 2);
    /* issue 18: damage is reported with its line numbers, not dropped */
    char probs[200];
    rg_upj_problems(j, probs, sizeof probs);
    CU_ASSERT_STRING_EQUAL(probs, "line 6 damaged (skipped); torn last line cut");
    rg_upj_file *f = rg_upj_find(j, "tracks/t1/000000.age");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(rg_upj_dest_of(f, "d1")->done_sha, SHA);
    CU_ASSERT_EQUAL(rg_upj_dest_of(f, "d1")->attempts, 0);
    f = rg_upj_find(j, "tracks/t1/000001.age");
    CU_ASSERT_STRING_EQUAL(rg_upj_dest_of(f, "d1")->done_sha, "");
    CU_ASSERT_EQUAL(rg_upj_dest_of(f, "d1")->attempts, 1);
    CU_ASSERT_STRING_EQUAL(rg_upj_dest_of(f, "d1")->error, "x");
    /* delete scope */
    CU_ASSERT_FALSE(rg_upj_delete_covers(j, "tracks/t1/000000.age"));
    CU_ASSERT_EQUAL(rg_upj_delete_wanted(j, "t1"), RG_OK);
    CU_ASSERT_TRUE(rg_upj_delete_covers(j, "tracks/t1/000000.age"));
    CU_ASSERT_TRUE(rg_upj_delete_covers(j, "keyring/t1.age"));
    CU_ASSERT_FALSE(rg_upj_delete_covers(j, "tracks/t10/000000.age"));
    CU_ASSERT_FALSE(rg_upj_delete_covers(j, "recording.json"));
    /* swept scopes replay; a damaged delete_wanted is named */
    CU_ASSERT_FALSE(rg_upj_is_swept(j, "d1", "tracks/t1/"));
    CU_ASSERT_EQUAL(rg_upj_swept(j, "d1", "tracks/t1/", 3), RG_OK);
    CU_ASSERT_TRUE(rg_upj_is_swept(j, "d1", "tracks/t1/"));
    rg_upj_close(j);
    fd = open(path, O_WRONLY | O_APPEND);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "{\"op\":\"delete_wanted\",\"track\":\"../x\"}\n", 38), 38);
    close(fd);
    /* the torn line was cut, so the file ends in a newline again */
    CU_ASSERT_EQUAL_FATAL(rg_upj_open(dir, &j, err), RG_OK);
    CU_ASSERT_TRUE(rg_upj_delete_covers(j, "tracks/t1/000001.age"));
    CU_ASSERT_TRUE(rg_upj_is_swept(j, "d1", "tracks/t1/"));
    CU_ASSERT_FALSE(rg_upj_is_swept(j, "d1", ""));
    CU_ASSERT_EQUAL(j->bad_lines, 2);
    rg_upj_problems(j, probs, sizeof probs);
    CU_ASSERT_STRING_EQUAL(probs, "line 6, 9 damaged (skipped), one of them a delete_wanted");
    rg_upj_close(j);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    static const rg_test tests[] = {
        {"transfer guard at load", test_guard},
        {"destination shape and defaults", test_shape},
        {"journal replay, torn line, delete scope", test_journal_replay},
        {NULL, NULL}};
    return rg_test_run("upload", tests);
}
