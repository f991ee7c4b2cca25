#!/usr/bin/env bash
# The office's documents, made as the office makes them against a real
# broker (data directory from `sertel-broker init`, CURVE over
# tcp://127.0.0.1:0, the clock pinned with SERTEL_CLOCK_FILE so that the
# dates printed are known): the office profile shown and replaced; a
# renewal walked through its seven steps with a Plh. disposing for the
# Kepala Dinas; its lembar disposisi and laporan printed as PDF and read
# back with pdftotext, checked with qpdf --check, their QR codes decoded
# with zbarimg from a page rendered by pdftoppm; two prints compared byte
# for byte; `sertel verify` on the QR text and on the PDF, before and
# after the case moved on, and on a forged seal.
#
# Usage: documents.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel SOURCE_DIR
set -euo pipefail

. "$(dirname "$0")/lib.sh"
test_args broker admin sertel src -- "$@"

test_begin
# SERTEL_KEEP_DOCS=DIR keeps the documents made, to look at.
at_exit() {
    [ -z "${SERTEL_KEEP_DOCS:-}" ] || cp "$tmp"/*.pdf "$SERTEL_KEEP_DOCS"/ 2>/dev/null || true
}
cmd_timeout=60

# pdf_has PDF WHAT TEXT... : the PDF's text holds each TEXT.
pdf_has() {
    local pdf=$1 what=$2 text
    shift 2
    pdftotext -enc UTF-8 "$pdf" - 2>/dev/null | tr '\n' ' ' >"$tmp/pdf.txt"
    for text in "$@"; do
        if ! grep -qF -- "$text" "$tmp/pdf.txt"; then
            fail "$what: $(basename "$pdf") lacks '$text'"
            pdftotext -enc UTF-8 "$pdf" - 2>/dev/null | head -40 | sed 's/^/  pdf: /' >&2
        fi
    done
}
# qr_of FILE : the text of the QR code on the PDF's pages.
qr_of() {
    pdftoppm -r 150 -png "$1" "$tmp/page" >/dev/null 2>&1
    zbarimg --quiet --raw "$tmp"/page-*.png 2>/dev/null | head -n 1
    rm -f "$tmp"/page-*.png
}
# sealed KIND PDF : the seal in the PDF's QR code into $seal; a failure
# unless it seals a KIND of $case.
sealed() {
    seal=$(qr_of "$2")
    case "$seal" in
    SERTEL1\;"$1"\;"$case"\;*) ;;
    *) fail "$1: the QR code reads '$seal'" ;;
    esac
}

# --- the broker, on a pinned clock --------------------------------------------
clock="$tmp/clock"
t0=1795485600 # Tuesday 24 November 2026 09:00 WIB
set_clock "$clock" $t0
init_data
SERTEL_CLOCK_FILE="$clock" broker_timeout=900 start_broker
# Each step ends well inside 80% of its Mutu Baku: the SLA sweep, which
# runs on its own time, then has no warning to journal between two prints.
at() { set_clock "$clock" $((t0 + $1)); }

nip[verif]=${nip[verif1]} nip[sekdis]=197904042005011004
enrol staf "Siti Rahmawati" staf
enrol kadis "Drs. Tino Armyanto, M.Si." kadis
enrol kabid "Dedi Supriadi, S.Kom., M.T." kabid
enrol jf "Rina Kurniasih, S.T." jf
enrol verif "Asep Hidayat, A.Md." staf --qualification verifikator
enrol sekdis "Hj. Euis Sútisna, S.Sos." kabid
adm() { english "$admin" "$@" --key "$tmp/admin.key"; }

# --- the office profile -----------------------------------------------------------
run 0 adm office show
grep -q "^instansi = DINAS KOMUNIKASI DAN INFORMATIKA" "$tmp/out" ||
    fail "office show: the default profile of sertel-broker init"
# A broken profile is refused before it is sent, with its line.
printf 'pemerintah = X\ninstansi = Y\nwarna = merah\n' >"$tmp/bad.conf"
run 1 adm office load "$tmp/bad.conf"
has err "bad.conf:3" "a bad profile names its line"
# A profile with a logo, sent along and served back.
python3 - "$tmp/lambang.png" <<'PY'
import struct, sys, zlib
w = h = 48
raw = b""
for y in range(h):
    raw += b"\0"
    for x in range(w):
        inside = (x - 24) ** 2 + (y - 24) ** 2 < 400
        raw += bytes((30, 90, 160) if inside else (255, 255, 255))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
sed -e 's/^logo =.*/logo = lambang.png/' "$src/sop/kantor.conf" >"$tmp/kantor.conf"
run 0 adm office load "$tmp/kantor.conf"
has out "DINAS KOMUNIKASI DAN INFORMATIKA" "office load confirms"
[ -f "$data/lambang.png" ] || fail "office load: the logo is in the data directory"
run 0 adm office show --logo-out "$tmp/logo-back.png"
cmp -s "$tmp/lambang.png" "$tmp/logo-back.png" || fail "office show: the logo comes back"
run 2 english "$admin" office load "$tmp/kantor.conf" --key "$tmp/keys/kadis.key"

# --- a renewal through its seven steps ------------------------------------------
make_pdf "$tmp/surat.pdf" "surat permohonan"
long_subject="Permohonan pembaharuan sertifikat elektronik untuk penandatanganan naskah dinas \
secara elektronik pada aplikasi SRIKANDI dan sistem informasi kepegawaian daerah"
run 0 as staf receive --name "Dra. Hj. Ñoño Sútisna Wiraatmadja Kusumahdinata, M.Si." \
    --nip 198707072011011001 --nik 3207014507870001 --unit "Dinas Pendidikan dan Kebudayaan" \
    --position "Analis Kepegawaian Ahli Muda" --email nono@ciamiskab.go.id --phone 081234567890 \
    --channel surat --letter-no 800/123/Disdik --letter-date 2026-11-20 --urgency segera \
    --sifat terbatas --agenda-no 045/SE/XI/2026 --srikandi-no SRK-2026-778812 --received 2026-11-23 \
    --subject "$long_subject" --attach "$tmp/surat.pdf"
case=$(grep -oE 'SE-[0-9]{4}-[0-9]{5}' "$tmp/out" | head -n 1)
[ -n "$case" ] || { fail "receive printed no case number"; exit 1; }
at 240
run 0 as staf complete "$case" --instruction "Mohon disposisi"
# The Kepala Dinas is away: the Sekretaris stands in as Plh.
run 0 adm acting add --kind plh --for "${nip[kadis]}" --by "${nip[sekdis]}" \
    --from 2026-11-24 --to 2026-11-25
at 480
run 0 as sekdis complete "$case" --instruction "Proses sesuai SOP" --box tanggapi \
    --box "proses lebih lanjut" --note "Utamakan, sertifikat pemohon habis minggu ini"
at 720
run 0 as kabid complete "$case" --instruction "Tindak lanjuti"
at 1320
run 0 as jf complete "$case" --to "${nip[verif]}" --instruction "Verifikasi dan asistensi"
at 2400
run 0 as verif contact "$case" --channel email --summary "Diminta memperbarui di aplikasi BSrE"
run 0 as verif complete "$case"

# --- the lembar disposisi -----------------------------------------------------------
run 0 as jf print "$case" --out "$tmp/lembar.pdf"
has out "$tmp/lembar.pdf" "print names the file"
qpdf --check "$tmp/lembar.pdf" >/dev/null 2>&1 || fail "lembar: qpdf --check"
pdf_has "$tmp/lembar.pdf" "lembar disposisi" \
    "LEMBAR DISPOSISI" "PEMERINTAH KABUPATEN CIAMIS" "Nomor agenda" "Diteruskan kepada" "$case" \
    "800/123/Disdik" "20 November 2026" "24 November 2026" "Segera" \
    "Dra. Hj. Ñoño Sútisna" "Kusumahdinata" "sistem informasi kepegawaian daerah" \
    "Hj. Euis Sútisna, S.Sos., Plh. Kepala Dinas" "a.n. Drs. Tino Armyanto, M.Si." \
    "Proses sesuai SOP" "Verifikasi dan asistensi" "Asep Hidayat" "Pelajari dan telaah" \
    "045/SE/XI/2026" "SRK-2026-778812" "23 November 2026" "Terbatas" \
    "Utamakan, sertifikat pemohon habis minggu ini"
sealed lembar "$tmp/lembar.pdf"
pdf_has "$tmp/lembar.pdf" "the seal is printed beside the QR code" "${seal%;*}"
# Same case, same journal: the same bytes.
run 0 as jf print "$case" --out "$tmp/lembar2.pdf"
cmp -s "$tmp/lembar.pdf" "$tmp/lembar2.pdf" || fail "two prints of one journal differ"
run 0 english "$sertel" print "$case" --out "$tmp/lembar-en.pdf" --key "$tmp/keys/jf.key"
pdf_has "$tmp/lembar-en.pdf" "lembar in English" "Agenda number"

# --- verify: the QR text and the PDF, before and after the case moves ---------------
run 0 as jf verify "$seal"
has out "COCOK" "verify the QR text"
has out "Tidak ada" "nothing since"
at 3000
run 0 as verif certificate "$case" --serial 5A3F09C1 --not-after 2028-11-24
run 0 english "$sertel" verify "$tmp/lembar.pdf" --key "$tmp/keys/jf.key"
has out "MATCHES" "verify the PDF"
# The certificate, and the automatic e-mail telling the applicant of it.
has out "Since then, 2 events" "what changed since"
forged=$(echo "$seal" | sed -E 's/;([0-9a-f])([0-9a-f]{63})/;0\2/; s/;0([0-9a-f]{63})/;f\1/')
[ "$forged" != "$seal" ] || fail "the forged seal differs"
run 4 english "$sertel" verify "$forged" --key "$tmp/keys/jf.key"
has out "DOES NOT MATCH" "a forged seal"
run 1 english "$sertel" verify "not a seal" --key "$tmp/keys/jf.key"
has err "SERTEL1" "a text that is no seal"

# --- the laporan hasil pembaharuan -----------------------------------------------------
run 0 as verif print "$case" --laporan --out "$tmp/laporan.pdf"
qpdf --check "$tmp/laporan.pdf" >/dev/null 2>&1 || fail "laporan: qpdf --check"
pdf_has "$tmp/laporan.pdf" "laporan" \
    "LAPORAN HASIL PEMBAHARUAN SERTIFIKAT ELEKTRONIK" "5A3F09C1" "24 November 2028" \
    "Diminta memperbarui di aplikasi BSrE" "Mutu Baku" "320701xxxxxx0001" "Ciamis, 24 November 2026" \
    "pesan menunggu dikirim"
sealed laporan "$tmp/laporan.pdf"

# --- step 6 takes the generated laporan as its report; step 7 archives ---------
at 3600
run 0 as verif complete "$case" --attach "$tmp/laporan.pdf"
at 4200
run 0 as kadis complete "$case"
run 0 as kadis show "$case"
has out "laporan.pdf" "the generated laporan is the case's step-6 attachment"

# --- the SOP-monitoring report --------------------------------------------------
run 0 english "$admin" report --from 2026-07-01 --to 2026-12-31 --out "$tmp/monitoring.pdf" \
    --key "$tmp/keys/kadis.key"
qpdf --check "$tmp/monitoring.pdf" >/dev/null 2>&1 || fail "report: qpdf --check"
run 0 indonesian "$admin" report --from 2026-07-01 --to 2026-12-31 --out "$tmp/monitoring-id.pdf" \
    --key "$tmp/keys/kadis.key"
pdf_has "$tmp/monitoring-id.pdf" "monitoring report" \
    "MONITORING PELAKSANAAN SOP" "1 Juli 2026" "31 Desember 2026" "Prosedur" \
    "Penilaian terhadap penerapan" "Catatan hasil penilaian" "Tindakan yang harus diambil" \
    "Paraf penilai" "berjalan dengan baik" "Menerima Permohonan" "Drs. Tino Armyanto, M.Si." \
    "Kepala Dinas Komunikasi dan Informatika" "Asep Hidayat" "menunggu pemohon"
run 0 indonesian "$admin" report --from 2026-07-01 --to 2026-12-31 --out "$tmp/monitoring-2.pdf" \
    --key "$tmp/keys/kadis.key"
cmp -s "$tmp/monitoring-id.pdf" "$tmp/monitoring-2.pdf" || fail "two reports of one period differ"
mkdir -p "$tmp/png"
run 0 english "$admin" report --from 2026-07-01 --to 2026-12-31 --png "$tmp/png" \
    --key "$tmp/keys/kadis.key"
for f in grafik-langkah.png grafik-bulan.png; do
    [ "$(head -c 4 "$tmp/png/$f" 2>/dev/null | tail -c 3)" = PNG ] || fail "report --png: $f"
done
run 1 english "$admin" report --from 2026-12-31 --to 2026-07-01 --out "$tmp/x.pdf" \
    --key "$tmp/keys/kadis.key"
run 2 english "$admin" report --from 2026-07-01 --to 2026-12-31 --out "$tmp/x.pdf" \
    --key "$tmp/keys/verif.key"

# --- the arsip ---------------------------------------------------------------------
run 0 english "$admin" archive export --from 2026-11-01 --to 2026-11-30 --out "$tmp/arsip" \
    --key "$tmp/admin.key"
has out "1 archived case" "archive export counts the cases"
for f in "$case/lembar-disposisi.pdf" "$case/laporan.pdf" "$case/perkara.json" \
    "$case/lampiran/01-langkah1-surat.pdf" "$case/lampiran/02-langkah6-laporan.pdf" \
    journal-head.txt SHA256SUMS; do
    [ -s "$tmp/arsip/$f" ] || fail "archive: $f is missing"
done
(cd "$tmp/arsip" && sha256sum --quiet -c SHA256SUMS) || fail "archive: sha256sum -c SHA256SUMS"
[ "$(wc -l <"$tmp/arsip/SHA256SUMS")" -eq 6 ] || fail "archive: SHA256SUMS lists every file"
grep -qE '^sha256 [0-9a-f]{64}$' "$tmp/arsip/journal-head.txt" || fail "archive: the chain head"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['case']['id'] == sys.argv[2] and d['case']['state'] == 'STATE_DONE'
assert any(e['kind'] == 'EV_ARCHIVED' for e in d['history'])
" "$tmp/arsip/$case/perkara.json" "$case" || fail "archive: perkara.json holds the case and history"
cmp -s "$tmp/arsip/$case/lampiran/02-langkah6-laporan.pdf" "$tmp/laporan.pdf" ||
    fail "archive: the attached laporan comes back as attached"
# The same cases export to the same documents, byte for byte.
run 0 english "$admin" archive export --from 2026-11-01 --to 2026-11-30 --out "$tmp/arsip2" \
    --key "$tmp/admin.key"
diff <(grep -v journal-head "$tmp/arsip/SHA256SUMS") <(grep -v journal-head "$tmp/arsip2/SHA256SUMS") \
    >/dev/null || fail "two exports of the same cases differ"
run 1 english "$admin" archive export --from 2026-11-01 --to 2026-11-30 --out "$tmp/arsip" \
    --key "$tmp/admin.key"
has err "already exists" "archive export never writes into an existing directory"
run 0 english "$admin" archive export --from 2026-10-01 --to 2026-10-31 --out "$tmp/arsip-kosong" \
    --key "$tmp/admin.key"
has out "0 archived cases" "an empty period"

test_end documents
