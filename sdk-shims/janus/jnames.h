/* How well a VideoRoom display name matches a TextRoom display name:
 *   2  equal once case-folded (Unicode) and cut into words of letters and
 *      digits, or their words run together are equal ("Anna B." = "AnnaB");
 *   1  the first words are equal and every later word both have is equal
 *      or an initial of the other ("Anna B." ~ "anna" ~ "Anna Berg");
 *   0  otherwise, or either name is NULL, not UTF-8, or has no word.
 * Symmetric. Names are untrusted input (chosen by the participants). */
#ifndef RG_JANUS_JNAMES_H
#define RG_JANUS_JNAMES_H

int rg_jtr_name_level(const char *video, const char *chat);

#endif
