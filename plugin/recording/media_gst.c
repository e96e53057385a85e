/* GStreamer helpers: see media_gst.h. */
#include "media_gst.h"
#include "errfmt.h"

#include <stdio.h>

static gboolean gst_ok;
static char gst_init_err[RG_ERRBUF_SIZE];

static gpointer init_once(gpointer unused)
{
    GError *e = NULL;
    (void)unused;
    gst_ok = gst_init_check(NULL, NULL, &e);
    if (!gst_ok)
        snprintf(gst_init_err, sizeof gst_init_err,
                 "GStreamer initialisation failed: %s",
                 e ? e->message : "unknown reason");
    if (e)
        g_error_free(e);
    return NULL;
}

rg_err rg_media_gst_init(char *errbuf)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, init_once, NULL);
    if (gst_ok)
        return RG_OK;
    rg_errbuf(errbuf, "%s", gst_init_err);
    return RG_ERR_MEDIA;
}

GstElement *rg_media_gst_make(const char *factory, const char *name,
                              char *errbuf)
{
    GstElement *e = gst_element_factory_make(factory, name);
    if (!e)
        rg_errbuf(errbuf, "GStreamer element '%s' is missing (install the "
                 "gstreamer1.0-plugins-base/-good packages)", factory);
    return e;
}

void rg_media_gst_msg_to_err(GstMessage *msg, char *errbuf)
{
    GError *e = NULL;
    gchar *dbg = NULL;
    if (!errbuf)
        return;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
        gst_message_parse_error(msg, &e, &dbg);
    else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING)
        gst_message_parse_warning(msg, &e, &dbg);
    rg_errbuf(errbuf, "GStreamer %s: %s%s%s%s",
             GST_MESSAGE_SRC_NAME(msg) ? GST_MESSAGE_SRC_NAME(msg) : "?",
             e ? e->message : "unknown error", dbg ? " (" : "",
             dbg ? dbg : "", dbg ? ")" : "");
    for (char *c = errbuf; *c; c++) /* one line, always */
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    if (e)
        g_error_free(e);
    g_free(dbg);
}

rg_err rg_media_gst_bus_check(GstBus *bus, GstClockTime timeout,
                              char *errbuf)
{
    GstMessage *m = gst_bus_timed_pop_filtered(bus, timeout,
                                               GST_MESSAGE_ERROR);
    if (!m)
        return RG_OK;
    rg_media_gst_msg_to_err(m, errbuf);
    gst_message_unref(m);
    return RG_ERR_MEDIA;
}
