# A running office for the shell tests of the office's own rules
# (cli_office.sh): a data directory made by `sertel-broker init` in a
# temporary directory (with the calendar in $calendar, when set), the
# broker on 127.0.0.1 over CURVE with its clock in a file ($tmp/clock,
# moved with office_clock), and the officers enrolled. The clients read the
# same clock file (SERTEL_CLOCK_FILE), so "now" is the same on both sides.
# Sourced after lib.sh, with $broker, $admin and $sertel set. Nothing
# sleeps for a fixed time; processes are stopped by pid on exit.

test_begin
mkdir -p "$tmp/keys"

# office_clock "YYYY-MM-DD HH:MM" : the office's local time, in the zone
# of the calendar the office runs ($zone_offset, e.g. +0700).
office_clock() {
    set_clock "$tmp/clock" "$(date -u -d "$1 ${zone_offset:-+0700}" +%s)"
}
export SERTEL_CLOCK_FILE="$tmp/clock"
office_clock "${office_start:-2026-11-23 08:00}"

nip[sekdis]=197212121998031004
adm() { indonesian "$admin" "$@" --key "$tmp/admin.key"; }
adm_en() { english "$admin" "$@" --key "$tmp/admin.key"; }

init_data ${calendar:+--calendar "$calendar"}
start_broker

enrol_office
enrol sekdis "Hendra Gunawan" kabid

make_pdf "$tmp/surat.pdf" "surat permohonan"
form=(--name "Budi Santoso" --nip 198707072011011001 --unit "Dinas Pendidikan"
    --position "Analis Kepegawaian" --email budi.santoso@ciamiskab.go.id --phone 081234567890
    --channel surat --letter-no 800/123/Disdik --letter-date 2026-11-20
    --subject "Permohonan pembaharuan sertifikat elektronik" --attach "$tmp/surat.pdf")

# receive [OPTIONS...] : registers the form (plus OPTIONS) as the staf; the
# new case number in $id.
letters=0
receive() {
    letters=$((letters + 1))
    run 0 as staf receive "${form[@]}" --letter-no "800/$letters/Disdik" "$@"
    id=$(head -n 1 "$tmp/out")
}
