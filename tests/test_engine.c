/* The workflow engine against the shipped SOP: the whole renewal, every
 * refusal (each leaving the case untouched), the stopped clock while the
 * applicant is asked, Plt/Plh, and the Mutu Baku watch. Time is always a
 * fixed instant; nothing here reads the clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "filetype.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
/* Monday 2026-11-23 08:00 WIB */
#define T0 INT64_C(1795395600)
/* Friday 2026-11-27 15:00 WIB */
#define FRI_1500 INT64_C(1795766400)
/* Saturday 2026-11-28 10:00 WIB */
#define SAT_1000 INT64_C(1795834800)
/* Monday 2026-11-30 07:45, 12:00 and 14:30 WIB */
#define MON_0745 INT64_C(1795999500)
#define MON_1200 INT64_C(1796014800)
#define MON_1430 INT64_C(1796023800)

static struct {
    sop_t *sop;
    calendar_t *cal;
    officer_t staf, kadis, kabid, jf, ver1, ver2, sekdis;
    events_t evs;
    char why[512];
} F;

static const attachment_t letter = {
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "surat-permohonan.pdf", 182044, 0, FILETYPE_PDF};
static const attachment_t report = {
    "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
    "laporan-pembaharuan.pdf", 53120, 0, FILETYPE_PDF};

static officer_t officer(const char *nip, const char *name, role_t role, unsigned quals)
{
    officer_t o = {.role = role, .quals = quals, .active = true};
    snprintf(o.nip, sizeof o.nip, "%s", nip);
    snprintf(o.name, sizeof o.name, "%s", name);
    return o;
}

static int setup(void **state)
{
    (void)state;
    char path[1024], err[512];
    const char *src = getenv("SERTEL_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/sop/pembaharuan-sertifikat-elektronik.sop",
             src ? src : SERTEL_SOURCE_DIR);
    F.sop = sop_load(path, err, sizeof err);
    if (!F.sop) {
        print_error("%s\n", err);
        return -1;
    }
    F.cal = calendar_default();
    F.staf = officer("198501012010011001", "Rina Marlina", ROLE_STAF, 0);
    F.kadis = officer("197503042001121002", "Tino Armyanto", ROLE_KADIS, 0);
    F.kabid = officer("197808152003121003", "Asep Supriatna", ROLE_KABID, 0);
    F.jf = officer("198803212014022001", "Dewi Lestari", ROLE_JF, 0);
    F.ver1 = officer("199002142015031002", "Yusuf Hidayat", ROLE_STAF, QUAL_VERIFIKATOR);
    F.ver2 = officer("199207072019032003", "Siti Nurhaliza", ROLE_STAF, QUAL_VERIFIKATOR);
    /* the Sekretaris Dinas, who stands in for the Kadis */
    F.sekdis = officer("197212121998031004", "Hendra Gunawan", ROLE_KABID, 0);
    return F.cal ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sop_destroy(&F.sop);
    calendar_destroy(&F.cal);
    return 0;
}

/* ------------------------------------------------------------- helpers */

static application_t application(void)
{
    application_t a = {.channel = CHANNEL_SURAT, .urgency = URGENCY_BIASA};
    snprintf(a.name, sizeof a.name, "Budi Santoso");
    snprintf(a.nip, sizeof a.nip, "198006162006041005");
    snprintf(a.nik, sizeof a.nik, "3207011606800001");
    snprintf(a.unit, sizeof a.unit, "Badan Perencanaan Pembangunan Daerah");
    snprintf(a.position, sizeof a.position, "Kepala Sub Bagian Umum");
    snprintf(a.email, sizeof a.email, "budi.santoso@ciamiskab.go.id");
    snprintf(a.phone, sizeof a.phone, "0812-2345-6789");
    snprintf(a.letter_no, sizeof a.letter_no, "800/412/Bappeda");
    snprintf(a.letter_date, sizeof a.letter_date, "2026-11-20");
    snprintf(a.subject, sizeof a.subject, "Permohonan pembaharuan sertifikat elektronik");
    return a;
}

static command_t command(command_kind_t kind)
{
    return (command_t){.kind = kind};
}

static actor_t as(const officer_t *o)
{
    return (actor_t){.self = *o, .acting = NULL};
}

static sertel_err_t apply_as(const case_t *in, const command_t *cmd, const actor_t *a,
                             int64_t now, case_t *out)
{
    F.why[0] = '\0';
    memset(&F.evs, 0, sizeof F.evs);
    sertel_err_t err = engine_apply(F.sop, F.cal, in, cmd, a, now, out, &F.evs, F.why,
                                    sizeof F.why);
    if (err)
        print_message("refused (%d): %s\n", err, F.why);
    return err;
}

/* Applies cmd and requires success; the case is updated in place. */
static void ok_as(case_t *c, const command_t *cmd, const actor_t *a, int64_t now)
{
    case_t out;
    assert_int_equal(apply_as(cmd->kind == CMD_INTAKE ? NULL : c, cmd, a, now, &out), SERTEL_OK);
    memcpy(c, &out, sizeof out);
}

static void ok(case_t *c, const command_t *cmd, const officer_t *o, int64_t now)
{
    actor_t a = as(o);
    ok_as(c, cmd, &a, now);
}

/* Applies cmd, requires the refusal want with a reason containing
 * why_has, and checks that neither the case nor the outputs changed. */
static void refused_as(const case_t *in, const command_t *cmd, const actor_t *a, int64_t now,
                       sertel_err_t want, const char *why_has)
{
    static case_t copy, out, out0;
    static events_t evs, evs0;
    char why[512] = "";
    if (in)
        memcpy(&copy, in, sizeof copy);
    memset(&out, 0xA5, sizeof out);
    memset(&evs, 0xA5, sizeof evs);
    memcpy(&out0, &out, sizeof out);
    memcpy(&evs0, &evs, sizeof evs);
    sertel_err_t err = engine_apply(F.sop, F.cal, in, cmd, a, now, &out, &evs, why, sizeof why);
    print_message("expected refusal %d, got %d: %s\n", want, err, why);
    assert_int_equal(err, want);
    assert_true(why[0] != '\0');
    if (why_has)
        assert_non_null(strstr(why, why_has));
    if (in)
        assert_memory_equal(in, &copy, sizeof copy);
    assert_memory_equal(&out, &out0, sizeof out);
    assert_memory_equal(&evs, &evs0, sizeof evs);
}

static void refused(const case_t *in, const command_t *cmd, const officer_t *o, int64_t now,
                    sertel_err_t want, const char *why_has)
{
    actor_t a = as(o);
    refused_as(in, cmd, &a, now, want, why_has);
}

static void intake(case_t *c, int64_t now)
{
    application_t app = application();
    command_t cmd = command(CMD_INTAKE);
    cmd.case_id = "800/1207/Kominfo";
    cmd.sop_code = "pembaharuan";
    cmd.app = &app;
    cmd.attachments = &letter;
    cmd.n_attachments = 1;
    ok(c, &cmd, &F.staf, now);
}

static void complete(case_t *c, const officer_t *o, int64_t now, const char *instruction,
                     const officer_t *to)
{
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = instruction;
    cmd.to = to;
    ok(c, &cmd, o, now);
}

static void contact(case_t *c, const officer_t *o, int64_t now)
{
    command_t cmd = command(CMD_CONTACT);
    cmd.contact_channel = CONTACT_EMAIL;
    cmd.summary = "Meminta pemohon memperbarui passphrase di aplikasi BSrE";
    ok(c, &cmd, o, now);
}

static void certify(case_t *c, const officer_t *o, int64_t now)
{
    command_t cmd = command(CMD_CERTIFICATE);
    cmd.cert_serial = "5A3F00C19B2E7D41";
    cmd.cert_not_after = now + 2 * 365 * DAY;
    ok(c, &cmd, o, now);
}

static void attach(case_t *c, const officer_t *o, int64_t now, const attachment_t *a)
{
    command_t cmd = command(CMD_ATTACH);
    cmd.attachments = a;
    cmd.n_attachments = 1;
    ok(c, &cmd, o, now);
}

static void return_case(case_t *c, const officer_t *o, int64_t now)
{
    command_t cmd = command(CMD_RETURN);
    cmd.reason = "Surat permohonan belum ditandatangani kepala perangkat daerah";
    ok(c, &cmd, o, now);
}

static void resume(case_t *c, const officer_t *o, int64_t now)
{
    command_t cmd = command(CMD_RESUME);
    cmd.note = "Surat yang sudah ditandatangani diterima";
    ok(c, &cmd, o, now);
}

