/* recgate shred RECDIR TRACK: destroy a track's keyring entry, making
 * every copy of that track unreadable (crypto-shredding, Art. 17). */
#include <stdio.h>
#include "cli.h"
#include "vault.h"

int rg_cmd_shred(int argc, char **argv)
{
    char err[RG_ERRBUF_SIZE] = "";
    if (argc != 3) {
        fputs(RG_USAGE_shred, stderr);
        return 2;
    }
    if (rg_vault_shred_track(argv[1], argv[2], err)) {
        fprintf(stderr, "recgate shred: %s\n", err[0] ? err : "failed");
        return 1;
    }
    printf("track %s shredded: its key is destroyed; every copy of its "
           "segments is now unreadable\n", argv[2]);
    return 0;
}
