/* sertel-admin officer: enrol officers with their keys, list them, change
 * their role, correct their names, replace a lost key, disable and enable
 * them. Everything goes through the broker; the only
 * secret handled here is a new officer's private key, which is made on
 * this machine and never sent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "admin.h"
#include "case.h"
#include "i18n.h"
#include "json.h"
#include "role.h"
#include "validate.h"

#define QUALS_TEXT 64

/* The id `sertel-admin init` gives the first administrator unless told
 * --admin-nip: not a NIP, but an officer all the same. */
#define BUILTIN_ADMIN "admin"

static bool check_officer_id(const char *prog, const char *what, const char *id)
{
    return strcmp(id, BUILTIN_ADMIN) == 0 || admin_check_nip(prog, what, id);
}

/* "verifikator" or a comma-separated list of qualification codes. */
static bool parse_quals(const char *prog, const char *s, unsigned *out)
{
    *out = 0;
    if (!s)
        return true;
    char copy[QUALS_TEXT], *save = NULL;
    snprintf(copy, sizeof copy, "%s", s);
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned q = qual_from_code(tok);
        if (!q) {
            cli_error(prog, _("unknown qualification '%s': the only one is verifikator"), tok);
            return false;
        }
        *out |= q;
    }
    return true;
}

static bool parse_role(const char *prog, const char *s, role_t *out)
{
    *out = role_from_code(s);
    if (*out == ROLE_NONE)
        cli_error(prog, _("unknown role '%s': give kadis, kabid, jf, staf, admin or notifier"), s ? s : "");
    return *out != ROLE_NONE;
}

/* "Kepala Dinas" or "Staf (verifikator)". */
static const char *role_text(role_t role, unsigned quals, char *buf, size_t len)
{
    char q[QUALS_TEXT];
    qual_codes(quals, q, sizeof q);
    snprintf(buf, len, "%s%s%s%s", role_title(role), q[0] ? " (" : "", q, q[0] ? ")" : "");
    return buf;
}

/* ---- officer add -------------------------------------------------------- */

typedef struct {
    const char *name, *nip, *role, *qual, *unit, *position, *out;
    role_t role_v;
    unsigned quals;
} add_opts_t;

static const admin_cmd_t cmd_add = {
    "sertel-admin officer add",
    N_("--name NAME --nip NIP --role kadis|kabid|jf|staf|admin|notifier\n"
       "       [--qualification verifikator] [--unit UNIT] [--position TEXT] --out KEYFILE"),
    N_("Enrols an officer. Their CURVE key pair is made here; only the public key\n"
       "is sent to the broker. Once the broker has accepted the officer, their key\n"
       "file (endpoint, broker key, key pair) is written to KEYFILE with mode 0600;\n"
       "an existing KEYFILE is never overwritten. Hand the file to the officer.\n"),
    false, 0, 0,
};