/* Does what step s asks and completes it, taking no time. */
static void run_step(case_t *c, int s, int64_t now, const officer_t *ver)
{
    switch (s) {
    case 1: complete(c, &F.staf, now, NULL, NULL); break;
    case 2: complete(c, &F.kadis, now, "Proses sesuai SOP", NULL); break;
    case 3: complete(c, &F.kabid, now, "Tindak lanjuti", NULL); break;
    case 4: complete(c, &F.jf, now, "Verifikasi dan asistensi pemohon", ver); break;
    case 5: contact(c, ver, now); complete(c, ver, now, NULL, NULL); break;
    case 6:
        certify(c, ver, now);
        attach(c, ver, now, &report);
        complete(c, ver, now, NULL, NULL);
        break;
    default: complete(c, &F.kadis, now, NULL, NULL); break;
    }
}

/* A new case brought to step n at now, every step taking no time. */
static void case_at_step(case_t *c, int n, int64_t now, const officer_t *ver)
{
    intake(c, now);
    for (int s = 1; s < n; s++)
        run_step(c, s, now, ver);
    assert_int_equal(c->step, n);
    assert_int_equal(c->state, CASE_OPEN);
}

static void assert_actor(const event_t *ev, const officer_t *o, role_t role)
{
    assert_string_equal(ev->actor, o->nip);
    assert_int_equal(ev->actor_role, role);
    assert_int_equal(ev->acting, ACTING_NONE);
    assert_string_equal(ev->acting_for, "");
}

/* The case has moved from step `from` to `to`, assigned to nip ("" = pool),
 * and the EV_DISPOSED event (the last one) says so with the step's timing. */
static void assert_disposed(const case_t *c, int from, int to, const char *nip, int64_t now,
                            int64_t work, int64_t standard)
{
    const sop_step_t *next = sop_step(F.sop, to);
    const event_t *ev = &F.evs.ev[F.evs.n - 1];
    assert_int_equal(c->state, CASE_OPEN);
    assert_int_equal(c->step, to);
    assert_string_equal(c->assignee, nip);
    assert_int_equal(c->pool_role, next->role);
    assert_int_equal(c->pool_quals, next->quals);
    assert_int_equal(c->step_started_at, now);
    assert_int_equal(c->segment_started_at, now);
    assert_int_equal(c->work_banked, 0);
    assert_false(c->warned);
    assert_false(c->overdue);
    assert_int_equal(c->contacts, 0);
    int64_t std = calendar_duration(F.cal, next->std_amount, next->std_unit);
    assert_int_equal(c->due_at, calendar_add_work(F.cal, now, std));
    assert_int_equal(c->warn_at, calendar_add_work(F.cal, now, std * 4 / 5));

    assert_int_equal(ev->kind, EV_DISPOSED);
    assert_string_equal(ev->case_id, c->id);
    assert_int_equal(ev->at, now);
    assert_int_equal(ev->step, from);
    assert_int_equal(ev->next_step, to);
    assert_string_equal(ev->assignee, nip);
    assert_int_equal(ev->assignee_role, next->role);
    assert_int_equal(ev->assignee_quals, next->quals);
    assert_int_equal(ev->work, work);
    assert_int_equal(ev->wall, work); /* all within working hours here */
    assert_int_equal(ev->wait_wall, 0);
    assert_int_equal(ev->wait_work, 0);
    assert_int_equal(ev->standard, standard);
}

/* ------------------------------------------------------- the renewal */

static void test_seed_sop(void **state)
{
    (void)state;
    static const struct {
        role_t role;
        unsigned quals, requires;
        int64_t standard;
    } want[] = {
        {ROLE_STAF, 0, REQ_SURAT, 10 * MIN},
        {ROLE_KADIS, 0, REQ_INSTRUKSI, 10 * MIN},
        {ROLE_KABID, 0, REQ_INSTRUKSI, 10 * MIN},
        {ROLE_JF, 0, REQ_INSTRUKSI, 20 * MIN},
        {ROLE_STAF, QUAL_VERIFIKATOR, REQ_KONTAK, 60 * MIN},
        {ROLE_STAF, QUAL_VERIFIKATOR, REQ_SERTIFIKAT | REQ_LAPORAN, 7 * HOUR + 30 * MIN},
        {ROLE_KADIS, 0, 0, 60 * MIN},
    };
    assert_int_equal(F.sop->n_steps, 7);
    for (int i = 0; i < 7; i++) {
        const sop_step_t *st = sop_step(F.sop, i + 1);
        assert_non_null(st);
        assert_int_equal(st->role, want[i].role);
        assert_int_equal(st->quals, want[i].quals);
        assert_int_equal(st->requires, want[i].requires);
        assert_int_equal(calendar_duration(F.cal, st->std_amount, st->std_unit),
                         want[i].standard);
    }
}

