/* Small GStreamer helpers shared by capture and mixdown: one-time,
 * thread-safe gst_init, element creation with a clear error when a plugin
 * is missing, and turning bus errors into one errbuf line. */
#ifndef RG_MEDIA_GST_H
#define RG_MEDIA_GST_H

#include <gst/gst.h>
#include "recgate/error.h"

/* gst_init exactly once per process (g_once); safe from any thread.
 * RG_ERR_MEDIA if GStreamer could not be initialised. */
rg_err rg_media_gst_init(char *errbuf);

/* gst_element_factory_make; on failure writes which plugin is missing
 * into errbuf and returns NULL. The element is [owned] (floating). */
GstElement *rg_media_gst_make(const char *factory, const char *name,
                              char *errbuf);

/* If `msg` is an ERROR (or WARNING treated as error by the caller), write
 * "element: message (debug)" into errbuf (may be NULL). */
void rg_media_gst_msg_to_err(GstMessage *msg, char *errbuf);

/* Pop (without waiting longer than `timeout`) the first ERROR message on
 * `bus`; RG_ERR_MEDIA with the text in errbuf if there was one. */
rg_err rg_media_gst_bus_check(GstBus *bus, GstClockTime timeout,
                              char *errbuf);

#endif
