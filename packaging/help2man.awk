# help2man.awk -- turns a Stampede --help text into a man page (roff, man(7) macros).
#
# Why generated: the --help texts are the reviewed, tested description of every command,
# so the man pages are made from them at build time and cannot drift. The help texts keep
# a small layout, which this reads:
#   "usage: ..." (first line)            -> SYNOPSIS
#   a short lowercase line ending in ':' -> a section (OPTIONS, EXAMPLES, COMMANDS, ...)
#   "  -x, --flag ARG   text" in a section, and deeper-indented continuation lines
#                                        -> a tagged paragraph (.TP)
#   other indented lines                 -> a no-fill block (examples, command lines)
#   text at column 0                     -> filled paragraphs; a blank line ends one
# Variables (-v): name (page name, e.g. replay-run), title (one line for NAME),
# version, see (comma-separated pages for SEE ALSO).
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    if (s ~ /^[.']/) s = "\\&" s
    return s
}
function endblock() {
    if (mode == "nf") print ".fi\n.RE"
    mode = ""
}
BEGIN {
    mode = ""; sect = ""
    print ".\\\" Generated from '" name " --help' by packaging/help2man.awk; do not edit."
    print ".TH " toupper(name) " 1 \"\" \"stampede " version "\" \"Stampede manual\""
    print ".nh\n.ad l"
    print ".SH NAME"
    print esc(name) " \\- " esc(title)
}
NR == 1 && /^usage: / {
    sub(/^usage: /, "")
    print ".SH SYNOPSIS\n.nf\n" esc($0) "\n.fi\n.SH DESCRIPTION"
    next
}
NR == 1 { print ".SH DESCRIPTION" }
/^$/ { endblock(); blank = 1; next }
/^[a-z][a-z ]*:$/ && length($0) < 32 {
    endblock(); sub(/:$/, ""); print ".SH " esc(toupper($0)); sect = $0; blank = 0; next
}
# A tagged entry: two-space indent, a term, then two or more spaces and its text (or the
# term alone, its text on the deeper-indented lines below).
/^  [^ ]/ && sect != "examples" && (match($0, /^  [^ ].*[^ ]   */) || /^  -/) {
    endblock()
    line = substr($0, 3)
    if (match(line, /   */) && substr(line, RSTART + RLENGTH) != "") {
        term = substr(line, 1, RSTART - 1); text = substr(line, RSTART + RLENGTH)
    } else { term = line; text = "" }
    print ".TP\n.B " esc(term)
    if (text != "") print esc(text)
    mode = "tp"; blank = 0; next
}
mode == "tp" && /^    / { t = $0; sub(/^ +/, "", t); print esc(t); next }
/^ / {
    if (mode != "nf") { endblock(); print ".RS 2\n.nf"; mode = "nf" }
    t = $0; sub(/^  /, "", t); print esc(t); next
}
{
    if (mode != "") { endblock(); blank = 1 }
    if (blank) { print ".PP"; blank = 0 }
    print esc($0)
}
END {
    endblock()
    if (see != "") {
        n = split(see, s, ",")
        print ".SH SEE ALSO"
        for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? ",\n" : ""), ".BR " esc(s[i]) " (1)"
        print ""
    }
    print ".PP\nThe full documentation is in /usr/share/doc/stampede and in the docs/ directory of the source."
}
