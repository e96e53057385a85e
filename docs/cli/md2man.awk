# docs/config.md -> recgate.json(5): the policy's man page from the one
# document that describes it. Handles what config.md uses: headings,
# paragraphs, "- " lists, ``` blocks, tables (rows become .TP entries),
# `code` and [text](link). Plain POSIX awk.
# Usage: awk -v version=X -f md2man.awk docs/config.md > recgate.json.5

function resc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
function rline(s) { if (s ~ /^[.']/) s = "\\&" s; return s }
# Inline markdown -> roff: `code` bold (a span may cross lines: `ic`
# carries it), **bold**, *italic*, [text](link) -> text (link).
function rinline(s,   o, a, t, l, pre) {
    o = ""
    while (s != "") {
        if (ic) {
            a = index(s, "`")
            if (!a) return o "\\fB" resc(s) "\\fR"
            o = o "\\fB" resc(substr(s, 1, a - 1)) "\\fR"; s = substr(s, a + 1); ic = 0
            continue
        }
        if (!match(s, /`|\[[^]]*\]\([^)]*\)|\*\*[^*]+\*\*|\*[^* ][^*]*\*/)) break
        pre = substr(s, 1, RSTART - 1); t = substr(s, RSTART, RLENGTH)
        s = substr(s, RSTART + RLENGTH)
        o = o resc(pre)
        if (t == "`") ic = 1
        else if (t ~ /^\*\*/) o = o "\\fB" resc(substr(t, 3, length(t) - 4)) "\\fR"
        else if (t ~ /^\*/) o = o "\\fI" resc(substr(t, 2, length(t) - 2)) "\\fR"
        else {
            a = index(t, "]("); l = substr(t, a + 2, length(t) - a - 2)
            t = substr(t, 2, a - 2)
            o = o (t == l ? resc(l) : resc(t) " (" resc(l) ")")
        }
    }
    return o resc(s)
}
function cells(s, C,   n, i) {
    sub(/^[ \t]*\|/, "", s); sub(/\|[ \t]*$/, "", s)
    n = split(s, C, /\|/)
    for (i = 1; i <= n; i++) { sub(/^[ \t]+/, "", C[i]); sub(/[ \t]+$/, "", C[i]) }
    return n
}
function para() { if (!inpara) { print ".PP"; inpara = 1 } }

BEGIN {
    printf ".\\\" Generated from docs/config.md by docs/cli/md2man.awk: do not edit.\n"
    printf ".TH RECGATE.JSON 5 \"\" \"recgate %s\" \"recgate manual\"\n", version
    print ".nh"
    print ".SH NAME\nrecgate.json \\- the recgate policy: controller, meeting types, storage, upload"
    print ".SH SYNOPSIS\n/etc/recgate/recgate.json"
    print ".SH DESCRIPTION"
    inpara = 1; nh = 0
}
/^```/ {
    if (!code) { print ".sp\n.RS 4\n.nf"; code = 1 } else { print ".fi\n.RE"; code = 0; inpara = 0 }
    next
}
code { print rline(resc($0)); next }
/^# / { next }
/^##+ / {
    lvl = $0; sub(/ .*/, "", lvl); t = $0; sub(/^#+ /, "", t)
    print (length(lvl) == 2 ? ".SH " toupper(rinline(t)) : ".SS " rinline(t))
    inpara = 1; nh = 0; next
}
/^\|/ {
    n = cells($0, C)
    if (C[1] ~ /^-+$/) next                 # separator row
    if (!nh) {                              # header row
        nh = n; for (i = 1; i <= n; i++) H[i] = C[i]
        next
    }
    print ".TP\n" rline(rinline(C[1]))
    o = ""
    for (i = 2; i <= n; i++) {
        if (C[i] == "" || C[i] == "–") continue
        o = o (o == "" ? "" : "; ") (i == n ? "" : H[i] ": ") C[i]
    }
    print rline(rinline(o)); inpara = 0; next
}
/^[ \t]*$/ { inpara = 0; ic = 0; next }
/^[-*] / { print ".IP \\(bu 2"; print rline(rinline(substr($0, 3))); inpara = 1; next }
/^  +[^ ]/ && inpara { s = $0; sub(/^ +/, "", s); print rline(rinline(s)); next }
{ para(); print rline(rinline($0)) }
END {
    print ".SH SEE ALSO\n\\fBrecgate\\fR(1), \\fBrecgate\\-doctor\\fR(1), \\fBrecgate\\-announce\\fR(1)"
}