static int key_out_check(const char *prog, const char *out)
{
    if (access(out, F_OK) == 0) {
        cli_error(prog, _("%s already exists; key files are never overwritten: choose another --out"),
                  out);
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

/* Everything that can be checked without the broker, so that a mistake
 * costs nothing and never half-enrols an officer. */
static int add_check(add_opts_t *o)
{
    const char *prog = cmd_add.prog;
    char why[256];
    const struct {
        const char *opt, *value;
    } required[] = {{"--name", o->name}, {"--nip", o->nip}, {"--role", o->role}, {"--out", o->out}};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!required[i].value)
            return admin_usage_error(&cmd_add, _("%s is required"), required[i].opt);
    if (!admin_check_nip(prog, "--nip", o->nip) || !parse_role(prog, o->role, &o->role_v) ||
        !parse_quals(prog, o->qual, &o->quals))
        return EXIT_USAGE;
    if (validate_text(_("name"), o->name, NAME_MAX_LEN, true, why, sizeof why) != SERTEL_OK ||
        validate_text(_("unit"), o->unit ? o->unit : "", NAME_MAX_LEN, false, why,
                      sizeof why) != SERTEL_OK ||
        validate_text(_("position"), o->position ? o->position : "", NAME_MAX_LEN, false, why,
                      sizeof why) != SERTEL_OK) {
        cli_error(prog, "%s", why);
        return EXIT_USAGE;
    }
    return key_out_check(prog, o->out);
}

static void officer_pb(const add_opts_t *o, const keyfile_t *kf, uint8_t pub[32],
                       Sertel__Officer *pb)
{
    sertel__officer__init(pb);
    zmq_z85_decode(pub, kf->public_key);
    pb->nip = (char *)o->nip;
    pb->name = (char *)o->name;
    pb->unit = (char *)(o->unit ? o->unit : "");
    pb->position = (char *)(o->position ? o->position : "");
    pb->role = (Sertel__Role)o->role_v;
    pb->quals = o->quals;
    pb->active = true;
    pb->public_key.data = pub;
    pb->public_key.len = 32;
}

static int add_send(cli_t *cli, const add_opts_t *o, const keyfile_t *kf)
{
    uint8_t pub[32];
    Sertel__Officer pb;
    officer_pb(o, kf, pub, &pb);
    Sertel__OfficerAdd add = SERTEL__OFFICER_ADD__INIT;
    add.officer = &pb;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_ADD;
    req.officer_add = &add;
    return admin_call_done(cli, &req);
}

/* The key file is written beside KEYFILE before the request and moved
 * into place once the broker said yes (link, which never replaces a file;
 * rename only where the file system has no links). So KEYFILE appears only for an enrolled officer, and a full disk
 * or a read-only directory is found before the broker enrols anyone:
 * an enrolled NIP cannot be enrolled again with a new key. */
static int key_finish(const char *prog, const char *tmp, const char *out, int rc)
{
    if (rc != EXIT_DONE) {
        unlink(tmp);
        return rc;
    }
    if (link(tmp, out) == 0 || (errno != EEXIST && rename(tmp, out) == 0)) {
        unlink(tmp);
        return EXIT_DONE;
    }
    cli_error(prog, _("the broker took the key, but %s could not be made (%s); the officer's "
                      "key file is %s: rename it"), out, strerror(errno), tmp);
    return EXIT_USAGE;
}

/* Sends the request that carries the new public key. */
typedef int (*key_send_fn)(cli_t *cli, const void *arg, const keyfile_t *kf);

/* A new key pair for an officer: written beside out, sent, and moved into
 * place once the broker took it (key_finish). */
static int key_run(const char *prog, const cli_common_t *common, const char *nip,
                   const char *name, const char *out, key_send_fn send, const void *arg)
{
    cli_t cli;
    char err[1024], tmp[4096];
    int rc = cli_open(&cli, prog, common);
    keyfile_t kf = {0};
    if (rc == EXIT_DONE) {
        /* The endpoint this admin reached the broker at (--endpoint or
         * $SERTEL_ENDPOINT when given) is the one officers will use. */
        snprintf(kf.endpoint, sizeof kf.endpoint, "%s", conn_endpoint(cli.conn));
        memcpy(kf.broker_public, cli.kf.broker_public, sizeof kf.broker_public);
        snprintf(kf.nip, sizeof kf.nip, "%s", nip);
        snprintf(kf.name, sizeof kf.name, "%s", name);
        snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
        if (keyfile_generate(&kf, err, sizeof err) != SERTEL_OK ||
            keyfile_write(tmp, &kf, err, sizeof err) != SERTEL_OK) {
            cli_error(prog, "%s", err);
            rc = EXIT_USAGE;
        } else {
            rc = key_finish(prog, tmp, out, send(&cli, arg, &kf));
        }
    }
    cli_close(&cli);
    memset(&kf, 0, sizeof kf); /* the secret key leaves memory with the command */
    return rc;
}

static int add_send_key(cli_t *cli, const void *arg, const keyfile_t *kf)
{
    return add_send(cli, arg, kf);
}

static int officer_add(int argc, char **argv)
{
    add_opts_t o = {0};
    const cli_opt_t opts[] = {
        {"--name", "NAME", &o.name, NULL, NULL, N_("the officer's full name")},
        {"--nip", "NIP", &o.nip, NULL, NULL, N_("the officer's NIP (18 digits)")},
        {"--role", "ROLE", &o.role, NULL, NULL, N_("kadis, kabid, jf, staf, admin or notifier")},
        {"--qualification", "QUAL", &o.qual, NULL, NULL, N_("verifikator (Verifikator Sertifikat Elektronik)")},
        {"--unit", "UNIT", &o.unit, NULL, NULL, N_("the officer's unit (optional)")},
        {"--position", "TEXT", &o.position, NULL, NULL,
         N_("the officer's position (jabatan), shown beside their name (optional)")},
        {"--out", "KEYFILE", &o.out, NULL, NULL, N_("where to write the officer's key file")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_add, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    if ((rc = add_check(&o)) != EXIT_DONE ||
        (rc = key_run(cmd_add.prog, &common, o.nip, o.name, o.out, add_send_key, &o)) != EXIT_DONE)
        return rc;
    char role[256];
    printf(_("Officer %s (%s, %s) has been enrolled. Key file: %s\n"), o.nip, o.name,
           role_text(o.role_v, o.quals, role, sizeof role), o.out);
    printf(_("Hand this file to the officer in person: it holds their private key, and no copy "
             "is kept anywhere else.\n"));
    return EXIT_DONE;
}

/* ---- officer list ----------------------------------------------------- */

static const admin_cmd_t cmd_list = {
    "sertel-admin officer list",
    N_("[--json]"),
    N_("Lists the enrolled officers: NIP, name, role, qualification, active.\n"),
    true, 0, 0,
};

static void list_json(const Sertel__OfficerListReply *r)
{
    json_t j;
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "officers");
    for (size_t i = 0; i < r->n_officers; i++) {
        const Sertel__Officer *o = r->officers[i];
        char q[QUALS_TEXT];
        json_obj_begin(&j, NULL);
        json_str(&j, "nip", o->nip);
        json_str(&j, "name", o->name);
        json_str(&j, "unit", o->unit);
        json_str(&j, "position", o->position);
        json_str(&j, "role", role_code((role_t)o->role));
        json_str(&j, "role_title", role_title((role_t)o->role));
        json_arr_begin(&j, "qualifications");
        if (o->quals & QUAL_VERIFIKATOR)
            json_str(&j, NULL, qual_codes(QUAL_VERIFIKATOR, q, sizeof q));
        json_arr_end(&j);
        json_bool(&j, "active", o->active);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

static void list_table(const Sertel__OfficerListReply *r)
{
    const char *titles[] = {_("NIP"), _("Name"), _("Role"), _("Qualification"), _("Active")};
    admin_table_t t;
    admin_table_init(&t, titles, 5, 0);
    for (size_t i = 0; i < r->n_officers; i++) {
        const Sertel__Officer *o = r->officers[i];
        char q[QUALS_TEXT];
        const char *row[] = {o->nip, o->name, role_title((role_t)o->role),
                             qual_codes(o->quals, q, sizeof q), admin_yes_no(o->active)};
        admin_table_add(&t, row);
    }
    admin_table_print(&t, stdout);
    admin_table_free(&t);
}

static int officer_list(int argc, char **argv)
{
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_list, argc, argv, NULL, 0, &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    Sertel__OfficerList list = SERTEL__OFFICER_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_LIST;
    req.officer_list = &list;
    rc = admin_request(cmd_list.prog, &common, &req, SERTEL__ENVELOPE__BODY_OFFICERS, &reply);
    if (rc != EXIT_DONE)
        return rc;
    (common.json ? list_json : list_table)(reply->officers);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}

/* ---- officer disable -------------------------------------------------- */

static const admin_cmd_t cmd_disable = {
    "sertel-admin officer disable",
    N_("NIP"),
    N_("Disables an officer's key: the broker refuses it from now on and ends its\n"
       "live session. The officer and their history stay in the records.\n"),
    false, 1, 1,
};

static int officer_disable(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_disable, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    if (!check_officer_id(cmd_disable.prog, "NIP", pos[0]))
        return EXIT_USAGE;
    Sertel__OfficerDisable dis = SERTEL__OFFICER_DISABLE__INIT;
    dis.nip = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_DISABLE;
    req.officer_disable = &dis;
    rc = admin_command(cmd_disable.prog, &common, &req);
    if (rc != EXIT_DONE)
        return rc;
    printf(_("Officer %s is disabled: the broker no longer accepts their key.\n"), pos[0]);
    return EXIT_DONE;
}

/* ---- officer role ----------------------------------------------------- */

static const admin_cmd_t cmd_role = {
    "sertel-admin officer role",
    N_("NIP --role kadis|kabid|jf|staf|admin [--qualification verifikator]"),
    N_("Changes an officer's role and qualifications. The qualifications are\n"
       "replaced: leaving out --qualification removes verifikator.\n"),
    false, 1, 1,
};

static int officer_role(int argc, char **argv)
{
    const char *role = NULL, *qual = NULL;
    const cli_opt_t opts[] = {
        {"--role", "ROLE", &role, NULL, NULL, N_("kadis, kabid, jf, staf or admin")},
        {"--qualification", "QUAL", &qual, NULL, NULL, N_("verifikator (Verifikator Sertifikat Elektronik)")},
    };
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_role, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    role_t r;
    unsigned quals;
    if (!role)
        return admin_usage_error(&cmd_role, _("%s is required"), "--role");
    if (!check_officer_id(cmd_role.prog, "NIP", pos[0]) || !parse_role(cmd_role.prog, role, &r) ||
        !parse_quals(cmd_role.prog, qual, &quals))
        return EXIT_USAGE;
    Sertel__OfficerRole in = SERTEL__OFFICER_ROLE__INIT;
    in.nip = (char *)pos[0];
    in.role = (Sertel__Role)r;
    in.quals = quals;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_ROLE;
    req.officer_role = &in;
    rc = admin_command(cmd_role.prog, &common, &req);
    if (rc != EXIT_DONE)
        return rc;
    char text[256];
    printf(_("Officer %s is now %s.\n"), pos[0], role_text(r, quals, text, sizeof text));
    return EXIT_DONE;
}

/* ---- officer rekey, enable, edit ---------------------------------------- */

/* The enrolled officer with this NIP, from the broker's list; EXIT_DONE
 * with the name copied, else the exit code after saying why. */
static int officer_lookup(const char *prog, const cli_common_t *common, const char *nip,
                          char *name, size_t len)
{
    Sertel__OfficerList list = SERTEL__OFFICER_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_LIST;
    req.officer_list = &list;
    int rc = admin_request(prog, common, &req, SERTEL__ENVELOPE__BODY_OFFICERS, &reply);
    if (rc != EXIT_DONE)
        return rc;
    rc = EXIT_REFUSED;
    for (size_t i = 0; i < reply->officers->n_officers; i++)
        if (strcmp(reply->officers->officers[i]->nip, nip) == 0) {
            snprintf(name, len, "%s", reply->officers->officers[i]->name);
            rc = EXIT_DONE;
        }
    sertel__envelope__free_unpacked(reply, NULL);
    if (rc != EXIT_DONE)
        cli_error(prog, _("officer %s is not enrolled"), nip);
    return rc;
}

static const admin_cmd_t cmd_rekey = {
    "sertel-admin officer rekey",
    N_("NIP --out KEYFILE"),
    N_("Gives an officer a new key pair, for a key file lost or leaked. The pair is\n"
       "made here and only the public key is sent; the old key is refused from that\n"
       "moment and its live sessions are dropped. The new key file is written to\n"
       "KEYFILE with mode 0600 (never over an existing file). The change is\n"
       "journaled. A disabled officer stays disabled: see officer enable.\n"),
    false, 1, 1,
};

static int rekey_send(cli_t *cli, const void *arg, const keyfile_t *kf)
{
    uint8_t pub[32];
    zmq_z85_decode(pub, kf->public_key);
    Sertel__OfficerRekey in = SERTEL__OFFICER_REKEY__INIT;
    in.nip = (char *)arg;
    in.public_key.data = pub;
    in.public_key.len = sizeof pub;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_REKEY;
    req.officer_rekey = &in;
    return admin_call_done(cli, &req);
}

static int officer_rekey(int argc, char **argv)
{
    const char *out = NULL, *pos[1];
    const cli_opt_t opts[] = {
        {"--out", "KEYFILE", &out, NULL, NULL, N_("where to write the officer's new key file")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_rekey, argc, argv, opts, 1, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    if (!out)
        return admin_usage_error(&cmd_rekey, _("%s is required"), "--out");
    char name[NAME_MAX_LEN + 1];
    if (!check_officer_id(cmd_rekey.prog, "NIP", pos[0]))
        return EXIT_USAGE;
    if ((rc = key_out_check(cmd_rekey.prog, out)) != EXIT_DONE ||
        (rc = officer_lookup(cmd_rekey.prog, &common, pos[0], name, sizeof name)) != EXIT_DONE ||
        (rc = key_run(cmd_rekey.prog, &common, pos[0], name, out, rekey_send, pos[0])) != EXIT_DONE)
        return rc;
    printf(_("%s (NIP %s) has a new key; the old one is refused from now on. Key file: %s\n"),
           name, pos[0], out);
    printf(_("Hand this file to the officer in person: it holds their private key, and no copy "
             "is kept anywhere else.\n"));
    return EXIT_DONE;
}

static const admin_cmd_t cmd_enable = {
    "sertel-admin officer enable",
    N_("NIP"),
    N_("Enables a disabled officer again: the broker accepts their key from now on\n"
       "(give them a new one first with officer rekey if theirs was lost).\n"),
    false, 1, 1,
};

static int officer_enable(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_enable, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    if (!check_officer_id(cmd_enable.prog, "NIP", pos[0]))
        return EXIT_USAGE;
    Sertel__OfficerEnable in = SERTEL__OFFICER_ENABLE__INIT;
    in.nip = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_ENABLE;
    req.officer_enable = &in;
    rc = admin_command(cmd_enable.prog, &common, &req);
    if (rc != EXIT_DONE)
        return rc;
    printf(_("Officer %s is enabled: the broker accepts their key again.\n"), pos[0]);
    return EXIT_DONE;
}

static const admin_cmd_t cmd_edit = {
    "sertel-admin officer edit",
    N_("NIP [--name NAME] [--unit UNIT] [--position TEXT]"),
    N_("Corrects an officer's name, unit or position (jabatan); what is not given\n"
       "stays as it is. The change is journaled; events already recorded keep the\n"
       "words they were written with.\n"),
    false, 1, 1,
};

static int officer_edit(int argc, char **argv)
{
    const char *name = NULL, *unit = NULL, *position = NULL, *pos[1];
    const cli_opt_t opts[] = {
        {"--name", "NAME", &name, NULL, NULL, N_("the officer's full name")},
        {"--unit", "UNIT", &unit, NULL, NULL, N_("the officer's unit")},
        {"--position", "TEXT", &position, NULL, NULL, N_("the officer's position (jabatan)")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_edit, argc, argv, opts, 3, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    char why[256];
    if (!name && !unit && !position)
        return admin_usage_error(&cmd_edit, _("nothing to change: give --name, --unit or --position"));
    if (!check_officer_id(cmd_edit.prog, "NIP", pos[0]))
        return EXIT_USAGE;
    if ((name && validate_text(_("name"), name, NAME_MAX_LEN, true, why, sizeof why)) ||
        (unit && validate_text(_("unit"), unit, NAME_MAX_LEN, true, why, sizeof why)) ||
        (position && validate_text(_("position"), position, NAME_MAX_LEN, true, why, sizeof why))) {
        cli_error(cmd_edit.prog, "%s", why);
        return EXIT_USAGE;
    }
    Sertel__OfficerEdit in = SERTEL__OFFICER_EDIT__INIT;
    in.nip = (char *)pos[0];
    in.name = (char *)(name ? name : "");
    in.unit = (char *)(unit ? unit : "");
    in.position = (char *)(position ? position : "");
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_EDIT;
    req.officer_edit = &in;
    rc = admin_command(cmd_edit.prog, &common, &req);
    if (rc != EXIT_DONE)
        return rc;
    printf(_("Officer %s is updated.\n"), pos[0]);
    return EXIT_DONE;
}

/* ---- the group -------------------------------------------------------- */

static const admin_sub_t subs[] = {
    {"add", officer_add, N_("enrol an officer and write their key file")},
    {"list", officer_list, N_("list the enrolled officers")},
    {"disable", officer_disable, N_("refuse an officer's key from now on")},
    {"role", officer_role, N_("change an officer's role and qualification")},
    {"rekey", officer_rekey, N_("give an officer a new key pair; the old key is cut off")},
    {"enable", officer_enable, N_("accept a disabled officer's key again")},
    {"edit", officer_edit, N_("correct an officer's name, unit or position")},
};

int admin_officer_main(int argc, char **argv)
{
    return admin_group("officer", subs, sizeof subs / sizeof subs[0], argc, argv);
}
