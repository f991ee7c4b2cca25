#!/usr/bin/env bash
# sertel-admin sop, run as the office runs it: check the shipped SOP, a
# broken copy and a missing file; show the table in Indonesian (the
# default) and in English, within the terminal width.
#
# Usage: admin_sop.sh PATH_TO_sertel-admin SOURCE_DIR
set -euo pipefail

admin=${1:?usage: admin_sop.sh PATH_TO_sertel-admin SOURCE_DIR}
src=${2:?usage: admin_sop.sh PATH_TO_sertel-admin SOURCE_DIR}
sop="$src/sop/pembaharuan-sertifikat-elektronik.sop"

. "$(dirname "$0")/lib.sh"
test_begin

fits() {
    local widest
    widest=$(LC_ALL=C.UTF-8 wc -L <"$tmp/out")
    [ "$widest" -le "$1" ] || fail "$2: a line is $widest characters wide, limit $1"
    iconv -f UTF-8 -t UTF-8 "$tmp/out" >/dev/null 2>&1 || fail "$2: output is not valid UTF-8"
}

# --- sop check --------------------------------------------------------
run 0 indonesian "$admin" sop check "$src"/sop/*.sop
has out "$sop: OK" "check of the shipped SOPs"

# A clerk's typo in step 4's time, in a copy.
sed 's/^waktu: 20 menit$/waktu: 20 minit/' "$sop" >"$tmp/rusak.sop"
line=$(grep -n '^waktu: 20 minit$' "$tmp/rusak.sop" | cut -d: -f1 || true)
[ -n "$line" ] || fail "could not break the copy"
run 1 indonesian "$admin" sop check "$tmp/rusak.sop"
has err "$tmp/rusak.sop:$line: " "check of a broken copy"
has err "20 minit" "check of a broken copy"

# One bad file makes the run fail; the good one is still reported.
run 1 indonesian "$admin" sop check "$sop" "$tmp/rusak.sop"
has out "$sop: OK" "check of a good and a broken file"
has err "$tmp/rusak.sop:$line: " "check of a good and a broken file"

run 1 indonesian "$admin" sop check "$tmp/tidak-ada.sop"
has err "$tmp/tidak-ada.sop" "check of a missing file"

run 1 indonesian "$admin" sop check
has err "sertel-admin sop check" "check without files prints its usage"

run 1 indonesian "$admin" sop check --bogus "$sop"
has err "--bogus" "check with an unknown option"

# --- sop show -----------------------------------------------------------
run 0 indonesian env COLUMNS=100 "$admin" sop show "$sop"
for n in 1 2 3 4 5 6 7; do
    has out "| $n " "show lists step $n"
done
has out "000.6.5/1023/Diskominfo.05" "show prints the SOP number"
has out "Bidang Persandian dan Keamanan Informasi" "show prints the unit"
has out "Kabupaten Ciamis" "show prints the agency"
has out "Telp/Fax/Email" "show prints the Kelengkapan"
has out "- Laporan hasil" "show prints the outputs as list items"
fits 100 "show at 100 columns"
# Indonesian: needs po/id.po with the merged translations.
has out "10 menit" "show in Indonesian"
has out "1 hari" "show in Indonesian"
has out "Kegiatan" "show in Indonesian"
has out "(verifikator)" "show in Indonesian"

run 0 english env COLUMNS=100 "$admin" sop show "$sop"
has out "1 working day" "show in English"
has out "10 minutes" "show in English"
has out "(verifier)" "show in English"

for cols in 80 132; do
    run 0 english env COLUMNS=$cols "$admin" sop show "$sop"
    fits $cols "show at $cols columns"
done
# Narrower than 80 is widened to 80, not squeezed.
run 0 english env COLUMNS=40 "$admin" sop show "$sop"
fits 80 "show at COLUMNS=40"
has out "Activity" "show at COLUMNS=40"

# Multi-byte text and a word longer than any cell are cut on character
# boundaries and still fit.
cat >"$tmp/utf8.sop" <<'EOF'
kode: utf8
nomor: 1/2025
nama: Uji UTF-8 — “kutipan”
instansi: Dinas
unit: Bidang
langkah: 1
kegiatan: Pemeriksaan ééééééééééééééééééééééééééééééééééééééééééééééééé selesai
  dengan ✓ tanda ✓ centang ✓ dan — tanda pisah — berulang kali berulang kali
pelaksana: kabid
kelengkapan: Dokumen “asli” — ½ halaman
waktu: 2 jam
EOF
run 0 english env COLUMNS=80 "$admin" sop show "$tmp/utf8.sop"
fits 80 "show of multi-byte text at 80 columns"
has out "2 hours" "show of multi-byte text"

run 1 indonesian "$admin" sop show "$tmp/tidak-ada.sop"
has err "$tmp/tidak-ada.sop" "show of a missing file"

run 1 indonesian "$admin" sop show "$tmp/rusak.sop"
has err "$tmp/rusak.sop:$line: " "show of a broken file"

run 1 indonesian "$admin" sop show
has err "sertel-admin sop show" "show without a file prints its usage"

# --- help and usage ------------------------------------------------------
run 0 english "$admin" sop --help
has out "check" "sop --help"
has out "show" "sop --help"
run 0 english "$admin" sop check --help
has out "sertel-admin sop check FILE" "sop check --help"
run 0 english "$admin" sop show --help
has out "sertel-admin sop show FILE" "sop show --help"
run 1 english "$admin" sop
has err "sertel-admin sop COMMAND" "sop without a command"
run 1 english "$admin" sop lihat
has err "lihat" "sop with an unknown command"

test_end admin_sop
