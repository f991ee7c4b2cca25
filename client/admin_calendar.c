/* sertel-admin calendar: the office's working calendar (zone, hours,
 * holidays, periods such as Ramadan). `check` reads files offline;
 * `load` sends one to the broker, which keeps it in its database and
 * counts working time by it from then on. */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "i18n.h"
#include "worktime.h"

#define CALENDAR_FILE_MAX (1u << 20)
/* a "day" no week reaches: durations in hours and minutes */
#define HOURS_ONLY (INT64_C(1) << 40)

static const admin_cmd_t cmd_check = {
    "sertel-admin calendar check",
    N_("FILE..."),
    N_("Checks working-calendar files (sop/kalender-kerja.conf) without a broker: the\n"
       "first mistake of each is named as FILE:LINE: reason. A good file is summed up:\n"
       "its time zone, working hours a week, holidays up to the last one listed, and\n"
       "its periods with their own hours (Ramadan).\n"),
    false, 1, 64,
};

static const admin_cmd_t cmd_load = {
    "sertel-admin calendar load",
    N_("FILE"),
    N_("Checks the file as 'calendar check' does and sends it to the broker, which runs\n"
       "it from then on: deadlines planned from now on, the time left shown to officers\n"
       "and the zone their times are shown in. Deadlines already planned stay as they\n"
       "were. The change is journaled.\n"),
    false, 1, 1,
};

/* The file's text (NUL-terminated) and its parsed calendar, or NULL after
 * naming the problem. */
static char *read_calendar(const char *prog, const char *path, calendar_t **cal)
{
    size_t len;
    char *text = (char *)cli_read_file(prog, path, CALENDAR_FILE_MAX, &len);
    char err[1024];
    if (!text)
        return NULL;
    text[len] = '\0';
    if (strlen(text) != len)
        cli_error(prog, _("%s: not a text file (it holds a NUL byte)"), path);
    else if (!(*cal = calendar_parse(text, path, err, sizeof err)))
        fprintf(stderr, "%s\n", err);
    else
        return text;
    free(text);
    return NULL;
}

static void summary(const char *path, const calendar_t *cal)
{
    char last[11], week[64], first[11], end[11];
    int off = calendar_utc_offset(cal);
    /* A week without holidays or periods: 5-11 January 1970 was one. */
    int64_t week_work = calendar_work_between(cal, 4 * 86400 - off, 11 * 86400 - off);
    calendar_last_holiday(cal, last);
    printf(_("%s: OK\n"), path);
    printf(_("  zone            %c%02d:%02d %s\n"), off < 0 ? '-' : '+', abs(off) / 3600,
           abs(off) % 3600 / 60, calendar_zone(cal));
    printf(_("  working week    %s\n"), format_duration(week_work, HOURS_ONLY, week, sizeof week));
    printf(_("  holidays        %d, the last on %s\n"), calendar_holiday_count(cal),
           last[0] ? last : "-");
    for (int i = 0; i < calendar_period_count(cal); i++) {
        int64_t w;
        const char *name = calendar_period(cal, i, first, end, &w);
        printf(_("  period          %s to %s %s: %s a week\n"), first, end, name,
               format_duration(w, HOURS_ONLY, week, sizeof week));
    }
}

static int calendar_check_cmd(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[64];
    int n_pos, rc = admin_parse(&cmd_check, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    rc = EXIT_DONE;
    for (int i = 0; i < n_pos; i++) {
        calendar_t *cal = NULL;
        char *text = read_calendar(cmd_check.prog, pos[i], &cal);
        if (!text) {
            rc = EXIT_USAGE;
            continue;
        }
        summary(pos[i], cal);
        calendar_destroy(&cal);
        free(text);
    }
    return rc;
}

static int calendar_load_cmd(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_load, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    calendar_t *cal = NULL;
    char *text = read_calendar(cmd_load.prog, pos[0], &cal);
    if (!text)
        return EXIT_USAGE;
    Sertel__CalendarLoad load = SERTEL__CALENDAR_LOAD__INIT;
    load.text = text;
    load.filename = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CALENDAR_LOAD;
    req.calendar_load = &load;
    rc = admin_command(cmd_load.prog, &common, &req);
    if (rc == EXIT_DONE) {
        printf(_("The broker runs the calendar %s from now on (zone %s).\n"), pos[0],
               calendar_zone(cal));
    }
    calendar_destroy(&cal);
    free(text);
    return rc;
}

static const admin_sub_t subs[] = {
    {"check", calendar_check_cmd, N_("check working-calendar files (offline)")},
    {"load", calendar_load_cmd, N_("replace the broker's working calendar")},
};

int admin_calendar_main(int argc, char **argv)
{
    return admin_group("calendar", subs, sizeof subs / sizeof subs[0], argc, argv);
}
