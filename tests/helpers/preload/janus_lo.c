/* LD_PRELOAD for the e2e tests' Janus: Janus's ICE gathering skips every
 * interface flagged IFF_LOOPBACK, so inside a namespace that has only `lo`
 * it would offer no candidate at all. This wraps getifaddrs() and clears
 * IFF_LOOPBACK on `lo`, so Janus offers 127.0.0.1 host candidates. Only
 * ever loaded into the test's own Janus, inside `unshare -n`. */
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

int getifaddrs(struct ifaddrs **ifap)
{
    int (*real)(struct ifaddrs **) =
        (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    if (!real)
        return -1;
    int rc = real(ifap);
    if (rc != 0 || !ifap)
        return rc;
    for (struct ifaddrs *i = *ifap; i; i = i->ifa_next)
        if (i->ifa_name && strcmp(i->ifa_name, "lo") == 0)
            i->ifa_flags &= ~(unsigned int)IFF_LOOPBACK;
    return rc;
}
