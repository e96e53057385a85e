# One source, every copy: reads docs/cli/*.txt (format: docs/cli/README.md)
# and writes into the folder `out`
#   cli_usage.h        usage strings + the command table compiled into recgate
#   recgate.1, recgate-CMD.1   man pages (roff)
#   README-commands.md the README's command reference (make readme)
#   recgate.bash       bash completion for commands, sub-commands and flags
# Plain POSIX awk (mawk on Debian): no gawk extensions.
# Usage: awk -v out=DIR -v version=X.Y.Z -f gen.awk docs/cli/*.txt

function die(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; err = 1; exit 1 }

function add(key, line,   t) { t = (key in blk) ? blk[key] "\n" line : line; blk[key] = t }

FNR == 1 {
    nd++; block = ""; src[nd] = FILENAME
}
/^#/ { next }
/^(name|group|summary|order|see-also|groups): / {
    f = $0; sub(/:.*/, "", f); v = $0; sub(/^[a-z-]+: /, "", v)
    fld[nd, f] = v; block = ""; next
}
/^(synopsis|options|description|exit|files|environment|examples):$/ {
    block = $0; sub(/:$/, "", block); next
}
{
    if (block != "") { add(nd SUBSEP block, $0); next }
    if ($0 ~ /^[ \t]*$/) next
    die("text outside a block (start one with e.g. 'description:')")
}

# ---- helpers --------------------------------------------------------------

function trim_blank(s) { sub(/^\n+/, "", s); sub(/\n+$/, "", s); return s }
function ltrim(s) { sub(/^[ \t]+/, "", s); return s }
function rep(s, n,   r) { r = ""; while (n-- > 0) r = r s; return r }

function cstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }

# roff: escape backslashes and minus signs, protect a leading . or '
function resc(s) {
    gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s)
    return s
}
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

# Markdown for the README: only the links need their path from the top.
function mdinline(s) { return s }

# Synopsis words: flags bold, PLACEHOLDERS italic.
function rsyn(s,   o, w) {
    o = ""
    while (match(s, /-?-[a-z][a-z0-9-]*|[A-Z][A-Z0-9_-]*[A-Z0-9]/)) {
        w = substr(s, RSTART, RLENGTH)
        o = o resc(substr(s, 1, RSTART - 1))
        o = o (w ~ /^-/ ? "\\fB" resc(w) "\\fR" : "\\fI" resc(w) "\\fR")
        s = substr(s, RSTART + RLENGTH)
    }
    return o resc(s)
}

# Body text (description, option text): paragraphs, "- " bullets,
# indented lines as literal blocks.
function rbody(text, f,   n, L, i, s, lit, inlist) {
    n = split(trim_blank(text), L, "\n"); lit = 0; inlist = 0
    for (i = 1; i <= n; i++) {
        s = L[i]
        if (s ~ /^[ \t]*$/) {
            if (lit) { print ".fi" > f; print ".RE" > f; lit = 0 }
            if (i < n && L[i + 1] !~ /^    /) print (inlist ? ".PP" : ".PP") > f
            inlist = 0
            continue
        }
        if (s ~ /^    / && !inlist) {
            if (!lit) { print ".RS 4" > f; print ".nf" > f; lit = 1 }
            print rline(resc(substr(s, 5))) > f
            continue
        }
        if (lit) { print ".fi" > f; print ".RE" > f; lit = 0 }
        if (s ~ /^- /) { print ".IP \\(bu 2" > f; s = substr(s, 3); inlist = 1 }
        print rline(rinline(ltrim(s))) > f
    }
    if (lit) { print ".fi" > f; print ".RE" > f }
}

# "term\n    text..." lists (options, exit status): .TP per term.
function rterms(text, f, isopt,   n, L, i, s, body) {
    n = split(trim_blank(text), L, "\n"); body = ""
    for (i = 1; i <= n; i++) {
        s = L[i]
        if (s ~ /^[^ \t]/) {
            if (body != "") { rbody(body, f); body = "" }
            print ".TP" > f
            print rline(isopt ? rsyn(s) : "\\fB" resc(s) "\\fR") > f
        } else {
            sub(/^[ \t]+/, "", s); body = body "\n" s
        }
    }
    if (body != "") rbody(body, f)
}

