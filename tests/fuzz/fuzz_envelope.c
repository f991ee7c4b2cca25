/* libFuzzer target: one frame as the broker receives it. The envelope
 * decoder refuses or accepts it; whatever it accepts is taken through
 * every codec converter the broker and the clients use on decoded data
 * (case, event, application, officer), and what converts is converted
 * back and packed again, as the broker does with what it stores. */
#include <stdint.h>
#include <stdlib.h>

#include "codec.h"

static void event_round_trip(const Sertel__Event *pb)
{
    event_t ev;
    uint64_t seq;
    if (!pb || codec_event_from_pb(pb, &ev, &seq) != SERTEL_OK)
        return;
    codec_event_pb_t out;
    codec_event_to_pb(&ev, seq, &out);
    size_t len;
    free(codec_pack(&out.pb.base, &len));
}

static void case_round_trip(const Sertel__Case *pb)
{
    static case_t c; /* large: not on libFuzzer's stack */
    char why[256];
    if (!pb || codec_case_from_pb(pb, &c, why, sizeof why) != SERTEL_OK)
        return;
    Sertel__Case out;
    if (codec_case_to_pb(&c, &out) == SERTEL_OK) {
        size_t len;
        free(codec_pack(&out.base, &len));
    }
    codec_case_pb_clear(&out);
}

static void app_round_trip(const Sertel__Application *pb)
{
    application_t a;
    char why[256];
    if (!pb || codec_app_from_pb(pb, &a, why, sizeof why) != SERTEL_OK)
        return;
    Sertel__Application out;
    codec_app_to_pb(&a, &out);
    size_t len;
    free(codec_pack(&out.base, &len));
}

static void officer_round_trip(const Sertel__Officer *pb)
{
    officer_t o;
    char why[256];
    if (!pb || codec_officer_from_pb(pb, &o, why, sizeof why) != SERTEL_OK)
        return;
    Sertel__Officer out;
    codec_officer_to_pb(&o, &out);
    size_t len;
    free(codec_pack(&out.base, &len));
}

static void walk(const Sertel__Envelope *env)
{
    switch (env->body_case) {
    case SERTEL__ENVELOPE__BODY_INTAKE:
        app_round_trip(env->intake->app);
        break;
    case SERTEL__ENVELOPE__BODY_OFFICER_ADD:
        officer_round_trip(env->officer_add->officer);
        break;
    case SERTEL__ENVELOPE__BODY_PUSH:
        event_round_trip(env->push);
        break;
    case SERTEL__ENVELOPE__BODY_DONE:
        case_round_trip(env->done->case_);
        break;
    case SERTEL__ENVELOPE__BODY_CASE_LIST:
        for (size_t i = 0; i < env->case_list->n_cases; i++)
            case_round_trip(env->case_list->cases[i]);
        break;
    case SERTEL__ENVELOPE__BODY_CASE_DETAIL:
        case_round_trip(env->case_detail->case_);
        for (size_t i = 0; i < env->case_detail->n_history; i++)
            event_round_trip(env->case_detail->history[i]);
        break;
    case SERTEL__ENVELOPE__BODY_EVENTS:
        for (size_t i = 0; i < env->events->n_events; i++)
            event_round_trip(env->events->events[i]);
        break;
    case SERTEL__ENVELOPE__BODY_OFFICERS:
        for (size_t i = 0; i < env->officers->n_officers; i++)
            officer_round_trip(env->officers->officers[i]);
        break;
    case SERTEL__ENVELOPE__BODY_WELCOME:
        officer_round_trip(env->welcome->officer);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512];
    Sertel__Envelope *env = codec_envelope_unpack(data, size, why, sizeof why);
    if (!env)
        return 0;
    walk(env);
    /* The broker packs what it keeps of a request again. */
    size_t len;
    free(codec_pack(&env->base, &len));
    sertel__envelope__free_unpacked(env, NULL);
    return 0;
}