static void test_full_renewal(void **state)
{
    (void)state;
    case_t c;

    /* 1: the front office registers the letter */
    intake(&c, T0);
    assert_int_equal(c.state, CASE_OPEN);
    assert_string_equal(c.id, "800/1207/Kominfo");
    assert_string_equal(c.sop_code, "pembaharuan");
    assert_string_equal(c.app.name, "Budi Santoso");
    assert_int_equal(c.step, 1);
    assert_string_equal(c.assignee, F.staf.nip);
    assert_string_equal(c.received_by, F.staf.nip);
    assert_int_equal(c.pool_role, ROLE_STAF);
    assert_int_equal(c.created_at, T0);
    assert_int_equal(c.step_started_at, T0);
    assert_int_equal(c.segment_started_at, T0);
    assert_int_equal(c.warn_at, T0 + 8 * MIN);
    assert_int_equal(c.due_at, T0 + 10 * MIN);
    assert_int_equal(c.n_attachments, 1);
    assert_int_equal(c.attachments[0].step, 1);
    assert_string_equal(c.attachments[0].hash, letter.hash);
    assert_int_equal(F.evs.n, 2);
    assert_int_equal(F.evs.ev[0].kind, EV_RECEIVED);
    assert_string_equal(F.evs.ev[0].case_id, c.id);
    assert_int_equal(F.evs.ev[0].at, T0);
    assert_int_equal(F.evs.ev[0].step, 1);
    assert_int_equal(F.evs.ev[0].next_step, 1);
    assert_string_equal(F.evs.ev[0].assignee, F.staf.nip);
    assert_int_equal(F.evs.ev[0].assignee_role, ROLE_STAF);
    assert_actor(&F.evs.ev[0], &F.staf, ROLE_STAF);
    assert_int_equal(F.evs.ev[1].kind, EV_ATTACHED);
    assert_int_equal(F.evs.ev[1].step, 1);
    assert_string_equal(F.evs.ev[1].text, "surat-permohonan.pdf");

    /* 1 -> 2: nobody of the Kadis's role has acted yet: the role pool */
    complete(&c, &F.staf, T0 + 5 * MIN, NULL, NULL);
    assert_int_equal(F.evs.n, 1);
    assert_disposed(&c, 1, 2, "", T0 + 5 * MIN, 5 * MIN, 10 * MIN);
    assert_actor(&F.evs.ev[0], &F.staf, ROLE_STAF);

    /* 2 -> 3: the Kadis disposes with an instruction */
    complete(&c, &F.kadis, T0 + 12 * MIN, "Segera proses", NULL);
    assert_disposed(&c, 2, 3, "", T0 + 12 * MIN, 7 * MIN, 10 * MIN);
    assert_actor(&F.evs.ev[0], &F.kadis, ROLE_KADIS);
    assert_string_equal(F.evs.ev[0].text, "Segera proses");
    assert_string_equal(c.instruction, "Segera proses");

    /* 3 -> 4 */
    complete(&c, &F.kabid, T0 + 20 * MIN, "Teruskan ke verifikator", NULL);
    assert_disposed(&c, 3, 4, "", T0 + 20 * MIN, 8 * MIN, 10 * MIN);
    assert_actor(&F.evs.ev[0], &F.kabid, ROLE_KABID);

    /* 4 -> 5: the JF names the verifier */
    complete(&c, &F.jf, T0 + 30 * MIN, "Verifikasi permohonan", &F.ver1);
    assert_disposed(&c, 4, 5, F.ver1.nip, T0 + 30 * MIN, 10 * MIN, 20 * MIN);
    assert_int_equal(F.evs.ev[0].assignee_quals, QUAL_VERIFIKATOR);
    assert_string_equal(c.instruction, "Verifikasi permohonan");

    /* 5: contact with the applicant, then 5 -> 6 stays with the verifier */
    contact(&c, &F.ver1, T0 + 40 * MIN);
    assert_int_equal(c.contacts, 1);
    assert_int_equal(F.evs.n, 1);
    assert_int_equal(F.evs.ev[0].kind, EV_CONTACTED);
    assert_int_equal(F.evs.ev[0].step, 5);
    assert_string_equal(F.evs.ev[0].note, "email");
    assert_actor(&F.evs.ev[0], &F.ver1, ROLE_STAF);
    complete(&c, &F.ver1, T0 + 50 * MIN, NULL, NULL);
    assert_disposed(&c, 5, 6, F.ver1.nip, T0 + 50 * MIN, 20 * MIN, 60 * MIN);
    /* 1 hari from Monday 08:50: 80% on Monday 15:50, due Tuesday 08:50 */
    assert_int_equal(c.warn_at, T0 + 7 * HOUR + 50 * MIN);
    assert_int_equal(c.due_at, T0 + DAY + 50 * MIN);

    /* 6: the certificate and the report, then 6 -> 7 back to the Kadis of step 2 */
    certify(&c, &F.ver1, T0 + 60 * MIN);
    assert_string_equal(c.cert_serial, "5A3F00C19B2E7D41");
    assert_int_equal(F.evs.ev[0].kind, EV_CERTIFIED);
    assert_string_equal(F.evs.ev[0].text, "5A3F00C19B2E7D41");
    command_t done = command(CMD_COMPLETE);
    done.attachments = &report;
    done.n_attachments = 1;
    done.note = "Sertifikat aktif sampai 2028";
    ok(&c, &done, &F.ver1, T0 + 90 * MIN);
    assert_int_equal(F.evs.n, 2);
    assert_int_equal(F.evs.ev[0].kind, EV_ATTACHED);
    assert_int_equal(F.evs.ev[0].step, 6);
    assert_string_equal(F.evs.ev[0].text, "laporan-pembaharuan.pdf");
    assert_disposed(&c, 6, 7, F.kadis.nip, T0 + 90 * MIN, 40 * MIN, 7 * HOUR + 30 * MIN);
    assert_string_equal(F.evs.ev[1].note, "Sertifikat aktif sampai 2028");
    assert_int_equal(c.n_attachments, 2);
    assert_int_equal(c.attachments[1].step, 6);

    /* 7: the Kadis receives the report: archived */
    complete(&c, &F.kadis, T0 + 100 * MIN, NULL, NULL);
    assert_int_equal(c.state, CASE_DONE);
    assert_int_equal(c.closed_at, T0 + 100 * MIN);
    assert_int_equal(c.warn_at, 0);
    assert_int_equal(c.due_at, 0);
    assert_int_equal(F.evs.n, 1);
    const event_t *ev = &F.evs.ev[0];
    assert_int_equal(ev->kind, EV_ARCHIVED);
    assert_int_equal(ev->step, 7);
    assert_int_equal(ev->next_step, 0);
    assert_int_equal(ev->work, 10 * MIN);
    assert_int_equal(ev->standard, 60 * MIN);
    assert_actor(ev, &F.kadis, ROLE_KADIS);
    assert_int_equal(engine_step_work(F.cal, &c, T0 + 200 * MIN), 0);

    /* everyone who acted, each once, with the role they acted in */
    const officer_t *who[] = {&F.staf, &F.kadis, &F.kabid, &F.jf, &F.ver1};
    assert_int_equal(c.n_actors, 5);
    for (int i = 0; i < 5; i++) {
        assert_string_equal(c.actors[i], who[i]->nip);
        assert_int_equal(c.actor_roles[i], who[i]->role);
    }
}

/* The JF picks the second verifier; steps 5 and 6 stay with her. */
static void test_default_assignees(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver2);
    assert_string_equal(c.assignee, F.ver2.nip);
    run_step(&c, 5, T0 + MIN, &F.ver2);
    assert_int_equal(c.step, 6);
    assert_string_equal(c.assignee, F.ver2.nip);
    run_step(&c, 6, T0 + 2 * MIN, &F.ver2);
    assert_int_equal(c.step, 7);
    assert_string_equal(c.assignee, F.kadis.nip);

    /* a verifier step taken from the pool stays with whoever took it */
    case_at_step(&c, 4, T0, &F.ver1);
    complete(&c, &F.jf, T0 + MIN, "Ke pool verifikator", NULL);
    assert_int_equal(c.step, 5);
    assert_string_equal(c.assignee, "");
    assert_int_equal(c.pool_quals, QUAL_VERIFIKATOR);
    command_t take = command(CMD_TAKE);
    ok(&c, &take, &F.ver2, T0 + 2 * MIN);
    contact(&c, &F.ver2, T0 + 2 * MIN);
    complete(&c, &F.ver2, T0 + 3 * MIN, NULL, NULL);
    assert_int_equal(c.step, 6);
    assert_string_equal(c.assignee, F.ver2.nip);
}

/* ------------------------------------------------------------ refusals */

static void test_refuse_wrong_role(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 2, T0, &F.ver1);
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = "Proses";
    refused(&c, &cmd, &F.kabid, T0 + MIN, SERTEL_E_WRONG_ROLE, "step 2");
    refused(&c, &cmd, &F.staf, T0 + MIN, SERTEL_E_WRONG_ROLE, NULL);

    /* a staf without the verifier's qualification may not verify */
    case_at_step(&c, 5, T0, &F.ver1);
    command_t talk = command(CMD_CONTACT);
    talk.contact_channel = CONTACT_SMS;
    talk.summary = "Konfirmasi data";
    refused(&c, &talk, &F.staf, T0 + MIN, SERTEL_E_WRONG_ROLE, "verifikator");

    /* only the front office registers applications */
    application_t app = application();
    command_t in = command(CMD_INTAKE);
    in.case_id = "800/1/Kominfo";
    in.sop_code = "pembaharuan";
    in.app = &app;
    refused(NULL, &in, &F.jf, T0, SERTEL_E_WRONG_ROLE, "step 1");
}

static void test_refuse_wrong_actor(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver2);
    command_t talk = command(CMD_CONTACT);
    talk.contact_channel = CONTACT_WHATSAPP;
    talk.summary = "Konfirmasi data";
    refused(&c, &talk, &F.ver1, T0 + MIN, SERTEL_E_WRONG_ACTOR, F.ver2.nip);
    command_t done = command(CMD_COMPLETE);
    refused(&c, &done, &F.ver1, T0 + MIN, SERTEL_E_WRONG_ACTOR, NULL);
    command_t back = command(CMD_RETURN);
    back.reason = "Tidak lengkap";
    refused(&c, &back, &F.ver1, T0 + MIN, SERTEL_E_WRONG_ACTOR, NULL);
}

static void test_refuse_target(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 4, T0, &F.ver1);
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = "Verifikasi";
    cmd.to = &F.staf; /* a staf who is not a verifier */
    refused(&c, &cmd, &F.jf, T0 + MIN, SERTEL_E_WRONG_ROLE, F.staf.name);
    cmd.to = &F.kabid;
    refused(&c, &cmd, &F.jf, T0 + MIN, SERTEL_E_WRONG_ROLE, F.kabid.nip);
    officer_t gone = F.ver2;
    gone.active = false;
    cmd.to = &gone;
    refused(&c, &cmd, &F.jf, T0 + MIN, SERTEL_E_DENIED, gone.name);

    /* the last step has nobody to dispose to */
    case_at_step(&c, 7, T0, &F.ver1);
    command_t last = command(CMD_COMPLETE);
    last.to = &F.kabid;
    refused(&c, &last, &F.kadis, T0 + MIN, SERTEL_E_WRONG_STEP, NULL);
}

static void test_refuse_closed(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 7, T0, &F.ver1);
    run_step(&c, 7, T0 + MIN, &F.ver1);
    assert_int_equal(c.state, CASE_DONE);
    static const command_kind_t kinds[] = {CMD_COMPLETE, CMD_RETURN, CMD_RESUME,
                                           CMD_REJECT, CMD_WITHDRAW, CMD_ATTACH,
                                           CMD_CONTACT, CMD_CERTIFICATE};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        command_t cmd = command(kinds[i]);
        cmd.reason = "Alasan";
        cmd.attachments = &report;
        cmd.n_attachments = 1;
        refused(&c, &cmd, &F.kadis, T0 + 2 * MIN, SERTEL_E_CLOSED, c.id);
    }
}