function seealso(list, f,   n, A, i, o, nm, sec) {
    n = split(list, A, /, */); o = ""
    for (i = 1; i <= n; i++) {
        nm = A[i]; sec = nm; sub(/\(.*/, "", nm); sub(/^[^(]*/, "", sec)
        o = o (i > 1 ? ",\n" : "") "\\fB" resc(nm) "\\fR" sec
    }
    print o > f
}

# Usage lines: "usage: recgate CMD ...", later forms "       recgate ...",
# continuation lines aligned under the first argument.
function usage_text(d, lead,   n, L, i, s, o, first, ind) {
    n = split(trim_blank(blk[d, "synopsis"]), L, "\n"); o = ""; first = 1
    ind = rep(" ", length(lead) + length("recgate ") + length(fld[d, "name"]) + 1)
    for (i = 1; i <= n; i++) {
        s = L[i]
        if (s ~ /^[ \t]*$/) continue
        if (s ~ /^[ \t]/) o = o ind ltrim(s) "\n"
        else { o = o (first ? lead : rep(" ", length(lead))) "recgate " s "\n"; first = 0 }
    }
    return o
}

# ---- output ---------------------------------------------------------------

END {
    if (err) exit 1
    if (out == "") { print "gen.awk: -v out=DIR missing" > "/dev/stderr"; exit 1 }
    top = 0; nc = 0
    for (d = 1; d <= nd; d++) {
        if (!((d, "name") in fld)) { FILENAME = src[d]; FNR = 1; die("no 'name:'") }
        if (fld[d, "name"] == "recgate") { top = d; continue }
        for (k = 1; k <= 3; k++) {
            f = k == 1 ? "summary" : k == 2 ? "group" : "name"
            if (!((d, f) in fld)) { print src[d] ": no '" f ":'" > "/dev/stderr"; exit 1 }
        }
        if (!((d, "synopsis") in blk) || !((d, "description") in blk)) {
            print src[d] ": needs synopsis: and description:" > "/dev/stderr"; exit 1
        }
        cmd[++nc] = d
    }
    if (!top) { print "gen.awk: no recgate.txt (name: recgate)" > "/dev/stderr"; exit 1 }
    ng = split(fld[top, "groups"], G, /; */)
    for (i = 1; i <= ng; i++) gi[G[i]] = i
    for (i = 1; i <= nc; i++) {
        d = cmd[i]
        if (!(fld[d, "group"] in gi)) {
            print src[d] ": group '" fld[d, "group"] "' is not in recgate.txt groups:" > "/dev/stderr"; exit 1
        }
        key[d] = sprintf("%03d %03d %s", gi[fld[d, "group"]],
                         ((d, "order") in fld) ? fld[d, "order"] : 500, fld[d, "name"])
    }
    for (i = 2; i <= nc; i++)   # insertion sort by (group, order, name)
        for (j = i; j > 1 && key[cmd[j]] < key[cmd[j - 1]]; j--) {
            t = cmd[j]; cmd[j] = cmd[j - 1]; cmd[j - 1] = t
        }

    # -- cli_usage.h
    h = out "/cli_usage.h"
    print "/* Generated from docs/cli/NAME.txt by docs/cli/gen.awk: do not edit. */" > h
    print "#ifndef RG_CLI_USAGE_H\n#define RG_CLI_USAGE_H\n" > h
    for (i = 1; i <= nc; i++) {
        d = cmd[i]; nm = fld[d, "name"]; id = nm; gsub(/-/, "_", id)
        n = split(usage_text(d, "usage: "), U, "\n")
        printf "#define RG_USAGE_%s \\\n", id > h
        for (k = 1; k < n; k++)
            printf "    \"%s\\n\"%s\n", cstr(U[k]), k < n - 1 ? " \\" : "" > h
        print "" > h
    }
    print "/* X(identifier, name, summary): one per command, in manual order. */" > h
    print "#define RG_CLI_COMMANDS(X) \\" > h
    for (i = 1; i <= nc; i++) {
        d = cmd[i]; nm = fld[d, "name"]; id = nm; gsub(/-/, "_", id)
        printf "    X(%s, \"%s\", \"%s\")%s\n", id, nm, cstr(fld[d, "summary"]), i < nc ? " \\" : "" > h
    }
    print "\n#endif" > h
    close(h)

    # -- man pages
    for (i = 1; i <= nc; i++) {
        d = cmd[i]; nm = fld[d, "name"]; f = out "/recgate-" nm ".1"
        up = toupper("recgate-" nm)
        print ".\\\" Generated from " src[d] " by docs/cli/gen.awk: do not edit." > f
        printf ".TH %s 1 \"\" \"recgate %s\" \"recgate manual\"\n", resc(up), version > f
        print ".nh" > f
        print ".SH NAME" > f
        print "recgate\\-" resc(nm) " \\- " rinline(fld[d, "summary"]) > f
        print ".SH SYNOPSIS" > f
        print ".nf" > f
        n = split(trim_blank(blk[d, "synopsis"]), L, "\n")
        for (k = 1; k <= n; k++) {
            s = L[k]
            if (s ~ /^[ \t]/) print rep(" ", length(nm) + 9) rsyn(ltrim(s)) > f
            else { w = s; sub(/ .*/, "", w); print "\\fBrecgate " resc(w) "\\fR" rsyn(substr(s, length(w) + 1)) > f }
        }
        print ".fi" > f
        print ".SH DESCRIPTION" > f
        rbody(blk[d, "description"], f)
        if ((d, "options") in blk) { print ".SH OPTIONS" > f; rterms(blk[d, "options"], f, 1) }
        print ".SH EXIT STATUS" > f
        rterms(((d, "exit") in blk) ? blk[d, "exit"] : blk[top, "exit"], f, 0)
        if ((d, "files") in blk) { print ".SH FILES" > f; rterms(blk[d, "files"], f, 0) }
        if ((d, "examples") in blk) { print ".SH EXAMPLES" > f; rbody(blk[d, "examples"], f) }
        print ".SH SEE ALSO" > f
        seealso("recgate(1)" (((d, "see-also") in fld) ? ", " fld[d, "see-also"] : ""), f)
        close(f)
    }
    f = out "/recgate.1"
    print ".\\\" Generated from " src[top] " by docs/cli/gen.awk: do not edit." > f
    printf ".TH RECGATE 1 \"\" \"recgate %s\" \"recgate manual\"\n", version > f
    print ".nh" > f
    print ".SH NAME\nrecgate \\- " rinline(fld[top, "summary"]) > f
    print ".SH SYNOPSIS\n.nf" > f
    n = split(trim_blank(blk[top, "synopsis"]), L, "\n")
    for (k = 1; k <= n; k++) print "\\fBrecgate\\fR" rsyn(substr(L[k], 8)) > f
    print ".fi\n.SH DESCRIPTION" > f
    rbody(blk[top, "description"], f)
    print ".SH COMMANDS" > f
    for (g = 1; g <= ng; g++) {
        print ".SS " resc(G[g]) > f
        for (i = 1; i <= nc; i++) {
            d = cmd[i]; if (fld[d, "group"] != G[g]) continue
            print ".TP\n\\fBrecgate\\-" resc(fld[d, "name"]) "\\fR(1)" > f
            print rline(rinline(fld[d, "summary"])) > f
        }
    }
    print ".SH EXIT STATUS" > f
    rterms(blk[top, "exit"], f, 0)
    for (b = 1; b <= 2; b++) {
        bn = b == 1 ? "environment" : "files"
        if ((top, bn) in blk) { print ".SH " toupper(bn) > f; rterms(blk[top, bn], f, 0) }
    }
    print ".SH SEE ALSO" > f
    sa = ""
    for (i = 1; i <= nc; i++) sa = sa "recgate-" fld[cmd[i], "name"] "(1), "
    seealso(sa fld[top, "see-also"], f)
    close(f)

    # -- README command reference
    f = out "/README-commands.md"
    print "<!-- generated from docs/cli/*.txt (make readme): edit those, not this -->" > f
    for (g = 1; g <= ng; g++) {
        print "### " G[g] "\n```" > f
        for (i = 1; i <= nc; i++) {
            d = cmd[i]; if (fld[d, "group"] != G[g]) continue
            printf "%s", usage_text(d, "") > f
        }
        print "```" > f
        for (i = 1; i <= nc; i++) {
            d = cmd[i]; if (fld[d, "group"] != G[g]) continue
            p = trim_blank(blk[d, "description"]); sub(/\n[ \t]*\n.*/, "", p)
            print "\n" p > f
        }
        print "" > f
    }
    print "Each command's page: `man recgate-COMMAND` ([docs/cli/](docs/cli/))." > f
    close(f)

    # -- bash completion
    f = out "/recgate.bash"
    print "# bash completion for recgate. Generated from docs/cli/*.txt: do not edit." > f
    print "_recgate()\n{" > f
    print "    local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd=${COMP_WORDS[1]} words= subs=" > f
    print "    [ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}" > f
    cl = ""
    for (i = 1; i <= nc; i++) cl = cl (i > 1 ? " " : "") fld[cmd[i], "name"]
    print "    if [ \"$COMP_CWORD\" -eq 1 ]; then" > f
    print "        COMPREPLY=($(compgen -W \"" cl " --help --version\" -- \"$cur\"))\n        return\n    fi" > f
    print "    case $cmd in" > f
    for (i = 1; i <= nc; i++) {
        d = cmd[i]; nm = fld[d, "name"]
        s = blk[d, "synopsis"] "\n" (((d, "options") in blk) ? blk[d, "options"] : "")
        delete seen; fl = ""
        while (match(s, /(^|[^a-zA-Z0-9])--?[a-z][a-z0-9-]*/)) {
            w = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
            sub(/^[^-]/, "", w)
            if (!(w in seen)) { seen[w] = 1; fl = fl (fl == "" ? "" : " ") w }
        }
        # sub-commands: a lower-case word right after the command name
        n = split(blk[d, "synopsis"], L, "\n"); sc = ""
        delete seen
        for (k = 1; k <= n; k++) {
            if (L[k] !~ /^[a-z]/) continue
            split(L[k], W, " ")
            if (W[2] ~ /^[a-z][a-z-]*$/ && !(W[2] in seen)) { seen[W[2]] = 1; sc = sc (sc == "" ? "" : " ") W[2] }
        }
        printf "    %s) words=\"%s\"; subs=\"%s\" ;;\n", nm, fl, sc > f
        # flag values spelled out in the synopsis: --lang da|en, --platform janus
        n = split(blk[d, "synopsis"], L, /[ \t\n]+/)
        for (k = 1; k < n; k++) {
            w = L[k]; v = L[k + 1]; sub(/^[[(]/, "", w); sub(/[])]+$/, "", v)
            if (w !~ /^--?[a-z][a-z0-9-]*$/ || v !~ /^[a-z0-9][a-z0-9|-]*$/) continue
            m = split(v, V, "|")
            for (j = 1; j <= m; j++)
                if (!((w, V[j]) in hasval)) {
                    hasval[w, V[j]] = 1; t = (w in vals) ? vals[w] " " V[j] : V[j]; vals[w] = t
                }
        }
    }
    print "    esac" > f
    print "    case $prev in" > f
    for (w in vals) printf "    %s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", w, vals[w] > f
    print "    esac" > f
    print "    if [ -n \"$subs\" ] && [ \"$COMP_CWORD\" -eq 2 ]; then" > f
    print "        COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n        return\n    fi" > f
    print "    case $cur in" > f
    print "    -*) COMPREPLY=($(compgen -W \"$words --help\" -- \"$cur\")) ;;" > f
    print "    *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;" > f
    print "    esac\n}\ncomplete -o filenames -F _recgate recgate" > f
    close(f)
}
