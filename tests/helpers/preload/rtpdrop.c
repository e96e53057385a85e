/* LD_PRELOAD fixture: loses every Nth incoming Opus RTP packet of the
 * process it is loaded into (RG_RTPDROP_EVERY=N, default 25), the way a
 * lossy network would. The packet is not removed but its last byte (the
 * SRTP authentication tag) is flipped: SRTP refuses it, so for the
 * receiver it never arrived and its sequence number is a gap.
 *
 * Only UDP datagrams that look like RTP with payload type 111 (Opus in
 * the e2e tests) are touched: DTLS, STUN, SCTP and RTCP pass unchanged. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

static atomic_uint seen;

static unsigned every(void)
{
    const char *e = getenv("RG_RTPDROP_EVERY");
    int n = e ? atoi(e) : 25;
    return n > 1 ? (unsigned)n : 25;
}

static void maybe_spoil(unsigned char *b, size_t len)
{
    if (len < 20 || (b[0] & 0xc0) != 0x80 || (b[1] & 0x7f) != 111)
        return;
    if ((atomic_fetch_add(&seen, 1) + 1) % every() == 0)
        b[len - 1] ^= 0xff;
}

static void spoil_msg(struct msghdr *m, size_t len)
{
    if (m && m->msg_iovlen && m->msg_iov[0].iov_len >= len)
        maybe_spoil(m->msg_iov[0].iov_base, len);
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
    static ssize_t (*real)(int, struct msghdr *, int);
    if (!real)
        real = (ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
    ssize_t n = real(fd, m, flags);
    if (n > 0)
        spoil_msg(m, (size_t)n);
    return n;
}

int recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags, struct timespec *tmo)
{
    static int (*real)(int, struct mmsghdr *, unsigned int, int, struct timespec *);
    if (!real)
        real = (int (*)(int, struct mmsghdr *, unsigned int, int, struct timespec *))
            dlsym(RTLD_NEXT, "recvmmsg");
    int n = real(fd, v, vlen, flags, tmo);
    for (int i = 0; i < n; i++)
        spoil_msg(&v[i].msg_hdr, v[i].msg_len);
    return n;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a, socklen_t *al)
{
    static ssize_t (*real)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
    if (!real)
        real = (ssize_t (*)(int, void *, size_t, int, struct sockaddr *, socklen_t *))
            dlsym(RTLD_NEXT, "recvfrom");
    ssize_t n = real(fd, buf, len, flags, a, al);
    if (n > 0)
        maybe_spoil(buf, (size_t)n);
    return n;
}