static void test_refuse_duplicate_request(void **state)
{
    (void)state;
    case_t c;
    intake(&c, T0);
    command_t cmd = command(CMD_COMPLETE);
    cmd.request_id = 42;
    ok(&c, &cmd, &F.staf, T0 + MIN);
    assert_int_equal(c.step, 2);
    /* the retry is recognised even though step 1 is over */
    refused(&c, &cmd, &F.staf, T0 + 2 * MIN, SERTEL_E_DUPLICATE, "42");
    /* the same number from another officer is another request */
    cmd.instruction = "Proses";
    ok(&c, &cmd, &F.kadis, T0 + 2 * MIN);
    assert_int_equal(c.step, 3);

    /* the ring forgets the oldest once it is full */
    case_at_step(&c, 5, T0, &F.ver1);
    command_t talk = command(CMD_CONTACT);
    talk.contact_channel = CONTACT_EMAIL;
    talk.summary = "Asistensi";
    for (uint64_t id = 100; id < 100 + CASE_RECENT_REQUESTS + 1; id++) {
        talk.request_id = id;
        ok(&c, &talk, &F.ver1, T0 + MIN);
    }
    talk.request_id = 100 + CASE_RECENT_REQUESTS;
    refused(&c, &talk, &F.ver1, T0 + MIN, SERTEL_E_DUPLICATE, NULL);
    talk.request_id = 101;
    refused(&c, &talk, &F.ver1, T0 + MIN, SERTEL_E_DUPLICATE, NULL);
    talk.request_id = 100;
    ok(&c, &talk, &F.ver1, T0 + MIN);
    assert_int_equal(c.contacts, CASE_RECENT_REQUESTS + 2);
}

static void test_refuse_missing_kelengkapan(void **state)
{
    (void)state;
    case_t c;
    command_t done = command(CMD_COMPLETE);

    /* surat: registered without the letter */
    application_t app = application();
    command_t in = command(CMD_INTAKE);
    in.case_id = "800/1208/Kominfo";
    in.sop_code = "pembaharuan";
    in.app = &app;
    ok(&c, &in, &F.staf, T0);
    assert_int_equal(c.n_attachments, 0);
    refused(&c, &done, &F.staf, T0 + MIN, SERTEL_E_INCOMPLETE, "application letter");
    /* the letter may come with the completion itself */
    done.attachments = &letter;
    done.n_attachments = 1;
    ok(&c, &done, &F.staf, T0 + MIN);
    assert_int_equal(F.evs.n, 2);
    assert_int_equal(F.evs.ev[0].kind, EV_ATTACHED);
    assert_int_equal(F.evs.ev[1].kind, EV_DISPOSED);
    done = command(CMD_COMPLETE);

    /* instruksi */
    refused(&c, &done, &F.kadis, T0 + 2 * MIN, SERTEL_E_INCOMPLETE, "instruction");
    done.instruction = "";
    refused(&c, &done, &F.kadis, T0 + 2 * MIN, SERTEL_E_INCOMPLETE, "instruction");

    /* kontak */
    case_at_step(&c, 5, T0, &F.ver1);
    refused(&c, &(command_t){.kind = CMD_COMPLETE}, &F.ver1, T0 + MIN, SERTEL_E_INCOMPLETE, "contacted");

    /* sertifikat: the report alone is not enough */
    case_at_step(&c, 6, T0, &F.ver1);
    command_t with_report = command(CMD_COMPLETE);
    with_report.attachments = &report;
    with_report.n_attachments = 1;
    refused(&c, &with_report, &F.ver1, T0 + MIN, SERTEL_E_INCOMPLETE, "certificate");

    /* laporan: the letter of step 1 is not the report of step 6 */
    certify(&c, &F.ver1, T0 + MIN);
    refused(&c, &(command_t){.kind = CMD_COMPLETE}, &F.ver1, T0 + 2 * MIN, SERTEL_E_INCOMPLETE,
            "renewal report");
    ok(&c, &with_report, &F.ver1, T0 + 2 * MIN);
    assert_int_equal(c.step, 7);
}

static void test_refuse_state(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    command_t res = command(CMD_RESUME);
    refused(&c, &res, &F.ver1, T0 + MIN, SERTEL_E_STATE, "not waiting");

    return_case(&c, &F.ver1, T0 + MIN);
    contact(&c, &F.ver1, T0 + 2 * MIN); /* allowed while waiting */
    refused(&c, &(command_t){.kind = CMD_COMPLETE}, &F.ver1, T0 + 3 * MIN, SERTEL_E_STATE, "resume");
    command_t back = command(CMD_RETURN);
    back.reason = "Lagi";
    refused(&c, &back, &F.ver1, T0 + 3 * MIN, SERTEL_E_STATE, NULL);
    command_t cert = command(CMD_CERTIFICATE);
    cert.cert_serial = "01";
    cert.cert_not_after = T0 + 365 * DAY;
    refused(&c, &cert, &F.ver1, T0 + 3 * MIN, SERTEL_E_STATE, "resume");

    /* intake is for new cases only, and other commands need a case */
    application_t app = application();
    command_t in = command(CMD_INTAKE);
    in.case_id = "800/9/Kominfo";
    in.sop_code = "pembaharuan";
    in.app = &app;
    refused(&c, &in, &F.staf, T0, SERTEL_E_STATE, NULL);
    refused(NULL, &res, &F.ver1, T0, SERTEL_E_NOT_FOUND, NULL);
    command_t bogus = command((command_kind_t)99);
    refused(&c, &bogus, &F.ver1, T0, SERTEL_E_INVALID, NULL);
}

static void refuse_intake(const application_t *app, const attachment_t *att, int n,
                          const char *why_has)
{
    command_t in = command(CMD_INTAKE);
    in.case_id = "800/1209/Kominfo";
    in.sop_code = "pembaharuan";
    in.app = app;
    in.attachments = att;
    in.n_attachments = n;
    refused(NULL, &in, &F.staf, T0, SERTEL_E_INVALID, why_has);
}

static void test_refuse_invalid_intake(void **state)
{
    (void)state;
    application_t app = application();
    snprintf(app.nip, sizeof app.nip, "198013162006041005"); /* month 13 */
    refuse_intake(&app, NULL, 0, "NIP");
    snprintf(app.nip, sizeof app.nip, "19800616");
    refuse_intake(&app, NULL, 0, "NIP");

    app = application();
    snprintf(app.email, sizeof app.email, "budi.santoso@");
    refuse_intake(&app, NULL, 0, "e-mail");
    app = application();
    snprintf(app.phone, sizeof app.phone, "12ab");
    refuse_intake(&app, NULL, 0, "phone");
    app = application();
    snprintf(app.nik, sizeof app.nik, "0007011606800001");
    refuse_intake(&app, NULL, 0, "NIK");
    app = application();
    app.name[0] = '\0';
    refuse_intake(&app, NULL, 0, "applicant name");
    app = application();
    snprintf(app.letter_date, sizeof app.letter_date, "2026-02-30");
    refuse_intake(&app, NULL, 0, "letter date");
    app = application();
    snprintf(app.letter_date, sizeof app.letter_date, "2026-12-01"); /* T0 is 23 Nov 2026 */
    refuse_intake(&app, NULL, 0, "after today");
    app = application();
    app.subject[0] = '\0';
    refuse_intake(&app, NULL, 0, "subject");
    app = application();
    app.channel = 0;
    refuse_intake(&app, NULL, 0, "channel");
    app = application();
    app.urgency = 7;
    refuse_intake(&app, NULL, 0, "urgency");
    refuse_intake(NULL, NULL, 0, NULL);

    /* attachments */
    app = application();
    attachment_t bad = letter;
    bad.hash[0] = 'F';
    refuse_intake(&app, &bad, 1, "hash");
    bad = letter;
    bad.size = 0;
    refuse_intake(&app, &bad, 1, "empty");
    bad = letter;
    bad.name[0] = '\0';
    refuse_intake(&app, &bad, 1, "file name");
    attachment_t many[CASE_MAX_ATTACH + 1];
    for (int i = 0; i < CASE_MAX_ATTACH + 1; i++)
        many[i] = letter;
    refuse_intake(&app, many, CASE_MAX_ATTACH + 1, NULL);

    /* the case's own identity */
    command_t in = command(CMD_INTAKE);
    in.app = &app;
    in.case_id = "";
    in.sop_code = "pembaharuan";
    refused(NULL, &in, &F.staf, T0, SERTEL_E_INVALID, "agenda number");
    in.case_id = "800/1210/Kominfo";
    in.sop_code = "pencabutan";
    refused(NULL, &in, &F.staf, T0, SERTEL_E_INVALID, "pencabutan");

    /* every attachment that fits is accepted, with one event each */
    case_t c;
    in.sop_code = "pembaharuan";
    in.attachments = many;
    in.n_attachments = CASE_MAX_ATTACH;
    app.nik[0] = '\0'; /* the NIK is optional */
    ok(&c, &in, &F.staf, T0);
    assert_int_equal(c.n_attachments, CASE_MAX_ATTACH);
    assert_int_equal(F.evs.n, CASE_MAX_ATTACH + 1);
    refused(&c, &(command_t){.kind = CMD_ATTACH, .attachments = &report, .n_attachments = 1},
            &F.staf, T0 + MIN, SERTEL_E_FULL, NULL);
}

