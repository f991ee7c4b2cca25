/* An SOP definition as loaded from a plain-text file in sop/. The loader
 * is strict and all-or-nothing; the structure is read-only afterwards.
 * Pure: parsing works on text; sop_load only reads the file first. */
#ifndef SERTEL_SOP_H
#define SERTEL_SOP_H

#include <stdbool.h>
#include <stddef.h>

#include "role.h"
#include "worktime.h"

#define SOP_MAX_STEPS 32
#define SOP_MAX_BOXES 24
#define BOX_TEXT_MAX 64   /* bytes of a box's text: case.h BOX_MAX_LEN */

/* What the engine checks before a step may be completed ("syarat" in the
 * file). Each is the check of one Kelengkapan item. */
enum {
    REQ_SURAT = 1u << 0,      /* "surat": the case has the application letter attached */
    REQ_INSTRUKSI = 1u << 1,  /* "instruksi": the disposition carries an instruction */
    REQ_KONTAK = 1u << 2,     /* "kontak": the applicant was contacted at this step */
    REQ_SERTIFIKAT = 1u << 3, /* "sertifikat": the renewed certificate is recorded */
    REQ_LAPORAN = 1u << 4,    /* "laporan": a report was attached at this step */
};

typedef struct {
    char **items;
    size_t n;
} sop_list_t;

typedef struct {
    int number;           /* 1..n, without gaps */
    char *activity;       /* Kegiatan */
    role_t role;          /* Pelaksana */
    unsigned quals;       /* qualification the actor must hold, e.g. QUAL_VERIFIKATOR */
    sop_list_t inputs;    /* Kelengkapan, as the office writes it */
    unsigned requires;    /* REQ_* checked by the engine */
    int std_amount;       /* Mutu Baku: amount ... */
    dur_unit_t std_unit;  /* ... and unit, in working time */
    sop_list_t outputs;   /* Output */
    char *remark;         /* Ket., may be NULL */
} sop_step_t;

typedef struct {
    char *code;           /* short identifier, e.g. "pembaharuan" */
    char *number;         /* NOMOR SOP */
    char *name;           /* NAMA SOP */
    char *agency;         /* e.g. Dinas Komunikasi dan Informatika ... */
    char *unit;           /* e.g. Bidang Persandian dan Keamanan Informasi */
    char *made_on, *revised_on, *effective_on; /* YYYY-MM-DD or NULL */
    char *approved_by;
    sop_list_t legal_basis, qualifications, equipment, warnings, records, related;
    sop_list_t boxes;     /* "kotak-disposisi": the instruction boxes a disposition may tick */
    int urgency_percent[4]; /* share of the Mutu Baku per urgency_t (index); 0 read as 100 */
    /* "plt-plh: kadis = kabid": bit r of stand_in[h] set when an officer of
     * role r may act for a holder of role h; 0: the default (same role or
     * the one directly below). */
    unsigned stand_in[8];
    /* "jenis-berkas": FILETYPE_* bits the letter and the laporan may be;
     * 0: PDF alone (sop_file_types). */
    unsigned file_types;
    int no_separation;    /* "pisah-tugas: tidak": the registrar may also dispose as Plt/Plh */
    sop_step_t steps[SOP_MAX_STEPS];
    size_t n_steps;
} sop_t;

/* On error returns NULL and writes "FILE:LINE: reason" into err. */
sop_t *sop_parse(const char *text, const char *filename, char *err, size_t errlen);
sop_t *sop_load(const char *path, char *err, size_t errlen);
void sop_destroy(sop_t **sop);

/* The step with this number, or NULL. */
const sop_step_t *sop_step(const sop_t *sop, int number);
/* The box of the SOP's list that names this one (case, spaces and '-'
 * ignored), or NULL. */
const char *sop_box(const sop_t *sop, const char *name);
/* The boxes as one line, "Tanggapi, Arsipkan" ("none" translated when
 * the SOP has none). Returns buf. */
const char *sop_boxes_text(const sop_t *sop, char *buf, size_t len);
/* Whether an officer of role by may be Plt/Plh of a holder of role holder. */
bool sop_may_stand_in(const sop_t *sop, role_t holder, role_t by);
/* The types (FILETYPE_* of filetype.h) a letter or laporan may be. */
unsigned sop_file_types(const sop_t *sop);
/* Percentage of the Mutu Baku a step has at this urgency (1..100). */
int sop_urgency_percent(const sop_t *sop, int urgency);
/* Mutu Baku of a step as text: "10 menit", "1 hari" (translated). */
const char *sop_step_standard_text(const sop_step_t *st, char *buf, size_t len);

#endif