static void test_refuse_inactive_actor(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    officer_t gone = F.ver1;
    gone.active = false;
    refused(&c, &(command_t){.kind = CMD_COMPLETE}, &gone, T0 + MIN, SERTEL_E_DENIED, gone.nip);
    officer_t staf = F.staf;
    staf.active = false;
    application_t app = application();
    command_t in = command(CMD_INTAKE);
    in.case_id = "800/1211/Kominfo";
    in.sop_code = "pembaharuan";
    in.app = &app;
    refused(NULL, &in, &staf, T0, SERTEL_E_DENIED, NULL);
}

static void test_refuse_invalid_inputs(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    command_t talk = command(CMD_CONTACT);
    talk.contact_channel = 9;
    talk.summary = "Halo";
    refused(&c, &talk, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "channel");
    talk.contact_channel = CONTACT_TELP;
    talk.summary = "";
    refused(&c, &talk, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "contact summary");

    command_t back = command(CMD_RETURN);
    refused(&c, &back, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "reason");
    command_t rej = command(CMD_REJECT);
    rej.reason = "bad\x01text";
    refused(&c, &rej, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "reason");
    command_t att = command(CMD_ATTACH);
    refused(&c, &att, &F.ver1, T0 + MIN, SERTEL_E_INVALID, NULL);

    case_at_step(&c, 6, T0, &F.ver1);
    command_t cert = command(CMD_CERTIFICATE);
    cert.cert_serial = "5A3F";
    cert.cert_not_after = T0 + MIN;
    refused(&c, &cert, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "valid");
    cert.cert_serial = "";
    cert.cert_not_after = T0 + DAY;
    refused(&c, &cert, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "serial");

    cert.cert_serial = "zz 12";
    refused(&c, &cert, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "hexadecimal");

    /* Contacts and the certificate belong to the steps the SOP says. */
    case_at_step(&c, 2, T0, &F.kadis);
    talk.summary = "Halo";
    refused(&c, &talk, &F.kadis, T0 + MIN, SERTEL_E_WRONG_STEP, "contacts");
    case_at_step(&c, 5, T0, &F.ver1);
    cert.cert_serial = "5A:3F";
    refused(&c, &cert, &F.ver1, T0 + MIN, SERTEL_E_WRONG_STEP, "certificate");
    case_at_step(&c, 6, T0, &F.ver1);

    char long_text[TEXT_MAX + 2];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    command_t done = command(CMD_COMPLETE);
    done.note = long_text;
    refused(&c, &done, &F.ver1, T0 + MIN, SERTEL_E_INVALID, "note");
}

/* ------------------------------------------------ the applicant's clock */

static void test_return_resume(void **state)
{
    (void)state;
    case_t c;
    int64_t start = T0 + 3 * HOUR; /* Monday 11:00 */
    case_at_step(&c, 5, start, &F.ver1);

    /* returned at 11:30 after 30 minutes of work */
    return_case(&c, &F.ver1, start + 30 * MIN);
    assert_int_equal(c.state, CASE_WAITING);
    assert_int_equal(c.waiting_since, start + 30 * MIN);
    assert_int_equal(c.work_banked, 30 * MIN);
    assert_int_equal(c.warn_at, 0);
    assert_int_equal(c.due_at, 0);
    assert_int_equal(F.evs.n, 1);
    assert_int_equal(F.evs.ev[0].kind, EV_RETURNED);
    assert_int_equal(F.evs.ev[0].work, 30 * MIN);
    assert_non_null(strstr(F.evs.ev[0].text, "belum ditandatangani"));

    /* the officers' clock stands still while the applicant is asked */
    assert_int_equal(engine_step_work(F.cal, &c, start + 90 * MIN), 30 * MIN);

    /* resumed at 13:30: two hours waited, one of them working time; the
     * front office that received the letter takes the answer in */
    resume(&c, &F.staf, start + 150 * MIN);
    assert_int_equal(c.state, CASE_OPEN);
    assert_int_equal(c.segment_started_at, start + 150 * MIN);
    assert_int_equal(c.step_started_at, start);
    assert_int_equal(c.wait_wall, 2 * HOUR);
    assert_int_equal(c.wait_work, HOUR);
    assert_int_equal(F.evs.ev[0].kind, EV_RESUMED);
    assert_string_equal(F.evs.ev[0].note, "Surat yang sudah ditandatangani diterima");
    /* due after the 30 minutes left (14:00), warned after 18 (13:48) */
    assert_int_equal(c.due_at, start + 180 * MIN);
    assert_int_equal(c.warn_at, start + 168 * MIN);

    /* completed at 13:40: 40 minutes of work in 2 h 40 of wall time */
    contact(&c, &F.ver1, start + 160 * MIN);
    complete(&c, &F.ver1, start + 160 * MIN, NULL, NULL);
    const event_t *ev = &F.evs.ev[0];
    assert_int_equal(ev->kind, EV_DISPOSED);
    assert_int_equal(ev->step, 5);
    assert_int_equal(ev->work, 40 * MIN);
    assert_int_equal(ev->wall, 160 * MIN);
    assert_int_equal(ev->wait_wall, 2 * HOUR);
    assert_int_equal(ev->wait_work, HOUR);
    /* the next step starts with a clean clock */
    assert_int_equal(c.wait_wall, 0);
    assert_int_equal(c.wait_work, 0);
    assert_int_equal(c.work_banked, 0);
}

/* A step that used more than 80% before it was returned warns at once on
 * resumption; the thresholds already passed are not moved into the past. */
static void test_resume_past_warning(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    return_case(&c, &F.ver1, T0 + 50 * MIN);
    resume(&c, &F.ver1, T0 + 2 * HOUR);
    assert_int_equal(c.warn_at, T0 + 2 * HOUR);
    assert_int_equal(c.due_at, T0 + 2 * HOUR + 10 * MIN);
}

static void test_reject_and_withdraw(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    command_t rej = command(CMD_REJECT);
    rej.reason = "Pemohon bukan ASN Kabupaten Ciamis";
    ok(&c, &rej, &F.ver1, T0 + 20 * MIN);
    assert_int_equal(c.state, CASE_REJECTED);
    assert_int_equal(c.closed_at, T0 + 20 * MIN);
    assert_string_equal(c.closed_reason, "Pemohon bukan ASN Kabupaten Ciamis");
    assert_int_equal(c.due_at, 0);
    assert_int_equal(F.evs.n, 1);
    assert_int_equal(F.evs.ev[0].kind, EV_REJECTED);
    assert_int_equal(F.evs.ev[0].step, 5);
    assert_int_equal(F.evs.ev[0].work, 20 * MIN);
    assert_int_equal(F.evs.ev[0].standard, 60 * MIN);
    assert_string_equal(F.evs.ev[0].text, rej.reason);

    /* the front office that received it may record a withdrawal at any step */
    case_at_step(&c, 4, T0, &F.ver1);
    command_t wd = command(CMD_WITHDRAW);
    wd.reason = "Pemohon pindah tugas";
    refused(&c, &wd, &F.kabid, T0 + MIN, SERTEL_E_WRONG_ROLE, NULL);
    ok(&c, &wd, &F.staf, T0 + 5 * MIN);
    assert_int_equal(c.state, CASE_WITHDRAWN);
    assert_int_equal(F.evs.ev[0].kind, EV_WITHDRAWN);
    assert_actor(&F.evs.ev[0], &F.staf, ROLE_STAF);
    assert_int_equal(F.evs.ev[0].step, 4);
    assert_int_equal(F.evs.ev[0].work, 5 * MIN);

    /* ... also while the case waits, and then the wait counts */
    case_at_step(&c, 5, T0, &F.ver1);
    return_case(&c, &F.ver1, T0 + 10 * MIN);
    ok(&c, &wd, &F.ver1, T0 + 70 * MIN);
    assert_int_equal(c.state, CASE_WITHDRAWN);
    assert_int_equal(F.evs.ev[0].work, 10 * MIN);
    assert_int_equal(F.evs.ev[0].wait_wall, HOUR);
    assert_int_equal(F.evs.ev[0].wait_work, HOUR);
}

/* ------------------------------------------------------------- Plt/Plh */

static acting_t plh_kadis(void)
{
    acting_t a = {.kind = ACTING_PLH, .holder = F.kadis, .from = T0, .to = T0 + 5 * DAY};
    snprintf(a.by_nip, sizeof a.by_nip, "%s", F.sekdis.nip);
    return a;
}

static void test_plh_disposes(void **state)
{
    (void)state;
    case_t c;
    acting_t plh = plh_kadis();
    actor_t a = {.self = F.sekdis, .acting = &plh};
    unsigned quals = 99;
    assert_int_equal(actor_effective_role(&a, T0 + HOUR, &quals), ROLE_KADIS);
    assert_int_equal(quals, 0);

    case_at_step(&c, 2, T0, &F.ver1);
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = "Proses, Plh. Kepala Dinas";
    ok_as(&c, &cmd, &a, T0 + 5 * MIN);
    const event_t *ev = &F.evs.ev[0];
    assert_int_equal(ev->kind, EV_DISPOSED);
    assert_string_equal(ev->actor, F.sekdis.nip);
    assert_int_equal(ev->actor_role, ROLE_KADIS);
    assert_int_equal(ev->acting, ACTING_PLH);
    assert_string_equal(ev->acting_for, F.kadis.nip);
    /* the office is remembered, not the stand-in */
    assert_string_equal(c.actors[c.n_actors - 1], F.kadis.nip);
    assert_int_equal(c.actor_roles[c.n_actors - 1], ROLE_KADIS);

    /* so the report goes to the Kadis, and the Plh may still receive it */
    for (int s = 3; s < 7; s++)
        run_step(&c, s, T0 + 10 * MIN, &F.ver1);
    assert_int_equal(c.step, 7);
    assert_string_equal(c.assignee, F.kadis.nip);
    ok_as(&c, &(command_t){.kind = CMD_COMPLETE}, &a, T0 + 20 * MIN);
    assert_int_equal(c.state, CASE_DONE);
    assert_int_equal(F.evs.ev[0].acting, ACTING_PLH);
}

static void test_acting_not_honoured(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 2, T0, &F.ver1);
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = "Proses";
    acting_t plh = plh_kadis();
    actor_t a = {.self = F.sekdis, .acting = &plh};

    /* before and after its period: the Sekretaris acts as himself */
    refused_as(&c, &cmd, &a, T0 - MIN, SERTEL_E_WRONG_ROLE, NULL);
    refused_as(&c, &cmd, &a, T0 + 5 * DAY, SERTEL_E_WRONG_ROLE, NULL);
    assert_int_equal(actor_effective_role(&a, T0 + 5 * DAY, NULL), ROLE_KABID);
    /* an assignment made out to someone else */
    a.self = F.kabid;
    refused_as(&c, &cmd, &a, T0 + MIN, SERTEL_E_WRONG_ROLE, NULL);
    /* for an official no longer enrolled */
    a.self = F.sekdis;
    plh.holder.active = false;
    refused_as(&c, &cmd, &a, T0 + MIN, SERTEL_E_WRONG_ROLE, NULL);
}

/* ----------------------------------------------------------------- SLA */

static int sweep(case_t *c, int64_t now)
{
    memset(&F.evs, 0, sizeof F.evs);
    return engine_sla_check(F.sop, F.cal, c, now, &F.evs);
}

/* Warn at 80% and overdue at 100% of the step's Mutu Baku, each once,
 * escalated to the superior of the step's role. */
static void check_sla(int step, int64_t standard, role_t superior)
{
    case_t c;
    const officer_t *who = sop_step(F.sop, step)->role == ROLE_STAF ? &F.ver1 : NULL;
    case_at_step(&c, step, T0, &F.ver1);
    assert_int_equal(sweep(&c, T0 + standard * 4 / 5 - 1), 0);
    assert_int_equal(sweep(&c, T0 + standard * 4 / 5), 1);
    const event_t *ev = &F.evs.ev[0];
    assert_int_equal(ev->kind, EV_WARNED);
    assert_int_equal(ev->step, step);
    assert_string_equal(ev->case_id, c.id);
    assert_string_equal(ev->assignee, who ? who->nip : c.assignee);
    assert_int_equal(ev->assignee_role, sop_step(F.sop, step)->role);
    assert_int_equal(ev->work, standard * 4 / 5);
    assert_int_equal(ev->standard, standard);
    assert_true(c.warned);
    assert_int_equal(sweep(&c, T0 + standard - 1), 0);
    assert_int_equal(sweep(&c, T0 + standard), 1);
    assert_int_equal(ev->kind, EV_OVERDUE);
    assert_int_equal(ev->escalate_to, superior);
    assert_true(c.overdue);
    assert_int_equal(sweep(&c, T0 + 2 * standard), 0);
}

static void test_sla_thresholds(void **state)
{
    (void)state;
    check_sla(5, 60 * MIN, ROLE_JF);
    check_sla(4, 20 * MIN, ROLE_KABID);
    check_sla(3, 10 * MIN, ROLE_KADIS);
    check_sla(2, 10 * MIN, ROLE_NONE);

    /* a sweep that comes late reports both, warning first */
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    assert_int_equal(sweep(&c, T0 + 2 * HOUR), 2);
    assert_int_equal(F.evs.ev[0].kind, EV_WARNED);
    assert_int_equal(F.evs.ev[1].kind, EV_OVERDUE);

    /* and appends to what the caller already has */
    case_at_step(&c, 5, T0, &F.ver1);
    F.evs.n = 3;
    assert_int_equal(engine_sla_check(F.sop, F.cal, &c, T0 + 2 * HOUR, &F.evs), 2);
    assert_int_equal(F.evs.n, 5);
}

static void test_sla_each_step(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    assert_int_equal(sweep(&c, T0 + 2 * HOUR), 2);
    /* a new step has its own warnings */
    contact(&c, &F.ver1, T0 + 2 * HOUR);
    complete(&c, &F.ver1, T0 + 2 * HOUR, NULL, NULL);
    assert_false(c.warned);
    assert_false(c.overdue);
    assert_int_equal(sweep(&c, T0 + 2 * HOUR + MIN), 0);
}

static void test_sla_not_while_waiting(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    return_case(&c, &F.ver1, T0 + 10 * MIN);
    assert_int_equal(sweep(&c, T0 + 5 * HOUR), 0);
    assert_int_equal(sweep(&c, T0 + 3 * DAY), 0);
    /* resumed at 13:00 with 50 minutes left: warned at 13:38, due at 13:50 */
    resume(&c, &F.ver1, T0 + 5 * HOUR);
    assert_int_equal(sweep(&c, T0 + 5 * HOUR + 37 * MIN), 0);
    assert_int_equal(sweep(&c, T0 + 5 * HOUR + 38 * MIN), 1);
    assert_int_equal(F.evs.ev[0].kind, EV_WARNED);
    assert_int_equal(sweep(&c, T0 + 5 * HOUR + 50 * MIN), 1);
    assert_int_equal(F.evs.ev[0].kind, EV_OVERDUE);

    /* closed cases are never due */
    case_at_step(&c, 7, T0, &F.ver1);
    run_step(&c, 7, T0, &F.ver1);
    assert_int_equal(sweep(&c, T0 + 9 * DAY), 0);
}

/* One working day started on Friday at 15:00: 1.5 h on Friday, the rest
 * on Monday. The weekend does not count. */
static void test_sla_weekend(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 6, FRI_1500, &F.ver1);
    assert_int_equal(c.due_at, MON_1430);
    assert_int_equal(calendar_work_between(F.cal, FRI_1500, c.warn_at), 6 * HOUR);
    assert_true(c.warn_at >= MON_1200);
    assert_int_equal(sweep(&c, SAT_1000), 0);
    assert_int_equal(sweep(&c, MON_0745), 0);
    assert_int_equal(engine_step_work(F.cal, &c, MON_0745), 90 * MIN + 15 * MIN);
    assert_int_equal(sweep(&c, MON_1430 - MIN), 1);
    assert_int_equal(F.evs.ev[0].kind, EV_WARNED);
    assert_int_equal(sweep(&c, MON_1430), 1);
    assert_int_equal(F.evs.ev[0].kind, EV_OVERDUE);
    assert_int_equal(F.evs.ev[0].escalate_to, ROLE_JF);
    assert_int_equal(F.evs.ev[0].work, 7 * HOUR + 30 * MIN);
}

/* -------------------------------------------------------- event kinds */


/* ------------------------------------------------------- acting officials */

/* The officer who registered the letter does not dispose it as Plh of the
 * Kadis, unless the SOP says pisah-tugas: tidak. */
static void test_separation_of_duties(void **state)
{
    (void)state;
    case_t c;
    acting_t plh = plh_kadis();
    snprintf(plh.by_nip, sizeof plh.by_nip, "%s", F.staf.nip);
    actor_t a = {.self = F.staf, .acting = &plh};
    case_at_step(&c, 2, T0, &F.ver1);
    assert_string_equal(c.received_by, F.staf.nip);
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = "Proses";
    refused_as(&c, &cmd, &a, T0 + 5 * MIN, SERTEL_E_DENIED, "pisah-tugas");
    /* withdrawing stays the registrar's business */
    command_t wd = command(CMD_WITHDRAW);
    wd.reason = "Pemohon mencabut";
    case_t out;
    assert_int_equal(apply_as(&c, &wd, &a, T0 + 5 * MIN, &out), SERTEL_OK);

    char err[256];
    static const char text[] =
        "kode: x\nnomor: 1\nnama: X\ninstansi: I\nunit: U\npisah-tugas: tidak\n"
        "plt-plh: kadis = kabid, staf\n"
        "langkah: 1\nkegiatan: Terima\npelaksana: staf\nkelengkapan: Surat\nwaktu: 10 menit\n"
        "langkah: 2\nkegiatan: Disposisi\npelaksana: kadis\nkelengkapan: Surat\nwaktu: 10 menit\n";
    sop_t *sop = sop_parse(text, "x.sop", err, sizeof err);
    assert_non_null(sop);
    assert_true(sop_may_stand_in(sop, ROLE_KADIS, ROLE_STAF));
    assert_false(sop_may_stand_in(sop, ROLE_KADIS, ROLE_JF));
    /* roles the file does not name keep the default */
    assert_true(sop_may_stand_in(sop, ROLE_JF, ROLE_STAF));
    assert_false(sop_may_stand_in(sop, ROLE_STAF, ROLE_JF));
    assert_true(sop_may_stand_in(F.sop, ROLE_KADIS, ROLE_KABID));
    assert_false(sop_may_stand_in(F.sop, ROLE_KADIS, ROLE_STAF));
    sop_t *shipped = F.sop;
    F.sop = sop;
    application_t app = application();
    command_t in = command(CMD_INTAKE);
    in.case_id = "X-1";
    in.sop_code = "x";
    in.app = &app;
    ok(&c, &in, &F.staf, T0);
    ok(&c, &(command_t){.kind = CMD_COMPLETE}, &F.staf, T0);
    ok_as(&c, &cmd, &a, T0 + MIN);
    assert_int_equal(c.state, CASE_DONE);
    F.sop = shipped;
    sop_destroy(&sop);
    assert_null(sop_parse("kode: x\nplt-plh: kadis = raja\n", "y.sop", err, sizeof err));
    assert_non_null(strstr(err, "raja"));
}

/* ------------------------------------------------------ the verifier pool */

static void test_pool_take(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 4, T0, &F.ver1);
    complete(&c, &F.jf, T0 + MIN, "Ke pool verifikator", NULL);
    assert_string_equal(c.assignee, "");

    /* nobody records work on a case still in the pool */
    command_t talk = command(CMD_CONTACT);
    talk.contact_channel = CONTACT_EMAIL;
    talk.summary = "Menghubungi pemohon";
    refused(&c, &talk, &F.ver1, T0 + 2 * MIN, SERTEL_E_WRONG_ACTOR, "sertel take");
    command_t file = command(CMD_ATTACH);
    file.attachments = &report;
    file.n_attachments = 1;
    refused(&c, &file, &F.ver2, T0 + 2 * MIN, SERTEL_E_WRONG_ACTOR, "sertel take");

    /* one takes it: the event tells the pool, the others are refused */
    command_t take = command(CMD_TAKE);
    refused(&c, &take, &F.staf, T0 + 2 * MIN, SERTEL_E_WRONG_ROLE, NULL);
    ok(&c, &take, &F.ver1, T0 + 2 * MIN);
    assert_string_equal(c.assignee, F.ver1.nip);
    assert_int_equal(F.evs.n, 1);
    assert_int_equal(F.evs.ev[0].kind, EV_TAKEN);
    assert_string_equal(F.evs.ev[0].assignee, F.ver1.nip);
    assert_int_equal(F.evs.ev[0].assignee_quals, QUAL_VERIFIKATOR);
    refused(&c, &take, &F.ver2, T0 + 3 * MIN, SERTEL_E_WRONG_ACTOR, F.ver1.nip);
    refused(&c, &take, &F.ver1, T0 + 3 * MIN, SERTEL_E_STATE, NULL);
    refused(&c, &talk, &F.ver2, T0 + 3 * MIN, SERTEL_E_WRONG_ACTOR, NULL);
    ok(&c, &talk, &F.ver1, T0 + 3 * MIN);
    /* the deadline is the step's, not reset by the taking */
    assert_int_equal(c.step_started_at, T0 + MIN);
}

static void test_pool_reassign(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 5, T0, &F.ver1);
    command_t re = command(CMD_REASSIGN);
    re.to = &F.ver2;
    refused(&c, &re, &F.ver2, T0 + MIN, SERTEL_E_WRONG_ROLE, NULL); /* a peer may not */
    refused(&c, &re, &F.jf, T0 + MIN, SERTEL_E_INVALID, NULL);      /* no reason */
    re.reason = "Asep Hidayat cuti sakit";
    re.to = &F.staf;
    refused(&c, &re, &F.jf, T0 + MIN, SERTEL_E_WRONG_ROLE, NULL);   /* not a verifier */
    re.to = &F.ver2;
    ok(&c, &re, &F.jf, T0 + MIN);
    assert_string_equal(c.assignee, F.ver2.nip);
    assert_int_equal(F.evs.ev[0].kind, EV_REASSIGNED);
    assert_string_equal(F.evs.ev[0].note, F.ver1.nip);
    assert_string_equal(F.evs.ev[0].text, "Asep Hidayat cuti sakit");
    assert_string_equal(F.evs.ev[0].assignee, F.ver2.nip);
    refused(&c, &re, &F.kabid, T0 + 2 * MIN, SERTEL_E_STATE, NULL); /* already with her */

    /* the Kabid, above the JF, may put it back in the pool */
    re.to = NULL;
    ok(&c, &re, &F.kabid, T0 + 2 * MIN);
    assert_string_equal(c.assignee, "");
    assert_string_equal(F.evs.ev[0].note, F.ver2.nip);
    refused(&c, &re, &F.kabid, T0 + 3 * MIN, SERTEL_E_STATE, NULL); /* already in the pool */
}

/* A return from the pool takes the case: it waits for the returner. */
static void test_pool_return_takes(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 2, T0, &F.ver1);
    assert_string_equal(c.assignee, "");
    return_case(&c, &F.kadis, T0 + MIN);
    assert_string_equal(c.assignee, F.kadis.nip);
}

/* ------------------------------------------------ the lembar disposisi */

static void test_sheet_head(void **state)
{
    (void)state;
    case_t c;
    application_t app = application();
    app.classification = CLASS_RAHASIA;
    app.urgency = URGENCY_SEGERA;
    snprintf(app.agenda_no, sizeof app.agenda_no, "045/SM/2026");
    snprintf(app.srikandi_no, sizeof app.srikandi_no, "SRK-2026-000123");
    snprintf(app.received_date, sizeof app.received_date, "2026-11-21");
    command_t cmd = command(CMD_INTAKE);
    cmd.case_id = "SE-2026-00001";
    cmd.sop_code = "pembaharuan";
    cmd.app = &app;
    ok(&c, &cmd, &F.staf, T0);
    assert_int_equal(c.app.classification, CLASS_RAHASIA);
    assert_int_equal(c.urgency, URGENCY_SEGERA);
    assert_int_equal(F.evs.ev[0].urgency, URGENCY_SEGERA);
    assert_string_equal(c.app.agenda_no, "045/SM/2026");
    assert_string_equal(c.app.srikandi_no, "SRK-2026-000123");
    assert_string_equal(c.app.received_date, "2026-11-21");

    /* not given: biasa, received today (Monday 23 November, WIB) */
    app = application();
    ok(&c, &cmd, &F.staf, T0);
    assert_int_equal(c.app.classification, CLASS_BIASA);
    assert_string_equal(c.app.received_date, "2026-11-23");

    snprintf(app.received_date, sizeof app.received_date, "2026-11-19");
    refused(NULL, &cmd, &F.staf, T0, SERTEL_E_INVALID, "2026-11-19");
    snprintf(app.received_date, sizeof app.received_date, "2026-11-24");
    refused(NULL, &cmd, &F.staf, T0, SERTEL_E_INVALID, "2026-11-24");
    app = application();
    app.classification = (classification_t)5;
    refused(NULL, &cmd, &F.staf, T0, SERTEL_E_INVALID, NULL);
}

static void test_sheet_boxes_and_note(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 2, T0, &F.ver1);
    boxes_t boxes = {.n = 2};
    snprintf(boxes.v[0], sizeof boxes.v[0], "tanggapi");
    snprintf(boxes.v[1], sizeof boxes.v[1], "PROSES-LEBIH-LANJUT");
    command_t cmd = command(CMD_COMPLETE);
    cmd.boxes = &boxes;
    cmd.note = "Mohon dibantu hari ini";
    /* a ticked box is an instruction: syarat instruksi is met */
    ok(&c, &cmd, &F.kadis, T0 + MIN);
    assert_int_equal(c.boxes.n, 2);
    assert_string_equal(c.boxes.v[0], "Tanggapi");
    assert_string_equal(c.boxes.v[1], "Proses lebih lanjut");
    assert_string_equal(c.note, "Mohon dibantu hari ini");
    const event_t *ev = &F.evs.ev[F.evs.n - 1];
    assert_int_equal(ev->boxes.n, 2);
    assert_string_equal(ev->boxes.v[1], "Proses lebih lanjut");
    assert_string_equal(ev->note, "Mohon dibantu hari ini");

    /* the next disposition starts a new sheet */
    complete(&c, &F.kabid, T0 + 2 * MIN, "Tindak lanjuti", NULL);
    assert_int_equal(c.boxes.n, 0);
    assert_string_equal(c.note, "");

    snprintf(boxes.v[1], sizeof boxes.v[1], "bakar");
    cmd.instruction = "Verifikasi";
    cmd.to = &F.ver1;
    refused(&c, &cmd, &F.jf, T0 + 3 * MIN, SERTEL_E_INVALID, "bakar");
    snprintf(boxes.v[1], sizeof boxes.v[1], "Tanggapi");
    refused(&c, &cmd, &F.jf, T0 + 3 * MIN, SERTEL_E_INVALID, "Tanggapi");
}

static void test_sheet_deadline(void **state)
{
    (void)state;
    case_t c;
    case_at_step(&c, 2, T0, &F.ver1);
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = "Segera";
    /* tighter than step 3's 10 minutes: the batas waktu is the deadline */
    cmd.deadline = T0 + 5 * MIN;
    ok(&c, &cmd, &F.kadis, T0);
    assert_int_equal(c.deadline, T0 + 5 * MIN);
    assert_int_equal(c.due_at, T0 + 5 * MIN);
    assert_int_equal(c.warn_at, T0 + 4 * MIN);
    assert_int_equal(F.evs.ev[F.evs.n - 1].deadline, T0 + 5 * MIN);
    assert_int_equal(sweep(&c, T0 + 5 * MIN), 2);

    /* looser than the Mutu Baku: the Mutu Baku stands */
    case_at_step(&c, 2, T0, &F.ver1);
    cmd.deadline = T0 + 3 * HOUR;
    ok(&c, &cmd, &F.kadis, T0);
    assert_int_equal(c.due_at, T0 + 10 * MIN);

    case_at_step(&c, 2, T0, &F.ver1);
    cmd.deadline = T0 - MIN;
    refused(&c, &cmd, &F.kadis, T0, SERTEL_E_INVALID, NULL);
}

/* An office that lets urgency shorten the Mutu Baku says so in the SOP. */
static void test_sheet_urgency(void **state)
{
    (void)state;
    char path[1024], err[512];
    const char *src = getenv("SERTEL_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/sop/pembaharuan-sertifikat-elektronik.sop",
             src ? src : SERTEL_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 64, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, "kode: pembaharuan\n");
    assert_non_null(at);
    at += strlen("kode: pembaharuan\n");
    static const char extra[] = "waktu-segera: 50%\n";
    memmove(at + strlen(extra), at, strlen(at) + 1);
    memcpy(at, extra, strlen(extra));
    sop_t *sop = sop_parse(text, "test.sop", err, sizeof err);
    assert_non_null(sop);
    assert_int_equal(sop_urgency_percent(sop, URGENCY_SEGERA), 50);
    assert_int_equal(sop_urgency_percent(sop, URGENCY_SANGAT_SEGERA), 100);
    sop_t *shipped = F.sop;
    F.sop = sop;
    case_t c;
    case_at_step(&c, 2, T0, &F.ver1);
    command_t cmd = command(CMD_COMPLETE);
    cmd.instruction = "Segera";
    cmd.urgency = URGENCY_SEGERA;
    ok(&c, &cmd, &F.kadis, T0);
    assert_int_equal(c.urgency, URGENCY_SEGERA);
    assert_int_equal(c.due_at, T0 + 5 * MIN);
    /* and stays in force for the steps after */
    complete(&c, &F.kabid, T0, "Tindak lanjuti", NULL);
    assert_int_equal(c.due_at, T0 + 10 * MIN);
    F.sop = shipped;
    sop_destroy(&sop);

    assert_null(sop_parse("kode: x\nwaktu-segera: 0%\n", "bad.sop", err, sizeof err));
    assert_non_null(strstr(err, "bad.sop:2"));
}

static void test_event_kinds(void **state)
{
    (void)state;
    static const char *const codes[] = {
        NULL, "diterima", "didisposisikan", "diarsipkan", "dikembalikan", "dilanjutkan",
        "ditolak", "dicabut", "dilampiri", "dihubungi", "sertifikat", "peringatan",
        "terlambat"};
    for (int k = EV_RECEIVED; k <= EV_OVERDUE; k++) {
        assert_string_equal(event_kind_code((event_kind_t)k), codes[k]);
        assert_true(event_kind_title((event_kind_t)k)[0] != '\0');
    }
    assert_null(event_kind_code((event_kind_t)0));
    assert_null(event_kind_code((event_kind_t)(EV_OVERDUE + 1)));
    assert_string_equal(event_kind_title((event_kind_t)99), "");
    assert_string_equal(event_kind_title(EV_RECEIVED), "received");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_sop),
        cmocka_unit_test(test_full_renewal),
        cmocka_unit_test(test_default_assignees),
        cmocka_unit_test(test_refuse_wrong_role),
        cmocka_unit_test(test_refuse_wrong_actor),
        cmocka_unit_test(test_refuse_target),
        cmocka_unit_test(test_refuse_closed),
        cmocka_unit_test(test_refuse_duplicate_request),
        cmocka_unit_test(test_refuse_missing_kelengkapan),
        cmocka_unit_test(test_refuse_state),
        cmocka_unit_test(test_refuse_invalid_intake),
        cmocka_unit_test(test_refuse_inactive_actor),
        cmocka_unit_test(test_refuse_invalid_inputs),
        cmocka_unit_test(test_return_resume),
        cmocka_unit_test(test_resume_past_warning),
        cmocka_unit_test(test_reject_and_withdraw),
        cmocka_unit_test(test_plh_disposes),
        cmocka_unit_test(test_acting_not_honoured),
        cmocka_unit_test(test_sla_thresholds),
        cmocka_unit_test(test_sla_each_step),
        cmocka_unit_test(test_sla_not_while_waiting),
        cmocka_unit_test(test_sla_weekend),
        cmocka_unit_test(test_separation_of_duties),
        cmocka_unit_test(test_pool_take),
        cmocka_unit_test(test_pool_reassign),
        cmocka_unit_test(test_pool_return_takes),
        cmocka_unit_test(test_sheet_head),
        cmocka_unit_test(test_sheet_boxes_and_note),
        cmocka_unit_test(test_sheet_deadline),
        cmocka_unit_test(test_sheet_urgency),
        cmocka_unit_test(test_event_kinds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
